"""Community-wide settings (deadline rules, care cadence, subcategories, the handover note).

A setting is one ``Setting`` row whose id is derived from its key
(:func:`models.sync.setting_id`), so two stations that set the same key offline write the
same row and merge per field like any record, instead of creating two rows.
"""

from __future__ import annotations

import json
from typing import Any

from app import store
from models.sync import Setting, setting_id


def get_json(key: str) -> Any | None:
    """The stored JSON value of ``key``, or None when unset, deleted or unreadable."""
    row = Setting.get_or_none(Setting.id == setting_id(key))
    if row is None or row.deleted:
        return None
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def put_json(key: str, value: Any) -> None:
    """Store ``value`` under ``key`` through the write path (stamped, logged, synced)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row_id = setting_id(key)
    with store.write() as tx:
        if Setting.get_or_none(Setting.id == row_id):
            tx.update(Setting, row_id, value=text, deleted=False)
        else:
            tx.insert(Setting, id=row_id, key=key, value=text)
