"""Personal-data requests on SQLite and PostgreSQL: the export finds every row about an author,
forgetting pseudonymises the profile and the private conversation and keeps the public record,
deletes nothing, and leaves no erased value in the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from otklik.actions.brands import create_brand
from otklik.actions.cases import open_case
from otklik.actions.person_export import export_person
from otklik.actions.persons import UnknownAuthor, forget_person
from otklik.actions.send import draft_action
from otklik.db.models import (
    Action,
    AlertChannel,
    AlertOutbox,
    Attack,
    AuditEvent,
    Author,
    Base,
    Case,
    Community,
    DeadLetter,
    Mention,
    Place,
    SandboxMessage,
    Spike,
)
from otklik.domain.persons import ERASED_TEXT, pseudonym
from otklik.domain.posts import Author as AuthorRef
from otklik.domain.posts import Place as PlaceRef
from otklik.domain.posts import Post
from otklik.flow.pipeline import ingest

KEY = "test-secret-key-0123456789"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OLGA = AuthorRef(external_id="12345", handle="olga_p", name="Ольга Петрова", followers=321,
                 url="https://vk.com/olga_p")
PUBLIC = "Кофе в Зерне на Тверской сегодня холодный"
SECRET = "Мой телефон +7 900 123-45-67, заказ 5521"
ERASED_VALUES = ("Ольга Петрова", "olga_p", "https://vk.com/olga_p", "+7 900 123-45-67")


def _world(session: Any) -> dict[str, int]:
    """Olga's public complaint and private message, the case, the brand's private answer, the
    sandbox dialog and the analytics that name her; and someone else's post."""
    brand = create_brand(session, "Зерно")
    group = PlaceRef(external_id="-1", name="Зерно — кофейни", kind="group")
    dialog = PlaceRef(external_id="12345", name="Ольга Петрова", kind="private")
    ingest(session, [
        Post(network="vk", external_id="-1_10", text=PUBLIC, created_at=T0,
             url="https://vk.com/wall-1_10", author=OLGA, place=group,
             raw={"from_id": 12345, "text": PUBLIC, "signer": {"name": "Ольга Петрова"}}),
        Post(network="vk", external_id="12345_7", text=SECRET, created_at=T0 + timedelta(hours=1),
             author=OLGA, place=dialog, raw={"from_id": 12345, "text": SECRET}),
        Post(network="vk", external_id="-1_11", text="А мне понравилось", created_at=T0,
             url="https://vk.com/wall-1_11", place=group,
             author=AuthorRef(external_id="777", handle="ivan", name="Иван")),
    ])
    public = session.scalar(select(Mention.id).where(Mention.external_id == "-1_10"))
    case = open_case(session, public, brand.id, actor="anna@example.org")
    case.customer_name = "Ольга"
    olga = session.scalar(select(Author).where(Author.external_id == "12345"))
    draft_action(session, brand_id=brand.id, kind="private_message", network="vk",
                 text="Ольга, напишите номер заказа", target={"external_id": "12345",
                                                              "author_id": olga.id},
                 channel_id=None, case_id=case.id, actor="anna@example.org")
    draft_action(session, brand_id=brand.id, kind="public_reply", network="vk",
                 text="Простите! Написали вам в личные.", target={"external_id": "-1_10"},
                 channel_id=None, case_id=case.id, actor="anna@example.org")
    session.add_all([
        SandboxMessage(network="vk", external_id="sbx-1", kind="private", from_brand=True,
                       channel_external_id="-1", author_external_id="-1",
                       thread_external_id="dm:-1:12345", place_external_id="dm:-1:12345",
                       text="Ольга, где вы купили кофе?"),
        SandboxMessage(network="vk", external_id="sbx-2", kind="private", from_brand=False,
                       channel_external_id="-1", author_external_id="12345",
                       author_name="Ольга Петрова", thread_external_id="dm:-1:12345",
                       place_external_id="dm:-1:12345", text=SECRET),
        Attack(brand_id=brand.id, key="a1", start=T0, end=T0, score=0.9, mention_ids=[public],
               authors=["vk:12345", "vk:777"], summary="2 accounts posted"),
        Community(brand_id=brand.id, kind="author_group", key="grp-1",
                  name="2 opponents: vk:12345, vk:777",
                  details={"members": ["vk:12345", "vk:777"]}),
        Spike(brand_id=brand.id, start=T0, peak=T0, explanation={
            "authors": [{"key": "olga_p", "during": 3}, {"key": "ivan", "during": 1}],
            "examples": [{"author": "olga_p", "text": PUBLIC}]}),
        DeadLetter(task="ingest", error="boom", args={"posts": [
            {"author": {"external_id": "12345", "name": "Ольга Петрова"}, "text": PUBLIC}]}),
    ])
    channel = AlertChannel(brand_id=brand.id, kind="webhook", config={})
    session.add(channel)
    session.flush()
    session.add(AlertOutbox(channel_id=channel.id, kind="new_case", event={
        "kind": "new_case", "brand_id": brand.id, "case_id": case.id,
        "summary": f"Ольга Петрова (vk): {PUBLIC}"}))
    session.commit()
    return {"author": olga.id, "case": case.id, "public": public}


