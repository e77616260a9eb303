"""X API v2 payloads → `Post`s, and its errors → the shared hierarchy. Pure, no I/O.

A post's external id is the tweet id; its thread is the `conversation_id` (the id of the tweet
that started the conversation) and its parent the tweet it replies to (`referenced_tweets` of
type ``replied_to``). Authors and places come from the response's `includes`, by id.
"""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post
from otklik.sources.base import iso_time
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable
from otklik.sources.http import retry_after_seconds

X_WEB = "https://x.com"
SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: str) -> datetime:
    """When a tweet was posted, read from its id (X ids carry their millisecond since 2010),
    for a reply without `created_at`."""
    try:
        return datetime.fromtimestamp(((int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def reset_seconds(headers: Any, now: float | None = None) -> float | None:
    """Seconds until `x-rate-limit-reset` (epoch seconds), else Retry-After, else None."""
    reset = headers.get("x-rate-limit-reset")
    if reset:
        try:
            return max(1.0, float(reset) - (time.time() if now is None else now))
        except ValueError:
            pass
    return retry_after_seconds(headers.get("retry-after"))


def x_error(status: int, payload: Any, headers: Any) -> SourceError:
    """An X problem body (``{"title", "detail", "type", "status"}``, a 400's ``errors`` list)."""
    body = payload if isinstance(payload, dict) else {}
    title = str(body.get("title") or f"HTTP {status}")
    detail = str(body.get("detail") or "")
    messages = [str(e.get("message")) for e in body.get("errors") or []
                if isinstance(e, dict) and e.get("message")]
    text = f"x: HTTP {status} {title}: {'; '.join([detail, *messages]).strip('; ')}"
    kind = str(body.get("type") or "")
    if status == 429:
        return RateLimited(text, network="x", code=429, retry_after=reset_seconds(headers))
    if status == 401:
        return AuthFailed(text, network="x", code=401)
    if status == 403 and "duplicate" not in text.lower():
        return AuthFailed(text, network="x", code=body.get("reason") or 403)
    if status >= 500:
        return Unavailable(text, network="x", code=status)
    params = {k for e in body.get("errors") or [] if isinstance(e, dict)
              for k in (e.get("parameters") or {})}
    return BadResponse(text, network="x", code=",".join(sorted(params)) or kind or status)


class Includes:
    """Users and places of a response's `includes`, by id."""

    def __init__(self, payload: dict[str, Any]) -> None:
        includes = payload.get("includes") or {}
        self.users = {str(u["id"]): u for u in includes.get("users") or []
                      if isinstance(u, dict) and "id" in u}
        self.places = {str(p["id"]): p for p in includes.get("places") or []
                       if isinstance(p, dict) and "id" in p}

    def author(self, author_id: Any) -> Author | None:
        if not author_id:
            return None
        user = self.users.get(str(author_id), {})
        handle = user.get("username")
        followers = (user.get("public_metrics") or {}).get("followers_count")
        return Author(external_id=str(author_id), handle=handle, name=user.get("name"),
                      followers=followers if isinstance(followers, int) else None,
                      created_at=iso_time(user.get("created_at")),
                      url=f"{X_WEB}/{handle}" if handle else None)

    def place(self, place_id: Any) -> Place | None:
        if not place_id:
            return None
        place = self.places.get(str(place_id), {})
        return Place(external_id=str(place_id), name=place.get("full_name") or place.get("name"),
                     kind="place")

    def bbox_centre(self, place_id: Any) -> tuple[float | None, float | None]:
        bbox: Any = ((self.places.get(str(place_id)) or {}).get("geo") or {}).get("bbox")
        try:
            west, south, east, north = (float(v) for v in bbox)
        except (TypeError, ValueError):
            return None, None
        return (south + north) / 2, (west + east) / 2


def _coordinates(geo: dict[str, Any], includes: Includes) -> tuple[float | None, float | None]:
    """Exact GeoJSON point ([lon, lat]) when the tweet has one, else its place's centre."""
    point = geo.get("coordinates") or {}
    coords: Any = point.get("coordinates") if isinstance(point, dict) else None
    try:
        lon, lat = float(coords[0]), float(coords[1])
        return lat, lon
    except (TypeError, ValueError, IndexError):
        return includes.bbox_centre(geo.get("place_id"))


def tweet_post(tweet: dict[str, Any], includes: Includes) -> Post | None:
    """One tweet of `data`; None for an item without an id."""
    tid = tweet.get("id")
    if not tid:
        return None
    note = tweet.get("note_tweet") or {}
    text = html.unescape(str(note.get("text") or tweet.get("text") or ""))  # X sends &amp; &lt;
    refs = [r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)]
    parent = next((str(r["id"]) for r in refs if r.get("type") == "replied_to" and r.get("id")),
                  None)
    geo = tweet.get("geo") or {}
    lat, lon = _coordinates(geo, includes) if geo else (None, None)
    author = includes.author(tweet.get("author_id"))
    metrics = tweet.get("public_metrics") or {}
    counts = [metrics.get(k) for k in ("like_count", "retweet_count", "reply_count",
                                      "quote_count")]
    known = [c for c in counts if isinstance(c, int)]
    impressions = metrics.get("impression_count")
    lang = tweet.get("lang")
    handle = author.handle if author else None
    return Post(
        network="x",
        external_id=str(tid),
        text=text,
        created_at=iso_time(tweet.get("created_at")) or snowflake_time(str(tid)),
        url=f"{X_WEB}/{handle}/status/{tid}" if handle else f"{X_WEB}/i/web/status/{tid}",
        author=author,
        place=includes.place(geo.get("place_id")),
        parent_external_id=parent,
        thread_external_id=str(tweet.get("conversation_id") or tid),
        lat=lat,
        lon=lon,
        reach=impressions if isinstance(impressions, int) else None,
        engagement=sum(known) if known else None,
        lang=lang if lang and lang not in ("und", "zxx", "qme", "qht") else None,
        raw=tweet,
    )
