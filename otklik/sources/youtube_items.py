"""YouTube Data API v3 payloads → `Post`s, and its errors → the shared hierarchy. No I/O.

External ids are YouTube's own (kept stable: cases, actions and audit events refer to them):
- a top-level comment: its comment id, which is also its thread's id (``UgzK7pQ2…AaABAg``);
- a reply: its comment id, ``<thread id>.<reply id>``. YouTube threads are one level deep, so a
  reply's parent and thread are both the thread's top-level comment (a reply can only be
  answered under that top-level comment).
The place of a comment is its video (``kind="video"``), or the channel for a channel discussion.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from otklik.domain.posts import Author, Place, Post
from otklik.sources.base import READ, REPLY, Account, iso_time
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable
from otklik.sources.http import json_or_none, parse_json

YOUTUBE_WEB = "https://www.youtube.com"
PACIFIC = ZoneInfo("America/Los_Angeles")  # the daily quota resets at midnight Pacific time
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
SHORT_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def quota_day(now: datetime) -> str:
    """The quota day (Pacific calendar date) of an instant."""
    return now.astimezone(PACIFIC).date().isoformat()


def seconds_to_reset(now: datetime) -> float:
    """Seconds from `now` to the next midnight Pacific time, when the daily quota resets."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return max(1.0, (midnight - local).total_seconds())


def day_fraction(now: datetime) -> float:
    """How much of the Pacific quota day has passed at `now` (0 at midnight, →1 at the next)."""
    return min(1.0, max(0.0, 1 - seconds_to_reset(now) / 86400))


def youtube_error(status: int, payload: Any, now: datetime) -> SourceError:
    """A Google API error body (``{"error": {"code", "message", "errors": [{"reason"}]}}``)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        error = {}
    reasons = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)]
    reason = reasons[0] if reasons else str(error.get("status") or status)
    message = _TAG.sub("", str(error.get("message") or f"HTTP {status}"))
    text = f"youtube: HTTP {status} {reason}: {message}"
    if set(reasons) & QUOTA_REASONS:
        return RateLimited(text, network="youtube", code=reason,
                           retry_after=seconds_to_reset(now))
    if set(reasons) & SHORT_LIMIT_REASONS or status == 429:
        return RateLimited(text, network="youtube", code=reason)
    if status == 401 or "keyInvalid" in reasons or "API key not valid" in message:
        return AuthFailed(text, network="youtube", code=reason)
    if status == 403 and reason not in {"commentsDisabled"}:
        return AuthFailed(text, network="youtube", code=reason)
    if status >= 500 or reason == "backendError":
        return Unavailable(text, network="youtube", code=reason)
    return BadResponse(text, network="youtube", code=reason)


def api_reply(response: httpx.Response, resource: str, now: datetime) -> dict[str, Any]:
    """A Data API reply as an object, or its error (`youtube_error`) / BadResponse."""
    if response.status_code >= 400:
        raise youtube_error(response.status_code, json_or_none(response, "youtube"), now)
    payload = parse_json(response, "youtube")
    if not isinstance(payload, dict):
        raise BadResponse(f"youtube: {resource}: reply is not an object", network="youtube")
    return payload


def comment_text(snippet: dict[str, Any]) -> str:
    """The comment as written: `textOriginal`, else `textDisplay` decoded (it is HTML when the
    request did not ask for plain text: entities and <br>, links as <a>)."""
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        return original
    shown = str(snippet.get("textDisplay") or "")
    return html.unescape(_TAG.sub("", _BR.sub("\n", shown)))


def author(snippet: dict[str, Any]) -> Author | None:
    """The commenter's channel; the display name is the @handle on current responses."""
    channel = snippet.get("authorChannelId")
    channel_id = channel.get("value") if isinstance(channel, dict) else channel
    shown = str(snippet.get("authorDisplayName") or "") or None
    url = snippet.get("authorChannelUrl")
    if not channel_id:  # no channel id (older or odd replies): the channel's URL names it
        tail = str(url or "").rstrip("/").rsplit("/", 1)[-1]
        channel_id = tail if tail.startswith(("UC", "@")) else shown
    if not channel_id:
        return None
    if not url and str(channel_id).startswith(("UC", "@")):
        url = f"{YOUTUBE_WEB}/channel/{channel_id}" if str(channel_id).startswith("UC") else (
            f"{YOUTUBE_WEB}/{channel_id}")
    handle = None
    if shown and shown.startswith("@"):
        handle = shown[1:]
    elif "/@" in str(url):
        handle = str(url).rsplit("/@", 1)[1].strip("/") or None
    return Author(external_id=str(channel_id), handle=handle, name=shown,
                  url=str(url) if url else None)


def video_place(video_id: str | None, channel_id: str | None,
                title: str | None = None) -> Place | None:
    if video_id:
        return Place(external_id=video_id, name=title, kind="video",
                     url=f"{YOUTUBE_WEB}/watch?v={video_id}")
    if channel_id:
        return Place(external_id=channel_id, name=title, kind="channel",
                     url=f"{YOUTUBE_WEB}/channel/{channel_id}")
    return None


