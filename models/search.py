"""The search-key index: station-local, derived, rebuilt from content at any time.

One row per (key, record, field): a resident has keys for the name, the given name,
full pinyin and initials (every plausible reading), the phone and the ID number. The
table is ``WITHOUT ROWID`` with the key first, so a prefix lookup is one index range
scan and returns the record ids without touching another page.
"""

from __future__ import annotations

from typing import ClassVar

from peewee import CharField, CompositeKey, IntegerField

from models.base import LocalModel


class SearchKey(LocalModel):
    """A lowercase search key pointing at a record (``kind`` + ``ref_id``)."""

    synced: ClassVar[bool] = False

    key = CharField()
    ref_id = CharField(index=True)
    field = IntegerField()  # search_index.Field
    kind = CharField(default="resident")

    class Meta:
        primary_key = CompositeKey("key", "ref_id", "field")
        without_rowid = True