def _counts(session: Any) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables}


def test_export_finds_every_row_about_the_author(store: Any) -> None:
    with store.sessions() as s:
        ids = _world(s)
        data = export_person(s, "vk:12345", secret_key=KEY, actor="dpo@example.org")
        assert export_person(s, str(ids["author"]), secret_key=KEY, actor="x")["author"] \
            == data["author"]
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "person.export")).all()
    assert data["author"]["name"] == "Ольга Петрова" and data["author"]["followers"] == 321
    assert data["author"]["forgotten"] is False
    texts = {m["text"]: m["private"] for m in data["mentions"]}
    assert texts == {PUBLIC: False, SECRET: True}
    [case] = data["cases"]
    assert case["customer_name"] == "Ольга"
    assert {a["kind"] for a in case["actions"]} == {"private_message", "public_reply"}
    assert [m["external_id"] for m in data["sandbox_messages"]] == ["sbx-1", "sbx-2"]
    assert [len(data[k]) for k in ("attacks", "communities", "spikes", "alerts")] == [1, 1, 1, 1]
    actions = {e["action"] for e in data["audit_events"]}
    assert {"case.open", "case.attach", "action.draft"} <= actions
    json.dumps(data)  # plain JSON
    assert [(e.actor, e.entity, e.entity_id) for e in audit] == [
        ("dpo@example.org", "author", str(ids["author"])), ("x", "author", str(ids["author"]))]


