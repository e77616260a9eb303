"""`otklik person export|forget` from the command line, and the admins' REST API for the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from otklik.actions.users import create_user
from otklik.cli import app
from tests.actions.test_persons import KEY, PUBLIC, SECRET, _world
from tests.web.conftest import make_desk

runner = CliRunner()


def run(store: Any, *args: str) -> Any:
    env = {"OTKLIK_DATABASE_URL": store.url, "OTKLIK_SECRET_KEY": KEY}
    return runner.invoke(app, list(args), env=env)


def test_person_commands(sqlite_store: Any, tmp_path: Path) -> None:
    with sqlite_store.sessions() as s:
        _world(s)
        create_user(s, "dpo@example.org", "correct horse battery", "admin")
        s.commit()
    for args, message in [
        (("export", "vk:nobody"), "no author 'vk:nobody'"),
        (("export", "nobody"), "name an author as NETWORK:ID"),
        (("forget", "vk:12345", "--yes", "--by", "mallory@example.org"), "no desk user"),
    ]:
        bad = run(sqlite_store, "person", *args)
        assert bad.exit_code == 2 and message in bad.output, bad.output
        assert "Traceback" not in bad.output
    out = tmp_path / "olga.json"
    exported = run(sqlite_store, "person", "export", "vk:12345", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert SECRET in out.read_text(encoding="utf-8")
    forgot = run(sqlite_store, "person", "forget", "vk:12345", "--yes", "--by", "dpo@example.org")
    assert forgot.exit_code == 0, forgot.output
    assert json.loads(forgot.output)["replaced"]["mention"] == 2
    after = run(sqlite_store, "person", "export", "vk:12345")
    data = json.loads(after.output)
    assert data["author"]["forgotten"] is True and SECRET not in after.output
    assert PUBLIC in after.output
    assert [e["actor"] for e in data["audit_events"] if e["action"] == "person.forget"] == [
        "dpo@example.org"]


def test_person_api_is_for_admins(sqlite_store: Any) -> None:
    with sqlite_store.sessions() as s:
        _world(s)
    desk = make_desk(sqlite_store)
    admin, viewer = desk.api("admin"), desk.api("viewer")
    assert viewer.get("/api/v1/persons/export", params={"author": "vk:12345"}).status_code == 403
    assert viewer.post("/api/v1/persons/forget", json={"author": "vk:12345"}).status_code == 403
    assert admin.get("/api/v1/persons/export",
                     params={"author": "vk:nobody"}).status_code == 404
    assert admin.post("/api/v1/persons/forget", json={"author": "nobody"}).status_code == 422
    exported = admin.get("/api/v1/persons/export", params={"author": "vk:12345"})
    assert exported.status_code == 200 and exported.json()["author"]["name"] == "Ольга Петрова"
    forgot = admin.post("/api/v1/persons/forget", json={"author": "vk:12345"})
    assert forgot.status_code == 200 and forgot.json()["replaced"]["mention"] == 2
    again = admin.get("/api/v1/persons/export", params={"author": "vk:12345"}).json()
    assert again["author"]["forgotten"] is True
    assert [e["actor"] for e in again["audit_events"] if e["action"] == "person.forget"] == [
        "admin@example.org"]
