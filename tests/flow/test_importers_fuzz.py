"""Property tests: an importer given any bytes, or any JSON values in the known fields, ends in a
clear error or a stored file, never a traceback (and a refused file stores nothing)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select

from otklik.actions.imports import import_file
from otklik.actions.unit import transaction
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.db.models import Mention
from otklik.flow.importers import FIELDS, UnreadableFile
from tests.conftest import PG_URL

FUZZ = settings(max_examples=60, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)
VALUES = st.one_of(JSON, st.sampled_from([
    "1e20", "1e30", 1e20, 1e30, -1, 2**64, "0001-01-01T00:00:00+05:00", "nan", "inf", "¹",
    "9999-12-31T23:59:59-14:00", "x" * 400, "a\x00b", "2026-11-01T10:00:00Z", float("nan"),
    [float("inf")], {"k": "\x00"},
]))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One store per dialect for the module: PostgreSQL refuses more than SQLite does."""
    admin = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/fuzz.db")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=2)
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _count(sessions: Any) -> int:
    with transaction(sessions) as s:
        return int(s.scalar(select(func.count()).select_from(Mention)) or 0)


def _import(sessions: Any, path: Path) -> None:
    before = _count(sessions)
    try:
        report = import_file(sessions, path)
    except UnreadableFile as exc:
        assert str(exc)
        assert _count(sessions) == before
        return
    if report.bad:
        assert not report.committed and _count(sessions) == before
        assert all(b.reason for b in report.bad)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".jsonl", ".csv", ".tsv"]))
def test_any_bytes(sessions: Any, tmp_path_factory: pytest.TempPathFactory, data: bytes,
                   suffix: str) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"any{suffix}"
    path.write_bytes(data)
    _import(sessions, path)


@FUZZ
@given(records=st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8),
                        min_size=1, max_size=4))
def test_any_values_in_the_known_fields(sessions: Any, tmp_path_factory: pytest.TempPathFactory,
                                        records: list[dict[str, Any]]) -> None:
    path = tmp_path_factory.mktemp("records") / "any.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    _import(sessions, path)


@FUZZ
@given(overrides=st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=3),
                          min_size=1, max_size=4))
def test_good_records_with_hostile_fields(sessions: Any,
                                          tmp_path_factory: pytest.TempPathFactory,
                                          overrides: list[dict[str, Any]]) -> None:
    records = [{"id": f"f{n}", "text": "Зерно: кофе", "created_at": "2026-11-01T10:00:00Z",
                **o} for n, o in enumerate(overrides)]
    path = tmp_path_factory.mktemp("hostile") / "good.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    _import(sessions, path)