def comment_post(item: dict[str, Any], thread_id: str, *, channel_id: str | None = None,
                 video_id: str | None = None, titles: dict[str, str] | None = None,
                 ) -> Post | None:
    """One `comment` resource (a thread's top-level comment or one of its replies). Replies
    read with `comments.list` may lack their video: the thread's is given."""
    cid = item.get("id")
    snippet = item.get("snippet")
    if not cid or not isinstance(snippet, dict):
        return None
    video_id = snippet.get("videoId") or video_id
    created = iso_time(snippet.get("publishedAt")) or datetime.now(UTC)
    updated = iso_time(snippet.get("updatedAt"))
    top = str(cid) == thread_id
    link = (f"{YOUTUBE_WEB}/watch?v={video_id}&lc={cid}" if video_id
            else f"{YOUTUBE_WEB}/channel/{channel_id}/discussion?lc={cid}" if channel_id
            else None)
    like = snippet.get("likeCount")
    return Post(
        network="youtube",
        external_id=str(cid),
        text=comment_text(snippet),
        created_at=created,
        url=link,
        author=author(snippet),
        place=video_place(video_id, snippet.get("channelId") or channel_id,
                          (titles or {}).get(str(video_id))),
        parent_external_id=None if top else str(snippet.get("parentId") or thread_id),
        thread_external_id=thread_id,
        engagement=int(like) if isinstance(like, int) else None,
        edited_at=updated if updated and updated > created else None,
        raw=item,
    )


def thread_posts(thread: dict[str, Any], *, titles: dict[str, str] | None = None,
                 ) -> tuple[list[Post], int, int]:
    """A `commentThread`: its top-level comment and embedded replies, with the thread's
    total reply count and how many replies were embedded (YouTube embeds only some)."""
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    thread_id = str(thread.get("id") or top.get("id") or "")
    if not thread_id:
        return [], 0, 0
    channel_id = snippet.get("channelId")
    raw_top = {**top, "thread": {k: v for k, v in snippet.items() if k != "topLevelComment"}}
    posts = [p for p in [comment_post(raw_top, thread_id, channel_id=channel_id, titles=titles)]
             if p]
    replies = (thread.get("replies") or {}).get("comments") or []
    posts += [p for p in (comment_post(r, thread_id, channel_id=channel_id, titles=titles)
                          for r in replies) if p]
    total = int(snippet.get("totalReplyCount") or 0)
    return posts, total, len(replies)


def quota_state(cursor: dict[str, Any] | None, today: date | str) -> dict[str, Any]:
    """The units spent today according to the cursor; a new Pacific day starts from zero."""
    day = today if isinstance(today, str) else today.isoformat()
    kept = (cursor or {}).get("quota") or {}
    if kept.get("day") == day:
        return {"day": day, "used": int(kept.get("used") or 0)}
    return {"day": day, "used": 0}


def channel_account(found: dict[str, Any], *, read_only: bool) -> Account:
    """The channel of a `channels.list` reply as a connectable account."""
    items = found.get("items") or []
    if not items or not isinstance(items[0], dict) or not items[0].get("id"):
        raise BadResponse("youtube: channels.list named no channel", network="youtube")
    channel = items[0]
    cid = str(channel["id"])
    subscribers = (channel.get("statistics") or {}).get("subscriberCount")
    return Account(
        external_id=cid, name=str((channel.get("snippet") or {}).get("title") or cid),
        kind="channel", capabilities=frozenset({READ} if read_only else {READ, REPLY}),
        audience=int(str(subscribers)) if str(subscribers or "").isdigit() else None,
        url=f"https://www.youtube.com/channel/{cid}", params={"channel_id": cid},
        problems=("нет OAuth-токена: отвечать на комментарии нельзя",) if read_only else ())


def trim_counts(counts: dict[str, int], keep: int) -> dict[str, int]:
    """The newest `keep` remembered reply counts only, so the cursor stays small."""
    return counts if len(counts) <= keep else dict(list(counts.items())[-keep:])


def search_query(params: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`search.list` parameters for a search source: videos about ``q``, newest first, published
    within ``published_within_days`` (30), at most ``max_videos`` (10, YouTube allows 50)."""
    after = now - timedelta(days=float(params.get("published_within_days", 30)))
    return {"part": "snippet", "q": str(params.get("q")), "type": "video", "order": "date",
            "maxResults": min(50, int(params.get("max_videos", 10))),
            "publishedAfter": after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "relevanceLanguage": params.get("lang"), "regionCode": params.get("region")}


def found_videos(response: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The video ids of a `search.list` reply, in its order, and their titles."""
    videos: list[str] = []
    titles: dict[str, str] = {}
    for item in response.get("items") or []:
        ident = (item.get("id") or {}) if isinstance(item, dict) else {}
        video = ident.get("videoId") if isinstance(ident, dict) else None
        if video and str(video) not in titles:
            videos.append(str(video))
            titles[str(video)] = str((item.get("snippet") or {}).get("title") or "")
    return videos, titles
