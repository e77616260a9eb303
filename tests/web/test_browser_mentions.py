"""The mentions page and the overview in Chromium on the demo: the filter's chart draws, "Скачать
CSV" downloads the filter's mentions, the overview's spikes carry their headlines and the top
authors list each person once; a desk with nothing in it says what to do next, in both
languages. Screenshots under test-output/screenshots/ for review."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from otklik.db.models import Source, User
from otklik.demo.build import build_demo
from otklik.figures import overview as data
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import SCREENSHOTS, chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
MOSCOW = ZoneInfo("Europe/Moscow")


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_mentions_chart_csv_and_overview_on_the_demo(sqlite_store: Any) -> None:
    build_demo(sqlite_store.sessions)
    desk = make_desk(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors = _watch(page)
        sign_in(page, base, "viewer@example.org", PASSWORD)

        page.goto(f"{base}/overview?days=7")
        page.wait_for_selector("#volume-chart[data-rendered='1'] canvas")
        page.wait_for_selector("#top-authors td.num")
        headlines = page.locator("ol.spikes li a").all_inner_texts()
        assert headlines and all(h.startswith("Всплеск") for h in headlines)
        # a person once; namesakes apart, told by their handles
        authors = page.locator("#top-authors td:first-child").all_inner_texts()
        assert authors and len(authors) == len(set(authors))
        shot(page, "overview-spikes-authors")
        # hovering the bar of a spike shows its headline
        x, y = page.evaluate("""() => {
            const el = document.getElementById("volume-chart");
            const chart = echarts.getInstanceByDom(el);
            const data = JSON.parse(el.getAttribute("data-chart"));
            const i = data.t.indexOf(data.spikes[data.spikes.length - 1].t);
            const box = el.getBoundingClientRect();
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [data.x[i], data.n[i] / 2]);
            return [box.left + px, box.top + py];
        }""")
        page.mouse.move(x, y)
        page.wait_for_function("""() => [...document.querySelectorAll("#volume-chart div")]
            .some(d => d.innerText.includes("Всплеск"))""")
        page.screenshot(path=str(SCREENSHOTS / "overview-spike-tooltip.png"))

        since = (datetime.now(UTC) - timedelta(days=6)).date().isoformat()
        page.goto(f"{base}/mentions?sentiment=negative&since={since}")
        page.wait_for_selector("#mention-chart[data-rendered='1'] canvas")
        count = page.inner_text("#mention-count")
        shot(page, "mentions-chart")
        with page.expect_download() as info:
            page.click("#export-csv")
        raw = Path(info.value.path()).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        f = data.MentionFilter(sentiment="negative",  # a date is a day in the desk's zone
                               since=datetime.fromisoformat(since).replace(tzinfo=MOSCOW))
        with sqlite_store.sessions() as s:
            expected = data.count_mentions(s, f)
        assert len(rows) - 1 == expected > 0
        assert count.replace("\u00a0", "").replace(" ", "").endswith(str(expected))
        assert {r[6] for r in rows[1:]} == {"негатив"}
        assert not errors, errors


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_an_empty_desk_says_what_to_do(sqlite_store: Any, lang: str) -> None:
    desk = make_desk(sqlite_store)
    with sqlite_store.sessions() as s:
        s.execute(update(User).values(lang=lang))
        s.commit()
    said = {"ru": ("Источников нет", "Всплесков за этот период нет", "Под этот фильтр",
                   "Упоминаний пока нет"),
            "en": ("No sources yet", "No spikes in this period", "No mentions match",
                   "No mentions yet")}[lang]
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = _watch(page)
        sign_in(page, base, "admin@example.org", PASSWORD)
        page.goto(f"{base}/overview?days=7")
        assert said[0] in page.inner_text("#no-sources")
        assert page.get_attribute("#no-sources a", "href") == "/sources/new"
        assert said[1] in page.inner_text("#no-spikes")
        shot(page, f"overview-empty-{lang}")
        page.goto(f"{base}/mentions")
        assert said[0] in page.inner_text("#no-mentions")
        shot(page, f"mentions-empty-{lang}")

        with sqlite_store.sessions() as s:
            s.add(Source(network="vk", name="VK", kind="search", params={"q": "зерно"},
                         credentials={}))
            s.commit()
        page.goto(f"{base}/mentions?network=vk")
        assert said[2] in page.inner_text("#no-mentions")
        page.click("#no-mentions a")
        page.wait_for_url(f"{base}/mentions")
        assert said[3] in page.inner_text("#no-mentions")
        assert not errors, errors
