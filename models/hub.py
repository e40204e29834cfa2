"""The hub's own tables (schema ``mulin_hub``): its communities and upload tokens.

Each joined community's content lives in a schema of its own with the stations' tables
(:mod:`models.schema`); these tables only say which schema is which community and who
may upload bundles to it. They are the hub's bookkeeping: never synced, never digested.
"""

from __future__ import annotations

from typing import ClassVar

from peewee import CharField, DateTimeField, TextField

from models.base import BaseModel

#: The PostgreSQL schema holding the hub's own tables.
HUB_SCHEMA = "mulin_hub"


class HubModel(BaseModel):
    synced: ClassVar[bool] = False

    class Meta:
        schema = HUB_SCHEMA


class HubMeta(HubModel):
    """Facts about the hub: schema version, the street's name and id."""

    value = TextField()


class HubCommunity(HubModel):
    """A joined community (id = community id) and the schema that holds it."""

    schema_name = CharField(unique=True)
    name = CharField(default="")
    station_id = CharField()  # the hub's own station in this community
    prefix = CharField()
    joined_at = DateTimeField()


class HubToken(HubModel):
    """A station's upload token, stored as its SHA-256 (the token itself is shown once)."""

    community = CharField(index=True)  # community id
    station = CharField()  # the station's name, as the street office calls it
    token_hash = CharField(unique=True)
    created_at = DateTimeField()
    revoked_at = DateTimeField(null=True)


HUB_TABLES: list[type[BaseModel]] = [HubMeta, HubCommunity, HubToken]
