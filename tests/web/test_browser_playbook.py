"""The seven practices walked in Chromium on the demo `make run` builds, every channel on the
sandbox network: monitor, answer + private message, come back with the result, explain an
incident, warn in advance, never delete, refute an attack. Screenshots land in
test-output/screenshots/ for review."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from otklik.actions.send import run_sync
from otklik.actions.sources import poll_source
from otklik.actions.unit import transaction
from otklik.db.models import Author, Brand, Case, Channel, Mention, Source, Spike
from otklik.demo.build import build_demo
from otklik.settings import Settings
from otklik.sources.sandbox import customer_answer
from tests.web.conftest import PASSWORD, make_desk
from tests.web.live import chromium, serve, shot, sign_in

pytestmark = pytest.mark.browser
DELETE = re.compile(r"удалить|delete|remove|скрыть", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.conftest import _sqlite_store

    store = next(_sqlite_store(tmp_path_factory.mktemp("playbook")))
    build_demo(store.sessions)
    before = os.environ.get("OTKLIK_SANDBOX_REPLY_SECONDS")
    os.environ["OTKLIK_SANDBOX_REPLY_SECONDS"] = "0"
    try:
        yield make_desk(store)
    finally:
        if before is None:
            os.environ.pop("OTKLIK_SANDBOX_REPLY_SECONDS")
        else:
            os.environ["OTKLIK_SANDBOX_REPLY_SECONDS"] = before


def _talkative_case(store: Any) -> int:
    """A new VK case whose (simulated) customer answers both the private message and the
    follow-up, so the whole story can be read in the browser."""
    with transaction(store.sessions) as s:
        for case in s.scalars(select(Case).where(Case.state == "new", Case.network == "vk")
                              .order_by(Case.id)):
            author = s.get(Author, case.author_id)
            channel = s.scalar(select(Channel).where(Channel.brand_id == case.brand_id,
                                                     Channel.network == "vk"))
            if author and customer_answer("private", f"{channel.external_id}:"
                                          f"{author.external_id}") and customer_answer(
                    "follow_up", f"follow_up:case:{case.id}"):
                return case.id
    raise AssertionError("the demo has no case whose customer answers")


def _poll_sandbox(store: Any) -> None:
    """What `otklik serve`'s scheduler does every 10 s: poll the sandbox network."""
    settings = Settings(database_url=store.url, sandbox_reply_seconds=0)
    with transaction(store.sessions) as s:
        sandbox = s.scalar(select(Source.id).where(Source.network == "sandbox"))
    # Playwright's sync API runs an event loop in this thread: run the poll beside it
    result = run_sync(lambda: poll_source(store.sessions, sandbox, settings=settings))
    assert result.error is None


def _no_delete_control(page: Any) -> None:
    controls = page.locator("button, a, input[type=submit]").all_inner_texts()
    assert not [c for c in controls if DELETE.search(c)], controls


