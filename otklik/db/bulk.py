"""Bulk INSERT … ON CONFLICT (skip or update), many rows per statement, for the ingest hot path.

Why not `session.execute(insert(...), rows)`: SQLAlchemy's generic per-row parameter handling costs
more than SQLite's own work for a 32-column mention, and without RETURNING it sends one statement
per row, which makes the FTS5 trigger flush an index segment per row. Here each column's own bind
processor (the same one SQLAlchemy would apply, so stored values are identical) runs in one tight
loop, and rows go as multi-row VALUES pages sized to the dialect's parameter limit — what
SQLAlchemy's "insertmanyvalues" does, minus the per-row overhead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from itertools import chain, repeat
from operator import is_
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, String, Table
from sqlalchemy.engine import Dialect

_Processor = Callable[[Any], Any]
_Cache = dict[tuple[int, tuple[str, ...]], list[tuple[int, _Processor]]]
_processors: WeakKeyDictionary[Dialect, _Cache] = WeakKeyDictionary()  # per engine's dialect


def _bind_processors(
    dialect: Dialect, table: Table, columns: Sequence[str]
) -> list[tuple[int, _Processor]]:
    """(position, processor) for the columns whose type converts values on the way in."""
    cache = _processors.setdefault(dialect, {})
    key = (id(table), tuple(columns))
    found = cache.get(key)
    if found is None:
        found = []
        for i, name in enumerate(columns):
            type_ = table.c[name].type
            process = type_.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                found.append((i, process))
        cache[key] = found
    return found


def table_of(model: Any) -> Table:
    """A mapped class's table, typed as the bulk functions take it."""
    return cast(Table, model.__table__)


PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # positional in all three
PAGE = 1000  # rows per statement at most


