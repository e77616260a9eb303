"""Geo-listening: a VK search source around each location (run again: updated), and a post
heard near a location that names no brand becomes the brand's mention there once a person
confirms it, with the case rules applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.locations import LocationInput, save_location
from otklik.actions.nearby import confirm_nearby, listen_around
from otklik.actions.unit import transaction
from otklik.db.models import Case, MentionBrand, Source
from otklik.figures.locations import nearby
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from tests.factories import make_post

KEY = "test-secret-key-0123456789"


def test_listen_then_confirm(store) -> None:
    with transaction(store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        brand_id = brand.id
        arbat = save_location(s, brand_id, LocationInput(
            "Зерно на Арбате", "Москва, ул. Арбат, 10", 55.7515, 37.5960), actor="t").id
        save_location(s, brand_id, LocationInput("Без координат"), actor="t")
        for _ in range(2):  # a second run updates the same source
            made = listen_around(s, brand, query="кофе OR кофейня",
                                 credentials={"access_token": "x" * 40}, secret_key=KEY,
                                 actor="t")
        assert len(made) == 1
        sources = s.scalars(select(Source)).all()
        assert [(x.network, x.kind, x.params["latitude"], x.params["location_id"])
                for x in sources] == [("vk", "search", 55.7515, arbat)]
    now = datetime.now(UTC)
    heard = make_post(text="В кофейне у Арбатской отравился, весь вечер плохо",
                      lat=55.7518, lon=37.5955, created_at=now - timedelta(hours=1))
    far = make_post(text="В кофейне отравился", lat=55.80, lon=37.70, created_at=now)
    with transaction(store.sessions) as s:
        ids = ingest(s, [heard, far], enrichers=Enrichment(sentiment=False).enrichers(s)
                     ).mention_ids
    with transaction(store.sessions) as s:
        waiting = nearby(s, brand_id, now - timedelta(days=7), radius_m=300)
        assert [(n.mention.id, n.location.name) for n in waiting] == [(ids[0], "Зерно на Арбате")]
        waiting[0].mention.sentiment = "negative"  # a complaint: the case rules open a case
    with transaction(store.sessions) as s:
        confirm_nearby(s, ids[0], arbat, actor="t")
    with transaction(store.sessions) as s:
        row = s.get(MentionBrand, (ids[0], brand_id))
        assert row is not None and row.location_id == arbat
        assert nearby(s, brand_id, now - timedelta(days=7), radius_m=300) == []
        case = s.scalar(select(Case).where(Case.root_mention_id == ids[0]))
        assert case is not None and "Зерно на Арбате" in case.tags


def test_a_new_responsible_person_takes_the_locations_open_routed_cases(store) -> None:
    from otklik.actions.cases import assign
    from otklik.actions.users import create_user

    with transaction(store.sessions) as s:
        brand_id = create_brand(s, "Зерно", queries=["зерно"]).id
        old = create_user(s, "old@example.org", "password-123456", "responder").id
        new = create_user(s, "new@example.org", "password-123456", "responder").id
        other = create_user(s, "other@example.org", "password-123456", "responder").id
        spec = LocationInput("Зерно на Арбате", "Москва, ул. Арбат, 10", 55.7515, 37.5960,
                             responsible="old@example.org")
        arbat = save_location(s, brand_id, spec, actor="t").id
    now = datetime.now(UTC)
    posts = [make_post(text=f"Зерно на Арбате, холодный кофе, жалоба {i}", lat=55.7516,
                       lon=37.5961, created_at=now - timedelta(minutes=10 + i)) for i in range(3)]
    with transaction(store.sessions) as s:
        ids = ingest(s, posts, enrichers=Enrichment(sentiment=False).enrichers(s)).mention_ids
    with transaction(store.sessions) as s:
        for mid in ids:
            s.get(MentionBrand, (mid, brand_id)).sentiment = "negative"  # type: ignore[union-attr]
    with transaction(store.sessions) as s:
        from otklik.actions.cases import open_cases_for_mentions
        open_cases_for_mentions(s, ids, actor="t", now=now)
    with transaction(store.sessions) as s:
        cases = s.scalars(select(Case).order_by(Case.id)).all()
        assert len(cases) == 3 and {c.assignee_id for c in cases} == {old}
        assign(s, cases[0].id, other, actor="lead")  # taken by hand: stays
        kept = cases[0].id
    with transaction(store.sessions) as s:
        spec.responsible = "new@example.org"
        assert save_location(s, brand_id, spec, actor="t").id == arbat
    with transaction(store.sessions) as s:
        got = {c.id: c.assignee_id for c in s.scalars(select(Case))}
    assert got.pop(kept) == other and set(got.values()) == {new}
