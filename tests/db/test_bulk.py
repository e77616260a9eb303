"""The fast write path stores exactly what SQLAlchemy's own would, on both stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime, func, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from otklik.db.base import UTCDateTime
from otklik.db.bulk import (
    insert_ignoring_conflicts,
    refresh_planner_stats,
    select_by_external_id,
)
from otklik.db.engine import _json_dumps
from otklik.db.models import Author, Mention

MENTIONS = Mention.__table__
MSK = timezone(timedelta(hours=3))


def mention_row(external_id: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "network": "vk", "external_id": external_id, "url": None, "author_id": None,
        "place_id": None, "parent_external_id": None, "thread_external_id": external_id,
        "text": f"Кофе «Зерно» \"холодный\" {external_id}",
        "created_at": datetime(2026, 11, 1, 12, 30, 5, 123, tzinfo=MSK),
        "edited_at": datetime(2026, 11, 2, 8, 0),  # naive: taken as UTC
        "lat": 55.75, "lon": None, "hashtags": ["зерно", 'a"b\\c'], "user_mentions": [],
        "reach": 10, "engagement": None, "raw": {"id": 1, "nested": {"x": [1.5, None, "ё"]}},
        "ingested_at": datetime(2026, 11, 3, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 3, 1, 2, 3, 999999, tzinfo=UTC),
        "source_id": None, "removed_at_source": None, "sentiment_corrected": False,
        "cluster_id": None, "lang": "ru", "sentiment": None, "sentiment_scores": None,
        "sentiment_score": None, "customer_name": None, "is_question": True, "priority": 0.25,
        "priority_reasons": {"reach": 1}, "enriched_at": None,
    }
    row.update(overrides)
    return row


def columns(*rows: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in rows[0]}


def stored(conn: Any, external_id: str) -> tuple[Any, ...]:
    """The row as the driver returns it, bypassing SQLAlchemy's result types."""
    names = [c.name for c in MENTIONS.c if c.name not in ("id", "external_id",
                                                          "thread_external_id", "text")]
    return conn.exec_driver_sql(
        f"SELECT {', '.join(names)} FROM mentions WHERE external_id = '{external_id}'"
    ).one()


def test_same_stored_values_as_sqlalchemy_insert(store):
    with store.engine.begin() as conn:
        conn.execute(insert(MENTIONS), [mention_row("core")])
        returned = insert_ignoring_conflicts(
            conn, MENTIONS, columns(mention_row("bulk")), ("network", "external_id", "id")
        )
        assert [(r[0], r[1]) for r in returned] == [("vk", "bulk")]
        assert stored(conn, "bulk") == stored(conn, "core")


def test_conflicts_are_skipped_and_pages_split(store):
    rows = [mention_row(f"m{i}", text=f"word{i} latte") for i in range(2500)]  # > one page
    with store.engine.begin() as conn:
        first = insert_ignoring_conflicts(conn, MENTIONS, columns(*rows), ("external_id", "id"))
        again = insert_ignoring_conflicts(conn, MENTIONS, columns(*rows[-10:]), ("external_id",))
        assert len(first) == 2500 and again == []
        assert conn.scalar(select(func.count()).select_from(MENTIONS)) == 2500
        if store.dialect == "sqlite":  # the FTS5 trigger indexed every page
            ids = dict(first)
            hits = conn.exec_driver_sql(
                "SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'word2499'"
            ).all()
            assert hits == [(ids["m2499"],)]


def test_select_by_external_id_pages_and_converts_like_the_orm(store):
    rows = [mention_row(f"k'{i}") for i in range(1200)]  # quotes in keys; > one page
    with store.engine.begin() as conn:
        insert_ignoring_conflicts(conn, MENTIONS, columns(*rows), ("id",))
        wanted = [f"k'{i}" for i in range(0, 1200, 7)] + ["absent"]
        found = select_by_external_id(conn, MENTIONS, "vk", wanted, ["external_id", "created_at"])
        assert select_by_external_id(conn, MENTIONS, "tg", wanted, ["id"]) == []
        orm = conn.execute(select(Mention.external_id, Mention.created_at)
                           .where(Mention.external_id.in_(wanted))).all()
    assert sorted(found) == sorted(tuple(r) for r in orm)
    assert len(found) == len(wanted) - 1
    assert found[0][1] == datetime(2026, 11, 1, 9, 30, 5, 123, tzinfo=UTC)


