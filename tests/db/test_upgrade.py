"""Upgrading a store the first release left (schema 0001, with data) to this version's head."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import DatabaseError

from otklik.actions.audit import record
from otklik.actions.unit import transaction
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import script_heads, store_heads, upgrade
from otklik.db.models import AuditEvent, Case, Mention
from otklik.flow.pipeline import ingest
from otklik.query.search import search_mentions
from tests.conftest import PG_URL
from tests.factories import make_post

RELEASE_1 = Path(__file__).parents[1] / "fixtures" / "upgrade" / "release1.sql"


@pytest.fixture(params=["sqlite", "postgresql"])
def release_1(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a store at schema 0001 holding the first release's data."""
    admin = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/release1.db")
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}", pool_size=2)
    upgrade(engine, "0001")
    statements = [line for line in RELEASE_1.read_text("utf-8").splitlines()
                  if line.startswith("INSERT")]
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        if engine.dialect.name == "postgresql":  # the fixture names its ids: move sequences on
            for table in ("brands", "authors", "places", "mentions", "cases", "audit_events"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
    try:
        yield engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in ("brands", "authors", "places", "mentions", "mention_brands", "cases",
                          "case_mentions", "audit_events")}


def test_a_release_1_store_with_data_upgrades_to_head(release_1: Engine) -> None:
    before = _counts(release_1)
    assert store_heads(release_1) == {"0001"}
    upgrade(release_1)
    assert store_heads(release_1) == script_heads()
    assert _counts(release_1) == before
    assert not [t for t in ("mentions", "cases", "audit_events")
                if t not in inspect(release_1).get_table_names()]
    sessions = make_sessionmaker(release_1)
    with transaction(sessions) as s:
        old = s.get(Mention, 1)
        assert old is not None and old.author is not None and old.author.handle == "olga"
        assert s.get(Case, 1).state == "new"
        assert [m.id for m in search_mentions(s, text="остыл")] == [1]
        ingest(s, [make_post(text="После обновления: Зерно снова открыто")])
        record(s, "alice@example.com", "case.transition", "case", 1, to="resolved")
    with transaction(sessions) as s:
        assert s.scalar(select(Mention.id).where(Mention.text.like("После обновления%")))
        assert len(s.scalars(select(AuditEvent.id)).all()) == 2
    with pytest.raises(DatabaseError, match="append-only"), release_1.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory'"))
