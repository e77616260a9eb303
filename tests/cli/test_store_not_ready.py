"""Any command on a store that was never initialised says "run otklik init", not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from otklik.cli._common import store_problem
from otklik.db.engine import make_engine
from otklik.db.migrate import upgrade
from otklik.settings import Settings


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OTKLIK_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "otklik.cli", *args], env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("args", [("import", "{file}", "--no-enrich"), ("stats",),
                                  ("mentions", "search", "кофе")])
def test_a_store_never_initialised(tmp_path: Path, args: tuple[str, ...]) -> None:
    mention = tmp_path / "one.jsonl"
    mention.write_text('{"id": 1, "text": "x", "created_at": "2026-11-01"}\n', "utf-8")
    done = _run(f"sqlite:///{tmp_path}/fresh.db", *(a.format(file=mention) for a in args))
    assert done.returncode == 2, done.stderr
    assert "run otklik init" in done.stderr and "Traceback" not in done.stderr


def test_an_unreachable_store() -> None:
    done = _run("postgresql+psycopg://postgres@127.0.0.1:1/none", "stats")
    assert done.returncode == 1
    assert "cannot reach the store" in done.stderr and "Traceback" not in done.stderr


def test_an_older_store_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    assert "older than this version" in (store_problem(Settings(database_url=url)) or "")
    upgrade(make_engine(url))
    assert store_problem(Settings(database_url=url)) is None