def test_too_long_value_fails_as_it_would_in_sqlalchemy(pg_store):
    row = mention_row("x" * 301)  # external_id is VARCHAR(300): an error, never a cut key
    with pg_store.engine.connect() as conn, pytest.raises(DBAPIError):
        insert_ignoring_conflicts(conn, MENTIONS, columns(row), ("id",))


def test_missing_python_default_is_refused(sqlite_store):
    with sqlite_store.engine.begin() as conn:
        try:
            insert_ignoring_conflicts(conn, Author.__table__,
                                      {"network": ["vk"], "external_id": ["u1"]}, ("id",))
        except ValueError as err:
            assert "first_seen_at" in str(err)
        else:
            raise AssertionError("a row without first_seen_at was accepted")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_json_serializer_matches_json_dumps(value):
    assert _json_dumps(value) == json.dumps(value)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                    timezones=st.none() | st.timezones()))
def test_utc_datetime_fast_bind_matches_generic_path(value):
    dialect = sqlite.dialect()
    fast = UTCDateTime().bind_processor(dialect)
    impl = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert fast is not None and impl is not None
    assert fast(value) == impl(UTCDateTime().process_bind_param(value, dialect))


def test_a_table_that_outgrew_its_planner_stats_is_analyzed_once(pg_store: Any) -> None:
    """A first import must not slow down while autovacuum has not yet looked at the tables."""
    from otklik.flow.pipeline import ingest
    from tests.factories import make_post

    with pg_store.sessions() as s:
        ingest(s, [make_post() for _ in range(300)])
        s.commit()
        s.execute(text("SELECT pg_stat_force_next_flush()"))  # counters visible to others now
        s.commit()
    with pg_store.engine.connect() as conn:
        assert refresh_planner_stats(conn, ["mentions", "places"], floor=100) == ["mentions"]
        conn.commit()
    with pg_store.engine.connect() as conn:
        assert refresh_planner_stats(conn, ["mentions"], floor=100) == []  # just analyzed
        assert conn.scalar(text("SELECT reltuples FROM pg_class "
                                "WHERE oid = 'mentions'::regclass")) == 300


def test_planner_stats_are_left_to_sqlite(sqlite_store: Any) -> None:
    with sqlite_store.engine.connect() as conn:
        assert refresh_planner_stats(conn, ["mentions"], floor=0) == []


def test_a_table_is_not_analyzed_again_within_a_minute(pg_store: Any, monkeypatch: Any) -> None:
    """Workers in a burst read the change counters late: one ANALYZE a minute per process."""
    from otklik.db import bulk
    from otklik.flow.pipeline import ingest
    from tests.factories import make_post

    clock = [1000.0]
    monkeypatch.setattr(bulk.time, "monotonic", lambda: clock[0])

    def grow() -> None:
        with pg_store.sessions() as s:
            ingest(s, [make_post() for _ in range(300)])
            s.commit()
            s.execute(text("SELECT pg_stat_force_next_flush()"))
            s.commit()

    grow()
    with pg_store.engine.connect() as conn:
        assert refresh_planner_stats(conn, ["mentions"], floor=100) == ["mentions"]
        conn.commit()
    for _ in range(2):
        grow()  # more than it held when analyzed: stale by the counters
    with pg_store.engine.connect() as conn:
        assert refresh_planner_stats(conn, ["mentions"], floor=100) == []
        clock[0] += 61
        assert refresh_planner_stats(conn, ["mentions"], floor=100) == ["mentions"]
