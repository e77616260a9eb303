"""Locations (Точки) in Chromium on the demo `make run` builds: the league table and the map of
the coffee chain's cafés, a café's mentions, the settings page (add a café, load a file), in
Russian. Screenshots land in test-output/screenshots/ for review."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from otklik.demo.build import DEMO_ADMIN, build_demo
from tests.web.conftest import make_desk
from tests.web.live import SCREENSHOTS, chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
CSV = ("name,address,lat,lon,aliases\n"
       "Зерно в Сокольниках,\"Москва, ул. Сокольнический Вал, 1\",55.7890,37.6790,Сокольники\n")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.conftest import _sqlite_store

    store = next(_sqlite_store(tmp_path_factory.mktemp("locations")))
    build_demo(store.sessions)
    before = os.environ.get("OTKLIK_MAP_TILES_URL")
    os.environ["OTKLIK_MAP_TILES_URL"] = ""  # no tiles from the internet in a test
    try:
        yield make_desk(store)
    finally:
        if before is None:
            os.environ.pop("OTKLIK_MAP_TILES_URL")
        else:
            os.environ["OTKLIK_MAP_TILES_URL"] = before


def test_locations_in_a_browser(demo: Any, tmp_path: Path) -> None:
    with serve(demo.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        errors: list[str] = []
        # script errors count; the 422 of the bad form we send on purpose does not
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, *DEMO_ADMIN)

        # the league table and the map, reached from the menu
        page.click("header nav a[href='/locations']")
        page.wait_for_selector("#league")
        rows = page.locator("#league tbody tr").all_inner_texts()
        assert len(rows) == 7 and rows[-1].startswith("без точки")
        assert any("Зерно на Садовой" in r for r in rows)
        assert "Доля негатива" in page.inner_text("#league thead")
        page.wait_for_selector("#location-map path.leaflet-interactive")
        assert page.locator("#location-map path.leaflet-interactive").count() == 6
        shot(page, "locations-league")

        # geo-listening: posts near a café that name no brand wait for a person to confirm
        heard = page.locator("#nearby article")
        assert heard.count() == 4
        first = heard.first.inner_text()
        assert "Арбатской отравился" in first and "Зерно на Арбате" in first
        heard.first.locator("button").click()
        page.wait_for_url("**/locations?brand=*")
        assert page.locator("#nearby article").count() == 3
        arbat = page.locator("#league tr:has-text('Зерно на Арбате')").inner_text()
        assert arbat.split("\t")[1].strip() == str(int(next(
            r for r in rows if "Зерно на Арбате" in r).split("\t")[1]) + 1)

        # a café's mentions: the filter is kept and every mention carries the café's name
        page.click("#league a:has-text('Зерно на Садовой')")
        page.wait_for_url("**/mentions?**location=**")
        badges = page.locator(".mention .badge.location").all_inner_texts()
        assert badges and all(b == "Зерно на Садовой" for b in badges)
        assert page.locator("select[name='location'] option:checked").inner_text().startswith(
            "Зерно на Садовой")
        page.screenshot(path=str(SCREENSHOTS / "locations-mentions.png"))  # the top: filters

        # the inbox: new cases were routed to their café (its name and team as tags)
        page.goto(f"{base}/inbox?tag=Зерно на Садовой")
        page.wait_for_selector("table.inbox tbody tr")
        assert "Команда Садовой" in page.inner_text("table.inbox")
        page.screenshot(path=str(SCREENSHOTS / "locations-inbox.png"))

        # settings → Точки: add a café by hand, then load a file
        page.goto(f"{base}/settings")
        page.click("#brand-1 a.brand-locations")
        page.wait_for_selector("#location-list")
        form = page.locator("#add-location form")
        form.locator("input[name='name']").fill("Зерно на Мясницкой")
        form.locator("input[name='address']").fill("Москва, ул. Мясницкая, 24")
        form.locator("input[name='lat']").fill("55.7640")
        form.locator("input[name='lon']").fill("37.6380")
        form.locator("input[name='aliases']").fill("Чистые пруды, Тургеневская")
        form.locator("button").click()
        page.wait_for_selector("#location-list td:has-text('Зерно на Мясницкой')")
        path = tmp_path / "cafes.csv"
        path.write_text(CSV, encoding="utf-8")
        page.set_input_files("#import-locations input[type=file]", str(path))
        page.click("#import-locations button")
        page.wait_for_selector("#location-note")
        assert "Загружено точек: 1" in page.inner_text("#location-note")
        assert "Зерно в Сокольниках" in page.inner_text("#location-list")
        page.fill("#location-radius input[name='radius']", "250")
        page.click("#location-radius button")
        page.wait_for_selector("#location-radius input[value='250']")
        assert "в радиусе 250 м" in page.inner_text("main")
        shot(page, "locations-settings")

        # a bad latitude is said in words on the page, nothing stored
        form = page.locator("#add-location form")
        form.locator("input[name='name']").fill("Ошибка")
        form.locator("input[name='lat']").fill("север")
        form.locator("input[name='lon']").fill("37.6")
        form.locator("button").click()
        page.wait_for_selector("#location-error")
        assert "Широта: «север» — не число" in page.inner_text("#location-error")
        assert "Ошибка" not in page.inner_text("#location-list")
        assert errors == []
