"""The source form in a real Chromium: network, kind, labelled fields, a bad value answered next
to its field, "Проверить подключение" against a local server replaying VK's recorded answer
(HTMX, no reload, nothing saved), then saved; screenshots under test-output/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from otklik.db.models import Source
from tests.sources.conftest import base_url, vk_router
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
TOKEN = "vk1.a.service-token-0123456789abcdef"


def count(store: Any) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count(Source.id))) or 0)


def test_adding_a_vk_wall_in_a_browser(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/method/wall.get").respond_with_handler(
        vk_router({"wall.get": "wall.get__owned.json"}))
    desk = make_desk(sqlite_store)
    desk.app.state.settings = desk.app.state.settings.model_copy(
        update={"vk_api_url": base_url(httpserver)})
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text else None)
        sign_in(page, base, "admin@example.org", PASSWORD)

        page.goto(f"{base}/sources/new")
        shot(page, "source-1-network")
        page.click("a.choice:has-text('ВКонтакте')")
        page.wait_for_selector("text=Стена сообщества")
        shot(page, "source-2-kind")
        page.click("a.choice:has-text('Стена сообщества')")
        page.wait_for_selector("#p_owner_id")
        assert page.inner_text("label[for=p_owner_id]").startswith("ID сообщества или страницы")
        assert page.get_attribute("#c_access_token", "type") == "password"
        assert page.locator("textarea").count() == 0

        page.fill("#name", "VK: Зерно")
        page.fill("#p_owner_id", "")
        page.click("button.primary")  # nothing in the required field: words next to it
        page.wait_for_selector(".field.bad #p_owner_id")
        assert "Заполните это поле" in page.inner_text(".field:has(#p_owner_id)")
        assert "Нужен, чтобы читать этот источник" in page.inner_text(
            ".field:has(#c_access_token)")
        shot(page, "source-3-field-errors")

        page.fill("#p_owner_id", "-100500")
        page.fill("#c_access_token", TOKEN)
        page.click("button.check-button")
        page.wait_for_selector("#check-result .check-result.good")
        found = page.inner_text("#check-result")
        assert "Сообщество «Зерно — сеть кофеен» найдено" in found, found
        assert "прав на чтение достаточно" in found
        assert page.input_value("#c_access_token") == TOKEN  # no reload: what was typed stays
        assert count(sqlite_store) == 0
        shot(page, "source-4-checked")

        page.click("button.primary")
        page.wait_for_url(f"{base}/sources")
        assert "Стена сообщества" in page.inner_text("table")
        shot(page, "source-5-list")
        page.click("a:has-text('Изменить')")
        page.wait_for_selector("#p_owner_id")
        assert page.input_value("#p_owner_id") == "-100500"
        assert TOKEN not in page.content() and "••••cdef" in page.content()
        shot(page, "source-6-edit")

        # a check that fails says so in words (the token refused), still saving nothing
        httpserver.clear()
        httpserver.expect_request("/method/wall.get").respond_with_handler(
            vk_router({"wall.get": "error__token_revoked.json"}))
        page.click("button.check-button")
        page.wait_for_selector("#check-result .check-result.bad")
        assert "Не получилось: нет прав" in page.inner_text("#check-result")
        shot(page, "source-7-check-failed")

        page.click("button:has-text('English')")
        page.goto(f"{base}/sources/new?network=rss&kind=feed")
        assert page.inner_text("label[for=p_url]").startswith("Feed address")
        assert page.get_attribute("#p_url", "type") == "url"
        shot(page, "source-en")

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        sign_in(phone, base, "admin@example.org", PASSWORD)
        phone.goto(f"{base}/sources/new?network=youtube&kind=search")
        phone.wait_for_selector("#p_q")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the form scrolls sideways on a phone ({width}px)"
        shot(phone, "source-phone")
        assert not errors, errors
    assert count(sqlite_store) == 1
