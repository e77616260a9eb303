"""The inbox as a team works it: filters, order, take, bulk assign / tag / answer / resolve.

On the demo (its channels are linked to the sandbox network, so a templated answer really goes
out and comes back as a sent message), on SQLite and on the real PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from otklik.db.models import Action, AuditEvent, Case, User
from otklik.demo.build import build_demo
from otklik.domain import cases as sm
from tests.conftest import _sqlite_store
from tests.web.conftest import Desk, make_desk


@pytest.fixture
def demo(store: Any) -> Iterator[Desk]:
    """The demo on SQLite and on PostgreSQL (for what the SQL of each store decides)."""
    build_demo(store.sessions)
    yield make_desk(store)


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The demo on SQLite only, built once for the module (the steps are the same code on both
    stores; each test picks the cases it needs in the state it finds them)."""
    gen = _sqlite_store(tmp_path_factory.mktemp("inbox-work"))
    store = next(gen)
    build_demo(store.sessions)
    yield make_desk(store)
    next(gen, None)


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="case-row-(\d+)"', html)]


def _csrf(client: Any, url: str = "/inbox") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(url).text)
    assert match
    return match.group(1)


def _bulk(client: Any, ids: list[int], operation: str, **fields: str) -> Any:
    data: dict[str, Any] = {"csrf_token": _csrf(client), "operation": operation,
                            "back": "/inbox", "case": [str(i) for i in ids], **fields}
    return client.post("/inbox/bulk", data=data)


def _open_cases(desk: Desk, **where: Any) -> list[Case]:
    with desk.store.sessions() as session:
        stmt = select(Case).where(Case.state.in_(sm.OPEN_STATES)).filter_by(**where)
        return list(session.scalars(stmt.order_by(Case.id)))


def test_filters_and_order_narrow_the_same_page(demo: Desk) -> None:
    client = demo.client("responder")
    network = _open_cases(demo)[0].network
    html = client.get(f"/inbox?network={network}&sort=newest").text
    shown = _ids(html)
    with demo.store.sessions() as session:
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(shown)))}
    assert shown and {cases[i].network for i in shown} == {network}
    created = [cases[i].created_at for i in shown]
    assert created == sorted(created, reverse=True)
    assert 'value="newest" selected' in html  # the chosen order stays chosen
    # the tabs and the pager keep the filter
    assert f"network={network}" in re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    explained = {c.id for c in _open_cases(demo) if c.incident_id}
    assert set(_ids(client.get("/inbox?incident=any").text)) <= explained
    assert set(_ids(client.get("/inbox?incident=none").text)).isdisjoint(explained)


def test_take_then_filter_by_assignee(lite: Desk) -> None:
    demo = lite
    client = demo.client("responder")
    first = _ids(client.get("/inbox").text)[0]
    response = _bulk(client, [first], "assign", assignee="me")
    assert response.status_code == 303 and "done=1" in response.headers["location"]
    with demo.store.sessions() as session:
        me = session.scalar(select(User).where(User.email == "responder@example.org"))
        assert me is not None
        assert session.get(Case, first).assignee_id == me.id  # type: ignore[union-attr]
        assert session.scalar(select(AuditEvent).where(
            AuditEvent.action == "case.assign", AuditEvent.entity_id == str(first)).limit(1))
    mine = client.get(f"/inbox?assignee={me.id}").text
    assert _ids(mine) == [first]
    assert first not in _ids(client.get("/inbox?assignee=none").text)


def test_bulk_tag_then_filter_by_tag_even_with_quotes_and_percent(demo: Desk) -> None:
    client = demo.client("responder")
    ids = _ids(client.get("/inbox").text)[:3]
    label = 'оплата 100% "картой"'
    assert _bulk(client, ids, "tag", tag=label).status_code == 303
    page = client.get("/inbox", params={"tag": label}).text
    assert sorted(_ids(page)) == sorted(ids)
    assert "оплата 100% &#34;картой&#34;" in page or "оплата 100% &quot;картой&quot;" in page
    assert _ids(client.get("/inbox", params={"tag": "оплата 1_0"}).text) == []


