"""YouTube through the YouTube Data API v3 (https://www.googleapis.com/youtube/v3).

Kinds of source:
- ``comments``: one video's comments (param ``video_id``): `commentThreads.list` with
  ``videoId``, newest threads first, paged with ``pageToken``; each thread's top-level comment and
  its replies (`comments.list` by ``parentId`` when YouTube embedded only some of them).
- ``channel``: every comment thread on a channel and its videos (param ``channel_id``):
  `commentThreads.list` with ``allThreadsRelatedToChannelId``.
- ``search``: videos found by `search.list` (param ``q``; ``max_videos``, ``search_every_hours``,
  ``published_within_days``), then their comments as above, one video page at a time.

A pass reads every page and then starts over (YouTube has no "changed since" filter, and a new
reply sits under an old thread); ingest is idempotent, so a re-read stores nothing twice. The
cursor holds the page token of an unfinished pass, the reply counts already read in full, and the
day's quota spent.

Quota: every method has a cost in units (`search.list` 100, `commentThreads.list` and
`comments.list` 1, `comments.insert` 50) out of a daily quota (10,000 by default, param
``daily_quota`` — give each source its share when several use one Google project). Reads are
counted in the cursor per Pacific day and refused (RateLimited until the Pacific-midnight reset)
before they would exceed it; YouTube's own ``quotaExceeded`` 403 is RateLimited the same way. A
new pass starts only while the day's spending is within its share of the day so far (plus a
tenth), so the quota lasts until the reset instead of running out by noon.

Credentials: ``api_key`` to read (masked in every log line); to answer (and to read without a
key), an OAuth 2.0 ``access_token`` (scope youtube.force-ssl), or the ``refresh_token`` with the
OAuth client's ``client_id`` and ``client_secret`` (signing in with Google stores these; a fresh
access token is taken per connector, see `oauth.refresh`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from otklik.sources import base
from otklik.sources.errors import (
    AuthFailed,
    BadResponse,
    NotSupported,
    RateLimited,
    SourceError,
)
from otklik.sources.http import Budget
from otklik.sources.oauth import refresh
from otklik.sources.youtube_items import (
    api_reply,
    channel_account,
    comment_post,
    day_fraction,
    found_videos,
    quota_day,
    quota_state,
    search_query,
    seconds_to_reset,
    thread_posts,
    trim_counts,
)
from otklik.sources.youtube_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS

log = logging.getLogger("otklik.sources.youtube")

COSTS = {"search": 100, "commentThreads": 1, "comments": 1, "comments.insert": 50,
         "channels": 1}
DAILY_QUOTA = 10_000
REPLY_COUNTS_KEPT = 2000  # threads whose full reply count the cursor remembers
REPLY_KINDS = {"public_reply", "follow_up", "closing_note"}  # sent as comments.insert
MAX_REPLY_PAGES = 50  # 5,000 replies of one thread per pass at most
SKIPPABLE = {"commentsDisabled", "videoNotFound", "forbidden"}  # one video of a search


def utcnow() -> datetime:
    return datetime.now(UTC)


class YouTubeSource(base.Source):
    network = "youtube"
    label = "YouTube"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    base_url_setting = "youtube_api_url"
    default_url = "https://www.googleapis.com/youtube/v3"
    renews_tokens = True
    capabilities = frozenset({base.READ, base.REPLY})
    # the Data API counts units per day rather than requests per second: be gentle anyway
    budgets = {"youtube": Budget(5, 10)}

    now: Callable[[], datetime] = staticmethod(utcnow)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fresh_token: str | None = None

    def _can_answer(self) -> bool:
        return bool(self._credentials.get("access_token") or self._refreshable())

    def _refreshable(self) -> bool:
        return all(self._credentials.get(k) for k in ("refresh_token", "client_id",
                                                      "client_secret"))

    async def _oauth_token(self, *, refused: bool = False) -> str:
        """The stored access token; a fresh one from the refresh token when there is none or it
        was refused (handed back to be stored: one refresh an hour, not one a poll)."""
        if self._fresh_token is None and self._refreshable() and (
                refused or not self._credentials.get("access_token")):
            self._fresh_token = self.renew(await refresh(
                self.client, "youtube", self.token_url, self._credentials, basic=False))
        return self._fresh_token or self.credential("access_token")

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        return None  # a reply's link needs its video, which the send does not return

    # ---------------------------------------------------------------- calls
    def _spend(self, quota: dict[str, Any], method: str) -> None:
        """Count a call's units against today's quota, or refuse it until the reset."""
        now = self.now()
        if quota.get("day") != quota_day(now):
            quota.update(day=quota_day(now), used=0)
        limit = int(self.params.get("daily_quota") or DAILY_QUOTA)
        cost = COSTS[method]
        if quota["used"] + cost > limit:
            raise RateLimited(
                f"youtube: daily quota spent ({quota['used']} of {limit} units; {method} costs "
                f"{cost}); it resets at midnight Pacific time", network="youtube",
                code="quota", retry_after=seconds_to_reset(now))
        quota["used"] += cost

    def _paced(self, quota: dict[str, Any]) -> bool:
        """May a new pass start? The day's quota is spread over the Pacific day (a tenth of it
        up front), so a busy morning cannot leave the afternoon unread (param ``pace_quota``
        false turns this off; a pass once started runs to its end within the hard limit)."""
        if not self.params.get("pace_quota", True):
            return True
        allowed = int(self.params.get("daily_quota") or DAILY_QUOTA) * (
            day_fraction(self.now()) + 0.1)
        if quota["used"] < allowed:
            return True
        log.info("youtube: %s units spent of %.0f allowed by now; the next pass waits",
                 quota["used"], allowed)
        return False

    async def call(self, resource: str, params: dict[str, Any], *, quota: dict[str, Any],
                   method: str = "GET", body: Any = None, cost_of: str | None = None,
                   oauth: bool = False) -> dict[str, Any]:
        """One Data API request; the reply as an object, or an error from the hierarchy.
        Reads send the API key; `oauth` calls send the channel's token as a Bearer header."""
        self._spend(quota, cost_of or resource)
        query = {k: v for k, v in params.items() if v is not None}
        headers: dict[str, str] = {}
        if oauth or (not self._credentials.get("api_key") and self._can_answer()):
            secret = await self._oauth_token()
            headers["Authorization"] = f"Bearer {secret}"
        else:
            secret = self.credential("api_key")
            query["key"] = secret
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            holder["payload"] = api_reply(response, resource, self.now())

        async def send(secret: str) -> None:
            await self.client.request("youtube", method, f"{self.base_url}/{resource}",
                                      params=query, json_body=body, headers=headers or None,
                                      secrets=(secret,), check=check)
        try:
            await send(secret)
        except AuthFailed:  # an expired stored token: refresh once and try again
            if not headers or self._fresh_token is not None or not self._refreshable():
                raise
            secret = await self._oauth_token(refused=True)
            headers["Authorization"] = f"Bearer {secret}"
            await send(secret)
        return holder["payload"]

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = dict(cursor or {})
        quota = quota_state(cursor, quota_day(self.now()))
        if self.kind == "search":
            return await self._search_page(cursor, quota)
        if self.kind == "channel":
            target = {"allThreadsRelatedToChannelId": self._param("channel_id")}
        else:
            target = {"videoId": self._param("video_id")}
        if not cursor.get("page_token") and not self._paced(quota):
            return base.Page([], {**cursor, "quota": quota})  # a new pass waits for its share
        replies = dict(cursor.get("replies") or {})
        try:
            response = await self._threads(target, cursor.get("page_token"), quota)
        except BadResponse as exc:
            if cursor.get("page_token") and "HTTP 404" in str(exc):
                log.info("youtube: a later page is gone (%s); the pass ends", exc)
                return base.Page([], {"page_token": None, "replies": replies, "quota": quota})
            if exc.code != "commentsDisabled":
                raise
            # nothing to read, which is no failure: the pass ends empty and the cursor says
            # why; the next poll asks again (the owner may turn comments back on)
            log.warning("youtube: %s: comments are disabled", target)
            return base.Page([], {"page_token": None, "replies": replies, "quota": quota,
                                  "comments_disabled": True})
        posts = await self._posts(response, replies, quota, cursor.get("titles") or {})
        token = response.get("nextPageToken") or None
        if token == cursor.get("page_token"):
            token = None  # the same token again would page for ever: the pass ends here
        kept = trim_counts(replies, REPLY_COUNTS_KEPT)
        return base.Page(posts, {"page_token": token, "replies": kept, "quota": quota},
                         more=bool(token))

    def _param(self, name: str) -> str:
        value = self.params.get(name)
        if value in (None, ""):
            raise ValueError(f"youtube {self.kind} source needs params.{name}")
        return str(value)

    async def _threads(self, target: dict[str, str], token: str | None,
                       quota: dict[str, Any]) -> dict[str, Any]:
        return await self.call("commentThreads", {
            "part": "snippet,replies", **target, "maxResults": 100, "order": "time",
            "textFormat": "plainText", "pageToken": token}, quota=quota)

    async def _posts(self, response: dict[str, Any], replies: dict[str, int],
                     quota: dict[str, Any], titles: dict[str, str]) -> list[Any]:
        """The page's comments; a thread whose replies YouTube cut short is read in full once
        per change of its reply count."""
        posts: list[Any] = []
        for thread in response.get("items") or []:
            if not isinstance(thread, dict):
                continue
            found, total, embedded = thread_posts(thread, titles=titles)
            thread_id = str(thread.get("id") or "")
            if total > embedded and thread_id and replies.get(thread_id) != total:
                snippet = thread.get("snippet") or {}
                where = {"video_id": snippet.get("videoId"),
                         "channel_id": snippet.get("channelId"), "titles": titles}
                try:
                    found = found[:1] + await self._replies(thread_id, quota, where)
                except (AuthFailed, RateLimited):
                    raise
                except SourceError as exc:
                    # keep the page with the replies YouTube embedded; the count is not
                    # remembered, so the next pass tries the whole thread again
                    log.warning("youtube: replies of thread %s not read in full (%s)",
                                thread_id, exc)
                else:
                    replies.pop(thread_id, None)
                    replies[thread_id] = total
            posts += found
        return list({p.external_id: p for p in posts}.values())  # a reply read twice is one

    async def _replies(self, thread_id: str, quota: dict[str, Any],
                       where: dict[str, Any]) -> list[Any]:
        """Every reply of one thread (`comments.list` by parentId, 100 a page)."""
        out: list[Any] = []
        token: str | None = None
        for _ in range(MAX_REPLY_PAGES):
            response = await self.call("comments", {
                "part": "snippet", "parentId": thread_id, "maxResults": 100,
                "textFormat": "plainText", "pageToken": token}, quota=quota)
            for item in response.get("items") or []:
                post = comment_post(item, thread_id, **where) if isinstance(item, dict) else None
                if post:
                    out.append(post)
            following = response.get("nextPageToken") or None
            if not following or following == token:
                break
            token = following
        return out

    async def _search_page(self, cursor: base.Cursor, quota: dict[str, Any]) -> base.Page:
        """Search for videos when due, then one page of comments of one found video."""
        queue = list(cursor.get("queue") or [])
        videos = list(cursor.get("videos") or [])
        titles = dict(cursor.get("titles") or {})
        searched_at = cursor.get("searched_at")
        replies = dict(cursor.get("replies") or {})
        state: dict[str, Any] = {"videos": videos, "titles": titles, "searched_at": searched_at,
                                 "queue": queue, "page_token": None, "replies": replies,
                                 "quota": quota}
        if not queue:
            if not self._paced(quota):
                return base.Page([], state)
            every = timedelta(hours=float(self.params.get("search_every_hours", 6)))
            due = searched_at is None or self.now() - datetime.fromisoformat(searched_at) >= every
            if due:
                videos, titles = await self._search(quota)
                state.update(videos=videos, titles=titles, searched_at=self.now().isoformat())
            state["queue"] = list(videos)
            return base.Page([], state, more=bool(videos))
        video = queue[0]
        try:
            response = await self._threads({"videoId": video}, cursor.get("page_token"), quota)
        except SourceError as exc:
            if exc.code not in SKIPPABLE:
                raise
            log.info("youtube: comments of video %s unavailable (%s); skipped", video, exc)
            queue.pop(0)
            return base.Page([], state, more=bool(queue))
        posts = await self._posts(response, replies, quota, titles)
        token = response.get("nextPageToken") or None
        if token and token != cursor.get("page_token"):
            state["page_token"] = token
        else:
            queue.pop(0)
        state["replies"] = trim_counts(replies, REPLY_COUNTS_KEPT)
        return base.Page(posts, state, more=bool(queue))

    async def _search(self, quota: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
        """`search.list` for videos about the query, newest first (100 units)."""
        self._param("q")
        return found_videos(await self.call("search", search_query(self.params, self.now()),
                                            quota=quota))

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """`comments.insert` under the thread's top-level comment (YouTube threads are one
        level deep: answering a reply answers in its thread)."""
        parent = to_mention.external_id
        if "." in parent:
            parent = to_mention.parent_external_id or parent.split(".", 1)[0]
        response = await self.call(
            "comments", {"part": "snippet"}, method="POST", cost_of="comments.insert", oauth=True,
            body={"snippet": {"parentId": parent, "textOriginal": text}},
            quota=quota_state(None, quota_day(self.now())))
        if not response.get("id"):
            raise BadResponse("youtube: comments.insert returned no comment id",
                              network="youtube")
        return str(response["id"])

    def bind_channel(self, network: str, external_id: str, name: str = "") -> None:
        self._channel_id = external_id  # the brand's channel: whose replies find_sent looks for

    async def find_sent(self, kind: str, target: base.Target, text: str, *, since: datetime,
                        idempotency_key: str = "") -> str | None:
        """Read back what an interrupted reply may have left (YouTube drops no repeated
        insert, so a send is tried once): the thread's replies (`comments.list`, 1 unit a page)
        with this text, not older than the attempt, from the brand's channel when known."""
        if kind not in REPLY_KINDS:
            raise NotSupported(f"youtube: cannot look for a sent {kind}", network="youtube")
        parent = target.external_id
        if "." in parent:
            parent = target.parent_external_id or parent.split(".", 1)[0]
        channel = getattr(self, "_channel_id", None)
        for post in await self._replies(parent, quota_state(None, quota_day(self.now())),
                                        {"titles": {}}):
            author = post.author.external_id if post.author else None
            if (post.created_at >= since and base.same_text(post.text, text)
                    and (channel is None or author == channel)):
                return post.external_id
        return None

    async def verify(self) -> base.Account:
        """With an OAuth token: the channel it answers as (`channels.list` mine=true). With an
        API key only: the channel named by params.channel_id (read only: nothing is sent)."""
        quota = quota_state(None, quota_day(self.now()))
        if self._can_answer():
            found = await self.call("channels", {"part": "snippet,statistics", "mine": "true"},
                                    oauth=True, quota=quota)
            return channel_account(found, read_only=False)
        channel_id = str(self.params.get("channel_id") or "")
        if not channel_id:
            raise AuthFailed("youtube: an API key alone names no channel: give the brand's "
                             "channel id or an OAuth token", network="youtube")
        found = await self.call("channels", {"part": "snippet,statistics", "id": channel_id},
                                quota=quota)
        return channel_account(found, read_only=True)
