"""Connecting a brand's account: verified against the network (a local server replaying VK's and
Telegram's real responses), the channel linked with its rights, the token sealed, a revoked token
a clear refusal and a red channel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.actions.brands import create_brand
from otklik.actions.channels import ConnectError, check_channel, connect_account
from otklik.actions.unit import transaction
from otklik.cli import app
from otklik.db.models import Channel, Source
from otklik.db.secrets import open_credentials
from otklik.settings import Settings
from tests.sources.conftest import base_url, respond, vk_router

SECRET = "connect-test-secret-0123456789"
VK_TOKEN = "vk1.a.community-token-abcdef"
TG_TOKEN = "7012345678:AAE-bot-token-abcdef"


def settings_for(store: Any, server: HTTPServer) -> Settings:
    return Settings(database_url=store.url, secret_key=SECRET, vk_api_url=base_url(server),
                    telegram_api_url=base_url(server))


def serve_community(httpserver: HTTPServer, permissions: str) -> None:
    """The recorded community behind the token, with the token's rights (`…__{permissions}`)."""
    httpserver.expect_request("/method/groups.getById").respond_with_handler(vk_router({
        "groups.getById": "groups.getById__zerno.json"}))
    httpserver.expect_request("/method/groups.getTokenPermissions").respond_with_handler(
        vk_router({"groups.getTokenPermissions":
                   f"groups.getTokenPermissions__{permissions}.json"}))


def serve_bot(httpserver: HTTPServer, status: str) -> None:
    """The recorded bot and the brand's channel, the bot its `status` there (admin, member)."""
    httpserver.expect_request(f"/bot{TG_TOKEN}/getMe").respond_with_handler(
        lambda _r: respond("telegram", "getMe__ok.json"))
    httpserver.expect_request(f"/bot{TG_TOKEN}/getChat").respond_with_handler(
        lambda _r: respond("telegram", "getChat__channel.json"))
    httpserver.expect_request(f"/bot{TG_TOKEN}/getChatMember").respond_with_handler(
        lambda _r: respond("telegram", f"getChatMember__{status}.json"))


