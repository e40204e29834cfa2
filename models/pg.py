"""PostgreSQL for the street hub, speaking the dialect the station code already speaks.

The hub runs the stations' own write path, merge and digest (``app/store.py``,
``app/services/sync``, ``app/services/station/stats.py``) through the same models. Those
were written for SQLite, so this database makes PostgreSQL store and compare values the
way SQLite does, in one place instead of a second copy of the rules:

* ``?`` placeholders (SQLite's paramstyle) become psycopg's ``%s`` and
  ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``, in every cursor the code
  gets (raw ``db.cursor().executemany`` included); ``WITHOUT ROWID`` is dropped;
* booleans are stored as integers 0/1, dates and times as SQLite's text form
  (``2026-11-25 10:00:00``), so ``deleted = 0`` works and the digest hashes the very
  same values a station hashes;
* every text column uses the ``C`` collation (byte order, SQLite's ``BINARY``), so
  ``ORDER BY id`` and ``max(hlc)`` agree with a station whatever the server's locale;
* ``INSERT OR REPLACE`` (``Model.replace``) becomes an upsert on the primary key, and a
  bare ``ANALYZE`` (a station's whole file) the tables of the current community;
* ``atomic(lock_type="IMMEDIATE")`` takes a transaction-scoped advisory lock on the
  current schema: writers of one community are serialised as SQLite serialises them;
* a plain multi-row ``INSERT INTO "t" (…) VALUES (?, …)`` given to ``executemany`` (the
  stations' bulk path, :func:`app.store.raw_insert`, which the merge uses for the rows it
  decided to insert and for the change log) is sent as one ``COPY "t" (…) FROM STDIN``:
  the same rows, defaults, constraints and errors, without a statement per row; a table
  that grew by many rows inside the open transaction gets its ``ANALYZE`` there and then, so
  the merge's own queries (the existence checks, the duplicate search) are planned for its
  real size instead of an empty table's. The change log is not among them (the merge
  never reads it while applying; sampling its wide ``data`` column is the dearest
  ANALYZE of all): it waits for the one after the import, as do tables that grew little.

Each community lives in its own PostgreSQL schema (same tables); :meth:`HubDatabase.use_schema`
sets ``search_path`` on the connection and on every connection opened later.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import peewee
from peewee import SQL, CommaNodeList, EnclosedNodeList, NodeList, PostgresqlDatabase

#: SQLite's storage forms (see the module docstring).
FIELD_TYPES = {
    "BOOL": "SMALLINT",
    "DATE": "TEXT",
    "DATETIME": "TEXT",
    "TIME": "TEXT",
    "FLOAT": "DOUBLE PRECISION",
    "INT": "BIGINT",
}


def _register_dumpers(conn: Any) -> None:
    """Python values dumped as SQLite would store them."""
    from psycopg.adapt import Dumper
    from psycopg.postgres import types

    class BoolAsInt(Dumper):
        oid = types["int2"].oid

        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    class IsoText(Dumper):
        oid = types["text"].oid

        def dump(self, obj: Any) -> bytes:
            if isinstance(obj, datetime.datetime):
                return obj.isoformat(sep=" ").encode()
            return str(obj.isoformat()).encode()

    conn.adapters.register_dumper(bool, BoolAsInt)
    for kind in (datetime.datetime, datetime.date, datetime.time):
        conn.adapters.register_dumper(kind, IsoText)


def translate(sql: str) -> str:
    """SQLite-flavoured SQL (as Mulin writes it) for psycopg and PostgreSQL."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    head = sql.lstrip()
    if head[:21].upper() == "INSERT OR IGNORE INTO":
        sql = "INSERT INTO" + head[21:] + " ON CONFLICT DO NOTHING"
    elif sql.endswith(" WITHOUT ROWID"):  # a SQLite storage hint (the search index)
        sql = sql[:-len(" WITHOUT ROWID")]
    return sql


#: Peewee's mapping of driver errors to its own (``IntegrityError`` …).
WRAP_ERRORS: Any = getattr(peewee, "__exception_wrapper__")  # noqa: B009 - not exported
#: ``INSERT INTO "t" ("a", "b") VALUES (?, ?)``: the bulk insert that is sent as a COPY.
_PLAIN_INSERT = re.compile(r'INSERT INTO ("[^"]+") \(("[^"]+"(?:, "[^"]+")*)\) '
                           r'VALUES \(\?(?:, \?)*\)')
#: Rows copied into one table (in one schema) before its statistics are first refreshed;
#: each later refresh waits for the table to double.
ANALYZE_AFTER = 5_000
#: Tables the merge only appends to while applying: no statistics refreshed mid-import.
UNREAD_WHILE_APPLYING = frozenset({'"change"'})


