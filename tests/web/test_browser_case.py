"""A case handled end to end in Chromium against a recorded VK community (a real local server):
inbox → case page → edit the templated replies → answer publicly and move to private (exact
requests VK received) → resolve → follow up now; the timeline shows each step."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from otklik.actions import cases as desk_actions
from otklik.db.models import Case
from otklik.flow.pipeline import ingest
from otklik.settings import Settings
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source
from tests.vk_desk import GROUP_TOKEN, fixture_json, labelling_enricher
from tests.vk_desk import make_desk as make_brand_desk
from tests.vk_desk import vk_calls as calls
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
COMPLAINT, SECOND = "-100500_1301_c9101", "-100500_1301_c9102"
PUBLIC = "Ольга, простите за холодный кофе! Написали вам в личные сообщения."


def _open_case(store: Any, vk: HTTPServer) -> tuple[int, Settings]:
    """One poll of the brand's wall through the real VK connector, then the case rules."""
    with store.sessions() as session:
        brand_desk = make_brand_desk(session, vk)

        async def fetch() -> Any:
            client = HttpClient(max_retries=0)
            try:
                source = build_source(brand_desk.source, brand_desk.settings, client)
                return (await source.fetch_page({"phase": "comments", "pending": [1301]})).posts
            finally:
                await client.aclose()

        posts = asyncio.run(fetch())
        enrich = labelling_enricher(brand_desk.brand.id, negative=[COMPLAINT, SECOND])
        result = ingest(session, posts, enrichers=[enrich], source_id=brand_desk.source.id)
        outcome = desk_actions.process_ingested(session, result.mention_ids,
                                                now=datetime.now(UTC))
        session.commit()
        [case_id] = outcome.opened
        return case_id, brand_desk.settings


def test_case_end_to_end_in_a_browser(sqlite_store: Any, httpserver: HTTPServer) -> None:
    vk = httpserver
    vk.expect_oneshot_request("/method/wall.getComments", method="POST").respond_with_json(
        fixture_json("vk_wall.getComments__complaint.json"))
    vk.expect_oneshot_request("/method/messages.send", method="POST").respond_with_json(
        fixture_json("vk_messages.send__ok.json"))
    vk.expect_oneshot_request("/method/wall.createComment", method="POST").respond_with_json(
        fixture_json("vk_wall.createComment__answer.json"))
    vk.expect_oneshot_request("/method/wall.createComment", method="POST").respond_with_json(
        fixture_json("vk_wall.createComment__follow_up.json"))

    desk = make_desk(sqlite_store)
    case_id, vk_settings = _open_case(sqlite_store, vk)
    # the key the desk sealed the community's token with when it was connected
    desk.app.state.settings = Settings(database_url=sqlite_store.url,
                                       secret_key=vk_settings.secret_key,
                                       vk_api_url=vk_settings.vk_api_url)
    with serve(desk.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "responder@example.org", PASSWORD)
        page.goto(f"{base}/inbox")
        page.click(f'#case-row-{case_id} a[href="/cases/{case_id}"] >> nth=0')
        page.wait_for_url(f"{base}/cases/{case_id}")
        assert page.get_attribute("#case-state", "data-state") == "new"
        assert page.inner_text("#case-state") == "новое"  # the state in words
        assert "Ольга" in page.input_value('textarea[name="public_text"]')  # template, filled
        private_draft = page.input_value('textarea[name="private_text"]')
        assert private_draft.startswith("Здравствуйте, Ольга! Это Зерно.")
        assert not page.locator("text=/удалить|delete/i").count()
        shot(page, "case-new")

        page.fill('textarea[name="public_text"]', PUBLIC)
        page.click("#answer-move")
        page.wait_for_selector("#case-state[data-state='in_private']")
        dm = calls(vk, "messages.send")
        assert len(dm) == 1 and dm[0]["message"] == private_draft.strip()
        assert dm[0]["user_id"] == "311050" and dm[0]["access_token"] == GROUP_TOKEN
        [reply] = calls(vk, "wall.createComment")
        assert (reply["message"], reply["reply_to_comment"]) == (PUBLIC, "9101")
        assert PUBLIC in page.inner_text("#public-thread")
        assert private_draft.strip()[:30] in page.inner_text("#private-conversation")
        shot(page, "case-in-private")

        page.click("#resolve")
        page.wait_for_selector("#case-state[data-state='resolved']")
        page.click("#follow-up-now")
        page.wait_for_selector("#case-state[data-state='followed_up']")
        follow = calls(vk, "wall.createComment")[1]
        assert follow["reply_to_comment"] == "9101" and "удалось ли решить" in follow["message"]
        timeline = page.inner_text("#timeline")
        # the history in words: events and states named, never `case.open` or `in_private`
        for step in ("обращение открыто", "изменено состояние",
                     "запланирован вопрос о результате"):
            assert step in timeline
        assert "→ в личной переписке" in timeline and "→ узнали результат" in timeline
        assert "case.open" not in timeline and "in_private" not in timeline
        shot(page, "case-followed-up")

    with sqlite_store.sessions() as session:
        case = session.scalars(select(Case).where(Case.id == case_id)).one()
        assert case.state == "followed_up" and case.followed_up_at is not None
        assert [(a.kind, a.status) for a in case.actions] == [
            ("private_message", "sent"), ("public_reply", "sent"), ("follow_up", "sent")]
