"""Issue 18's bar, through the REST API on the demo `make run` builds: on every network the demo
shows and for both brands, a private message, a public reply, resolving and a follow-up all end
`sent` with the network's id, the sandbox's customers answer, and no exception text reaches any
field. Nothing here links a channel by hand: the demo connects them as a user would."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from sqlalchemy import select

from otklik.actions.sources import poll_source
from otklik.actions.unit import transaction
from otklik.db.models import Action, Brand, Case, CaseMention, Channel, Source
from otklik.demo.build import build_demo
from otklik.settings import Settings
from tests.web.conftest import make_desk

TRACEBACK_WORDS = ("Error", "Exception", "Traceback", "ValueError", "None")


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import _sqlite_store

    store_iter = _sqlite_store(tmp_path_factory.mktemp("demo"))
    store = next(store_iter)
    build_demo(store.sessions)
    before = os.environ.get("OTKLIK_SANDBOX_REPLY_SECONDS")
    os.environ["OTKLIK_SANDBOX_REPLY_SECONDS"] = "0"  # the customers answer at once
    try:
        yield make_desk(store)
    finally:
        if before is None:
            os.environ.pop("OTKLIK_SANDBOX_REPLY_SECONDS")
        else:
            os.environ["OTKLIK_SANDBOX_REPLY_SECONDS"] = before


def _new_cases(desk: Any) -> list[int]:
    """Two new cases per network the demo shows, across both brands."""
    picked: list[int] = []
    with transaction(desk.store.sessions) as s:
        for brand in s.scalars(select(Brand).order_by(Brand.id)):
            for network in ("vk", "telegram", "x", "reddit"):
                case_id = s.scalar(select(Case.id).where(
                    Case.brand_id == brand.id, Case.network == network, Case.state == "new")
                    .order_by(Case.id.desc()).limit(1))
                if case_id is not None:
                    picked.append(case_id)
    return picked


def test_every_demo_channel_is_connected_to_the_sandbox(demo_desk: Any) -> None:
    with transaction(demo_desk.store.sessions) as s:
        channels = s.scalars(select(Channel)).all()
        networks = {(c.brand_id, c.network) for c in channels}
        assert all(c.source_id is not None and c.health == "ok" for c in channels)
        sources = {s.get(Source, c.source_id).network for c in channels}
    assert sources == {"sandbox"}
    assert len(networks) == 8  # two brands × vk, telegram, x, reddit


def test_the_whole_loop_completes_on_every_network(demo_desk: Any) -> None:
    api = demo_desk.api("responder")
    cases = _new_cases(demo_desk)
    assert len(cases) >= 6
    for case_id in cases:
        for kind in ("private_message", "public_reply"):
            sent = api.post(f"/api/v1/cases/{case_id}/reply", json={"kind": kind})
            assert sent.status_code == 201, sent.text
            assert sent.json()["status"] == "sent", sent.json()
        resolved = api.post(f"/api/v1/cases/{case_id}/transition", json={"target": "resolved"})
        assert resolved.status_code == 200, resolved.text
        follow = api.post(f"/api/v1/cases/{case_id}/reply", json={"kind": "follow_up"})
        assert follow.status_code == 201 and follow.json()["status"] == "sent", follow.text
        detail = api.get(f"/api/v1/cases/{case_id}").json()
        assert detail["state"] == "followed_up"
        kinds = {a["kind"]: a for a in detail["actions"]}
        assert set(kinds) >= {"private_message", "public_reply", "follow_up"}
        for action in detail["actions"]:
            assert action["status"] == "sent" and action["external_id"], action
            assert not action["last_error"]
    # the sandbox's customers answer (no delay in tests): polling brings their words to the cases
    settings = Settings(database_url=demo_desk.store.url, sandbox_reply_seconds=0)
    with transaction(demo_desk.store.sessions) as s:
        sandbox = s.scalar(select(Source.id).where(Source.network == "sandbox"))
    result = asyncio.run(poll_source(demo_desk.store.sessions, sandbox, settings=settings))
    assert result.error is None and result.inserted > 0
    with transaction(demo_desk.store.sessions) as s:
        roles = s.execute(select(CaseMention.case_id, CaseMention.role)
                          .where(CaseMention.case_id.in_(cases))).all()
        answered = {c for c, role in roles if role == "customer_reply"}
        states = dict(s.execute(select(Case.id, Case.state).where(Case.id.in_(cases))).all())
    assert len(answered) >= len(cases) // 2  # most customers say something, some stay silent
    # a customer's answer to the follow-up closes the story with its outcome
    assert any(state == "closed" for state in states.values()), states


def test_a_send_without_a_connected_account_says_why_in_words(demo_desk: Any) -> None:
    api = demo_desk.api("responder")
    with transaction(demo_desk.store.sessions) as s:
        case = s.scalar(select(Case).where(Case.state == "new", Case.network == "vk")
                        .order_by(Case.id))
        channel = s.scalar(select(Channel).where(Channel.brand_id == case.brand_id,
                                                 Channel.network == "vk"))
        kept, channel.source_id = channel.source_id, None
        case_id = case.id
    try:
        sent = api.post(f"/api/v1/cases/{case_id}/reply", json={"kind": "public_reply"})
        body = sent.json()
        assert body["status"] == "failed"
        assert "Каналы бренда" in body["last_error"]
        assert not any(word in body["last_error"] for word in TRACEBACK_WORDS)
        refused = api.post(f"/api/v1/cases/{case_id}/transition", json={"target": "resolved"})
        assert refused.status_code == 409 and "не был отправлен" in refused.json()["detail"]
    finally:
        with transaction(demo_desk.store.sessions) as s:
            s.get(Channel, channel.id).source_id = kept


def test_on_the_case_page_a_failed_send_is_retried_and_the_follow_up_moved(
        demo_desk: Any) -> None:
    from tests.web.conftest import csrf_of

    page = demo_desk.client("responder")
    with transaction(demo_desk.store.sessions) as s:
        case = s.scalar(select(Case).where(Case.state == "new", Case.network == "telegram")
                        .order_by(Case.id))
        channel = s.scalar(select(Channel).where(Channel.brand_id == case.brand_id,
                                                 Channel.network == "telegram"))
        kept, channel.source_id = channel.source_id, None
        case_id = case.id
    token = csrf_of(page, f"/cases/{case_id}")
    page.post(f"/cases/{case_id}/answer", data={
        "csrf_token": token, "public_text": "Простите! Написали в личку",
        "private_text": "Расскажите подробнее"})
    shown = page.get(f"/cases/{case_id}").text
    assert "Каналы бренда" in shown and "Повторить" in shown and "ValueError" not in shown
    with transaction(demo_desk.store.sessions) as s:
        s.get(Channel, channel.id).source_id = kept
        failed = list(s.scalars(select(Action.id).where(Action.case_id == case_id)
                                .order_by(Action.id)))
    assert len(failed) == 2  # the private message and the public note waiting for it
    for action_id in failed:
        page.post(f"/cases/{case_id}/actions/{action_id}/retry", data={"csrf_token": token})
    with transaction(demo_desk.store.sessions) as s:
        statuses = {a.kind: a.status for a in s.scalars(
            select(Action).where(Action.case_id == case_id))}
    assert statuses == {"private_message": "sent", "public_reply": "sent"}
    resolved = page.post(f"/cases/{case_id}/resolve", data={"csrf_token": token})
    assert "error" not in resolved.headers["location"], resolved.headers["location"]
    moved = page.post(f"/cases/{case_id}/follow-up-due",
                      data={"csrf_token": token, "due": "2031-05-04T10:30"})
    assert "error" not in moved.headers["location"], moved.headers["location"]
    with transaction(demo_desk.store.sessions) as s:
        due = s.get(Case, case_id).follow_up_due_at
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2031, 5, 4, 7, 30)  # MSK
    assert "4 мая 2031" in page.get(f"/cases/{case_id}").text
    for n in range(1, 20):  # the demo team resolved many: find the case's page
        inbox = page.get(f"/inbox?state=resolved&page={n}").text
        if f'id="case-row-{case_id}"' in inbox:
            break
    row = inbox.split(f'id="case-row-{case_id}"')[1].split("</tr>")[0]
    assert "Узнать результат" in row and "4 мая 2031" in row  # the inbox shows it too


def test_a_refutation_is_planned_with_facts_edited_approved_and_published(
        demo_desk: Any) -> None:
    from otklik.db.models import Attack, Refutation
    from tests.web.conftest import csrf_of

    page = demo_desk.client("responder")
    with transaction(demo_desk.store.sessions) as s:
        attack_id = s.scalar(select(Attack.id).order_by(Attack.id))
    token = csrf_of(page, "/attacks")
    made = page.post(f"/attacks/{attack_id}/refutation", data={
        "csrf_token": token, "claim": "в круассанах нашли тараканов",
        "facts": "Роспотребнадзор проверил кофейню 2 декабря и нарушений не нашёл.",
        "proof": "https://zerno.example/proverka"})
    assert made.status_code == 303
    url = made.headers["location"]
    shown = page.get(url).text
    assert "нарушений не нашёл" in shown and "https://zerno.example/proverka" in shown
    assert 'class="current">черновик' in shown
    ref_id = int(url.rsplit("/", 1)[1])
    edited = "Официально: проверка 2 декабря нарушений не нашла. Документы: zerno.example"
    page.post(f"{url}/official", data={"csrf_token": token, "text": edited})
    page.post(f"{url}/approve", data={"csrf_token": token})
    page.post(f"{url}/publish", data={"csrf_token": token})
    page.post(f"{url}/replies", data={"csrf_token": token, "limit": "500"})
    from otklik.actions.refutations import status

    with transaction(demo_desk.store.sessions) as s:
        ref = s.get(Refutation, ref_id)
        assert ref.official_text == edited
        progress = status(s, ref_id)
        texts = {a.text for a in s.scalars(select(Action).where(
            Action.refutation_id == ref_id, Action.kind == "post"))}
    assert texts == {edited}
    assert progress["official"] and all(o["status"] == "sent" for o in progress["official"])
    assert progress["stage"] in ("published", "done") and progress["coverage"] > 0
    assert "sent" in progress["replies"]
    final = page.get(url).text
    assert 'id="official-edit"' not in final  # out: no longer editable


def test_an_incident_opened_from_a_spike_links_and_answers_its_complaints(
        demo_desk: Any) -> None:
    import re

    from otklik.db.models import Incident, Spike
    from tests.web.conftest import csrf_of

    page = demo_desk.client("responder")
    with transaction(demo_desk.store.sessions) as s:
        spike = s.scalar(select(Spike).join(Brand, Brand.id == Spike.brand_id)
                         .where(Brand.slug == "zerno").order_by(Spike.volume.desc()))
        spike_id, brand_id = spike.id, spike.brand_id
    form = page.get(f"/incidents?spike={spike_id}").text
    assert f'name="spike" value="{spike_id}"' in form
    keywords = re.search(r'name="keywords"[^>]*value="([^"]*)"', form).group(1)
    assert keywords  # the spike's own terms
    channels = re.findall(r'name="channel" value="(\d+)" checked', form)
    assert len(channels) == 4  # the brand's channels, chosen
    token = csrf_of(page, "/incidents")
    made = page.post("/incidents", data={
        "csrf_token": token, "brand": str(brand_id), "title": "Сбой оплаты картой",
        "description": "Платёжный терминал не принимал карты; всё исправлено к 18:00.",
        "keywords": keywords, "channel": channels, "spike": str(spike_id),
        "publish_now": "true"})
    assert made.status_code == 303
    with transaction(demo_desk.store.sessions) as s:
        incident = s.scalar(select(Incident).order_by(Incident.id.desc()))
        linked = s.scalars(select(Case.id).where(Case.incident_id == incident.id)).all()
        posts = s.scalars(select(Action.status).where(Action.incident_id == incident.id,
                                                      Action.kind == "post")).all()
        assert incident.spike_id == spike_id and incident.explanation_url.startswith("/sandbox/")
    assert len(linked) >= 3 and posts == ["sent"] * 4
    shown = page.get(f"/incidents/{incident.id}").text
    assert "Ответить всем" in shown
    page.post(f"/incidents/{incident.id}/answer-linked", data={"csrf_token": token})
    with transaction(demo_desk.store.sessions) as s:
        replies = s.scalars(select(Action).where(
            Action.incident_id == incident.id, Action.kind == "public_reply")).all()
    assert replies and all(a.status == "sent" for a in replies)
    assert all(incident.explanation_url in a.text for a in replies)


def test_incident_open_on_the_cli_publishes_and_links_complaints(
        demo_desk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from otklik.cli import app

    monkeypatch.setenv("OTKLIK_DATABASE_URL", demo_desk.store.url)
    done = CliRunner().invoke(app, [
        "incident", "open", "severny", "Сбой в приложении банка", "--channel", "telegram",
        "--keywords", "заблокировали OR банкомат OR приложение"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.output)
    assert [p["status"] for p in out["posts"]] == ["sent"] and out["posts"][0]["external_id"]
    assert len(out["linked_cases"]) >= 3
    listed = CliRunner().invoke(app, ["incident", "list"]).output.splitlines()
    rows = {row["id"]: row for row in map(json.loads, listed)}  # one JSON object per line
    assert rows[out["id"]]["linked_cases"] == out["linked_cases"]
    assert [p["status"] for p in rows[out["id"]]["posts"]] == ["sent"]


def test_the_mentions_page_counts_and_links_each_mention_to_its_case(demo_desk: Any) -> None:
    import re

    page = demo_desk.client("viewer")
    for query in ("network=reddit&sentiment=negative", "network=reddit"):
        shown = page.get(f"/mentions?{query}").text
        total = int(re.search(r"Найдено упоминаний: ([\d\u00a0]+)", shown).group(1)
                    .replace("\u00a0", ""))
        rows = shown.count('<article class="mention')
        assert total == rows or (rows == 50 and total > 50), (query, total, rows)
    shown = page.get("/mentions?sentiment=negative").text
    ids = [int(i) for i in re.findall(r'id="mention-(\d+)" data-id', shown)]
    with transaction(demo_desk.store.sessions) as s:
        cases = dict(s.execute(select(CaseMention.mention_id, CaseMention.case_id)
                               .where(CaseMention.mention_id.in_(ids))).all())
    assert cases  # the newest negative mentions are in cases
    for mention_id, case_id in cases.items():
        card = shown.split(f'id="mention-{mention_id}"')[1].split("</article>")[0]
        assert f'href="/cases/{case_id}"' in card
