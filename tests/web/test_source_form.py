"""The source form: a network, a kind, then labelled fields built from the kind's declaration;
the same row as `otklik source add`; bad values answered next to their field; "check connection"
against a local server replaying the networks' recorded answers, in words."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.cli import app as cli
from otklik.db.models import Source
from otklik.db.secrets import open_credentials
from otklik.sources.registry import networks
from tests.sources.conftest import base_url, respond, vk_router
from tests.web.conftest import Desk
from tests.web.readable import problems, static_codes

VK_TOKEN = "vk1.a.service-token-0123456789abcdef"
TG_TOKEN = "7012345678:AAE-bot-token-abcdef"
KINDS = [(n, k) for n, cls in sorted(networks().items()) for k in cls.kinds]
codes = lru_cache(maxsize=1)(static_codes)


def rows(desk: Desk) -> list[Source]:
    with desk.store.sessions() as session:
        return list(session.scalars(select(Source).order_by(Source.id)))


def point_at(desk: Desk, server: HTTPServer, **more: str) -> None:
    """The desk's networks at the local server (as OTKLIK_<NETWORK>_API_URL would)."""
    url = base_url(server)
    desk.app.state.settings = desk.app.state.settings.model_copy(update={
        "vk_api_url": url, "telegram_api_url": url, **more})


@pytest.mark.parametrize(("network", "kind"), KINDS)
def test_every_kind_has_a_form_of_labelled_fields_and_no_json(
        desk: Desk, network: str, kind: str) -> None:
    html = desk.client("admin").get(f"/sources/new?network={network}&kind={kind}").text
    spec = networks()[network].kind_spec(kind)
    assert spec.label_ru != kind  # declared, in words
    assert "<textarea" not in html and "JSON" not in html and "key=value" not in html
    for param in spec.params:
        field = re.search(rf'<label for="p_{param.name}">([^<]+)', html) or re.search(
            rf'name="p_{param.name}" value="true"[^>]*> ([^<]+)', html)
        assert field and field.group(1).strip() == param.label_ru, param.name
        if param.required:
            assert re.search(rf'name="p_{param.name}" type="\w+"[^>]*\s+[^>]*required', html)
    for name in spec.needs:
        assert f'name="c_{name}" type="password"' in html
    if any(p.kind == "int" for p in spec.params):
        assert 'type="number" step="1"' in html
    assert not problems(html, codes())  # no code such as max_pages shown as words


def test_choosing_the_network_then_the_kind_in_words(desk: Desk) -> None:
    client = desk.client("admin")
    first = client.get("/sources/new").text
    assert 'href="/sources/new?network=vk"' in first and "ВКонтакте" in first
    second = client.get("/sources/new?network=vk").text
    assert "Стена сообщества" in second and "Поиск по словам" in second
    assert 'href="/sources/new?network=vk&amp;kind=wall"' in second
    assert client.get("/sources/new?network=myspace").status_code == 404
    reddit = client.get("/sources/new?network=reddit&kind=inbox").text
    assert "входом через Reddit" in reddit and 'href="/settings#brands"' in reddit
    assert not problems(first, codes()) and not problems(second, codes())


def test_the_form_makes_the_row_the_cli_makes(desk: Desk) -> None:
    added = CliRunner().invoke(cli, [
        "source", "add", "vk", "wall", "VK: Зерно", "-p", "owner_id=-100500", "-p", "owned=true",
        "--credential-env", "access_token=VK_FOR_TEST", "--interval", "120"],
        env={"OTKLIK_DATABASE_URL": desk.store.url, "VK_FOR_TEST": VK_TOKEN,
             "OTKLIK_SECRET_KEY": desk.app.state.settings.secret_key})
    assert added.exit_code == 0, added.output
    response = desk.client("admin").post("/sources", data={
        "network": "vk", "kind": "wall", "name": "VK: Зерно", "p_owner_id": "-100500",
        "p_owned": "true", "p_comments": "true", "c_access_token": VK_TOKEN,
        "interval_seconds": "120", "enabled": "true"})
    assert response.status_code == 303, response.text[:800]
    by_cli, by_form = rows(desk)
    secret = desk.app.state.settings.secret_key
    for row in (by_cli, by_form):
        assert (row.network, row.kind, row.name, row.params, row.interval_seconds,
                row.enabled) == ("vk", "wall", "VK: Зерно", {"owner_id": -100500, "owned": True},
                                 120, True)
        assert open_credentials(row.credentials, secret) == {"access_token": VK_TOKEN}


def test_bad_values_come_back_next_to_their_field(desk: Desk) -> None:
    client = desk.client("admin")
    response = client.post("/sources", data={
        "network": "vk", "kind": "wall", "name": "", "p_owner_id": "club123",
        "interval_seconds": "5"})
    assert response.status_code == 422
    html = response.text
    assert "Traceback" not in html and "Error" not in html
    field = html.split('id="p_owner_id"')[1].split("</div>")[0]
    assert "Нужно целое число" in field and 'value="club123"' in html.split('id="p_owner_id"')[1]
    token = html.split('id="c_access_token"')[1].split("</div>")[0]
    assert "Нужен, чтобы читать этот источник" in token
    assert "Не меньше 10 секунд" in html and "Заполните это поле" in html
    missing = client.post("/sources", data={"network": "rss", "kind": "feed", "name": "Блог",
                                            "p_url": "zerno.ru/feed"})
    assert missing.status_code == 422 and "Нужен адрес, начинающийся с https://" in missing.text
    assert rows(desk) == []


