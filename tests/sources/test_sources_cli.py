"""`otklik source add/list/poll` end to end on a SQLite store and a local feed server."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from otklik.cli import app

from .conftest import respond


def run(store: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env={"OTKLIK_DATABASE_URL": store.url,
                                                    **(env or {})})


def test_add_poll_list(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_response(respond("rss", "feed__atom.xml"))
    added = run(sqlite_store, "source", "add", "rss", "feed", "Блог",
                "--param", f"url={httpserver.url_for('/feed.xml')}", "--interval", "60")
    assert added.exit_code == 0, added.output
    polled = run(sqlite_store, "source", "poll", "1", "--no-enrich")
    assert polled.exit_code == 0, polled.output
    assert json.loads(polled.stdout.strip().splitlines()[-1])["inserted"] == 2
    listed = run(sqlite_store, "source", "list", "--json")
    row = json.loads(listed.stdout.strip().splitlines()[-1])
    assert row["posts_total"] == 2 and row["failing"] is False and row["network"] == "rss"


def test_bad_input_exits_2_without_traceback(sqlite_store: Any) -> None:
    bad_network = run(sqlite_store, "source", "add", "myspace", "feed", "x")
    assert bad_network.exit_code == 2 and "no connector for network 'myspace'" in bad_network.output
    bad_kind = run(sqlite_store, "source", "add", "vk", "stories", "x")
    assert bad_kind.exit_code == 2 and "unknown kind 'stories'" in bad_kind.output
    bad_param = run(sqlite_store, "source", "add", "vk", "search", "x", "--param", "q")
    assert bad_param.exit_code == 2 and "expected KEY=VALUE" in bad_param.output
    missing_env = run(sqlite_store, "source", "add", "vk", "search", "x",
                      "--credential-env", "access_token=OTKLIK_TEST_NO_SUCH_VAR")
    assert missing_env.exit_code == 2 and "is not set" in missing_env.output
    assert run(sqlite_store, "source", "poll", "99").exit_code == 2
    for result in (bad_network, bad_kind, bad_param, missing_env):
        assert "Traceback" not in result.output


def test_credentials_from_environment_are_stored_not_printed(sqlite_store: Any) -> None:
    added = run(sqlite_store, "source", "add", "vk", "search", "VK", "--param", "q=Зерно",
                "--credential-env", "access_token=VK_TOKEN_FOR_TEST",
                env={"VK_TOKEN_FOR_TEST": "vk1.a.SECRET"})
    assert added.exit_code == 0 and "SECRET" not in added.output
    listed = run(sqlite_store, "source", "list")
    assert "SECRET" not in listed.output and "VK" in listed.output
