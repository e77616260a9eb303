"""The worker's batch format is the ingest API's JSON, decoded without the web layer into the
very `Post` the API itself would build."""

from __future__ import annotations

from otklik.domain.payloads import post_from_json
from otklik.web.api.schemas import MentionIn

FULL = {
    "network": "vk", "external_id": "-1_5", "text": "Кофе #Холодный", "url": "https://vk.com/x",
    "created_at": "2026-11-20T09:00:00Z", "edited_at": "2026-11-20T09:05:00+03:00",
    "author": {"external_id": "u1", "handle": "olga", "name": "Ольга", "followers": 12,
               "created_at": "2020-01-01T00:00:00Z", "url": None},
    "place": {"external_id": "-1", "name": "Зерно", "kind": "group", "audience": 100},
    "parent_external_id": "-1_4", "thread_external_id": "-1_1", "geo": {"lat": 55.7, "lon": 37.6},
    "hashtags": ["#Холодный"], "reach": 10, "engagement": 2, "lang": "ru", "raw": {"a": 1},
}


def test_queued_json_decodes_to_the_post_the_api_builds() -> None:
    for data in (FULL, {"external_id": "w1", "text": "hi", "created_at": "2026-11-20T09:00:00Z"}):
        api = MentionIn.model_validate(data)
        queued = api.model_dump(mode="json")  # what the API puts on the queue
        assert post_from_json(queued) == api.to_post()


def test_a_malformed_queued_mention_is_a_clear_bad_payload() -> None:
    import pytest

    from otklik.domain.payloads import BadPayload

    with pytest.raises(BadPayload, match="created_at"):
        post_from_json({"external_id": "x", "text": "hi"})
    with pytest.raises(BadPayload, match="malformed"):
        post_from_json({"external_id": "x", "text": "hi", "created_at": "yesterday"})