def test_bulk_answer_sends_each_case_its_template_and_names_the_refused(lite: Desk) -> None:
    demo = lite
    client = demo.client("responder")
    answered, *fresh = [c.id for c in _open_cases(demo, state=sm.NEW)][:3]
    assert "done=1" in _bulk(client, [answered], "answer").headers["location"]
    response = _bulk(client, [*fresh, answered], "answer")
    assert response.status_code == 303
    where = response.headers["location"]
    assert "done=2" in where and "error=" in where and f"%23{answered}" in where
    with demo.store.sessions() as session:
        for cid in fresh:
            sent = set(session.scalars(select(Action.kind).where(
                Action.case_id == cid, Action.status == "sent")))
            assert {"public_reply", "private_message"} <= sent
            assert session.get(Case, cid).state != sm.NEW  # type: ignore[union-attr]
    shown = client.get(where).text
    assert "не удалось (1)" in shown and "Готово: 2 обращения" in shown


def test_bulk_refusals_are_words_and_a_viewer_cannot_act(lite: Desk) -> None:
    demo = lite
    client = demo.client("responder")
    response = _bulk(client, [], "tag", tag="x")
    assert "error=" in response.headers["location"]
    unknown = _bulk(client, [1], "delete")
    assert "error=" in unknown.headers["location"]
    viewer = demo.client("viewer")
    assert 'id="bulk"' not in viewer.get("/inbox").text
    assert _bulk(viewer, [1], "tag", tag="x").status_code == 403


def test_a_bulk_refusal_reads_in_english_on_an_english_desk(lite: Desk) -> None:
    client = lite.client("responder")
    assert client.post("/lang", data={"lang": "en"}).status_code == 303
    try:
        response = _bulk(client, [], "tag", tag="x")
        page = client.get(response.headers["location"]).text
        assert "no cases are selected" in page and "не выбрано ни одного обращения" not in page
        empty_tag = _bulk(client, [1], "tag", tag=" ")
        assert "enter a tag" in client.get(empty_tag.headers["location"]).text
    finally:  # the language is the user's: the module's other tests read the desk in Russian
        client.post("/lang", data={"lang": "ru"})


def test_an_illegal_move_reads_in_words(lite: Desk) -> None:
    demo = lite
    client = demo.client("responder")
    case_id = _open_cases(demo, state=sm.NEW)[0].id
    token = _csrf(client, f"/cases/{case_id}")
    response = client.post(f"/cases/{case_id}/transition",
                           data={"csrf_token": token, "target": "followed_up"})
    page = client.get(response.headers["location"]).text
    assert "Обращение в состоянии «новое» нельзя перевести в «узнали результат»" in page


def test_the_inbox_shows_and_filters_by_location(lite: Desk) -> None:
    from otklik.db.models import Location, MentionBrand

    with lite.store.sessions() as session:
        pairs = session.execute(
            select(Case.id, Location.id, Location.name)
            .join(MentionBrand, (MentionBrand.mention_id == Case.root_mention_id)
                  & (MentionBrand.brand_id == Case.brand_id))
            .join(Location, Location.id == MentionBrand.location_id)
            .where(Case.state.in_(sm.OPEN_STATES))).all()
    assert pairs, "the demo's complaints name its cafés"
    location_id, name = pairs[0][1], pairs[0][2]
    expected = {cid for cid, lid, _ in pairs if lid == location_id}
    html = lite.client("viewer").get(f"/inbox?location={location_id}").text
    assert set(_ids(html)) == expected or (len(expected) > 50 and len(_ids(html)) == 50)
    assert name.replace('"', "&#34;") in html or name in html


def test_the_case_page_names_its_location_with_address_and_hours(lite: Desk) -> None:
    from otklik.db.models import Location, MentionBrand

    with lite.store.sessions() as session:
        case_id, loc = session.execute(
            select(Case.id, Location)
            .join(MentionBrand, (MentionBrand.mention_id == Case.root_mention_id)
                  & (MentionBrand.brand_id == Case.brand_id))
            .join(Location, Location.id == MentionBrand.location_id)).first()  # type: ignore[misc]
        name, address = loc.name, loc.address
    html = lite.client("viewer").get(f"/cases/{case_id}").text
    block = html.split('id="case-location"')[1].split("</p>")[0]
    assert name in block and address in block
