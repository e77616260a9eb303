"""Backup then restore into an empty store gives the same store: every table's count, the
mentions' checksum, and an audit log that is still append-only."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from otklik.actions.audit import record
from otklik.actions.backup import BackupError, backup, restore
from otklik.actions.brands import create_brand
from otklik.actions.cases import open_case
from otklik.actions.unit import transaction
from otklik.cli import app
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade
from otklik.db.models import Mention
from otklik.flow.pipeline import ingest
from tests.conftest import PG_URL
from tests.factories import make_post


def _fill(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as s:
        result = ingest(s, [make_post(text=f"Зерно, заказ {n}: «холодный» кофе 👎")
                            for n in range(40)])
        brand = create_brand(s, "Зерно", queries=["зерно"])
        for mention_id in result.mention_ids[:5]:
            open_case(s, mention_id, brand.id, actor="test")
        record(s, "alice@example.com", "case.transition", "case", 1, to="resolved")


def _fingerprint(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                  for t in inspect(conn).get_table_names()}
        rows = conn.execute(select(Mention.id, Mention.external_id, Mention.text,
                                   Mention.created_at).order_by(Mention.id)).all()
    digest = hashlib.sha256(repr([tuple(map(str, r)) for r in rows]).encode()).hexdigest()
    return {"counts": counts, "mentions": digest}


def _assert_append_only(engine: Engine) -> None:
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory'"))


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two new PostgreSQL databases (one installation each): the original and the restored."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    names = [f"otk_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _round_trip(source_url: str, target_url: str, file: Path) -> None:
    source = make_engine(source_url)
    upgrade(source)
    _fill(source)
    before = _fingerprint(source)
    backup(source_url, file)
    target = make_engine(target_url)
    try:
        restore(target_url, file)
        assert _fingerprint(target) == before
        assert before["counts"]["mentions"] == 40 and before["counts"]["cases"] == 5
        assert before["counts"]["audit_events"] >= 1
        _assert_append_only(target)
        with pytest.raises(BackupError, match="not empty"):
            restore(target_url, file)
        with pytest.raises(BackupError, match="already exists"):
            backup(source_url, file)
    finally:
        source.dispose()
        target.dispose()


def test_sqlite_backup_and_restore(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path}/desk.db", f"sqlite:///{tmp_path}/restored.db",
                tmp_path / "desk.backup")
    conn = sqlite3.connect(tmp_path / "restored.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("REPLACE INTO audit_events (id, at, actor, action, entity, entity_id, "
                         "data) SELECT id, at, 'mallory', action, entity, entity_id, data "
                         "FROM audit_events")
    finally:
        conn.close()


def test_postgresql_backup_and_restore(pg_databases: tuple[str, str], tmp_path: Path) -> None:
    _round_trip(*pg_databases, tmp_path / "desk.pgdump")


def test_a_backup_of_the_other_kind_or_no_backup_is_refused(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(BackupError, match="not an otklik backup"):
        restore(f"sqlite:///{tmp_path}/new.db", not_a_backup)
    dump = tmp_path / "x.pgdump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 32)
    with pytest.raises(BackupError, match="pg_dump custom-format backup, and the store is sqlite"):
        restore(f"sqlite:///{tmp_path}/new.db", dump)


def test_cli_backup_and_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/desk.db"
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine)
    engine.dispose()
    runner = CliRunner()
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    done = runner.invoke(app, ["backup", str(tmp_path / "b.db")])
    assert done.exit_code == 0, done.output
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    done = runner.invoke(app, ["restore", str(tmp_path / "b.db")])
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, ["restore", str(tmp_path / "b.db")])
    assert again.exit_code == 2 and "not empty" in again.output
    restored = make_engine(f"sqlite:///{tmp_path}/new.db")
    with restored.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mentions")).scalar_one() == 40
    restored.dispose()
