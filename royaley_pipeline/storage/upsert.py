"""The one idempotent write path: INSERT … ON CONFLICT (natural key) DO UPDATE.

SQLite and PostgreSQL share the syntax, so one function serves both dialects; callers run it
inside their own transaction so a failure leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, String, Table
from sqlalchemy.dialects import postgresql, sqlite

# SQLite allows 32,766 bound variables per statement; stay well below it on both dialects.
_MAX_VARIABLES = 30_000


def upsert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key_columns: Iterable[str],
    *,
    update: bool = True,
) -> int:
    """Insert rows; where the natural key exists, update the other columns (or leave them)."""
    if not rows:
        return 0
    keys = list(key_columns)
    check_text(table, rows, keys)
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    columns = list(rows[0])
    batch_size = max(1, _MAX_VARIABLES // max(1, len(columns)))
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        statement = dialect_insert(table).values(batch)
        changes = {name: statement.excluded[name] for name in columns if name not in keys and name != "id"}
        if update and changes:
            statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        connection.execute(statement)
    return len(rows)


class UnstorableTextError(ValueError):
    """A text value the database column cannot hold as given (too long, or with a NUL byte)."""


def check_text(table: Table, rows: Sequence[dict[str, Any]], keys: list[str]) -> None:
    """Refuse, on both dialects alike, text PostgreSQL would refuse and SQLite would keep or cut:
    longer than its ``String(n)`` column, or holding a NUL byte (SQLite ends the string there).

    Readers of source files check their rows first, naming file and row; this is the net under
    every writer (live payloads included).
    """
    limits = {column.name: column.type.length for column in table.columns
              if isinstance(column.type, String) and column.name in rows[0]}
    for row in rows:
        for name, limit in limits.items():
            value = row[name]
            if isinstance(value, str) and ((limit is not None and len(value) > limit) or "\x00" in value):
                key = ", ".join(f"{column}={str(row.get(column))[:40]}" for column in keys)
                problem = "holds a NUL byte" if "\x00" in value else f"is {len(value):,} characters, over its {limit}"
                raise UnstorableTextError(f"{table.name}.{name} of the row {key} {problem}")
