"""Mastodon through its REST API (v1 and v2 methods as documented at docs.joinmastodon.org,
Mastodon 4.x). Each source names its server: ``-p instance=https://mastodon.social`` is its base
URL (http or https only); there is no OTKLIK_MASTODON_API_URL, as there is no one Mastodon.

Kinds of source:
- ``search``: ``GET /api/v2/search?q=…&type=statuses&resolve=false&limit=40``. Results come
  newest first; a sweep pages back with ``max_id`` and stops at the newest id the previous sweep
  saw (``min_id`` bounds the search from below).
  With ``threads=true`` the conversations (``/context``) of the replies and replied-to statuses
  found are read after the sweep (``max_threads``), so they keep their parents and root.
- ``tag``: a hashtag timeline, ``GET /api/v1/timelines/tag/{tag}`` with ``since_id`` (the newest
  id seen) and ``max_id`` from the ``Link: rel="next"`` header to page back.
- ``mentions``: the connected account's notifications of type ``mention`` (``GET
  /api/v1/notifications?types[]=mention``, ``since_id``/``max_id`` as for tags): replies to the
  brand and statuses naming it, direct ones included. Connecting an account creates this source.
- ``context``: one status and its whole conversation (``GET /api/v1/statuses/{id}`` and
  ``/context``): every status keeps its parent (``in_reply_to_id``) and the thread's root.

Credential ``access_token`` (a user token with ``read`` and ``write:statuses``). Rate limits:
``X-RateLimit-Remaining``/``X-RateLimit-Reset`` (an ISO time) are honoured; 429 is RateLimited.
Outbound: ``POST /api/v1/statuses`` with ``in_reply_to_id`` (a public reply mentioning the author)
or with ``visibility=direct`` (a private message); both carry an ``Idempotency-Key``, so a retried
send posts once.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from otklik.domain.posts import Post
from otklik.sources import base
from otklik.sources.errors import (
    BadResponse,
    NotSupported,
)
from otklik.sources.http import (
    Budget,
    ResetWindow,
    parse_json,
    retry_after_seconds,
    status_error,
)
from otklik.sources.mastodon_items import (
    full_acct,
    id_key,
    link_param,
    newest_id,
    oldest_id,
    status_post,
    status_text,
)
from otklik.sources.mastodon_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS

LIMIT = 40
# Mastodon's ids are numeric strings; servers speaking its API (Pleroma, GoToSocial) use base62
# flake ids or ULIDs: letters and digits, never a path
_ID_RE = re.compile(r"[A-Za-z0-9]{1,40}")
_MENTIONS_RE = re.compile(r"^(?:@[\w.@-]+\s+)+")  # the mentions a reply starts with


def _reset_seconds(value: str | None) -> float | None:
    """``X-RateLimit-Reset`` (an ISO time) as seconds from now."""
    moment = base.iso_time(value)
    return max(0.0, moment.timestamp() - time.time()) if moment else None


def instance_url(value: Any) -> str:
    """The server's base URL from ``params.instance``: http(s) and a host (a path prefix is
    kept, for a proxy in front of the API); no credentials, query or fragment in it."""
    url = str(value or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username \
            or parts.password or parts.query or parts.fragment:
        raise ValueError("mastodon source needs params.instance: the server's http(s) URL, "
                         "e.g. https://mastodon.social")
    return url


class MastodonSource(base.Source):
    network = "mastodon"
    label = "Mastodon"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    capabilities = frozenset({base.READ, base.REPLY, base.PRIVATE})
    budgets = {"mastodon": Budget(1, 5)}  # 300 requests per 5 minutes per account
    deduplicates_sends = True  # Idempotency-Key

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        params = kwargs.get("params") or {}
        kwargs["base_url"] = kwargs.get("base_url") or str(params.get("instance") or "")
        super().__init__(*args, **kwargs)
        self._window = ResetWindow("mastodon")

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    # ---------------------------------------------------------------- transport
    async def call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                   data: dict[str, Any] | None = None, key: str = "") -> tuple[Any, httpx.Headers]:
        """One API request; returns the parsed JSON and the response headers."""
        server = instance_url(self.base_url)
        token = self.credential("access_token")
        await self._window.pause(self.client)
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            status = response.status_code
            reset = _reset_seconds(response.headers.get("X-RateLimit-Reset"))
            if status >= 400:
                detail = ""
                try:
                    body = response.json()
                    detail = str(body.get("error") or "") if isinstance(body, dict) else ""
                except ValueError:
                    pass
                text = f"mastodon: {path}: HTTP {status}" + (f": {detail}" if detail else "")
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise status_error("mastodon", status, text,
                                   retry_after=wait if wait is not None else reset)
            holder["json"] = parse_json(response, "mastodon")
            holder["headers"] = response.headers
            remaining = response.headers.get("X-RateLimit-Remaining")
            if remaining is not None and remaining.strip() in ("0", "0.0"):
                self._window.spent(reset)

        await self.client.request("mastodon", method, f"{server}{path}", params=params, data=data,
                                  headers=headers, secrets=(token,), check=check)
        return holder["json"], holder["headers"]

    async def verify(self) -> base.Account:
        """``GET /api/v1/accounts/verify_credentials``: whose token this is."""
        me, _ = await self.call("GET", "/api/v1/accounts/verify_credentials")
        if not isinstance(me, dict) or not me.get("acct"):
            raise BadResponse("mastodon: verify_credentials named no account",
                              network="mastodon")
        acct = full_acct(me, self.host)
        return base.Account(external_id=acct, name=str(me.get("display_name") or acct),
                            kind="mentions", capabilities=self.capabilities,
                            audience=me.get("followers_count"), url=me.get("url"),
                            params={"instance": instance_url(self.base_url)})

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = dict(cursor or {})
        if self.kind == "context":
            return await self._context(cursor)
        if cursor.get("threads") and not cursor.get("max_id"):
            return await self._next_thread(cursor)
        path, query = self._listing()
        floor = cursor.get("floor")
        if floor:  # search has no since_id: min_id bounds it from below
            query["min_id" if self.kind == "search" else "since_id"] = floor
        if cursor.get("max_id"):
            query["max_id"] = cursor["max_id"]
        try:
            payload, headers = await self.call("GET", path, params=query)
        except BadResponse as exc:
            if exc.code != 404 or not (floor or cursor.get("max_id")):
                raise
            if cursor.get("max_id"):  # an older page the server no longer serves: sweep ends
                return base.Page([], {"floor": cursor.get("top") or floor})
            # a server or proxy that cannot serve the bound: the newest page, filtered below
            # by the ids already seen
            query.pop("min_id", None)
            query.pop("since_id", None)
            payload, headers = await self.call("GET", path, params=query)
        items = payload.get("statuses") if self.kind == "search" and isinstance(
            payload, dict) else payload
        if not isinstance(items, list):
            raise BadResponse(f"mastodon: {path}: no list of statuses", network="mastodon")
        items = [i for i in items if isinstance(i, dict) and i.get("id")]
        ids = [str(i["id"]) for i in items]  # notification ids for mentions: they page
        fresh = {i for i in ids if floor is None or id_key(i) > id_key(str(floor))}
        found = (status_post(i.get("status") if self.kind == "mentions" else i, self.host)
                 for i in items if str(i["id"]) in fresh)
        # a boost stands for the boosted status, which the page may also hold: once each
        posts = list({p.external_id: p for p in found if p}.values())
        top = newest_id([i for i in (floor, cursor.get("top"), *ids) if i])
        bottom = oldest_id(ids)
        following = link_param(headers.get("Link"), "next", "max_id") or bottom
        pages = int(cursor.get("pages") or 0) + 1
        going_on = (len(ids) >= self._limit() and len(fresh) == len(ids) and following is not None
                    and (not cursor.get("max_id")
                         or id_key(following) < id_key(str(cursor["max_id"])))
                    and pages < int(self.params.get("max_pages", 5)))
        threads: list[str] = list(cursor.get("threads") or [])
        if self.params.get("threads"):  # conversations of replies and of statuses with replies
            threads = list(dict.fromkeys([*threads, *(
                p.external_id.rpartition("/")[2] for p in posts
                if p.parent_external_id or (p.raw.get("replies_count") or 0) > 0)]))[
                :int(self.params.get("max_threads", 20))]
        if going_on:
            return base.Page(posts, {"floor": floor, "top": top, "max_id": following,
                                     "pages": pages, **({"threads": threads} if threads else {})},
                             more=True)
        if threads:
            return base.Page(posts, {"floor": top, "threads": threads}, more=True)
        return base.Page(posts, {"floor": top})

    def _listing(self) -> tuple[str, dict[str, Any]]:
        if self.kind == "search":
            q = str(self.params.get("q") or "").strip()
            if not q:
                raise ValueError("mastodon search source needs params.q")
            return "/api/v2/search", {"q": q, "type": "statuses", "resolve": "false",
                                      "limit": self._limit()}
        if self.kind == "mentions":
            return "/api/v1/notifications", {"types[]": "mention", "limit": self._limit()}
        tag = str(self.params.get("tag") or "").strip().lstrip("#")
        if not re.fullmatch(r"\w+", tag):
            raise ValueError("mastodon tag source needs params.tag (a hashtag, without #)")
        return f"/api/v1/timelines/tag/{quote(tag)}", {"limit": self._limit()}

    def _limit(self) -> int:
        return max(1, min(LIMIT, int(self.params.get("limit", LIMIT))))

    async def _context(self, cursor: base.Cursor) -> base.Page:
        """A status, its ancestors and descendants; each keeps its parent and the root."""
        sid = str(self.params.get("status_id") or "")
        if not _ID_RE.fullmatch(sid):
            raise ValueError("mastodon context source needs params.status_id (a status id)")
        posts = await self._conversation(sid)
        return base.Page(posts, {"newest": newest_id([p.external_id.rpartition("/")[2]
                                                      for p in posts])})

    async def _conversation(self, sid: str) -> list[Post]:
        status, _ = await self.call("GET", f"/api/v1/statuses/{sid}")
        context, _ = await self.call("GET", f"/api/v1/statuses/{sid}/context")
        if not isinstance(status, dict) or not isinstance(context, dict):
            raise BadResponse(f"mastodon: status {sid}: not a status and its context",
                              network="mastodon")
        ancestors = [s for s in context.get("ancestors") or [] if isinstance(s, dict)]
        descendants = [s for s in context.get("descendants") or [] if isinstance(s, dict)]
        root = str((ancestors[0] if ancestors else status).get("id"))
        thread = f"{self.host}/{root}"
        posts: list[Post] = []
        for item in [*ancestors, status, *descendants]:
            post = status_post(item, self.host, thread=thread)
            if post is not None:
                post.thread_external_id = None if str(item.get("id")) == root else thread
                posts.append(post)
        return posts

    async def _next_thread(self, cursor: base.Cursor) -> base.Page:
        """One found status's conversation (``threads=true``); a status deleted since (404) is
        skipped, or the cursor would stick on it."""
        threads = [str(t) for t in cursor.get("threads") or []]
        try:
            posts = await self._conversation(threads.pop(0)) if threads else []
        except BadResponse as exc:
            if exc.code != 404:
                raise
            posts = []
        if threads:
            return base.Page(posts, {**cursor, "threads": threads}, more=True)
        return base.Page(posts, {k: v for k, v in cursor.items() if k != "threads"})

    # ---------------------------------------------------------------- outbound
    def _local_id(self, external_id: str) -> str:
        host, _, sid = external_id.rpartition("/")
        if host != self.host or not _ID_RE.fullmatch(sid):
            raise ValueError(f"mastodon: {external_id!r} is not a status of {self.host}")
        return sid

    async def _send(self, data: dict[str, Any], key: str) -> str:
        sent, _ = await self.call("POST", "/api/v1/statuses", data=data,
                                  key=hashlib.sha256(key.encode()).hexdigest()[:32])
        if not isinstance(sent, dict) or not sent.get("id"):
            raise BadResponse("mastodon: POST /api/v1/statuses: no status in reply",
                              network="mastodon")
        return f"{self.host}/{sent['id']}"

    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """A reply in the same visibility as the status, mentioning its author (Mastodon
        notifies only the accounts a status mentions)."""
        sid = self._local_id(to_mention.external_id)
        original, _ = await self.call("GET", f"/api/v1/statuses/{sid}")
        if not isinstance(original, dict) or not isinstance(original.get("account"), dict):
            raise BadResponse(f"mastodon: status {sid}: no account", network="mastodon")
        acct = full_acct(original["account"], self.host)
        body = text if f"@{acct}".lower() in text.lower() else f"@{acct} {text}"
        visibility = original.get("visibility")
        key = idempotency_key or f"reply:{to_mention.external_id}:{text}"
        return await self._send({
            "status": body, "in_reply_to_id": sid,
            "visibility": visibility if visibility in ("unlisted", "private", "direct")
            else "public"}, key)

    async def send_private(self, author: base.Target, text: str, *,
                           idempotency_key: str = "") -> str:
        """A direct status (``visibility=direct``): only the mentioned account sees it."""
        acct = author.external_id.lstrip("@")
        if not re.fullmatch(r"[\w.-]+@[\w.-]+(:\d+)?", acct):
            raise ValueError(f"not a Mastodon account (user@domain): {author.external_id!r}")
        key = idempotency_key or f"dm:{acct}:{text}"
        return await self._send({"status": f"@{acct} {text}", "visibility": "direct"}, key)

    async def find_sent(self, kind: str, target: base.Target, text: str, *, since: datetime,
                        idempotency_key: str = "") -> str | None:
        """Read back an interrupted reply: the account's newest statuses
        (``/api/v1/accounts/{id}/statuses``) answering the same status with this text. Direct
        messages are not listed there, so for them (and posts) the desk is told it cannot tell
        (a resend carries the same Idempotency-Key, which Mastodon remembers for a while)."""
        if kind in ("private_message", "post"):
            raise NotSupported(f"mastodon: a sent {kind} cannot be read back",
                               network="mastodon")
        sid = self._local_id(target.external_id)
        me, _ = await self.call("GET", "/api/v1/accounts/verify_credentials")
        if not isinstance(me, dict) or not _ID_RE.fullmatch(str(me.get("id") or "")):
            raise BadResponse("mastodon: verify_credentials named no account",
                              network="mastodon")
        mine, _ = await self.call("GET", f"/api/v1/accounts/{me['id']}/statuses",
                                  params={"limit": LIMIT, "exclude_reblogs": "true"})
        for status in mine if isinstance(mine, list) else []:
            created = base.iso_time(status.get("created_at")) if isinstance(status, dict) else None
            if created is None or created < since or str(status.get("in_reply_to_id")) != sid:
                continue
            words = _MENTIONS_RE.sub("", status_text(status))
            if base.same_text(words, _MENTIONS_RE.sub("", text)):
                return f"{self.host}/{status['id']}"
        return None