def test_editing_shows_the_parameters_and_never_the_secrets(desk: Desk) -> None:
    client = desk.client("admin")
    client.post("/sources", data={"network": "vk", "kind": "wall", "name": "VK",
                                  "p_owner_id": "-100500", "c_access_token": VK_TOKEN,
                                  "interval_seconds": "300", "enabled": "true"})
    (row,) = rows(desk)
    with desk.store.sessions() as session:  # a parameter the form does not show (connecting)
        session.get(Source, row.id).params = {"owner_id": -100500, "callback_server_id": 7}
        session.commit()
    html = client.get(f"/sources/{row.id}/edit").text
    assert 'value="-100500"' in html and VK_TOKEN not in html and VK_TOKEN[:12] not in html
    assert "••••cdef" in html and "оставьте пустым, чтобы не менять" in html
    saved = client.post(f"/sources/{row.id}", data={
        "name": "VK 2", "p_owner_id": "-100501", "p_comments": "true", "c_access_token": "",
        "enabled": "true"})
    assert saved.status_code == 303
    (row,) = rows(desk)
    assert row.name == "VK 2" and row.params == {"owner_id": -100501, "callback_server_id": 7}
    assert open_credentials(row.credentials, desk.app.state.settings.secret_key) == {
        "access_token": VK_TOKEN}


def test_check_connection_finds_the_community_and_saves_nothing(
        desk: Desk, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/method/wall.get").respond_with_handler(
        vk_router({"wall.get": "wall.get__owned.json"}))
    point_at(desk, httpserver)
    client = desk.client("admin")
    html = client.post("/sources/check", headers={"HX-Request": "true"}, data={
        "network": "vk", "kind": "wall", "name": "VK", "p_owner_id": "-100500",
        "c_access_token": VK_TOKEN}).text
    assert "Сообщество «Зерно — сеть кофеен» найдено, прочитаны 2 записи" in html, html
    assert "прав на чтение достаточно" in html
    (request, _), = httpserver.log
    assert request.form["owner_id"] == "-100500" and request.form["access_token"] == VK_TOKEN
    assert rows(desk) == []


def test_check_connection_of_a_bot_names_it(desk: Desk, httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/bot{TG_TOKEN}/getMe").respond_with_handler(
        lambda _r: respond("telegram", "getMe__ok.json"))
    point_at(desk, httpserver)
    page = desk.client("admin").post("/sources/check", data={
        "network": "telegram", "kind": "bot", "name": "Бот", "c_bot_token": TG_TOKEN})
    assert page.status_code == 200 and "Бот найден: «@" in page.text
    assert 'id="c_bot_token"' in page.text and TG_TOKEN not in page.text


def test_a_failing_check_says_what_is_wrong_in_words(desk: Desk, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/method/wall.get").respond_with_handler(
        vk_router({"wall.get": "error__token_revoked.json"}))
    point_at(desk, httpserver)
    client = desk.client("admin")
    html = client.post("/sources/check", headers={"HX-Request": "true"}, data={
        "network": "vk", "kind": "wall", "p_owner_id": "-100500",
        "c_access_token": VK_TOKEN}).text
    assert "Не получилось: нет прав: токен отозван" in html, html
    assert "AuthFailed" not in html and "Traceback" not in html
    unfilled = client.post("/sources/check", headers={"HX-Request": "true"}, data={
        "network": "vk", "kind": "wall", "p_owner_id": "стена"}).text
    assert "Сначала исправьте поля: «ID сообщества или страницы»" in unfilled


def test_the_cli_checks_parameters_by_the_same_declaration(desk: Desk) -> None:
    env = {"OTKLIK_DATABASE_URL": desk.store.url}
    run = CliRunner().invoke
    bad = run(cli, ["source", "add", "vk", "wall", "VK", "-p", "owner_id=club1"], env=env)
    assert bad.exit_code == 2 and "--param owner_id" in bad.output
    assert "must be a whole number" in bad.output and "Traceback" not in bad.output
    unknown = run(cli, ["source", "add", "rss", "feed", "Блог", "-p", "url=https://x.org/f",
                        "-p", "colour=red"], env=env)
    assert unknown.exit_code == 2 and "colour" in unknown.output and "known: url" in unknown.output
    missing = run(cli, ["source", "add", "reddit", "comments", "R"], env=env)
    assert missing.exit_code == 2 and "--param post_id" in missing.output
    assert rows(desk) == []


def test_the_form_in_english_has_english_words(desk: Desk) -> None:
    client = desk.client("admin")
    client.post("/lang", data={"lang": "en"})
    html = client.get("/sources/new?network=vk&kind=wall").text
    assert '<label for="p_owner_id">Community or page id' in html
    assert '<label for="c_access_token">Service token' in html
    assert "To search all of VK" in html and "Сервисный ключ" not in html
    assert not problems(html, codes())


def test_checking_a_saved_source_uses_its_stored_token(desk: Desk, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        respond("mastodon", "verify_credentials__ok.json"))
    client = desk.client("admin")
    instance = base_url(httpserver)
    client.post("/sources", data={"network": "mastodon", "kind": "mentions", "name": "M",
                                  "p_instance": instance, "c_access_token": "mastodon-secret",
                                  "interval_seconds": "300"})
    (row,) = rows(desk)
    html = client.post(f"/sources/{row.id}/check", headers={"HX-Request": "true"},
                       data={"name": "M", "p_instance": instance}).text
    assert "Аккаунт «Зерно — сеть кофеен» найден" in html, html
    assert "отвечать публично" in html  # what the account can do, in words
    (request, _), = httpserver.log
    assert request.headers["Authorization"] == "Bearer mastodon-secret"
