"""Signing in with a network from the connect page: the start route sends the browser to the
network's authorize URL with a fresh state (and PKCE for X); the callback accepts only that
state, once, exchanges the code at the token URL (a local server standing for the network, at
the API URL setting) and connects the account with the tokens sealed."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.actions.brands import create_brand
from otklik.actions.unit import transaction
from otklik.db.models import Channel, Source
from otklik.db.secrets import open_credentials
from otklik.settings import Settings
from otklik.sources import oauth
from otklik.web import create_app
from tests.sources.conftest import base_url, respond
from tests.web.conftest import PASSWORD, no_enrichers, sign_in

SECRET = "oauth-test-secret-0123456789"
CLIENTS = {"reddit": {"client_id": "reddit-app", "client_secret": "reddit-app-SECRET"},
           "x": {"client_id": "x-app", "client_secret": "x-app-SECRET"},
           "vk": {"client_id": "51234567", "client_secret": "vk-app-SECRET"}}


def desk(store: Any, server: HTTPServer) -> Any:
    from fastapi.testclient import TestClient

    from otklik.actions.users import create_user

    settings = Settings(database_url=store.url, secret_key=SECRET, oauth_clients=CLIENTS,
                        reddit_api_url=base_url(server), x_api_url=base_url(server),
                        vk_api_url=base_url(server))
    with transaction(store.sessions) as session:
        create_user(session, "admin@example.org", PASSWORD, "admin")
        create_brand(session, "Зерно", queries=["зерно"])
    client = TestClient(create_app(settings, engine=store.engine,
                                   enrichers_factory=no_enrichers), follow_redirects=False)
    sign_in(client, "admin@example.org", PASSWORD)
    return client


def tokens(seen: list[dict[str, Any]]) -> Any:
    def handle(request: Request) -> Response:
        seen.append({"form": request.form.to_dict(), "auth": request.headers.get("Authorization")})
        return Response(json.dumps({"access_token": "user-ACCESS-token", "token_type": "bearer",
                                    "expires_in": 86400, "scope": "read",
                                    "refresh_token": "user-REFRESH-token"}),
                        content_type="application/json")
    return handle


def begin(client: Any, network: str, **params: str) -> dict[str, str]:
    started = client.post(f"/settings/brands/1/oauth/{network}",
                          data={f"param_{k}": v for k, v in params.items()})
    assert started.status_code == 303, started.text
    where = urlsplit(started.headers["location"])
    return {"path": where.path, **{k: v[0] for k, v in parse_qs(where.query).items()}}


def test_reddit_sign_in_connects_the_account(sqlite_store: Any, httpserver: HTTPServer) -> None:
    seen: list[dict[str, Any]] = []
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_handler(
        tokens(seen))
    httpserver.expect_request("/api/v1/me").respond_with_response(respond("reddit", "me__ok.json"))
    client = desk(sqlite_store, httpserver)
    asked = begin(client, "reddit")
    assert asked["path"] == "/api/v1/authorize"  # the moved base: the local server
    assert (asked["client_id"], asked["response_type"], asked["duration"]) == (
        "reddit-app", "code", "permanent")
    assert asked["scope"] == "identity read submit privatemessages"
    assert asked["redirect_uri"] == "http://testserver/settings/oauth/reddit/callback"
    assert len(asked["state"]) >= 40 and "code_challenge" not in asked

    back = client.get("/settings/oauth/reddit/callback",
                      params={"code": "ONE-TIME-code", "state": asked["state"]})
    assert back.status_code == 303 and back.headers["location"] == "/settings#brand-1"
    basic = base64.b64encode(b"reddit-app:reddit-app-SECRET").decode()
    assert seen == [{"auth": f"Basic {basic}", "form": {
        "grant_type": "authorization_code", "code": "ONE-TIME-code",
        "redirect_uri": "http://testserver/settings/oauth/reddit/callback"}}]
    me = httpserver.log[1][0]
    assert me.path == "/api/v1/me" and me.headers["Authorization"] == "Bearer user-ACCESS-token"
    with transaction(sqlite_store.sessions) as session:
        source = session.query(Source).one()
        channel = session.query(Channel).one()
        assert channel.source_id == source.id and source.kind == "inbox"
        assert "ACCESS" not in json.dumps(source.credentials)  # sealed
        assert open_credentials(source.credentials, SECRET) == {
            "access_token": "user-ACCESS-token", "refresh_token": "user-REFRESH-token",
            "client_id": "reddit-app", "client_secret": "reddit-app-SECRET"}

    again = client.get("/settings/oauth/reddit/callback",
                       params={"code": "ONE-TIME-code", "state": asked["state"]})
    assert again.status_code == 400 and len(seen) == 1  # a state serves once


def test_x_sign_in_uses_pkce(sqlite_store: Any, httpserver: HTTPServer) -> None:
    seen: list[dict[str, Any]] = []
    httpserver.expect_request("/2/oauth2/token", method="POST").respond_with_handler(tokens(seen))
    httpserver.expect_request("/2/users/me").respond_with_response(
        respond("x", "users_me__ok.json"))
    client = desk(sqlite_store, httpserver)
    asked = begin(client, "x")
    assert asked["path"] == "/i/oauth2/authorize" and asked["code_challenge_method"] == "S256"
    assert "offline.access" in asked["scope"].split()
    back = client.get("/settings/oauth/x/callback", params={"code": "C", "state": asked["state"]})
    assert back.status_code == 303, back.text
    verifier = seen[0]["form"]["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert digest.decode() == asked["code_challenge"]  # the verifier of this very challenge
    with transaction(sqlite_store.sessions) as session:
        source = session.query(Source).one()
        assert open_credentials(source.credentials, SECRET)["access_token"] == "user-ACCESS-token"


@pytest.mark.parametrize("state", ["", "forged-state-of-another-browser"])
def test_a_callback_without_its_state_is_refused(sqlite_store: Any, httpserver: HTTPServer,
                                                 state: str) -> None:
    client = desk(sqlite_store, httpserver)
    begin(client, "reddit")
    back = client.get("/settings/oauth/reddit/callback", params={"code": "C", "state": state})
    assert back.status_code == 400 and "вход не начинался" in back.text
    assert httpserver.log == []  # no code was exchanged


def test_a_network_without_an_app_or_sign_in_says_so(sqlite_store: Any,
                                                     httpserver: HTTPServer) -> None:
    client = desk(sqlite_store, httpserver)
    for network in ("youtube", "telegram"):
        refused = client.post(f"/settings/brands/1/oauth/{network}")
        assert refused.status_code == 422
    page = client.get("/settings")
    assert "/settings/brands/1/oauth/reddit" in page.text
    assert "/settings/brands/1/oauth/youtube" not in page.text  # no app configured
    assert "/settings/brands/1/oauth/mastodon" in page.text  # registers itself per server


def test_real_urls_unless_the_api_setting_moves_them() -> None:
    spec = oauth.spec_of("reddit")
    assert oauth.urls(spec, Settings()) == ("https://www.reddit.com/api/v1/authorize",
                                            "https://www.reddit.com/api/v1/access_token")
    moved = Settings(reddit_api_url="http://127.0.0.1:9/")
    assert oauth.urls(spec, moved) == ("http://127.0.0.1:9/api/v1/authorize",
                                       "http://127.0.0.1:9/api/v1/access_token")
    with pytest.raises(ValueError, match="paste a token"):
        oauth.spec_of("telegram")


def test_mastodon_sign_in_registers_otklik_on_the_server(sqlite_store: Any,
                                                          httpserver: HTTPServer) -> None:
    seen: list[dict[str, Any]] = []
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_json(
        {"id": "563419", "name": "otklik", "client_id": "masto-app",
         "client_secret": "masto-app-SECRET", "redirect_uri": "x"})
    httpserver.expect_request("/oauth/token", method="POST").respond_with_handler(tokens(seen))
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        respond("mastodon", "verify_credentials__ok.json"))
    client = desk(sqlite_store, httpserver)
    asked = begin(client, "mastodon", instance=base_url(httpserver))
    registered = httpserver.log[0][0].form.to_dict()
    assert registered == {"client_name": "otklik", "scopes": "read write:statuses",
                          "redirect_uris": "http://testserver/settings/oauth/mastodon/callback"}
    assert asked["path"] == "/oauth/authorize" and asked["client_id"] == "masto-app"
    cookie = client.cookies["otklik_session"]  # base64 JSON, signed, not encrypted:
    kept = base64.b64decode(cookie.split(".")[0] + "==").decode()  # what a browser can read
    assert "oauth" in kept and "masto-app-SECRET" not in kept  # the client secret is sealed
    back = client.get("/settings/oauth/mastodon/callback",
                      params={"code": "C", "state": asked["state"]})
    assert back.status_code == 303, back.text
    assert seen[0]["form"]["client_secret"] == "masto-app-SECRET"
    with transaction(sqlite_store.sessions) as session:
        source = session.query(Source).one()
        assert source.params["instance"] == base_url(httpserver)
        assert open_credentials(source.credentials, SECRET) == {
            "access_token": "user-ACCESS-token", "refresh_token": "user-REFRESH-token"}


def test_vk_sign_in_gives_the_community_token(sqlite_store: Any, httpserver: HTTPServer) -> None:
    from tests.sources.test_connect import serve_community

    httpserver.expect_request("/access_token", method="POST").respond_with_json(
        {"groups": [{"group_id": 100200, "access_token": "vk1.a.COMMUNITY-token"}],
         "expires_in": 0})
    serve_community(httpserver, "full")
    client = desk(sqlite_store, httpserver)
    assert client.post("/settings/brands/1/oauth/vk").status_code == 422  # no group given
    asked = begin(client, "vk", group_id="100200")
    assert (asked["path"], asked["group_ids"], asked["scope"]) == (
        "/authorize", "100200", "manage,messages,wall")
    back = client.get("/settings/oauth/vk/callback", params={"code": "C", "state": asked["state"]})
    assert back.status_code == 303, back.text
    with transaction(sqlite_store.sessions) as session:
        source = session.query(Source).one()
        assert open_credentials(source.credentials, SECRET) == {
            "group_token": "vk1.a.COMMUNITY-token"}
        assert session.query(Channel).one().external_id == "-100200"
