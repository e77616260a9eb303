"""The desk in both languages in a real Chromium: the switch in the header turns every page to
English and back; counts take their plural forms, numbers, dates and SLA times read as each
locale writes them (Babel); screenshots of the English pages for review."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from otklik.actions.brands import create_brand
from otklik.actions.cases import open_case
from otklik.db.models import Mention
from otklik.flow.pipeline import ingest
from tests.factories import make_post
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
CYRILLIC = re.compile("[А-Яа-яЁё]")


def _seed(store: Any) -> None:
    now = datetime.now(UTC)
    posts = [make_post(text=f"Кофе холодный, заказ опоздал #{n}",
                       created_at=now - timedelta(hours=30 + n)) for n in range(3)]
    with store.sessions() as session:
        brand = create_brand(session, "Зерно", slug="zerno", queries=["кофе"])
        for mention_id in ingest(session, posts).mention_ids:
            session.get(Mention, mention_id).sentiment = "negative"
            open_case(session, mention_id, brand.id, actor="test",
                      now=now - timedelta(hours=29))  # opened a day ago: past the SLA
        session.commit()


def _switch(page: Any) -> None:
    page.click("header form[action='/lang'] button")
    page.wait_for_load_state("networkidle")


def test_the_desk_in_russian_and_in_english(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    _seed(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "responder@example.org", PASSWORD)

        page.goto(f"{base}/inbox")
        assert page.get_attribute("html", "lang") == "ru"
        ru = page.inner_text("main")
        assert "3 обращения" in ru and "просрочено на" in ru
        assert page.inner_text("header form[action='/lang'] button") == "English"

        _switch(page)
        assert page.get_attribute("html", "lang") == "en"
        en = page.inner_text("main")
        assert "3 cases" in en and "overdue by" in en and "просрочено" not in en
        shot(page, "en-inbox")

        for path, name in (("/overview", "en-overview"), ("/settings", "en-settings"),
                           ("/mentions", "en-mentions")):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            nav = page.inner_text("header nav")
            assert not CYRILLIC.search(nav), nav
            shot(page, name)
        # a post's time as English writes it: "Dec 3, 9:05 PM"
        assert re.search(r"\b[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2}\s[AP]M",
                         page.inner_text("main")), page.inner_text("main")[:500]

        _switch(page)
        assert page.get_attribute("html", "lang") == "ru"
        assert "Обзор" in page.inner_text("header nav")
