"""Operators who sign in to a station, and the audit of revealed personal data.

Operators are **synced** (a grid worker signs in on any laptop of the community; an
admin removing someone reaches every station), but, like stations, they are not part of
the content digest: a PIN hash carries a random salt, so two stations that each made
the same demo operators must still agree on the residents' data. The PIN is stored
only as an Argon2id hash (``argon2-cffi``); bundles carrying it are encrypted.
"""

from __future__ import annotations

from typing import ClassVar

from peewee import CharField, DateTimeField

from models.base import LedgerModel, SyncedModel


class Operator(SyncedModel):
    """操作员: someone allowed to sign in. ``role``: duty 值班人员, grid_worker 网格员,
    admin 书记/管理员."""

    digested: ClassVar[bool] = False

    name = CharField()
    role = CharField()
    pin_hash = CharField()


class RevealLog(LedgerModel):
    """An operator revealed a masked value (an ID number …): append-only, synced."""

    operator = CharField()  # operator id ("" when the station has no operators)
    operator_name = CharField(default="")
    station = CharField()  # station id where it happened
    table = CharField()
    row_id = CharField(index=True)
    field = CharField()
    at = DateTimeField()  # UTC
