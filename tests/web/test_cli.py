"""`otklik user add` and `otklik token create`: accounts from the command line, clean errors."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from otklik.actions.users import authenticate, user_for_token
from otklik.cli import app


def test_user_add_and_token(sqlite_store: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    runner = CliRunner()
    added = runner.invoke(app, ["user", "add", "Boss@Example.org", "--role", "admin",
                                "--password", "long-enough-pw"])
    assert added.exit_code == 0, added.output
    assert "boss@example.org (admin)" in added.output
    token = runner.invoke(app, ["token", "create", "boss@example.org", "--name", "ci"])
    assert token.exit_code == 0
    plain = token.output.strip()
    with sqlite_store.sessions() as session:
        assert authenticate(session, "boss@example.org", "long-enough-pw") is not None
        user = user_for_token(session, plain)
        assert user is not None and user.role == "admin"
        from otklik.db.models import ApiToken

        assert plain not in {t.token_hash for t in session.query(ApiToken)}  # stored hashed


def test_bad_input_is_exit_2_without_traceback(sqlite_store: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    runner = CliRunner()
    for args, message in (
        (["user", "add", "a@b.c", "--role", "king", "--password", "long-enough-pw"],
         "unknown role"),
        (["user", "add", "a@b.c", "--password", "short"], "at least 8"),
        (["user", "add", "not-an-email", "--password", "long-enough-pw"], "not an e-mail"),
        (["token", "create", "nobody@example.org"], "no user"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
    runner.invoke(app, ["user", "add", "a@b.c", "--password", "long-enough-pw"])
    again = runner.invoke(app, ["user", "add", "a@b.c", "--password", "long-enough-pw"])
    assert again.exit_code == 2 and "already exists" in again.output