def test_the_seven_practices_in_a_browser(demo: Any) -> None:
    store = demo.store
    case_id = _talkative_case(store)
    with serve(demo.app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "responder@example.org", PASSWORD)

        # 1. monitor: the negative mentions, and the inbox that lists the case
        page.goto(f"{base}/mentions?sentiment=negative")
        assert page.locator(".mention, tr, article").count() > 5
        _no_delete_control(page)
        page.goto(f"{base}/inbox")
        assert page.locator('a[href^="/cases/"]').count() > 0
        shot(page, "playbook-1-inbox")

        # 2. answer publicly and move to the private channel
        page.goto(f"{base}/cases/{case_id}")
        assert page.get_attribute("#case-state", "data-state") == "new"
        page.click("#answer-move")
        page.wait_for_load_state()
        assert page.get_attribute("#case-state", "data-state") == "in_private"
        assert "отправлено" in page.inner_text("#public-thread")
        assert "отправлено" in page.inner_text("#private-conversation")
        _poll_sandbox(store)  # the customer writes back in private
        page.reload()
        private = page.inner_text("#private-conversation")
        assert any(word in private for word in ("Заказ", "Тверской", "502")), private
        _no_delete_control(page)
        shot(page, "playbook-2-private")

        # 3. resolved, then back to the public thread with the question; the answer closes it
        page.click("#resolve")
        page.wait_for_load_state()
        assert page.get_attribute("#case-state", "data-state") == "resolved"
        assert page.locator("#follow-up-due").count() == 1
        page.click("#follow-up-now")
        page.wait_for_load_state()
        assert page.get_attribute("#case-state", "data-state") == "followed_up"
        _poll_sandbox(store)
        page.reload()
        assert page.get_attribute("#case-state", "data-state") == "closed"
        shot(page, "playbook-3-closed")

        # 4. explain an incident: from the biggest spike, its complaints linked
        with transaction(store.sessions) as s:
            spike_id = s.scalar(select(Spike.id).order_by(Spike.volume.desc()))
        page.goto(f"{base}/spikes/{spike_id}")
        page.click('a[href*="spike="]')
        page.wait_for_load_state()
        page.fill('form[action="/incidents"] input[name="title"]', "Сбой оплаты картой")
        page.check('input[name="publish_now"]')
        page.click('form[action="/incidents"] button.primary')
        page.wait_for_url(re.compile(r".*/incidents/\d+.*"))
        assert "отправлено" in page.inner_text("#posts")
        linked = page.locator('#linked-cases a[href^="/cases/"]').count()
        assert linked >= 3
        page.click("#answer-linked button")
        page.wait_for_load_state()
        shot(page, "playbook-4-incident")

        # 5. warn in advance: schedule, preview, cancel
        when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
        start = (datetime.now(UTC) + timedelta(days=4)).strftime("%Y-%m-%dT02:00")
        end = (datetime.now(UTC) + timedelta(days=4)).strftime("%Y-%m-%dT04:00")
        page.goto(f"{base}/incidents")
        form = page.locator('form[action="/announcements"]')
        form.locator('input[name="title"]').fill("Профилактика: оплата картой недоступна")
        form.locator('input[name="publish_at"]').fill(when)
        form.locator('input[name="event_start"]').fill(start)
        form.locator('input[name="event_end"]').fill(end)
        form.locator('select[name="brand"]').select_option(label="Зерно")
        form.locator("label.inline-check", has_text="Зерно").first.locator("input").check()
        form.locator("button.primary").click()
        page.wait_for_load_state()
        assert page.locator(".error").count() == 0, page.locator(".error").all_inner_texts()
        page.click('a[href^="/announcements/"]')
        page.wait_for_load_state()
        assert "Что увидят клиенты" in page.inner_text("#preview")
        assert "UTC" not in page.inner_text("#preview")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#cancel button")
        page.wait_for_load_state()
        assert "отменён" in page.inner_text("#announcement-status")
        shot(page, "playbook-5-announcement")

        # 7. refute an information attack: claim and facts, edit, approve, publish
        page.goto(f"{base}/attacks")
        plan = page.locator("form.plan-form").first
        plan.locator('textarea[name="claim"]').fill("в круассанах нашли тараканов")
        plan.locator('textarea[name="facts"]').fill("Проверка 2 декабря нарушений не нашла.")
        plan.locator("button.primary").click()
        page.wait_for_url(re.compile(r".*/refutations/\d+.*"))
        assert "нарушений не нашла" in page.input_value('#official-edit textarea')
        page.click('form[action$="/approve"] button')
        page.wait_for_load_state()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click('form[action$="/publish"] button')
        page.wait_for_load_state()
        assert "опубликовано" in page.inner_text("#stages .current")
        _no_delete_control(page)
        shot(page, "playbook-7-refutation")

    # 6. never delete: every mention is still stored
    with transaction(store.sessions) as s:
        assert s.scalar(select(Mention.id).where(Mention.removed_at_source.is_not(None))) is None
        assert s.scalar(select(Brand.id)) is not None
