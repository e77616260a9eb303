"""Odnoklassniki (OK REST API, ``fb.do``) payloads → `Post`s, errors → the shared hierarchy, and
the request signature. No I/O.

Signature, as OK documents it for requests with a session (``apiok.ru/dev/methods``): the
parameters except ``session_key`` and ``access_token``, sorted by name, written ``name=value``
one after another without separators, followed by the session secret — which is
``md5(access_token + application_secret_key)`` (or the ``session_secret_key`` OK hands out with
the token) — then MD5 of that string as lowercase hex.

Ids: a topic is its mediatopic id (numeric), a comment its discussion comment id (OK's own, a
base64-like string): neither can be taken for the other. A comment's thread is its topic; its
parent the comment it answers (``reply_to_comment_id``) or the topic.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.posts import Author, Place, Post
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable

OK_WEB = "https://ok.ru"
MOSCOW = ZoneInfo("Europe/Moscow")  # OK writes `date` in Moscow time (date_ms is UTC)
UNSIGNED = frozenset({"session_key", "access_token", "sig"})
AUTH_CODES = {10, 101, 102, 103, 104, 453}  # permission, api key, session, signature
LIMIT_CODES = {11, 5000}  # LIMIT_REACHED, flood
DOWN_CODES = {1, 2, 9999}  # UNKNOWN, SERVICE, SYSTEM


def session_secret(access_token: str, application_secret_key: str) -> str:
    """``md5(access_token + application_secret_key)``, lowercase hex."""
    return hashlib.md5((access_token + application_secret_key).encode()).hexdigest()


def signature(params: dict[str, Any], secret: str) -> str:
    """The ``sig`` of a request: sorted ``name=value`` pairs (no session key or token) + the
    session secret, MD5, lowercase hex."""
    signed = "".join(f"{k}={params[k]}" for k in sorted(params) if k not in UNSIGNED)
    return hashlib.md5((signed + secret).encode()).hexdigest()


def ok_error(payload: dict[str, Any]) -> SourceError:
    """OK's ``{"error_code", "error_msg", "error_data"}`` (answered with HTTP 200)."""
    code = payload.get("error_code")
    text = f"ok: error {code}: {payload.get('error_msg') or ''}".strip()
    if code in LIMIT_CODES:
        return RateLimited(text, network="ok", code=code)
    if code in AUTH_CODES:
        return AuthFailed(text, network="ok", code=code)
    if code in DOWN_CODES:
        return Unavailable(text, network="ok", code=code)
    return BadResponse(text, network="ok", code=code)


def _ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _moscow(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=MOSCOW).astimezone(UTC)
    except ValueError:
        return None


class Entities:
    """The users and groups an answer's ``entities`` names, by id (a ref is ``user:123``)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        found: dict[str, Any] = payload.get("entities") or {}
        if not isinstance(found, dict):
            found = {}
        self.users = {str(u.get("uid")): u for u in found.get("users") or []
                      if isinstance(u, dict) and u.get("uid")}
        self.groups = {str(g.get("uid")): g for g in found.get("groups") or []
                       if isinstance(g, dict) and g.get("uid")}

    def author(self, ref: Any, name: Any = None) -> Author | None:
        kind, _, ident = str(ref or "").rpartition(":")
        if not ident:
            return None
        if kind == "group":
            group = self.groups.get(ident, {})
            return Author(external_id=f"group:{ident}", name=group.get("name") or name,
                          url=f"{OK_WEB}/group/{ident}")
        user = self.users.get(ident, {})
        shown = user.get("name") or " ".join(
            str(user.get(k) or "") for k in ("first_name", "last_name")).strip() or name
        return Author(external_id=ident, name=shown or None, url=f"{OK_WEB}/profile/{ident}")


def topic_text(topic: dict[str, Any]) -> str:
    """A mediatopic's text blocks (``media`` of type text), then its link titles."""
    parts: list[str] = []
    for media in topic.get("media") or []:
        if not isinstance(media, dict):
            continue
        if media.get("type") == "text" and media.get("text"):
            parts.append(str(media["text"]).strip())
        elif media.get("type") == "link" and (media.get("title") or media.get("url")):
            parts.append(str(media.get("title") or media.get("url")).strip())
    return "\n\n".join(p for p in parts if p)


def topic_post(topic: dict[str, Any], entities: Entities, place: Place) -> Post | None:
    tid = topic.get("id")
    if not tid:
        return None
    summary = topic.get("discussion_summary") or {}
    likes = (topic.get("like_summary") or {}).get("count")
    counts = [c for c in (summary.get("comments_count"), likes) if isinstance(c, int)]
    return Post(
        network="ok", external_id=str(tid), text=topic_text(topic),
        created_at=_ms(topic.get("created_ms")) or datetime.now(UTC),
        url=f"{OK_WEB}/group/{place.external_id}/topic/{tid}", author=entities.author(
            topic.get("author_ref") or f"group:{place.external_id}"),
        place=place, engagement=sum(counts) if counts else None, raw=topic)


def comment_post(comment: dict[str, Any], topic_id: str, entities: Entities,
                 place: Place) -> Post | None:
    cid = comment.get("id")
    if not cid:
        return None
    author_id = comment.get("author_id")
    ref = comment.get("author_ref") or (f"user:{author_id}" if author_id else None)
    parent = comment.get("reply_to_comment_id")
    created = _ms(comment.get("date_ms")) or _moscow(comment.get("date")) or datetime.now(UTC)
    likes = comment.get("like_count")
    return Post(
        network="ok", external_id=str(cid), text=str(comment.get("text") or "").strip(),
        created_at=created, url=f"{OK_WEB}/group/{place.external_id}/topic/{topic_id}",
        author=entities.author(ref, comment.get("author_name")), place=place,
        parent_external_id=str(parent) if parent else topic_id, thread_external_id=topic_id,
        engagement=likes if isinstance(likes, int) else None, raw=comment)
