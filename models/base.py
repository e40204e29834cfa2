"""Base classes shared by every table.

``SyncedModel`` rows are mutable and merge per field (last writer wins by HLC, then
station id); ``field_clocks`` keeps, per field, the stamp of the change that wrote it,
with ``"*"`` for the insert. ``LedgerModel`` rows only accumulate (events, visits,
sessions, evaluations) and merge as a grow-only set.
"""

from __future__ import annotations

from typing import Any, ClassVar

from peewee import BooleanField, CharField, Model, TextField

from models.db import db

#: Columns that are sync bookkeeping, never content (left out of the digest and of diffs).
BOOKKEEPING = frozenset({"field_clocks"})


class BaseModel(Model):
    """Every Mulin table: UUID text primary key, bound to the shared database."""

    id = CharField(primary_key=True, max_length=36)

    #: True for tables whose rows are content (synced, digested).
    synced: ClassVar[bool] = True
    #: True for append-only tables (grow-only set on merge).
    append_only: ClassVar[bool] = False

    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def content_fields(cls) -> list[str]:
        """Field names that carry content, in declaration order."""
        return [f for f in cls._meta.sorted_field_names if f not in BOOKKEEPING]

    def as_content(self) -> dict[str, Any]:
        """This row's content as plain values keyed by column name (FKs as ids)."""
        out: dict[str, Any] = {}
        for name in self.content_fields():
            field = self._meta.fields[name]
            out[name] = self.__data__.get(field.name)
        return out


class SyncedModel(BaseModel):
    """A mutable record: merges per field; deletion is a tombstone."""

    deleted = BooleanField(default=False)
    field_clocks = TextField(default="{}")


class LedgerModel(BaseModel):
    """An append-only fact: never updated, merged as a grow-only set."""

    append_only: ClassVar[bool] = True


class LocalModel(BaseModel):
    """Station-local bookkeeping: neither synced nor part of the digest."""

    synced: ClassVar[bool] = False
