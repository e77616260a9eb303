"""The batch a worker is queued with: mentions in the ingest API's JSON format (what
`POST /api/v1/ingest` takes, already validated there), turned back into `Post`s. A domain type,
so the worker does not import the web layer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _fields(cls: type, data: Mapping[str, Any] | None) -> Any:
    if not data:
        return None
    known = cls.__dataclass_fields__  # type: ignore[attr-defined]
    values = {k: v for k, v in data.items() if k in known}
    if "created_at" in values:
        values["created_at"] = _when(values["created_at"])
    return cls(**values)


class BadPayload(ValueError):
    """A queued mention that is not in the ingest format (bad input: no use retrying)."""


def post_from_json(data: Mapping[str, Any]) -> Post:
    """One queued mention → a `Post`; BadPayload names what is wrong with a malformed one."""
    try:
        return _post(data)
    except KeyError as exc:
        raise BadPayload(f"a queued mention lacks {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadPayload(f"a queued mention is malformed: {exc}") from None


def _post(data: Mapping[str, Any]) -> Post:
    geo = data.get("geo") or {}
    created = _when(data["created_at"])
    if created is None:
        raise ValueError("a mention needs created_at")
    return Post(
        network=str(data.get("network") or "webhook"), external_id=str(data["external_id"]),
        text=str(data["text"]), created_at=created, url=data.get("url"),
        author=_fields(Author, data.get("author")), place=_fields(Place, data.get("place")),
        parent_external_id=data.get("parent_external_id"),
        thread_external_id=data.get("thread_external_id"),
        lat=geo.get("lat"), lon=geo.get("lon"),
        hashtags=[str(h).lstrip("#").lower() for h in data.get("hashtags") or []],
        reach=data.get("reach"), engagement=data.get("engagement"), lang=data.get("lang"),
        edited_at=_when(data.get("edited_at")), raw=dict(data.get("raw") or {}),
    )
