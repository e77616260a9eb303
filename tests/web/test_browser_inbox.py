"""The inbox in Chromium on the demo: the keyboard moves and ticks, the bulk bar tags, `e`
resolves the current case, and the page is written as a screenshot for review."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from otklik.db.models import Case
from otklik.demo.build import build_demo
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser


def test_keyboard_and_bulk_bar_in_a_browser(sqlite_store: Any) -> None:
    build_demo(sqlite_store.sessions)
    desk = make_desk(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, base, "responder@example.org", PASSWORD)
        page.goto(f"{base}/inbox")
        rows = page.locator("#inbox-table tbody tr")
        assert 1 <= rows.count() <= 50
        page.keyboard.press("j")
        page.keyboard.press("j")
        assert "current" in (rows.nth(1).get_attribute("class") or "")
        second = int(rows.nth(1).get_attribute("data-case") or 0)
        page.keyboard.press("x")
        page.keyboard.press("k")
        page.keyboard.press("x")
        first = int(rows.nth(0).get_attribute("data-case") or 0)
        assert "2" in page.locator("#bulk-count").inner_text()
        page.select_option('#bulk select[name="operation"]', "tag")
        page.fill('#bulk input[name="tag"]', "терминал")
        shot(page, "inbox-bulk")
        page.click("#bulk button")
        page.wait_for_selector("p.ok")
        assert "Готово: 2 обращения" in page.inner_text("p.ok")
        page.goto(f"{base}/inbox?tag=терминал")
        tagged = {int(r.get_attribute("data-case") or 0)
                  for r in page.locator("#inbox-table tbody tr").all()}
        assert tagged == {first, second}
        # `e` on the current row resolves it (a case with nothing sent asks for words first)
        page.keyboard.press("j")
        page.keyboard.press("e")
        page.wait_for_selector("p.error, p.ok")
        shot(page, "inbox-after-e")
    with sqlite_store.sessions() as session:
        tags = {c.id: c.tags for c in session.scalars(select(Case).where(
            Case.id.in_([first, second])))}
    assert all("терминал" in t for t in tags.values())
