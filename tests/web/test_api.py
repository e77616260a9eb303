"""REST API v1: ingest (validation with field paths), cursor pages, search, correction, brands."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from otklik.db.models import AuditEvent, Mention, SentimentCorrection


def _mention(n: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "network": "vk",
        "external_id": f"-1_{n}",
        "text": f"Кофейня Зерно, заказ {n}: холодный кофе" if n % 2 else f"Zerno coffee order {n}",
        "created_at": f"2026-11-01T09:{n % 60:02d}:00Z",
        "url": f"https://vk.com/wall-1_{n}",
        "author": {"external_id": f"u{n}", "handle": f"user{n}", "name": "Ольга"},
        "place": {"external_id": "-1", "name": "Зерно — кофейни", "kind": "group"},
    }
    body.update(overrides)
    return body


def test_ingest_then_list_with_cursor(any_desk: Any) -> None:
    api = any_desk.api("admin")
    response = api.post("/api/v1/ingest", json={"mentions": [_mention(n) for n in range(1, 8)]})
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 7
    again = api.post("/api/v1/ingest", json={"mentions": [_mention(1)]})
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 1,
                            "mention_ids": [response.json()["mention_ids"][0]]}

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/api/v1/mentions", params=params).json()
        seen += [m["id"] for m in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7
    one = api.get(f"/api/v1/mentions/{seen[0]}").json()
    assert one["author"]["handle"] and one["place"]["name"] == "Зерно — кофейни"


def test_ingest_errors_name_the_field(any_desk: Any) -> None:
    api = any_desk.api("admin")
    bad = _mention(1, created_at="yesterday")
    bad["author"] = {"handle": "no-id"}
    response = api.post("/api/v1/ingest", json={"mentions": [_mention(2), bad]})
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("body", "mentions", 1, "created_at") in locs
    assert ("body", "mentions", 1, "author", "external_id") in locs
    unknown = api.post("/api/v1/ingest", json={"mentions": [_mention(3, network="myspace")]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "mentions", 0, "network"]
    cursor = api.get("/api/v1/mentions", params={"cursor": "!!!"})
    assert cursor.status_code == 422 and cursor.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_only_ingest_role_may_ingest(any_desk: Any) -> None:
    response = any_desk.api("analyst").post("/api/v1/ingest", json={"mentions": [_mention(1)]})
    assert response.status_code == 403


def test_search_with_the_query_language(any_desk: Any) -> None:
    api = any_desk.api("admin")
    api.post("/api/v1/ingest", json={"mentions": [_mention(n) for n in range(1, 7)]})
    found = api.get("/api/v1/mentions/search", params={"q": "кофе AND холодный"}).json()
    texts = [m["text"] for m in found["items"]]
    assert len(texts) == 3 and all("холодный" in t for t in texts)
    english = api.get("/api/v1/mentions/search", params={"q": "zerno NOT холодный"}).json()
    assert len(english["items"]) == 3
    bad = api.get("/api/v1/mentions/search", params={"q": "кофе AND (холодный"})
    assert bad.status_code == 422
    error = bad.json()["detail"][0]
    assert error["loc"] == ["query", "q"] and "position" in error["msg"]


def test_correct_sentiment_is_stored_and_audited(any_desk: Any) -> None:
    api = any_desk.api("analyst")
    ids = any_desk.api("admin").post("/api/v1/ingest", json={"mentions": [_mention(1)]}).json()
    mention_id = ids["mention_ids"][0]
    response = api.post(f"/api/v1/mentions/{mention_id}/sentiment", json={"label": "negative"})
    assert response.status_code == 200, response.text
    assert response.json()["sentiment"] == "negative"
    assert response.json()["sentiment_corrected"] is True
    bad = api.post(f"/api/v1/mentions/{mention_id}/sentiment", json={"label": "angry"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "label"]
    with any_desk.store.sessions() as session:
        correction = session.scalars(select(SentimentCorrection)).one()
        assert (correction.mention_id, correction.label) == (mention_id, "negative")
        assert session.get(Mention, mention_id).sentiment_corrected
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "mention.correct_sentiment" in actions


def test_brands_and_queries(any_desk: Any) -> None:
    admin = any_desk.api("admin")
    created = admin.post("/api/v1/brands", json={"name": "Зерно", "queries": ["зерно OR zerno"]})
    assert created.status_code == 201, created.text
    brand_id = created.json()["id"]
    bad = any_desk.api("analyst").post(f"/api/v1/brands/{brand_id}/queries",
                                   json={"text": "кофе NEAR/x чай"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "text"]
    ok = any_desk.api("analyst").post(f"/api/v1/brands/{brand_id}/queries", json={"text": "кофе"})
    assert ok.status_code == 201
    listed = any_desk.api("viewer").get("/api/v1/brands").json()
    assert [q["text"] for q in listed[0]["queries"]] == ["зерно OR zerno", "кофе"]


def test_openapi_and_docs_are_served_without_cdn(any_desk: Any) -> None:
    client = any_desk.client()
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/ingest" in spec["paths"] and "/api/v1/mentions" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_cases_list_get_transition_and_reply(any_desk: Any) -> None:
    from otklik.actions.brands import create_brand
    from otklik.actions.cases import open_case

    admin = any_desk.api("admin")
    ids = admin.post("/api/v1/ingest", json={"mentions": [_mention(1), _mention(3)]}).json()
    with any_desk.store.sessions() as session:
        brand = create_brand(session, "Зерно")
        cases = [open_case(session, m, brand.id, actor="test").id for m in ids["mention_ids"]]
        session.commit()
    responder = any_desk.api("responder")
    page = responder.get("/api/v1/cases", params={"limit": 1}).json()
    assert [c["id"] for c in page["items"]] == [cases[1]] and page["next_cursor"]
    rest = responder.get("/api/v1/cases", params={"cursor": page["next_cursor"]}).json()
    assert [c["id"] for c in rest["items"]] == [cases[0]] and rest["next_cursor"] is None
    one = responder.get(f"/api/v1/cases/{cases[0]}").json()
    assert one["state"] == "new" and one["mention_ids"] == [ids["mention_ids"][0]]

    illegal = responder.post(f"/api/v1/cases/{cases[0]}/transition", json={"target": "closed"})
    assert illegal.status_code == 409 and "cannot move" in illegal.json()["detail"]
    escalated = responder.post(f"/api/v1/cases/{cases[0]}/transition",
                               json={"target": "escalated", "reason": "VIP"})
    assert escalated.status_code == 200 and escalated.json()["state"] == "escalated"
    draft = responder.post(f"/api/v1/cases/{cases[0]}/reply",
                           json={"kind": "public_reply", "text": "Мы разбираемся", "send": False})
    assert draft.status_code == 201, draft.text
    assert draft.json()["text"] == "Мы разбираемся" and draft.json()["status"] != "sent"
    bad = responder.post(f"/api/v1/cases/{cases[0]}/reply", json={"kind": "tweet"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "kind"]
    assert any_desk.api("viewer").post(f"/api/v1/cases/{cases[0]}/transition",
                                       json={"target": "escalated"}).status_code == 403


def test_ingest_says_503_when_enrichment_is_unavailable(sqlite_store: Any) -> None:
    from tests.web.conftest import make_desk

    def broken(_session: Any) -> list[Any]:
        raise FileNotFoundError("no sentiment model at models/sentiment.joblib")

    desk = make_desk(sqlite_store, enrichers_factory=broken)
    response = desk.api("admin").post("/api/v1/ingest", json={"mentions": [_mention(1)]})
    assert response.status_code == 503
    assert "no sentiment model" in response.json()["detail"]
    with desk.store.sessions() as session:
        assert session.query(Mention).count() == 0