class SqliteStyleCursor:
    """A psycopg cursor that takes Mulin's SQLite-flavoured SQL."""

    def __init__(self, cursor: Any, database: HubDatabase | None = None) -> None:
        self._cursor = cursor
        self._database = database

    def execute(self, sql: str, params: Any = None) -> SqliteStyleCursor:
        if sql.strip().upper() == "ANALYZE":
            # SQLite's ANALYZE covers its one file: here, this community's tables, but
            # not those whose statistics were just refreshed as they grew (see ``grew``)
            done = self._database.analyzed() if self._database is not None else set()
            tables = [t for (t,) in self._tables() if t not in done]
            if not tables:
                return self
            sql = "ANALYZE " + ", ".join(f'"{t}"' for t in tables)
        with WRAP_ERRORS:  # psycopg's errors as peewee's, as through ``execute_sql``
            self._cursor.execute(translate(sql), list(params or ()))
        return self

    def _tables(self) -> list[tuple[str]]:
        self._cursor.execute("SELECT tablename FROM pg_tables "
                             "WHERE schemaname = current_schema() ORDER BY tablename")
        return list(self._cursor.fetchall())

    def executemany(self, sql: str, seq: Any) -> SqliteStyleCursor:
        plain = _PLAIN_INSERT.fullmatch(sql.strip())
        with WRAP_ERRORS:  # e.g. a missing parent: peewee's IntegrityError, as SQLite's
            if plain is None:
                self._cursor.executemany(translate(sql), seq)
                return self
            table, columns = plain.groups()
            rows = 0
            with self._cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in seq:
                    copy.write_row(row)
                    rows += 1
        if self._database is not None:
            self._database.grew(table, rows)
        return self

    def __iter__(self) -> Any:
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def qualified(schema: str) -> str:
    """A schema name as a quoted identifier (names are checked by the caller)."""
    return '"' + schema.replace('"', '""') + '"'


class HubDatabase(PostgresqlDatabase):
    """PostgreSQL behaving like the stations' SQLite for Mulin's models and raw SQL."""

    param = "?"
    cipher_key: str | None = None
    #: Derived caches the hub does not keep (``app.services.station.derived``): the street
    #: desk searches no residents, so imports skip the pinyin search keys.
    skip_caches = frozenset({"app.services.search.index"})

    def __init__(self, database: str | None, **kwargs: Any) -> None:
        kwargs.setdefault("field_types", FIELD_TYPES)
        kwargs.setdefault("prefer_psycopg3", True)
        self.schema = "public"
        self._copied: dict[tuple[str, str], int] = {}
        self._analyze_at: dict[tuple[str, str], int] = {}
        self._fresh_stats: set[tuple[str, str]] = set()
        super().__init__(database, **kwargs)

    # -- connections ------------------------------------------------------------------
    def _initialize_connection(self, conn: Any) -> None:
        _register_dumpers(conn)
        with conn.cursor() as cur:
            cur.execute(f"SET search_path TO {qualified(self.schema)}")

    def use_schema(self, schema: str) -> None:
        """Make ``schema`` (a community) the one unqualified names refer to."""
        self.schema = schema
        if not self.is_closed():
            self.execute_sql(f"SET search_path TO {qualified(schema)}")

    # -- SQLite's dialect ---------------------------------------------------------------
    def cursor(self, named_cursor: Any = None) -> Any:
        return SqliteStyleCursor(super().cursor(named_cursor), self)

    def grew(self, table: str, rows: int) -> None:
        """``rows`` were copied into ``table``: refresh its statistics when it has grown
        enough (autovacuum sees no uncommitted rows; ``ANALYZE`` in the transaction does)."""
        if table in UNREAD_WHILE_APPLYING:
            return
        key = (self.schema, table)
        copied = self._copied.get(key, 0) + rows
        self._copied[key] = copied
        if copied >= self._analyze_at.get(key, ANALYZE_AFTER):
            self._analyze_at[key] = copied * 2
            super().cursor().execute(f"ANALYZE {table}")
            self._fresh_stats.add(key)

    def analyzed(self) -> set[str]:
        """The current community's tables whose statistics :meth:`grew` refreshed since
        the last bare ``ANALYZE`` (within a factor two of their size: the planner scales
        row counts by the table's current size); forgotten once asked."""
        done = {table.strip('"') for schema, table in self._fresh_stats
                if schema == self.schema}
        self._fresh_stats = {k for k in self._fresh_stats if k[0] != self.schema}
        return done

    def rollback(self) -> None:
        self._fresh_stats.clear()  # an ANALYZE inside a rolled-back transaction is undone
        super().rollback()

    def begin(self, lock_type: str | None = None,  # type: ignore[override]
              isolation_level: Any = None) -> None:
        super().begin(isolation_level)
        if lock_type and lock_type.upper() in ("IMMEDIATE", "EXCLUSIVE"):
            self.cursor().execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")

    def conflict_update(self, oc: Any, query: Any) -> Any:
        if (oc._action or "").lower() != "replace":
            return super().conflict_update(oc, query)
        model = query.model
        pk = model._meta.primary_key
        names = [f.column_name for f in model._meta.sorted_fields if f is not pk]
        target = EnclosedNodeList([SQL(f'"{pk.column_name}"')])
        sets = CommaNodeList([SQL(f'"{n}" = EXCLUDED."{n}"') for n in names])
        return NodeList([SQL("ON CONFLICT"), target, SQL("DO UPDATE SET"), sets])

    # -- schema -----------------------------------------------------------------------
    def collate_c(self, schema: str) -> None:
        """Give every text column of ``schema`` the C collation (SQLite's byte order)."""
        rows = self.execute_sql(
            "SELECT table_name, column_name, data_type, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = ? "
            "AND data_type IN ('text', 'character varying') "
            "AND (collation_name IS NULL OR collation_name <> 'C')", (schema,)).fetchall()
        for table, column, kind, length in rows:
            typ = f"varchar({length})" if kind == "character varying" and length else "text"
            self.execute_sql(f'ALTER TABLE {qualified(schema)}."{table}" ALTER COLUMN '
                             f'"{column}" TYPE {typ} COLLATE "C"')
