"""The REST mentions filter reads a plain date as a day in the desk's zone, as the mentions page
does; a full time with an offset keeps its meaning."""

from __future__ import annotations

from typing import Any

# the desk reads Russian by default, so its zone is Moscow (UTC+3)
TIMES = {"late_27_utc": "2026-11-27T22:30:00Z",  # 28 Nov, 01:30 in Moscow
         "noon_28": "2026-11-28T12:00:00Z",
         "late_28_utc": "2026-11-28T22:30:00Z"}  # 29 Nov, 01:30 in Moscow


def _ingest(api: Any) -> dict[int, str]:
    body = {"mentions": [{"network": "vk", "external_id": name, "text": f"Зерно {name}",
                          "created_at": at} for name, at in TIMES.items()]}
    response = api.post("/api/v1/ingest", json=body)
    assert response.status_code == 200, response.text
    return dict(zip(response.json()["mention_ids"], TIMES, strict=True))


def _names(api: Any, ids: dict[int, str], **params: str) -> set[str]:
    response = api.get("/api/v1/mentions", params=params)
    assert response.status_code == 200, response.text
    return {ids[m["id"]] for m in response.json()["items"]}


def test_a_plain_date_is_a_day_in_the_desks_zone(desk: Any) -> None:
    api = desk.api("admin")
    ids = _ingest(api)
    assert _names(api, ids, since="2026-11-28", until="2026-11-28") == {"late_27_utc", "noon_28"}
    assert _names(api, ids, since="2026-11-29") == {"late_28_utc"}


def test_a_full_time_keeps_its_offset(desk: Any) -> None:
    api = desk.api("admin")
    ids = _ingest(api)
    assert _names(api, ids, since="2026-11-28T00:00:00Z",
                  until="2026-11-29T00:00:00+00:00") == {"noon_28", "late_28_utc"}
    assert _names(api, ids, until="2026-11-28T02:00:00+03:00") == {"late_27_utc"}


def test_a_date_past_the_calendar_is_a_422(desk: Any) -> None:
    response = desk.api("admin").get("/api/v1/mentions", params={"until": "9999-12-31"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "until"]