def test_vk_community_token_is_verified_linked_and_sealed(
        sqlite_store: Any, httpserver: HTTPServer) -> None:
    serve_community(httpserver, "full")
    settings = settings_for(sqlite_store, httpserver)
    with transaction(sqlite_store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        done = connect_account(s, settings, brand_id=brand.id, network="vk",
                               credentials={"group_token": VK_TOKEN}, actor="anna")
    with transaction(sqlite_store.sessions) as s:
        channel = s.get(Channel, done.channel_ids[0])
        source = s.get(Source, done.source_id)
        assert (channel.external_id, channel.name, channel.audience) == (
            "-100200", "Зерно — сеть кофеен", 48000)
        assert channel.source_id == source.id and channel.health == "ok"
        assert set(channel.capabilities) >= {"reply", "private", "publish"}
        assert VK_TOKEN not in json.dumps(source.credentials)  # sealed at rest
        assert open_credentials(source.credentials, SECRET) == {"group_token": VK_TOKEN}
        assert source.params["owner_id"] == -100200 and source.kind == "wall"
    sent = [r for r, _ in httpserver.log]
    assert all(r.form["access_token"] == VK_TOKEN and r.form["v"] == "5.199" for r in sent)


def test_vk_token_without_messages_right_is_linked_with_the_problem_in_words(
        sqlite_store: Any, httpserver: HTTPServer) -> None:
    serve_community(httpserver, "no_messages")
    with transaction(sqlite_store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        done = connect_account(s, settings_for(sqlite_store, httpserver), brand_id=brand.id,
                               network="vk", credentials={"group_token": VK_TOKEN}, actor="anna")
        channel = s.get(Channel, done.channel_ids[0])
        assert channel.health == "problem" and "private" not in channel.capabilities
        assert "сообщения сообщества" in channel.health_reason


def test_a_revoked_token_is_refused_and_turns_a_connected_channel_red(
        sqlite_store: Any, httpserver: HTTPServer) -> None:
    serve_community(httpserver, "full")
    settings = settings_for(sqlite_store, httpserver)
    with transaction(sqlite_store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        done = connect_account(s, settings, brand_id=brand.id, network="vk",
                               credentials={"group_token": VK_TOKEN}, actor="anna")
    httpserver.clear()
    httpserver.expect_request("/method/groups.getById").respond_with_handler(
        lambda _r: respond("vk", "error__token_revoked.json"))
    with transaction(sqlite_store.sessions) as s:
        with pytest.raises(ConnectError, match="токен не подошёл"):
            connect_account(s, settings, brand_id=brand.id, network="vk",
                            credentials={"group_token": "revoked"}, actor="anna")
        channel = check_channel(s, settings, done.channel_ids[0], actor="anna")
        assert channel.health == "failing" and "токен не подошёл" in channel.health_reason
        assert "error" not in channel.health_reason.lower()


def test_telegram_bot_in_its_channel_through_the_cli(
        sqlite_store: Any, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_bot(httpserver, "admin")
    with transaction(sqlite_store.sessions) as s:
        create_brand(s, "Банк Северный", slug="severny", queries=["банк северный"])
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_TELEGRAM_API_URL", base_url(httpserver))
    monkeypatch.setenv("TG_TOKEN", TG_TOKEN)
    result = CliRunner().invoke(app, ["channel", "connect", "severny", "telegram",
                                      "--credential-env", "bot_token=TG_TOKEN",
                                      "-p", "chat=@severny_bank"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output.strip().splitlines()[-1])
    assert shown["external_id"] == "-1001987654321" and shown["health"] == "ok"
    assert "publish" in shown["capabilities"] and TG_TOKEN not in result.output
    asked = [json.loads(r.data) for r, _ in httpserver.log if r.path.endswith("getChatMember")]
    assert asked == [{"chat_id": -1001987654321, "user_id": 7012345678}]
    # a wrong token: exit 1 and a sentence, no traceback
    monkeypatch.setenv("TG_TOKEN", "1:wrong")
    httpserver.expect_request("/bot1:wrong/getMe").respond_with_handler(
        lambda _r: respond("telegram", "error__401.json", status=401))
    failed = CliRunner().invoke(app, ["channel", "connect", "severny", "telegram",
                                      "--credential-env", "bot_token=TG_TOKEN"])
    assert failed.exit_code == 1 and "токен не подошёл" in failed.output
    assert "Traceback" not in failed.output
    with transaction(sqlite_store.sessions) as s:
        assert len(s.scalars(select(Channel)).all()) == 1


def test_the_rest_api_connects_and_refuses_in_words(
        sqlite_store: Any, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.web.conftest import make_desk

    serve_bot(httpserver, "member")
    httpserver.expect_request("/bot1:wrong/getMe").respond_with_handler(
        lambda _r: respond("telegram", "error__401.json", status=401))
    monkeypatch.setenv("OTKLIK_TELEGRAM_API_URL", base_url(httpserver))
    with transaction(sqlite_store.sessions) as s:
        brand_id = create_brand(s, "Банк Северный", queries=["банк северный"]).id
    desk = make_desk(sqlite_store)
    api = desk.api("admin")
    made = api.post(f"/api/v1/brands/{brand_id}/channels/connect", json={
        "network": "telegram", "credentials": {"bot_token": TG_TOKEN},
        "params": {"chat": "@severny_bank"}})
    assert made.status_code == 201, made.text
    body = made.json()
    # the bot is only a member: it can answer, not publish, and the channel says so
    assert body["health"] == "problem" and "publish" not in body["capabilities"]
    assert "администратор" in body["health_reason"] and TG_TOKEN not in made.text
    listed = api.get(f"/api/v1/brands/{brand_id}/channels").json()
    assert [c["external_id"] for c in listed] == ["-1001987654321"]
    wrong = api.post(f"/api/v1/brands/{brand_id}/channels/connect", json={
        "network": "telegram", "credentials": {"bot_token": "1:wrong"}})
    assert wrong.status_code == 422 and "токен не подошёл" in wrong.json()["detail"][0]["msg"]
    assert desk.api("responder").post(f"/api/v1/brands/{brand_id}/channels/connect", json={
        "network": "telegram", "credentials": {"bot_token": TG_TOKEN}}).status_code == 403


def test_rotating_the_secret_key_reseals_every_credential(
        sqlite_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from otklik.actions.changes import save_source
    from otklik.db.secrets import CannotOpen

    with transaction(sqlite_store.sessions) as s:
        row = save_source(s, "anna", None, name="VK", network="vk", kind="search",
                          params={"q": "зерно"}, credentials={"access_token": VK_TOKEN},
                          interval_seconds=300, enabled=True, brand_id=None,
                          secret_key=SECRET)
        source_id = row.id
    new_key = "rotated-secret-key-9876543210"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("OTKLIK_SECRET_KEY", new_key)
    monkeypatch.setenv("OLD_KEY", SECRET)
    done = CliRunner().invoke(app, ["secrets", "rotate", "--old-key-env", "OLD_KEY"])
    assert done.exit_code == 0 and "1 sources" in done.output, done.output
    with transaction(sqlite_store.sessions) as s:
        stored = s.get(Source, source_id).credentials
    assert open_credentials(stored, new_key) == {"access_token": VK_TOKEN}
    with pytest.raises(CannotOpen):
        open_credentials(stored, SECRET)
    # run again: already under the new key, still fine
    assert CliRunner().invoke(app, ["secrets", "rotate", "--old-key-env", "OLD_KEY"]
                              ).exit_code == 0
