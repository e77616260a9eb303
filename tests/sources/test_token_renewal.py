"""Renewed OAuth tokens reach the sealed source row: X's user token refused with 401 is renewed
at its token endpoint (replayed here), the call retried, and both new tokens stored, so the next
poll starts from them; a refused refresh stores nothing and says why."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from otklik.actions.send import draft_action, send_action
from otklik.actions.sources import poll_source
from otklik.db.models import AuditEvent, Brand, Channel
from otklik.db.models import Source as SourceRow
from otklik.db.secrets import open_credentials, seal_credentials
from otklik.settings import Settings
from otklik.sources.base import Home
from otklik.sources.outbound import registry_source_factory

from .conftest import base_url, respond

SEARCH, TOKEN = "/2/tweets/search/recent", "/2/oauth2/token"
OLD = {"access_token": "OLD-ACCESS-SECRET", "refresh_token": "OLD-REFRESH-SECRET"}
NEW = {"access_token": "NEW-ACCESS-SECRET", "refresh_token": "NEW-REFRESH-SECRET"}


def settings_for(server: HTTPServer) -> Settings:
    return Settings(x_api_url=base_url(server), oauth_clients={"x": {"client_id": "x-app-1"}})


def add_x_source(store: Any, settings: Settings) -> int:
    with store.sessions.begin() as session:
        row = SourceRow(network="x", kind="search", name="x search", params={"q": "Зерно"},
                        credentials=seal_credentials(OLD, settings.secret_key))
        session.add(row)
        session.flush()
        return int(row.id)


def search(request: Request) -> Response:
    if request.headers.get("Authorization") == f"Bearer {NEW['access_token']}":
        return respond("x", "search_recent__page2.json")
    return respond("x", "error__401.json", 401)


def stored(store: Any, sid: int, settings: Settings) -> dict[str, Any]:
    with store.sessions() as session:
        row = session.get(SourceRow, sid)
        assert row is not None and "sealed" in row.credentials  # sealed at rest
        return open_credentials(row.credentials, settings.secret_key)


def renewals(store: Any) -> list[AuditEvent]:
    with store.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "source.credentials_renewed")))


async def test_a_401_renews_retries_and_stores_both_tokens(store: Any, httpserver: HTTPServer,
                                                           client: Any) -> None:
    settings = settings_for(httpserver)
    httpserver.expect_request(TOKEN, method="POST").respond_with_json(
        {**NEW, "token_type": "bearer", "expires_in": 7200, "scope": "tweet.read offline.access"})
    httpserver.expect_request(SEARCH).respond_with_handler(search)
    sid = add_x_source(store, settings)

    first = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert first.ok and first.inserted == 2, first.error
    token = httpserver.log[1][0]
    assert [r.path for r, _ in httpserver.log] == [SEARCH, TOKEN, SEARCH]
    assert token.form.to_dict() == {"grant_type": "refresh_token", "client_id": "x-app-1",
                                    "refresh_token": OLD["refresh_token"]}
    assert stored(store, sid, settings) == NEW
    (event,) = renewals(store)
    assert event.actor == f"source:{sid}" and event.data["names"] == sorted(NEW)
    dumped = json.dumps(event.data)
    assert not any(secret in dumped for secret in (*OLD.values(), *NEW.values()))

    second = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert second.ok, second.error
    assert [r.path for r, _ in httpserver.log][3:] == [SEARCH]  # no refresh: the new token
    assert httpserver.log[3][0].headers["Authorization"] == f"Bearer {NEW['access_token']}"
    assert len(renewals(store)) == 1


async def test_a_refused_refresh_stores_nothing_and_says_why(store: Any, httpserver: HTTPServer,
                                                             client: Any) -> None:
    settings = settings_for(httpserver)
    httpserver.expect_request(TOKEN, method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "Value passed for the token was "
         "invalid."}, status=400)
    httpserver.expect_request(SEARCH).respond_with_handler(search)
    sid = add_x_source(store, settings)

    result = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert not result.ok
    assert "refused to renew the access token" in (result.error or "")
    assert "invalid_grant" in (result.error or "") and "sign in" in (result.error or "")
    assert "SECRET" not in (result.error or "")
    assert stored(store, sid, settings) == OLD
    assert renewals(store) == []
    assert [r.path for r, _ in httpserver.log] == [SEARCH, TOKEN]  # no second try


def test_a_send_stores_the_tokens_it_renewed(sqlite_store: Any, httpserver: HTTPServer) -> None:
    """The send path: a reply refused with 401 renews, is sent again, and the row keeps the new
    tokens (the connector knows its row through `home`, set by the send factory)."""
    settings = settings_for(httpserver)
    httpserver.expect_request(TOKEN, method="POST").respond_with_json(NEW)
    sent = respond("x", "tweets__created.json", 201)
    httpserver.expect_request("/2/tweets", method="POST").respond_with_handler(
        lambda r: sent if r.headers["Authorization"] == f"Bearer {NEW['access_token']}"
        else respond("x", "error__401.json", 401))
    sid = add_x_source(sqlite_store, settings)
    with sqlite_store.sessions() as session:
        brand = Brand(slug="zerno", name="Зерно")
        session.add(brand)
        session.flush()
        channel = Channel(brand_id=brand.id, network="x", external_id="1", name="zerno",
                          source_id=sid)
        session.add(channel)
        session.flush()
        action = draft_action(session, brand_id=brand.id, kind="public_reply", network="x",
                              text="Простите!", target={"external_id": "2127329972581302273"},
                              channel_id=channel.id)
        session.commit()
        factory = registry_source_factory(session, settings)
        assert factory(channel).home == Home(sid, settings.secret_key)
        assert settings.secret_key not in repr(factory(channel).home)
        done = send_action(session, action.id, source_factory=factory, actor="anna")
        assert done.status == "sent", done.last_error
    assert [r.path for r, _ in httpserver.log] == ["/2/tweets", TOKEN, "/2/tweets"]
    assert stored(sqlite_store, sid, settings) == NEW
    (event,) = renewals(sqlite_store)
    assert event.actor == "anna" and "SECRET" not in json.dumps(event.data)
