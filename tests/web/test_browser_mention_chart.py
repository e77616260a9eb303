"""Clicking a bar of the mentions page's volume chart narrows the filter to that bar's day (or
hour), in the desk's zone, keeps the other fields and reloads the list. In Chromium; screenshots
under test-output/screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.posts import Author, Post
from otklik.flow.pipeline import ingest
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
MOSCOW = ZoneInfo("Europe/Moscow")  # the desk's zone: no brand names another, the reader is Russian


def seed(store: Any) -> datetime:
    """Posts on three Moscow days, a few minutes apart; the middle day has three at 09:xx and two
    at 15:xx on VK, and two on Telegram the filter leaves out. Returns the middle day's midnight."""
    middle = datetime.combine(datetime.now(MOSCOW).date() - timedelta(days=2), time(0),
                              tzinfo=MOSCOW)
    moments = {"vk": [middle - timedelta(hours=12) + timedelta(minutes=7 * i) for i in range(3)]
               + [middle + timedelta(hours=9, minutes=5 + 15 * i) for i in range(3)]
               + [middle + timedelta(hours=15, minutes=10 * i) for i in range(2)]
               + [middle + timedelta(days=1, hours=11, minutes=i) for i in range(2)],
               "telegram": [middle + timedelta(hours=9, minutes=30 + i) for i in range(2)]}
    posts = [Post(network=network, external_id=f"{network}-{i}", text=f"пост {network} {i}",
                  created_at=at.astimezone(UTC), author=Author(external_id=f"a{i}"))
             for network, ats in moments.items() for i, at in enumerate(ats)]
    with store.sessions() as session:
        ingest(session, posts)
        session.commit()
    return middle


def click_bar(page: Any, index: int) -> None:
    x, y = page.evaluate("""(i) => {
        const el = document.getElementById("mention-chart");
        const chart = echarts.getInstanceByDom(el);
        const data = JSON.parse(el.getAttribute("data-chart"));
        const box = el.getBoundingClientRect();
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [data.x[i], 0]);
        return [box.left + px, box.top + py - 5];
    }""", index)
    page.mouse.click(x, y)


def chart_keys(page: Any) -> list[str]:
    return list(page.evaluate("""() => JSON.parse(
        document.getElementById("mention-chart").getAttribute("data-chart")).t"""))


def found(page: Any) -> int:
    return int(re.sub(r"\D", "", page.inner_text("#mention-count")))


def test_a_bar_narrows_the_filter_to_its_day_then_its_hour(sqlite_store: Any) -> None:
    middle = seed(sqlite_store)
    day = middle.date().isoformat()
    desk = make_desk(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, "viewer@example.org", PASSWORD)
        since = (middle - timedelta(days=2)).date().isoformat()
        page.goto(f"{base}/mentions?network=vk&since={since}")
        page.wait_for_selector("#mention-chart[data-rendered='1'] canvas")
        assert found(page) == 10
        keys = chart_keys(page)  # one bar a day
        assert day in keys
        shot(page, "mentions-chart-before-click")

        click_bar(page, keys.index(day))
        page.wait_for_url(re.compile(r".*until=.*"))
        page.wait_for_selector("#mention-chart[data-rendered='1'] canvas")
        query = parse_qs(urlparse(page.url).query)
        assert query == {"network": ["vk"], "since": [day], "until": [day]}
        assert found(page) == 5 and page.locator("#stream article.mention").count() == 5
        assert page.input_value('input[name="since"]') == day
        assert page.input_value('input[name="until"]') == day

        keys = chart_keys(page)  # one day: a bar an hour
        click_bar(page, keys.index(f"{day}T09:00"))
        page.wait_for_url(re.compile(r".*T09.*"))
        query = parse_qs(urlparse(page.url).query)
        assert query["network"] == ["vk"]
        assert [datetime.fromisoformat(query[k][0]) for k in ("since", "until")] == [
            middle + timedelta(hours=9), middle + timedelta(hours=10)]
        assert found(page) == 3 and page.locator("#stream article.mention").count() == 3
        shot(page, "mentions-chart-after-click")
        assert not errors, errors
