"""Pydantic schemas for what crosses the sync boundary: bundle headers and change records.

Every record of a bundle is checked against the schema of its table, built from the
Peewee fields (storage form: booleans 0/1, dates ``YYYY-MM-DD``, datetimes
``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC, foreign keys as ids), before anything is applied.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from peewee import (
    BooleanField,
    DateField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKeyField,
    IntegerField,
)
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from models.base import BOOKKEEPING
from models.base import BaseModel as TableModel

__all__ = ["BundleHeader", "ChangeRecord", "RecordError", "ValidationError", "check_record"]

#: The bundle format this Mulin writes and the newest it reads (2: chunked, issue 16;
#: 1: one message, still read).
FORMAT = 2

_HLC = re.compile(r"^\d{15}-\d{6}$")
_ID = r"^[0-9A-Za-z_.:-]{1,64}$"


def _check_date(value: str) -> str:
    date.fromisoformat(value)
    return value


def _check_datetime(value: str) -> str:
    datetime.fromisoformat(value)
    return value


DateStr = Annotated[StrictStr, AfterValidator(_check_date)]
DateTimeStr = Annotated[StrictStr, AfterValidator(_check_datetime)]
Ident = Annotated[StrictStr, AfterValidator(lambda v: _match(_ID, v))]


def _match(pattern: str, value: str) -> str:
    if not re.match(pattern, value):
        raise ValueError(f"not an id: {value[:40]!r}")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BundleHeader(Strict):
    """The plain, authenticated header of a bundle file."""

    format: StrictInt
    community: StrictStr
    key_id: StrictStr
    source: Ident
    source_name: StrictStr = ""
    bundle_id: Ident
    created_at: DateTimeStr
    #: origin station -> [first, last] seq carried (only non-empty ranges).
    coverage: dict[str, list[StrictInt]]
    #: origin station -> seq the receiver must already hold (1..n) to place this bundle.
    requires: dict[str, StrictInt]
    #: origin station -> seq the source holds contiguously (what it has received).
    acks: dict[str, StrictInt]
    #: station -> its acks as the source knows them (relayed acknowledgements).
    peers: dict[str, dict[str, StrictInt]]
    count: StrictInt
    #: the database schema version of the source (a newer one is refused)
    schema_version: StrictInt
    body_bytes: StrictInt
    body_sha256: StrictStr

    @model_validator(mode="after")
    def _consistent(self) -> BundleHeader:
        total = 0
        for origin, bounds in self.coverage.items():
            if len(bounds) != 2:
                raise ValueError(f"bad coverage for {origin}")
            first, last = bounds
            if first < 1 or last < first or first != self.requires.get(origin, 0) + 1:
                raise ValueError(f"bad coverage for {origin}")
            if self.acks.get(origin, 0) < last:
                raise ValueError(f"coverage beyond what the source holds for {origin}")
            total += last - first + 1
        if total != self.count or self.count < 0 or self.body_bytes < 0:
            raise ValueError("count does not match coverage")
        return self


class ChangeRecord(Strict):
    """One change-log row as carried in a bundle body."""

    id: Ident
    origin: Ident
    seq: StrictInt
    hlc: StrictStr
    table: StrictStr
    row_id: Ident
    op: Literal["insert", "update", "append"]
    data: dict[str, Any]
    operator: StrictStr = ""
    base: StrictStr = ""

    @field_validator("hlc")
    @classmethod
    def _hlc(cls, value: str) -> str:
        if not _HLC.match(value):
            raise ValueError("not an HLC stamp")
        return value

    @field_validator("seq")
    @classmethod
    def _seq(cls, value: int) -> int:
        if value < 1:
            raise ValueError("seq starts at 1")
        return value

    @field_validator("base")
    @classmethod
    def _base(cls, value: str) -> str:
        if value:
            clocks = json.loads(value)
            if not isinstance(clocks, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in clocks.items()):
                raise ValueError("base must map fields to stamps")
        return value


class RecordError(ValueError):
    """A change record does not fit its table."""


def _python_type(field: Field) -> Any:
    if isinstance(field, BooleanField):
        kind: Any = Literal[0, 1]
    elif isinstance(field, IntegerField) and not isinstance(field, ForeignKeyField):
        kind = StrictInt
    elif isinstance(field, FloatField):
        kind = float
    elif isinstance(field, DateTimeField):
        kind = DateTimeStr
    elif isinstance(field, DateField):
        kind = DateStr
    else:
        kind = StrictStr
    return kind | None if field.null else kind


@cache
def row_schema(model: type[TableModel]) -> type[BaseModel]:
    """A pydantic model of one table's row in storage form (every field optional)."""
    fields: dict[str, Any] = {}
    for name in model.content_fields():
        fields[name] = (_python_type(model._meta.fields[name]), None)
    config = ConfigDict(extra="forbid", strict=True)
    return create_model(f"{model.__name__}Row", __config__=config, **fields)


def check_record(change: ChangeRecord, model: type[TableModel]) -> None:
    """Validate a change's data against its table; raises :class:`RecordError`."""
    if not model.synced:
        raise RecordError(f"table {change.table} is not synced")
    if model.append_only != (change.op == "append"):
        raise RecordError(f"{change.op} is not allowed on {change.table}")
    content = set(model.content_fields())
    keys = set(change.data)
    if keys & BOOKKEEPING or not keys <= content:
        raise RecordError(f"unknown fields {sorted(keys - content)} for {change.table}")
    if change.op == "update":
        if not keys or "id" in keys:
            raise RecordError("an update names the fields it changes, never the id")
    elif change.data.get("id") != change.row_id:
        raise RecordError(f"an insert of {change.table} must carry its id")
    else:  # a station on an older schema leaves out newer columns: they take defaults
        for name in content - keys:
            f = model._meta.fields[name]
            if f.default is None and not f.null:
                raise RecordError(f"an insert of {change.table} lacks {name}")
    schema = row_schema(model)
    try:
        schema.model_validate(change.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RecordError(f"{change.table}.{where}: {first['msg']}") from exc
    _check_required(change, model)


def _check_required(change: ChangeRecord, model: type[TableModel]) -> None:
    for name, value in change.data.items():
        if value is None and not model._meta.fields[name].null:
            raise RecordError(f"{change.table}.{name} may not be empty")


def complete_row(model: type[TableModel], data: dict[str, Any]) -> dict[str, Any]:
    """An insert's data with any missing column set to its default (storage form)."""
    out = dict(data)
    for name in model.content_fields():
        if name not in out:
            f = model._meta.fields[name]
            value = f.default() if callable(f.default) else f.default
            out[name] = int(value) if isinstance(value, bool) else value
    return out