def test_forget_pseudonymises_and_keeps_the_public_record(store: Any) -> None:
    alias = pseudonym(KEY, "vk", "12345")
    with store.sessions() as s:
        ids = _world(s)
        before = _counts(s)
        done = forget_person(s, "vk:12345", secret_key=KEY, actor="dpo@example.org")
        assert done.pseudonym == alias and done.replaced["mention"] == 2
        s.expire_all()
        after = _counts(s)
        olga = s.get(Author, ids["author"])
        assert (olga.external_id, olga.handle, olga.name) == (alias, alias, alias)
        assert (olga.url, olga.followers) == (None, None)
        public = s.get(Mention, ids["public"])
        assert (public.text, public.url) == (PUBLIC, "https://vk.com/wall-1_10")
        assert public.raw == {"from_id": alias, "text": PUBLIC, "signer": {"name": alias}}
        private = s.scalars(select(Mention).where(Mention.author_id == olga.id,
                                                  Mention.id != public.id)).one()
        assert (private.text, private.external_id, private.raw) == (
            ERASED_TEXT, f"{alias}_7", {"forgotten": True})
        place = s.get(Place, private.place_id)
        assert (place.external_id, place.name) == (alias, alias)
        assert s.get(Case, ids["case"]).customer_name is None
        texts = {a.kind: (a.text, a.target.get("external_id"))
                 for a in s.scalars(select(Action))}
        assert texts == {"private_message": (ERASED_TEXT, alias),
                         "public_reply": ("Простите! Написали вам в личные.", "-1_10")}
        sandbox = s.scalars(select(SandboxMessage).order_by(SandboxMessage.id)).all()
        assert [(m.text, m.thread_external_id) for m in sandbox] == [
            (ERASED_TEXT, f"dm:-1:{alias}")] * 2
        assert sandbox[1].author_external_id == alias and sandbox[1].author_name == alias
        assert s.scalars(select(Attack.authors)).one() == [f"vk:{alias}", "vk:777"]
        community = s.scalars(select(Community)).one()
        assert community.details["members"] == [f"vk:{alias}", "vk:777"]
        assert community.name == f"2 opponents: vk:{alias}, vk:777"
        assert s.scalars(select(Spike)).one().explanation["authors"][0]["key"] == alias
        ivan = s.scalar(select(Author).where(Author.external_id == "777"))
        assert (ivan.handle, ivan.name) == ("ivan", "Иван")  # nobody else is touched
        everything = json.dumps([
            [m.raw, m.text] for m in s.scalars(select(Mention))] + [
            s.scalars(select(DeadLetter.args)).one(),
            s.scalars(select(AlertOutbox.event)).one()], ensure_ascii=False)
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        again = forget_person(s, "vk:12345", secret_key=KEY, actor="dpo@example.org")
    assert after == {**before, "audit_events": before["audit_events"] + 1}  # nothing deleted
    for value in ERASED_VALUES:
        assert value not in everything, value
    forget = events[-1]
    assert (forget.actor, forget.action, forget.entity_id) == (
        "dpo@example.org", "person.forget", str(ids["author"]))
    audit_text = json.dumps([[e.actor, e.data] for e in events], ensure_ascii=False)
    for value in (*ERASED_VALUES, SECRET):
        assert value not in audit_text, value
    assert again.replaced == {}  # forgetting twice changes nothing more


def test_export_after_forget_holds_no_erased_value(store: Any) -> None:
    with store.sessions() as s:
        _world(s)
        forget_person(s, "vk:12345", secret_key=KEY, actor="system")
        data = export_person(s, "vk:12345", secret_key=KEY, actor="system")
    assert data["author"]["forgotten"] is True
    assert len(data["mentions"]) == 2 and len(data["cases"]) == 1
    assert len(data["sandbox_messages"]) == 2 and len(data["attacks"]) == 1
    dumped = json.dumps(data, ensure_ascii=False)
    for value in (*ERASED_VALUES, SECRET, "Ольга,"):
        assert value not in dumped, value
    assert PUBLIC in dumped


@pytest.mark.parametrize("name, message", [
    ("vk:nobody", "no author 'vk:nobody'"), ("999", "no author '999'"),
    ("vk", "name an author as NETWORK:ID"), (":1", "name an author as NETWORK:ID"),
    ("99999999999999999999", "a store id is between 1"),
])
def test_unknown_or_malformed_author(sqlite_store: Any, name: str, message: str) -> None:
    with sqlite_store.sessions() as s, pytest.raises((UnknownAuthor, ValueError), match=message):
        forget_person(s, name, secret_key=KEY, actor="system")


def test_an_account_that_posts_again_is_a_new_author_forgotten_in_turn(store: Any) -> None:
    alias = pseudonym(KEY, "vk", "12345")
    with store.sessions() as s:
        ids = _world(s)
        forget_person(s, "vk:12345", secret_key=KEY, actor="system")
        ingest(s, [Post(network="vk", external_id="-1_20", text="Снова холодный кофе",
                        created_at=T0 + timedelta(days=1), author=OLGA)])
        s.commit()
        again = export_person(s, "vk:12345", secret_key=KEY, actor="system")
        assert again["author"]["name"] == "Ольга Петрова" and again["author"]["id"] != ids[
            "author"]
        done = forget_person(s, "vk:12345", secret_key=KEY, actor="system")
        assert done.pseudonym == f"{alias}.{again['author']['id']}"
        names = s.scalars(select(Author.name).where(Author.network == "vk")
                          .order_by(Author.id)).all()
    assert names == [alias, "Иван", done.pseudonym]
