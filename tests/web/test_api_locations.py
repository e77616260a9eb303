"""REST API of locations: add and change by name, list, switch off, the league table with its
trend and cases, and attribution (the `otklik locate` contract); roles and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.actions.brands import create_brand
from otklik.actions.cases import open_case
from otklik.actions.unit import transaction
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from tests.factories import make_post

ARBAT = {"name": "Зерно на Арбате", "address": "Москва, ул. Арбат, 10", "lat": 55.7515,
         "lon": 37.5960, "aliases": ["Арбатская"], "hours": "8–23", "team": "Арбат",
         "responsible": "responder@example.org"}


def _brand(desk: Any) -> int:
    with transaction(desk.store.sessions) as s:
        return create_brand(s, "Зерно", slug="zerno", queries=["зерно"]).id


def test_locations_through_the_api(any_desk: Any) -> None:
    brand_id = _brand(any_desk)
    api = any_desk.api("analyst")
    added = api.post(f"/api/v1/brands/{brand_id}/locations", json=ARBAT)
    assert added.status_code == 201, added.text
    assert added.json()["responsible"] == "responder@example.org"
    changed = api.post(f"/api/v1/brands/{brand_id}/locations", json={**ARBAT, "hours": "9–21"})
    assert changed.json()["id"] == added.json()["id"] and changed.json()["hours"] == "9–21"
    api.post(f"/api/v1/brands/{brand_id}/locations",
             json={"name": "Зерно на Тверской", "address": "Москва, Тверская ул., 12"})
    listed = any_desk.api("viewer").get(f"/api/v1/brands/{brand_id}/locations").json()
    assert [x["name"] for x in listed] == ["Зерно на Арбате", "Зерно на Тверской"]

    located = any_desk.api("viewer").post(f"/api/v1/brands/{brand_id}/locate", json={"posts": [
        {"id": "a", "text": "В Зерне на Арбате холодно"},
        {"id": 2, "text": "кофе", "geo": {"lat": 55.7518, "lon": 37.5955}},
        {"id": "c", "text": "Зерно в Твери на Тверской"}]}).json()
    assert located == [{"id": "a", "location": "Зерно на Арбате"},
                       {"id": 2, "location": "Зерно на Арбате"}, {"id": "c", "location": None}]

    off = api.post(f"/api/v1/locations/{listed[1]['id']}/disable")
    assert off.status_code == 200 and off.json()["enabled"] is False
    located = api.post(f"/api/v1/brands/{brand_id}/locate",
                       json={"posts": [{"id": 1, "text": "Зерно на Тверской"}]}).json()
    assert located == [{"id": 1, "location": None}]


def test_league_counts_mentions_cases_and_the_trend(any_desk: Any) -> None:
    brand_id = _brand(any_desk)
    any_desk.api("admin").post(f"/api/v1/brands/{brand_id}/locations", json=ARBAT)
    now = datetime.now(UTC)
    posts = [make_post(text=f"Зерно на Арбате, холодный кофе {n}",
                       created_at=now - timedelta(days=1, minutes=n)) for n in range(3)]
    posts.append(make_post(text="Зерно на Арбате, было", created_at=now - timedelta(days=40)))
    posts.append(make_post(text="Зерно: просто кофе", created_at=now - timedelta(days=2)))
    with transaction(any_desk.store.sessions) as s:
        ids = ingest(s, posts, enrichers=Enrichment(sentiment=False).enrichers(s)).mention_ids
        case = open_case(s, ids[0], brand_id, actor="test")
        assert case.tags == ["Зерно на Арбате", "Арбат"] and case.assignee_id is not None
    rows = any_desk.api("viewer").get(f"/api/v1/brands/{brand_id}/locations/league").json()
    assert [(r["name"], r["mentions"], r["previous"], r["open_cases"]) for r in rows] == [
        ("Зерно на Арбате", 3, 1, 1), ("", 1, 0, 0)]
    assert rows[0]["trend"] == 2.0 and rows[1]["id"] is None


def test_roles_and_bad_input(desk: Any) -> None:
    brand_id = _brand(desk)
    viewer = desk.api("viewer")
    assert viewer.post(f"/api/v1/brands/{brand_id}/locations", json=ARBAT).status_code == 403
    api = desk.api("analyst")
    bad = api.post(f"/api/v1/brands/{brand_id}/locations", json={"name": "X", "lat": 55.7})
    assert bad.status_code == 422 and "latitude and longitude" in bad.text
    bad = api.post(f"/api/v1/brands/{brand_id}/locations", json={**ARBAT, "lat": 91})
    assert bad.status_code == 422
    bad = api.post(f"/api/v1/brands/{brand_id}/locations", json={**ARBAT, "responsible": "x@y"})
    assert bad.status_code == 422 and "no user" in bad.text
    assert api.get("/api/v1/brands/999/locations").status_code == 404
    assert api.post("/api/v1/locations/999/disable").status_code == 404
    league = api.get(f"/api/v1/brands/{brand_id}/locations/league",
                     params={"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"})
    assert league.status_code == 422