def insert_ignoring_conflicts(
    conn: Connection,
    table: Table,
    data: Mapping[str, Sequence[Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert rows given column by column (name → one value per row), skip the ones that
    conflict, and return `returning` for those stored. Columns spare a dict per row.

    Rows skipped by a conflict return nothing; callers look those up if they need them.
    """
    quote = conn.dialect.identifier_preparer.quote
    return _insert(conn, table, data, f" ON CONFLICT DO NOTHING RETURNING "
                   f"{', '.join(quote(c) for c in returning)}")


def upsert(
    conn: Connection,
    table: Table,
    data: Mapping[str, Sequence[Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows given column by column; a row whose `keys` are stored updates `update`."""
    quote = conn.dialect.identifier_preparer.quote
    _insert(conn, table, data, f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE "
            f"SET {', '.join(f'{quote(c)} = excluded.{quote(c)}' for c in update)}")


def _insert(
    conn: Connection, table: Table, data: Mapping[str, Sequence[Any]], tail: str
) -> list[tuple[Any, ...]]:
    columns = list(data)
    total = len(data[columns[0]]) if columns else 0
    if total == 0:
        return []
    if any(len(values) != total for values in data.values()):
        raise ValueError("bulk insert: columns of different lengths")
    dialect = conn.dialect
    mark = PLACEHOLDERS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"bulk insert: paramstyle {dialect.paramstyle}")
    skipped = [c.name for c in table.c if c.default is not None and c.name not in data]
    if skipped:  # SQLAlchemy would fill these Python-side defaults; this path does not
        raise ValueError(f"bulk insert into {table.name}: give values for {skipped}")
    processors = dict(_bind_processors(dialect, table, columns))
    quote = dialect.identifier_preparer.quote
    head = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(c) for c in columns)}) ")
    if dialect.name == "postgresql":
        # One array per column: a short statement whatever the page size (psycopg re-parses
        # any long query text on every execution, which cost more than the insert itself).
        arrays = ", ".join(f"%b::{_array_type(table, c, dialect)}[]" for c in columns)
        per_page = PAGE
        sql = f"{head}SELECT * FROM unnest({arrays}){tail}"
    else:
        per_page = max(1, min(PAGE, dialect.insertmanyvalues_max_parameters // len(columns)))
        one = "(" + ", ".join([mark] * len(columns)) + ")"
    out: list[tuple[Any, ...]] = []
    for start in range(0, total, per_page):
        values = [
            _processed(list(data[name][start : start + per_page]), processors.get(i))
            for i, name in enumerate(columns)
        ]
        if dialect.name == "postgresql":
            params: tuple[Any, ...] = tuple(values)
        else:  # row by row, as the VALUES list reads
            params = tuple(chain.from_iterable(zip(*values, strict=True)))
            sql = f"{head}VALUES {', '.join([one] * len(values[0]))}{tail}"
        result = conn.exec_driver_sql(sql, params)
        if result.returns_rows:
            out.extend(cast(list[tuple[Any, ...]], result.all()))
    return out


def _array_type(table: Table, column: str, dialect: Dialect) -> str:
    """The element type to cast a parameter array to. Strings go as TEXT: a cast to VARCHAR(n)
    would silently cut a long value, where storing it into the column rightly fails."""
    type_ = table.c[column].type
    if isinstance(type_, String):
        return "TEXT"
    return type_.compile(dialect=dialect)


def _processed(column: list[Any], process: _Processor | None) -> list[Any]:
    """One column of a page through its bind processor; a value every row shares (the batch's
    timestamp, a default flag, None) is converted once."""
    if process is None:
        return column
    first = column[0]
    if all(map(is_, column, repeat(first))):
        return [process(first)] * len(column)
    return list(map(process, column))


def select_by_external_id(
    conn: Connection,
    table: Table,
    network: str,
    external_ids: Sequence[str],
    columns: Sequence[str],
) -> list[tuple[Any, ...]]:
    """`columns` of the rows of one network whose external_id is in `external_ids`.

    The lookup every batch makes for its authors, places and mentions: one short statement per
    page (an array on PostgreSQL), values through the columns' own processors, no ORM rows.
    """
    if not external_ids:
        return []
    dialect = conn.dialect
    mark = PLACEHOLDERS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"bulk select: paramstyle {dialect.paramstyle}")
    keys = dict(_bind_processors(dialect, table, ("network", "external_id")))
    results = [
        table.c[c].type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
    ]
    process = [(i, p) for i, p in enumerate(results) if p is not None]
    quote = dialect.identifier_preparer.quote
    head = (f"SELECT {', '.join(quote(c) for c in columns)} "
            f"FROM {dialect.identifier_preparer.format_table(table)} WHERE network = {mark} AND ")
    ids = _processed(list(external_ids), keys.get(1))
    net = keys[0](network) if 0 in keys else network
    out: list[tuple[Any, ...]] = []
    per_page = min(PAGE, dialect.insertmanyvalues_max_parameters - 1)
    for start in range(0, len(ids), per_page):
        page = ids[start : start + per_page]
        if dialect.name == "postgresql":
            sql = f"{head}external_id = ANY({mark})"
            params: tuple[Any, ...] = (net, page)
        else:
            sql = f"{head}external_id IN ({', '.join([mark] * len(page))})"
            params = (net, *page)
        rows = conn.exec_driver_sql(sql, params).all()
        if process:
            fixed = []
            for row in rows:
                values = list(row)
                for i, p in process:
                    values[i] = p(values[i])
                fixed.append(tuple(values))
            out.extend(fixed)
        else:
            out.extend(cast(list[tuple[Any, ...]], rows))
    return out


def refresh_planner_stats(conn: Connection, tables: Sequence[str], *,
                          floor: int = 5_000) -> list[str]:
    """PostgreSQL: ANALYZE each table that changed by more than it held when last analyzed.

    A new store grows faster than autovacuum looks at it (it waits for its naptime and for 10%
    new rows); until then the planner believes the tables empty and the per-batch lookups
    seq-scan, so a first import slows batch after batch. The check is one catalogue query; each
    ANALYZE samples at most 30,000 rows, and as each must be earned by the table doubling, they
    stay few. A table this process analyzed in the last `ANALYZE_EVERY` seconds is left alone:
    the counters the check reads reach other sessions late, and workers in a burst analyzed
    the same table again and again. Returns the tables analyzed.
    """
    if conn.dialect.name != "postgresql" or not tables:
        return []
    rows = conn.exec_driver_sql(
        "SELECT s.relname, s.relid::bigint, s.n_mod_since_analyze, c.reltuples "
        "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
        "WHERE s.relid = ANY(%s::regclass[])",
        (list(tables),),
    ).all()
    now = time.monotonic()
    stale = [(name, relid) for name, relid, changed, held in rows
             if changed > max(floor, held) and now - _analyzed.get(relid, -ANALYZE_EVERY)
             >= ANALYZE_EVERY]
    quote = conn.dialect.identifier_preparer.quote
    for name, relid in stale:
        # SKIP_LOCKED: inside a batch's transaction the lock is held until its commit, so a
        # second worker analyzing the same table would wait for the first's whole batch; the
        # first one's statistics serve both
        conn.exec_driver_sql(f"ANALYZE (SKIP_LOCKED) {quote(name)}")
        _analyzed[relid] = now
    return [name for name, _ in stale]


ANALYZE_EVERY = 60.0  # seconds
_analyzed: dict[int, float] = {}  # table oid → when this process last analyzed it
