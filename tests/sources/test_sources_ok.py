"""Odnoklassniki connector against OK REST API answers replayed by a local server: signed
requests, the group's topics and their comments, errors, a reply, and the CLI end to end."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from otklik.db.models import Mention
from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, RateLimited
from otklik.sources.http import Budget, HttpClient
from otklik.sources.ok import OKSource
from otklik.sources.ok_items import signature

from .conftest import FakeSleep, base_url, respond
from .test_sources_cli import run

GID = "70000001234567"
TOPIC, QUIET = "155012345678901", "155012345670002"
C1, C2, C3 = "MTc5NzA1MDYwMDAwMDoxMDAx", "MTc5NzA1MDcwMDAwMDoxMDAy", "MTc5NzA1MDgwMDAwMDoxMDAz"
TOKEN, APP_KEY, APP_SECRET = "tkn1-OK-SECRET-token", "CBAPUBLICKEY", "APPSECRET0123456789ABCDEF"


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"ok": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def ok(server: HTTPServer, client: HttpClient, **credentials: str) -> OKSource:
    return OKSource(client, kind="group", params={"gid": GID}, base_url=base_url(server),
                    credentials=credentials or {"access_token": TOKEN, "application_key": APP_KEY,
                                                "application_secret_key": APP_SECRET})


def router(routes: dict[str, str]) -> Any:
    def handle(request: Request) -> Response:
        method = request.form.get("method", "")
        name = routes.get(method) or routes.get(f"{method}:{request.form.get('discussionId')}")
        if name is None:
            return Response(json.dumps({"error_code": 3, "error_msg": "METHOD : unknown"}))
        return respond("ok", name)
    return handle


ROUTES = {"mediatopic.getTopics": "mediatopic.getTopics__group.json",
          f"discussions.getComments:{TOPIC}": "discussions.getComments__155012345678901.json",
          "discussions.addComment": "discussions.addComment__ok.json",
          "group.getInfo": "group.getInfo__zerno.json"}


def test_signature_is_the_documented_one() -> None:
    """sig = md5(sorted k=v without session_key/access_token + md5(token + app secret))."""
    secret = hashlib.md5((TOKEN + APP_SECRET).encode()).hexdigest()
    params = {"method": "group.getInfo", "application_key": APP_KEY, "format": "json",
              "uids": GID, "fields": "uid,name", "access_token": TOKEN, "session_key": "x"}
    expected = hashlib.md5((f"application_key={APP_KEY}fields=uid,nameformat=json"
                            f"method=group.getInfouids={GID}" + secret).encode()).hexdigest()
    assert signature(params, secret) == expected and expected == expected.lower()


async def test_topics_then_comments_of_changed_topics(httpserver: HTTPServer,
                                                      client: HttpClient) -> None:
    httpserver.expect_request("/fb.do", method="POST").respond_with_handler(router(ROUTES))
    source = ok(httpserver, client)
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == [TOPIC, QUIET]
    topic = page.posts[0]
    assert topic.text == ("Зерно открывает кофейню на Новокузнецкой! С 8 до 22 🎉\n\n"
                          "Зерно на Новокузнецкой")
    assert topic.author and topic.author.external_id == f"group:{GID}"
    assert topic.created_at == datetime.fromtimestamp(1797050000, UTC)
    assert page.more and page.cursor == {"counts": {}, "queue": [TOPIC]}  # the quiet one: none

    first = httpserver.log[0][0].form.to_dict()
    assert first["method"] == "mediatopic.getTopics" and first["gid"] == GID
    secret = hashlib.md5((TOKEN + APP_SECRET).encode()).hexdigest()
    assert first["sig"] == signature(first, secret) and first["access_token"] == TOKEN
    assert "access_token" not in httpserver.log[0][0].query_string.decode()

    comments = await source.fetch_page(page.cursor)
    by_id = {p.external_id: p for p in comments.posts}
    assert list(by_id) == [C1, C2, C3]
    assert by_id[C1].parent_external_id == TOPIC and by_id[C1].thread_external_id == TOPIC
    assert by_id[C2].parent_external_id == C1
    assert by_id[C2].created_at == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)  # Moscow date
    assert by_id[C3].author and by_id[C3].author.name == "Николай Иванов"
    assert not comments.more and comments.cursor == {"counts": {TOPIC: 3}, "queue": []}

    again = await source.fetch_page(comments.cursor)  # nothing changed: no comments re-read
    assert not again.more and [r.form["method"] for r, _ in httpserver.log].count(
        "discussions.getComments") == 1


async def test_session_secret_key_signs_instead_of_the_app_secret(httpserver: HTTPServer,
                                                                  client: HttpClient) -> None:
    httpserver.expect_request("/fb.do").respond_with_handler(router(ROUTES))
    source = ok(httpserver, client, access_token=TOKEN, application_key=APP_KEY,
                session_secret_key="abc123sessionsecret")
    account = await source.verify()
    assert (account.external_id, account.name, account.audience) == (
        GID, "Зерно — кофейни", 18250)
    sent = httpserver.log[0][0].form.to_dict()
    assert sent["sig"] == signature(sent, "abc123sessionsecret")


@pytest.mark.parametrize(("fixture", "error"), [
    ("error__session_expired.json", AuthFailed), ("error__signature.json", AuthFailed),
    ("error__limit_reached.json", RateLimited)])
async def test_errors_answered_with_200(httpserver: HTTPServer, client: HttpClient,
                                        fixture: str, error: type) -> None:
    httpserver.expect_request("/fb.do").respond_with_response(respond("ok", fixture))
    with pytest.raises(error) as caught:
        await ok(httpserver, client).fetch_page(None)
    assert TOKEN not in str(caught.value)


async def test_reply_answers_the_comment_in_its_topic(httpserver: HTTPServer,
                                                      client: HttpClient) -> None:
    httpserver.expect_request("/fb.do").respond_with_handler(router(ROUTES))
    sent = await ok(httpserver, client).reply(
        Target(external_id=C1, parent_external_id=TOPIC, thread_external_id=TOPIC), "Будет!")
    assert sent == "MTc5NzA2MDAwMDAwMDoxMDA0"
    form = httpserver.log[0][0].form.to_dict()
    assert (form["method"], form["discussionId"], form["discussionType"], form["text"],
            form["reply_to_comment_id"]) == ("discussions.addComment", TOPIC, "GROUP_TOPIC",
                                             "Будет!", C1)


async def test_a_group_id_is_required(client: HttpClient) -> None:
    source = OKSource(client, kind="group", params={"gid": "../x"}, credentials={})
    with pytest.raises(ValueError, match="params.gid"):
        await source.fetch_page(None)


def test_cli_polls_twice_and_stores_each_once(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fb.do").respond_with_handler(router(ROUTES))
    env = {"OTKLIK_OK_API_URL": base_url(httpserver), "T": TOKEN, "K": APP_KEY, "S": APP_SECRET}
    added = run(sqlite_store, "source", "add", "ok", "group", "OK: Зерно", "-p", f"gid={GID}",
                "--credential-env", "access_token=T", "--credential-env", "application_key=K",
                "--credential-env", "application_secret_key=S", env=env)
    assert added.exit_code == 0, added.output
    inserted = []
    for _ in range(2):
        polled = run(sqlite_store, "source", "poll", "1", "--no-enrich", env=env)
        assert polled.exit_code == 0, polled.output
        assert TOKEN not in polled.output
        inserted.append(json.loads(polled.stdout.strip().splitlines()[-1])["inserted"])
    assert inserted == [5, 0]
    with sqlite_store.sessions() as session:
        rows = session.scalars(select(Mention).where(Mention.network == "ok")).all()
        assert {m.external_id for m in rows} == {TOPIC, QUIET, C1, C2, C3}
        assert all(m.text and m.created_at and m.author_id for m in rows)
