"""The desk in a real Chromium: sign in, the overview chart draws, search, correct, live stream,
and a screenshot of each main page (laptop and phone widths) under test-output/screenshots/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.db.models import Mention, SentimentCorrection, Source, Spike
from otklik.flow.pipeline import ingest
from tests.factories import make_post
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser


def _seed(store: Any) -> dict[str, int]:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    texts = ["Холодный кофе опять, курьер опоздал", "Отличный капучино, спасибо!",
             "Где мой заказ? Жду второй час", "<script>alert(1)</script> кофе"]
    posts = [make_post(text=texts[n % 4] + f" #{n}", created_at=now - timedelta(hours=3 * n))
             for n in range(40)]
    with store.sessions() as session:
        brand = create_brand(session, "Зерно", slug="zerno", queries=["кофе OR заказ"])
        ids = ingest(session, posts).mention_ids
        for mention_id, post in zip(ids, posts, strict=True):
            label = "negative" if ("Холодный" in post.text or "Где" in post.text) else "positive"
            session.get(Mention, mention_id).sentiment = label
        spike = Spike(brand_id=brand.id, start=now - timedelta(days=2, hours=2),
                      peak=now - timedelta(days=2), volume=9, expected=2.0, severity=0.93,
                      explanation={"summary": "Жалобы на холодный кофе",
                                   "terms": ["холодный", "курьер"]})
        session.add(spike)
        session.add(Source(network="vk", name="VK поиск: зерно", kind="search",
                           params={"q": "зерно"}, credentials={"access_token": "x" * 40},
                           last_success_at=now))
        session.commit()
        return {"brand": brand.id, "spike": spike.id, "first": ids[0]}


def test_desk_in_a_browser(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    seeded = _seed(sqlite_store)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        # script errors and CSP refusals count; a 4xx we provoke (the bad query) does not
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 500 else None)

        sign_in(page, base, "admin@example.org", PASSWORD)

        # overview: the ECharts canvas is drawn inside the chart div; a spike opens its story
        page.goto(f"{base}/overview?days=7")
        page.wait_for_selector("#volume-chart[data-rendered='1'] canvas")
        page.wait_for_selector("#top-places td.num")  # the tops arrive right after the page
        page.wait_for_selector("#top-authors td.num")
        page.click(f'a[hx-get="/spikes/{seeded["spike"]}"]')
        page.wait_for_selector("#spike-detail .spike")
        story = page.inner_text("#spike-detail")
        assert "Всплеск упоминаний «Зерно»" in story and "больше обычного" in story
        page.wait_for_selector("#spike-detail .spike-chart[data-rendered='1'] canvas")
        shot(page, "overview")

        # mentions: search with the query language, then a bad query shows its position
        page.goto(f"{base}/mentions")
        page.fill('input[name="q"]', "холодный AND курьер")
        page.click("#mention-filters button.primary")
        page.wait_for_url("**/mentions?**")
        texts = page.locator(".mention .text").all_inner_texts()
        assert texts and all("Холодный" in t for t in texts)
        page.fill('input[name="q"]', "холодный AND (курьер")
        page.click("#mention-filters button.primary")
        page.wait_for_selector(".query-problem mark")
        shot(page, "mentions-query-error")

        # one-click correction, swapped in place by HTMX (CSRF header from the meta tag)
        page.goto(f"{base}/mentions")
        first = page.locator("article.mention").first
        mention_id = int(first.get_attribute("data-id") or 0)
        current = first.locator(".badge.sentiment").inner_text()
        target = "neutral"
        first.locator(f'button[value="{target}"]').click()
        page.wait_for_selector(f"#mention-{mention_id} .badge.sentiment:has-text('исправлено')")
        assert current != page.locator(f"#mention-{mention_id} .badge.sentiment").inner_text()
        with sqlite_store.sessions() as session:
            correction = session.scalars(select(SentimentCorrection)).one()
            assert (correction.mention_id, correction.label) == (mention_id, target)

        # the live stream: a mention ingested now appears without a reload
        api = desk.api("admin")
        api.post("/api/v1/ingest", json={"mentions": [{
            "network": "vk", "external_id": "live-1", "text": "Свежая жалоба: кофе холодный",
            "created_at": datetime.now(UTC).isoformat()}]})
        page.wait_for_selector("text=Свежая жалоба", timeout=15000)
        assert page.url.endswith("/mentions")
        shot(page, "mentions")

        for path, name in (("/inbox", "inbox"), ("/sources", "sources"),
                           ("/settings", "settings")):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            shot(page, name)
        # the settings page validates a query as it is typed
        page.fill(".query-input", "кофе AND (")
        page.wait_for_selector(f"#qcheck-{seeded['brand']} .query-problem")
        page.fill(".query-input", "кофе AND чай")
        page.wait_for_selector(f"#qcheck-{seeded['brand']} .ok")

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        sign_in(phone, base, "viewer@example.org", PASSWORD)
        phone.goto(f"{base}/mentions")
        phone.wait_for_selector("article.mention")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
        shot(phone, "mentions-phone")
        phone.goto(f"{base}/overview")
        phone.wait_for_selector("#volume-chart canvas")
        shot(phone, "overview-phone")

        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
        shot(page, "api-docs")

        csp_errors = [e for e in errors if "Content Security Policy" in e]
        assert not csp_errors, csp_errors
        assert not errors, errors


def test_attacks_and_refutation_in_a_browser(sqlite_store: Any) -> None:
    """The attacks page and a refutation plan built from it, with screenshots of both."""
    from tests.web.test_threat_pages import FakeNetwork, seed_threats

    desk = make_desk(sqlite_store, source_factory=FakeNetwork().factory)
    (attack_id,) = seed_threats(sqlite_store)["attacks"]
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, "responder@example.org", PASSWORD)
        page.goto(f"{base}/attacks")
        summary = page.inner_text(f"#attack-{attack_id} .summary")
        assert "аккаунт" in summary and "_share" not in summary  # told in words
        texts = page.inner_text(f"#attack-{attack_id} .quote >> nth=0")
        assert '<script>alert("atk")</script>' in texts  # the campaign's text shown, not run
        shot(page, "attacks")
        page.fill(f"#attack-{attack_id} textarea[name=claim]", "в кофейне нашли таракана")
        page.click(f"#attack-{attack_id} .plan-form button")
        page.wait_for_url("**/refutations/*")
        page.wait_for_selector("#placements")
        assert page.locator("tr.reply").count() == 36
        assert page.inner_text("#coverage") == "0%"
        shot(page, "refutation")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        sign_in(phone, base, "viewer@example.org", PASSWORD)
        for path in ("/attacks", "/communities", "/incidents"):
            phone.goto(base + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
        assert not errors, errors
