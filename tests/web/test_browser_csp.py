"""The content security policy in a real Chromium: the charts draw and their tooltips (HTML with
style attributes) show, HTMX swaps and polls, and the browser reports no refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in
from tests.web.test_browser_desk import _seed

pytestmark = pytest.mark.browser


def test_charts_tooltips_and_htmx_under_the_policy(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    seeded = _seed(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: refused.append(str(e)))
        sign_in(page, base, "admin@example.org", PASSWORD)

        page.goto(f"{base}/overview?days=7")
        chart = page.locator("#volume-chart[data-rendered='1'] canvas").first
        chart.wait_for()
        box = chart.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        tooltip = page.locator("#volume-chart div[style*='position: absolute']")
        tooltip.first.wait_for(state="visible")
        assert "style=" in tooltip.first.inner_html()  # ECharts' markers: inline style attributes
        shot(page, "overview-tooltip")

        page.click(f'a[hx-get="/spikes/{seeded["spike"]}"]')  # an HTMX swap, then its chart
        page.wait_for_selector("#spike-detail .spike-chart[data-rendered='1'] canvas")
        assert page.evaluate("getComputedStyle(document.body).fontFamily")  # app.css applied
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert not refused, refused
