"""`otklik push connect`: the push secret sealed with the source's credentials and the push URL
registered at VK (Callback API server) or Telegram (setWebhook), against replayed responses."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from otklik.actions.unit import transaction
from otklik.cli import app
from otklik.db.models import Source as SourceRow
from otklik.db.secrets import open_credentials, seal_credentials
from otklik.settings import Settings
from otklik.sources.registry import build_source

from .conftest import base_url, respond, vk_router

KEY = "push-setup-test-secret-key-0123456789"
BOT = "6500000001:AAH-test-secret-token"


def add(store: Any, network: str, kind: str, params: dict[str, Any],
        credentials: dict[str, str]) -> int:
    with transaction(store.sessions) as s:
        row = SourceRow(network=network, kind=kind, name=f"{network} {kind}", params=params,
                        credentials=seal_credentials(credentials, KEY))
        s.add(row)
        s.flush()
        return row.id


def run(store: Any, server: HTTPServer, *args: str) -> Any:
    url = base_url(server)
    return CliRunner().invoke(app, list(args), env={
        "OTKLIK_DATABASE_URL": store.url, "OTKLIK_SECRET_KEY": KEY, "OTKLIK_VK_API_URL": url,
        "OTKLIK_TELEGRAM_API_URL": url})


def row_of(store: Any, source_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    with store.sessions() as s:
        row = s.get(SourceRow, source_id)
        assert row is not None
        return dict(row.params), open_credentials(row.credentials, KEY)


def test_vk_callback_server_is_registered(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/method/groups.getCallbackConfirmationCode").respond_with_handler(
        vk_router({"groups.getCallbackConfirmationCode":
                   "groups.getCallbackConfirmationCode__ok.json"}))
    httpserver.expect_request("/method/groups.addCallbackServer").respond_with_response(
        respond("vk", "groups.addCallbackServer__ok.json"))
    httpserver.expect_request("/method/groups.setCallbackSettings").respond_with_response(
        respond("vk", "groups.setCallbackSettings__ok.json"))
    sid = add(sqlite_store, "vk", "wall", {"owner_id": -100500, "owned": True},
              {"group_token": "vk1.a.GROUP"})
    result = run(sqlite_store, httpserver, "push", "connect", str(sid),
                 "--url", "https://desk.example.org/")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out == {"source_id": sid, "network": "vk", "registered": True,
                   "url": f"https://desk.example.org/api/v1/push/vk/{sid}"}
    params, creds = row_of(sqlite_store, sid)
    assert creds["callback_confirmation"] == "a1b2c3d4" and len(creds["callback_secret"]) == 32
    assert creds["group_token"] == "vk1.a.GROUP" and params["callback_server_id"] == 4
    sent = {r.path.rsplit("/", 1)[1]: r.form.to_dict() for r, _ in httpserver.log}
    assert sent["groups.addCallbackServer"]["url"] == out["url"]
    assert sent["groups.addCallbackServer"]["secret_key"] == creds["callback_secret"]
    assert sent["groups.addCallbackServer"]["access_token"] == "vk1.a.GROUP"
    settings = sent["groups.setCallbackSettings"]
    assert settings["server_id"] == "4" and settings["api_version"] == "5.199"
    assert settings["wall_reply_new"] == settings["wall_reply_delete"] == "1"
    assert settings["message_new"] == "1" and settings["group_id"] == "100500"
    assert creds["callback_secret"] not in result.output  # registered: nobody needs to see it


def test_vk_by_hand_when_the_token_may_not_manage(sqlite_store: Any,
                                                  httpserver: HTTPServer) -> None:
    sid = add(sqlite_store, "vk", "wall", {"owner_id": -100500}, {"group_token": "vk1.a.G"})
    result = run(sqlite_store, httpserver, "push", "connect", str(sid), "--url",
                 "https://desk.example.org", "--confirmation", "e5f6a7b8")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    _, creds = row_of(sqlite_store, sid)
    assert out["registered"] is False and out["secret_key"] == creds["callback_secret"]
    assert creds["callback_confirmation"] == "e5f6a7b8" and httpserver.log == []


def test_vk_refusal_is_a_message(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/method/groups.getCallbackConfirmationCode").respond_with_response(
        respond("vk", "error__access_denied.json"))
    sid = add(sqlite_store, "vk", "wall", {"owner_id": -100500}, {"group_token": "vk1.a.G"})
    result = run(sqlite_store, httpserver, "push", "connect", str(sid), "--url",
                 "https://desk.example.org")
    assert result.exit_code == 1 and "the network refused" in result.output
    assert "Traceback" not in result.output


def test_telegram_webhook_is_set_and_polling_stops(sqlite_store: Any,
                                                   httpserver: HTTPServer) -> None:
    def set_webhook(request: Request) -> Response:
        return respond("telegram", "setWebhook__ok.json")

    httpserver.expect_request(f"/bot{BOT}/setWebhook").respond_with_handler(set_webhook)
    sid = add(sqlite_store, "telegram", "bot", {"chat_id": "-1001500000001"},
              {"bot_token": BOT})
    result = run(sqlite_store, httpserver, "push", "connect", str(sid), "--url",
                 "https://desk.example.org")
    assert result.exit_code == 0, result.output
    params, creds = row_of(sqlite_store, sid)
    body = httpserver.log[0][0].get_json()
    assert body["url"] == f"https://desk.example.org/api/v1/push/telegram/{sid}"
    assert body["secret_token"] == creds["webhook_secret"] and len(body["secret_token"]) >= 32
    assert "message" in body["allowed_updates"] and params["webhook"] is True
    assert BOT not in result.output and creds["webhook_secret"] not in result.output


async def test_a_webhook_bot_source_polls_nothing(sqlite_store: Any, httpserver: HTTPServer,
                                                  client) -> None:  # type: ignore[no-untyped-def]
    sid = add(sqlite_store, "telegram", "bot", {"webhook": True}, {"bot_token": BOT})
    with sqlite_store.sessions() as s:
        row = s.get(SourceRow, sid)
        settings = Settings(secret_key=KEY, telegram_api_url=base_url(httpserver))
        page = await build_source(row, settings, client).fetch_page({"offset": 7})
    assert page.posts == [] and page.cursor == {"offset": 7} and httpserver.log == []


def test_bad_input_is_a_message(sqlite_store: Any, httpserver: HTTPServer) -> None:
    rss = add(sqlite_store, "rss", "feed", {"url": "https://x.example/feed"}, {})
    bot = add(sqlite_store, "telegram", "bot", {}, {"bot_token": BOT})
    cases = [("99", "https://desk.example.org", 2, "no source 99"),
             (str(rss), "https://desk.example.org", 1, "only VK communities and Telegram bots"),
             (str(bot), "http://desk.example.org", 1, "only to https://"),
             (str(bot), "desk.example.org", 1, "not a public address")]
    for source, url, code, words in cases:
        result = run(sqlite_store, httpserver, "push", "connect", source, "--url", url)
        assert result.exit_code == code and words in result.output, result.output
        assert "Traceback" not in result.output


def test_push_stop_gives_the_source_back_to_polling(sqlite_store: Any,
                                                    httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/bot{BOT}/setWebhook").respond_with_response(
        respond("telegram", "setWebhook__removed.json"))
    httpserver.expect_request("/method/groups.deleteCallbackServer").respond_with_response(
        respond("vk", "groups.deleteCallbackServer__ok.json"))
    tg = add(sqlite_store, "telegram", "bot", {"webhook": True},
             {"bot_token": BOT, "webhook_secret": "s" * 40})
    vk = add(sqlite_store, "vk", "wall", {"owner_id": -100500, "group_id": 100500,
                                          "callback_server_id": 4},
             {"group_token": "vk1.a.G", "callback_secret": "c" * 32,
              "callback_confirmation": "a1b2c3d4"})
    for sid in (tg, vk):
        result = run(sqlite_store, httpserver, "push", "stop", str(sid))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout.strip().splitlines()[-1])["push"] is False
    sent = {r.path.rsplit("/", 1)[1]: r for r, _ in httpserver.log}
    assert sent["setWebhook"].get_json()["url"] == ""
    removed = sent["groups.deleteCallbackServer"].form
    assert (removed["group_id"], removed["server_id"]) == ("100500", "4")
    for sid, kept in ((tg, {"bot_token"}), (vk, {"group_token"})):
        params, creds = row_of(sqlite_store, sid)
        assert set(creds) == kept  # the push URL now refuses everything
        assert "webhook" not in params and "callback_server_id" not in params
