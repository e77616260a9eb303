"""Input a fuzzer sends must be a 4xx with a message, never a 500 (issue 24's reproductions)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web.test_api import _mention

HUGE = "7056083071430483753075873595523072"  # > 2**63: SQLite cannot bind it
JUST_OVER = str(2**63)


def _case(desk: Any) -> int:
    from otklik.actions.brands import create_brand
    from otklik.actions.cases import open_case

    ids = desk.api("admin").post("/api/v1/ingest", json={"mentions": [_mention(1)]}).json()
    with desk.store.sessions() as session:
        brand = create_brand(session, "Зерно")
        case_id = open_case(session, ids["mention_ids"][0], brand.id, actor="test").id
        session.commit()
    return case_id


@pytest.mark.parametrize("number", [HUGE, JUST_OVER])
@pytest.mark.parametrize("path", [
    "/api/v1/cases/{n}", "/api/v1/brands/{n}", "/api/v1/brands/{n}/queries",
    "/api/v1/spikes/{n}", "/api/v1/mentions/{n}",
    "/api/v1/cases?brand_id={n}", "/api/v1/mentions?brand_id={n}", "/api/v1/spikes?brand_id={n}",
])
def test_api_ids_beyond_64_bits_are_a_422(any_desk: Any, path: str, number: str) -> None:
    response = any_desk.api("viewer").get(path.format(n=number))
    assert response.status_code == 422, response.text
    assert "less than or equal" in response.json()["detail"][0]["msg"]


def test_the_largest_id_is_just_not_found(desk: Any) -> None:
    response = desk.api("viewer").get(f"/api/v1/cases/{2**63 - 1}")
    assert response.status_code == 404


def test_a_cursor_beyond_64_bits_is_a_422(desk: Any) -> None:
    from otklik.web.api.schemas import encode_cursor

    response = desk.api("viewer").get("/api/v1/mentions", params={"cursor": encode_cursor(2**70)})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize("path", [
    "/cases/{n}", "/spikes/{n}", "/incidents/{n}", "/refutations/{n}", "/sources/{n}/edit",
    "/inbox?brand={n}", "/mentions?brand={n}", "/overview?brand={n}", "/attacks?brand={n}",
])
def test_page_ids_beyond_64_bits_are_a_422(desk: Any, path: str) -> None:
    response = desk.client("admin").get(path.format(n=HUGE))
    assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize("place", ["¹", "²³", "٣", HUGE])
def test_a_place_that_only_looks_like_a_number_is_searched_by_name(any_desk: Any,
                                                                   place: str) -> None:
    api = any_desk.api("viewer")
    assert api.get("/api/v1/mentions", params={"place": place}).status_code == 200
    assert any_desk.client("viewer").get("/mentions", params={"place": place}).status_code == 200


def test_a_long_reply_is_refused_by_the_documented_limit_or_stored(any_desk: Any) -> None:
    case_id = _case(any_desk)
    responder = any_desk.api("responder")
    for size in (4000, 4001, 100_000):
        response = responder.post(f"/api/v1/cases/{case_id}/reply",
                                   json={"kind": "public_reply", "text": "я" * size,
                                         "send": False})
        assert response.status_code in (201, 409, 422), response.text[:300]
    spec = any_desk.client().get("/api/openapi.json").json()
    assert spec["components"]["schemas"]["ReplyIn"]["properties"]["text"]["anyOf"][0]["maxLength"]


@pytest.mark.parametrize("brand_id", [False, True, 0, -1, 999_999, 2**63, "1"])
def test_a_correction_naming_a_brand_that_is_not_one_is_a_422(any_desk: Any,
                                                              brand_id: Any) -> None:
    ids = any_desk.api("admin").post("/api/v1/ingest", json={"mentions": [_mention(1)]}).json()
    response = any_desk.api("analyst").post(
        f"/api/v1/mentions/{ids['mention_ids'][0]}/sentiment",
        json={"brand_id": brand_id, "label": "neutral"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "brand_id"]


def test_a_second_follow_up_is_a_409(any_desk: Any) -> None:
    case_id = _case(any_desk)
    responder = any_desk.api("responder")
    body = {"kind": "follow_up", "text": "Всё ли теперь в порядке?", "send": False}
    first = responder.post(f"/api/v1/cases/{case_id}/reply", json=body)
    assert first.status_code == 201, first.text
    second = responder.post(f"/api/v1/cases/{case_id}/reply", json=body)
    assert second.status_code == 409 and "follow-up" in second.json()["detail"]


@pytest.mark.parametrize("created_at", [
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1e20", 10**20, -(10**20),
])
def test_an_overflowing_created_at_is_a_422(any_desk: Any, created_at: Any) -> None:
    response = any_desk.api("admin").post(
        "/api/v1/ingest", json={"mentions": [_mention(1, created_at=created_at)]})
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"][-1] == "created_at"


@pytest.mark.parametrize("text", ["до\x00после", "\x00" * 4000, "\ufffd\u202e\x1b[31m"])
def test_a_reply_with_control_characters_is_not_a_server_error(any_desk: Any, text: str) -> None:
    case_id = _case(any_desk)
    response = any_desk.api("responder").post(f"/api/v1/cases/{case_id}/reply",
                                              json={"kind": "public_reply", "text": text})
    assert response.status_code in (201, 409, 422), response.text[:300]


@pytest.mark.parametrize("field", ["text", "external_id", "url"])
def test_an_ingested_nul_is_not_a_server_error(any_desk: Any, field: str) -> None:
    response = any_desk.api("admin").post(
        "/api/v1/ingest", json={"mentions": [_mention(1, **{field: "a\x00b"})]})
    assert response.status_code in (200, 422), response.text[:300]


@pytest.mark.parametrize("path", [
    "/api/v1/mentions?author=a%00b", "/api/v1/mentions?network=%00", "/mentions?author=a%00b",
])
def test_a_nul_in_a_query_parameter_is_a_422(any_desk: Any, path: str) -> None:
    client = any_desk.api("viewer") if path.startswith("/api") else any_desk.client("viewer")
    assert client.get(path).status_code in (200, 422)


HOSTILE = [HUGE, f"-{HUGE}", "¹", "a\x00b", "0001-01-01T00:00:00+14:00", "1e308", "nan", "x" * 5000]


def test_every_get_route_survives_hostile_query_values(any_desk: Any) -> None:
    """A small fuzzer: every query parameter of every GET route, each hostile value, as admin."""
    import re

    from fastapi.routing import APIRoute

    pages, api = any_desk.client("admin"), any_desk.api("admin")
    tried = 0
    for route in any_desk.app.routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        client = api if path.startswith("/api/") else pages
        for param in route.dependant.query_params:
            for value in HOSTILE:
                response = client.get(path, params={param.alias: value})
                assert response.status_code < 500, (path, param.alias, value[:40],
                                                    response.text[:300])
                tried += 1
    assert tried > 100


@pytest.mark.parametrize("value", [HUGE, JUST_OVER, "¹", "-1", "0"])
def test_every_route_survives_hostile_path_values(desk: Any, value: str) -> None:
    import re

    from fastapi.routing import APIRoute

    pages, api = desk.client("admin"), desk.api("admin")
    tried = 0
    for route in desk.app.routes:
        if not isinstance(route, APIRoute) or "{" not in route.path or route.path == "/logout":
            continue
        path = re.sub(r"\{[^}]+\}", value, route.path)
        client = api if path.startswith("/api/") else pages
        for method in route.methods - {"HEAD"}:
            kwargs: dict[str, Any] = {"json": {}} if path.startswith("/api/") else {"data": {}}
            response = client.request(method, path, **kwargs)
            assert response.status_code < 500, (method, path, response.text[:300])
            tried += 1
    assert tried > 20


@pytest.mark.parametrize("raw", ['{"x": NaN}', '{"x": [Infinity]}', '{"x": {"y": -Infinity}}'])
def test_an_ingested_nan_is_a_422(any_desk: Any, raw: str) -> None:
    mention = json.dumps(_mention(1))[:-1] + f', "raw": {raw}}}'  # NaN is not JSON: by hand
    body = f'{{"mentions": [{mention}]}}'
    response = any_desk.api("admin").post("/api/v1/ingest", content=body.encode(),
                                          headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize("path", [
    "/api/v1/spikes?until=0001-01-12T00:19:01Z",
    "/api/v1/reports?brand_id=1&since=8516-06-18&until=8817-08-01",
    "/api/v1/reports/download?brand_id=1&since=8516-06-18&until=8817-08-01&format=xlsx",
    "/api/v1/reports?brand_id=1&since=0001-01-01&until=0001-01-05",
    "/api/v1/reports?brand_id=1&since=9999-12-30&until=9999-12-31&tz=Pacific/Kiritimati",
])
def test_periods_at_the_calendar_edges_are_a_422(desk: Any, path: str) -> None:
    """Found by schemathesis: the 30 days before year 1, a 300-year report (it ran for minutes)."""
    desk.api("admin").post("/api/v1/brands", json={"name": "Зерно"})
    response = desk.api("viewer").get(path)
    assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize("depth", [65, 500, 980])
def test_deeply_nested_raw_is_a_4xx(any_desk: Any, depth: int) -> None:
    """Was a RecursionError (500) in the check for NUL characters at 500 levels."""
    mention = json.dumps(_mention(1))[:-1] + ', "raw": ' + '{"a":' * depth + "1" + "}" * depth
    body = f'{{"mentions": [{mention}}}]}}'
    response = any_desk.api("admin").post("/api/v1/ingest", content=body.encode(),
                                          headers={"content-type": "application/json"})
    assert response.status_code in (400, 422), response.text[:300]
