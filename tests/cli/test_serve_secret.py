"""`otklik serve` with the public default secret key: refused where others can reach it."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from otklik.cli import app


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, sqlite_store: Any) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a note of what it was asked to serve."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: calls.append(kw))
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    monkeypatch.delenv("OTKLIK_SECRET_KEY", raising=False)
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "desk.example.org"])
def test_the_default_key_is_refused_on_a_reachable_address(served: list[Any], host: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host, "--no-scheduler"])
    assert result.exit_code == 2
    assert "public default" in result.output and "refusing to serve" in result.output
    assert served == []


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_the_default_key_is_a_warning_on_loopback(served: list[Any], host: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host, "--no-scheduler"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "public default" in result.output
    assert served[0]["host"] == host


def test_a_key_of_its_own_serves_anywhere_quietly(served: list[Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTKLIK_SECRET_KEY", "a-long-random-key-of-this-installation")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--no-scheduler"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output and served[0]["host"] == "0.0.0.0"
