"""VK (VKontakte) through the official API, version 5.199.

Kinds of source:
- ``search``: `newsfeed.search` for a query (params ``q``; optional ``latitude``/``longitude``,
  ``lookback_hours``), paged with ``start_from``; the next poll starts at the newest post seen.
- ``wall``: a community's wall (params ``owner_id``, negative for a community; ``owned`` for the
  brand's own). Each cycle reads the ``recent_posts`` newest posts with `wall.get`, then the full
  comment threads of those posts with `wall.getComments`, one post per page. For an owned wall
  each complete thread is reported as a `Listing`, so comments that vanished are noticed.

Outbound (needs a community token ``group_token`` and ``group_id``): `wall.createComment`,
`messages.send`, `wall.post`, `wall.editComment`/`wall.edit`. No delete method is called, ever.
Credentials: ``access_token`` (reading) and ``group_token`` (sending); sent in the POST body, never
in a logged URL.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from otklik.domain.posts import Place, Post
from otklik.sources import base
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable
from otklik.sources.http import Budget, default_check, parse_json
from otklik.sources.vk_items import (
    Directory,
    comment,
    group_place,
    split_id,
    vk_text,
    wall_post,
)
from otklik.sources.vk_kinds import CREDENTIALS, KIND_SPECS

log = logging.getLogger("otklik.sources.vk")

API_VERSION = "5.199"
FIELDS = "screen_name,followers_count,members_count,verified"
ACCESS_CODES = {7, 15, 18, 30, 203, 212, 901, 902}  # the object is closed or gone for us
RETRYABLE_CODES = {1, 10, 13}  # unknown / internal server error / runtime error
GONE_CODES = {15, 18, 100, 212}  # for one post's comments: deleted, closed or not found
READ_BACK = 50  # newest items read when checking whether an interrupted send went out


def vk_error(error: dict[str, Any]) -> SourceError:
    """A VK `error` object → the shared hierarchy (code kept on the exception)."""
    code = error.get("error_code")
    text = f"vk: error {code}: {error.get('error_msg', '')}"
    if code == 6:  # too many requests per second: a short wait fixes it
        return RateLimited(text, network="vk", code=code)
    if code == 9:  # flood control: too many same actions; hours, not seconds
        return RateLimited(text, network="vk", code=code, retry_after=3600)
    if code == 29:  # the method's daily limit
        return RateLimited(text, network="vk", code=code, retry_after=86400)
    if code == 14:  # captcha: a person must act
        return RateLimited(text, network="vk", code=code, retry_after=3600)
    if code in (5, 27, 28) or code in ACCESS_CODES:
        return AuthFailed(text, network="vk", code=code)
    if code in RETRYABLE_CODES:
        return Unavailable(text, network="vk", code=code)
    return BadResponse(text, network="vk", code=code)


def _random_id(key: str) -> int:
    """A stable int32 from an idempotency key: VK drops a repeated messages.send with it."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF


def _same(item: dict[str, Any], from_id: int, text: str, since: datetime) -> bool:
    """Is this wall item ours: from the group, this text, not older than the attempt?"""
    when = datetime.fromtimestamp(int(item.get("date") or 0), UTC)
    norm = " ".join(vk_text(item.get("text")).split()).casefold()
    return (int(item.get("from_id") or 0) == from_id and when >= since
            and norm == " ".join(text.split()).casefold())


class VKSource(base.Source):
    network = "vk"
    label = "ВКонтакте"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    base_url_setting = "vk_api_url"
    default_url = "https://api.vk.com"
    capabilities = frozenset({base.READ, base.REPLY, base.PRIVATE, base.PUBLISH, base.CHECK})
    budgets = {"vk": Budget(3, 3)}  # VK allows 3 req/s for a user token (20 for a community)

    deduplicates_sends = True

    def bind_channel(self, network: str, external_id: str, name: str = "") -> None:
        self.params.setdefault("group_id", abs(int(external_id)))

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        return f"https://vk.com/wall{external_id}"

    async def find_post(self, channel_external_id: str, text: str, since: datetime) -> base.Check:
        """`wall.get` of the community: the newest posts, found by their text and time."""
        owner_id = int(channel_external_id)
        response = await self.call_obj("wall.get", owner_id=owner_id, count=READ_BACK,
                                       filter="owner")
        for item in response.get("items") or []:
            when = datetime.fromtimestamp(int(item.get("date") or 0), UTC)
            if when >= since and base.same_text(vk_text(item.get("text")), text):
                return base.Check("found", f"{owner_id}_{int(item['id'])}", "found by wall.get")
        return base.Check("absent", detail=f"not among the {READ_BACK} newest posts (wall.get)")

    async def verify(self) -> base.Account:
        """`groups.getById` with the community token names its community;
        `groups.getTokenPermissions` says what the token may do."""
        found = await self.call("groups.getById", token="group_token", fields="members_count")
        groups = found.get("groups") if isinstance(found, dict) else found
        if not groups or not isinstance(groups[0], dict):
            raise BadResponse("vk: groups.getById named no community", network="vk")
        group = groups[0]
        rights = await self.call_obj("groups.getTokenPermissions", token="group_token")
        names = {str(p.get("name")) for p in rights.get("permissions") or []}
        can = {base.READ, base.CHECK}
        problems = []
        if names & {"manage", "wall"}:
            can |= {base.REPLY, base.PUBLISH}
        else:
            problems.append("нет права «стена» или «управление»: ответы и посты не отправятся")
        if "messages" in names:
            can.add(base.PRIVATE)
        else:
            problems.append("нет права «сообщения сообщества»: личные сообщения не отправятся")
        gid = int(group["id"])
        return base.Account(external_id=str(-gid), name=str(group.get("name") or gid), kind="wall",
                            capabilities=frozenset(can), audience=group.get("members_count"),
                            url=f"https://vk.com/{group.get('screen_name') or f'club{gid}'}",
                            params={"owner_id": -gid, "owned": True, "group_id": gid},
                            problems=tuple(problems))

    async def call(self, method: str, *, token: str = "access_token", **params: Any) -> Any:
        """Call one API method; returns its `response` or raises from its `error`."""
        secret = self.credential(token)
        data = {k: v for k, v in params.items() if v is not None}
        data.update(access_token=secret, v=API_VERSION)
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            default_check(response, "vk")
            payload = parse_json(response, "vk")
            if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                raise vk_error(payload["error"])
            if not isinstance(payload, dict) or "response" not in payload:
                raise BadResponse(f"vk: {method}: no 'response' in reply", network="vk")
            holder["response"] = payload["response"]

        await self.client.request("vk", "POST", f"{self.base_url}/method/{method}", data=data,
                                  secrets=(secret,), check=check)
        return holder["response"]

    async def call_obj(self, method: str, **params: Any) -> dict[str, Any]:
        """`call` for methods whose response is an object; anything else is BadResponse."""
        response = await self.call(method, **params)
        if not isinstance(response, dict):
            raise BadResponse(f"vk: {method}: response is not an object", network="vk")
        return response

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        if self.kind == "search":
            return await self._search_page(cursor or {})
        return await self._wall_page(cursor or {})

    async def _search_page(self, cursor: base.Cursor) -> base.Page:
        q = self.params.get("q")
        if not q:
            raise ValueError("vk search source needs params.q")
        lookback = float(self.params.get("lookback_hours", 24))
        start_time = int(cursor.get("start_time") or time.time() - lookback * 3600)
        newest = int(cursor.get("newest") or start_time)
        response = await self.call_obj(
            "newsfeed.search", q=q, extended=1, count=int(self.params.get("count", 200)),
            start_time=start_time, start_from=cursor.get("start_from"), fields=FIELDS,
            latitude=self.params.get("latitude"), longitude=self.params.get("longitude"))
        directory = Directory(response)
        posts = [p for p in (wall_post(i, directory) for i in response.get("items") or []) if p]
        for p in posts:
            newest = max(newest, int(p.created_at.timestamp()))
        next_from = response.get("next_from")
        if next_from and posts:
            return base.Page(posts, {"start_time": start_time, "start_from": next_from,
                                     "newest": newest}, more=True)
        return base.Page(posts, {"start_time": newest, "start_from": None, "newest": newest})

    async def _wall_page(self, cursor: base.Cursor) -> base.Page:
        owner_id = int(self.params["owner_id"])
        pending = list(cursor.get("pending") or [])
        if cursor.get("phase") != "comments" or not pending:
            return await self._wall_posts(owner_id)
        post_id = int(pending.pop(0))
        try:
            posts, complete = await self._thread(owner_id, post_id)
        except (AuthFailed, BadResponse) as exc:
            if exc.code not in GONE_CODES:
                raise
            # the post was deleted or its comments closed since wall.get: skip it, or the
            # cursor would be stuck on it for ever; no listing, so nothing is marked removed
            log.info("vk: comments of %s_%s unavailable (%s); skipped", owner_id, post_id, exc)
            posts, complete = [], False
        listings = []
        if complete and self.params.get("owned"):
            seen = {p.external_id for p in posts}
            listings.append(base.Listing(seen=seen, thread_external_id=f"{owner_id}_{post_id}"))
        nxt: base.Cursor = ({"phase": "comments", "pending": pending} if pending
                            else {"phase": "posts"})
        return base.Page(posts, nxt, more=bool(pending), listings=listings)

    async def _wall_posts(self, owner_id: int) -> base.Page:
        response = await self.call_obj("wall.get", owner_id=owner_id, extended=1, fields=FIELDS,
                                   count=int(self.params.get("recent_posts", 20)))
        directory = Directory(response)
        posts = [p for p in (wall_post(i, directory) for i in response.get("items") or []) if p]
        if not self.params.get("comments", True):
            return base.Page(posts, {"phase": "posts"})
        owned = bool(self.params.get("owned"))
        # an owned post is re-read even at 0 comments: its last comment may have been removed
        pending = [int(p.raw["id"]) for p in posts
                   if owned or (p.raw.get("comments") or {}).get("count")]
        cursor: base.Cursor = {"phase": "comments", "pending": pending} if pending else {}
        return base.Page(posts, cursor or {"phase": "posts"}, more=bool(pending))

    async def _thread(self, owner_id: int, post_id: int) -> tuple[list[Post], bool]:
        """All comments of a post, replies included; `complete` when nothing was cut off."""
        limit = int(self.params.get("max_comments", 2000))
        posts: list[Post] = []
        offset, total, complete, cut = 0, None, True, False
        while total is None or offset < total:
            response = await self.call_obj(
                "wall.getComments", owner_id=owner_id, post_id=post_id, extended=1,
                fields=FIELDS, count=100, offset=offset, sort="asc", thread_items_count=10,
                need_likes=1)
            directory = Directory(response)
            items = response.get("items") or []
            total = int(response.get("current_level_count", response.get("count", 0)))
            for item in items:
                if not item.get("deleted"):
                    posts.append(comment(item, owner_id, post_id, directory))
                thread = item.get("thread") or {}
                replies = thread.get("items") or []
                if int(thread.get("count") or 0) > len(replies):
                    found, whole = await self._replies(owner_id, post_id, int(item["id"]))
                    posts.extend(found)
                    cut = cut or not whole
                else:
                    posts.extend(comment(r, owner_id, post_id, directory)
                                 for r in replies if not r.get("deleted"))
            offset += len(items)
            if not items:  # VK sometimes ends a listing early: it proves nothing was removed
                complete = offset >= total
                break
            if len(posts) >= limit:
                complete = offset >= total
                break
        return posts, complete and not cut

    async def _replies(self, owner_id: int, post_id: int,
                       comment_id: int) -> tuple[list[Post], bool]:
        """Every reply in one comment's thread, when the embedded preview was cut short;
        `complete` unless a page came back empty before `count` was reached."""
        posts: list[Post] = []
        offset, total = 0, None
        while total is None or offset < total:
            response = await self.call_obj(
                "wall.getComments", owner_id=owner_id, post_id=post_id, comment_id=comment_id,
                count=100, offset=offset, sort="asc", extended=1, fields=FIELDS)
            directory = Directory(response)
            items = response.get("items") or []
            total = int(response.get("count", 0))
            posts.extend(comment(i, owner_id, post_id, directory)
                         for i in items if not i.get("deleted"))
            offset += len(items)
            if not items:
                break
        return posts, offset >= (total or 0)

    async def search_groups(self, q: str, *, count: int = 50) -> list[Place]:
        """Communities named after the brand (`groups.search`), to watch or to classify. No
        `type`: groups, public pages and events alike (`type=group` left out every public)."""
        response = await self.call_obj("groups.search", q=q, count=count)
        return [group_place(g) for g in response.get("items") or [] if "id" in g]

    # ---------------------------------------------------------------- outbound
    def _group_id(self) -> int:
        gid = self.params.get("group_id")
        if not gid:
            raise ValueError("vk: sending needs params.group_id (the brand's community)")
        return abs(int(gid))

    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        owner_id, post_id, comment_id = split_id(to_mention.external_id)
        key = idempotency_key or f"reply:{to_mention.external_id}:{text}"
        response = await self.call_obj(
            "wall.createComment", token="group_token", owner_id=owner_id, post_id=post_id,
            from_group=self._group_id(), message=text, reply_to_comment=comment_id,
            guid=hashlib.sha256(key.encode()).hexdigest()[:32])
        return f"{owner_id}_{post_id}_c{int(response['comment_id'])}"

    async def send_private(self, author: base.Target, text: str, *,
                           idempotency_key: str = "") -> str:
        key = idempotency_key or f"dm:{author.external_id}:{text}"
        response = await self.call(
            "messages.send", token="group_token", user_id=int(author.external_id),
            random_id=_random_id(key), message=text, group_id=self._group_id())
        message_id = response[0]["message_id"] if isinstance(response, list) else response
        return str(int(message_id))

    async def post(self, channel: base.Target, text: str, *, idempotency_key: str = "") -> str:
        owner_id = int(channel.external_id)
        key = idempotency_key or f"post:{owner_id}:{text}"
        response = await self.call_obj(
            "wall.post", token="group_token", owner_id=owner_id, from_group=1, message=text,
            guid=hashlib.sha256(key.encode()).hexdigest()[:32])
        return f"{owner_id}_{int(response['post_id'])}"

    async def find_sent(self, kind: str, target: base.Target, text: str, *, since: datetime,
                        idempotency_key: str = "") -> str | None:
        """Read back what an interrupted send may have left: its network id, or None when it is
        not there. Replies: the group's comment with this text under the post (`wall.getComments`,
        newest first, threads included); messages: the outgoing one with our `random_id`
        (`messages.getHistory`); posts: the group's wall (`wall.get`)."""
        gid = self._group_id()
        if kind == "private_message":
            key = idempotency_key or f"dm:{target.external_id}:{text}"
            history = await self.call_obj("messages.getHistory", token="group_token",
                                          user_id=int(target.external_id), group_id=gid,
                                          count=READ_BACK)
            for item in history.get("items") or []:
                if item.get("out") and int(item.get("random_id") or 0) == _random_id(key):
                    return str(int(item["id"]))
            return None
        if kind == "post":
            owner_id = int(target.external_id)
            wall = await self.call_obj("wall.get", owner_id=owner_id, count=READ_BACK,
                                       filter="owner")
            for item in wall.get("items") or []:
                if _same(item, -gid, text, since):
                    return f"{owner_id}_{int(item['id'])}"
            return None
        owner_id, post_id, comment_id = split_id(target.external_id)
        scans = [None] if comment_id is None else [comment_id, None]
        for thread_of in scans:  # the thread of the answered comment, then the top level
            response = await self.call_obj(
                "wall.getComments", owner_id=owner_id, post_id=post_id, comment_id=thread_of,
                count=100, sort="desc", thread_items_count=10)
            for item in response.get("items") or []:
                for c in [item, *((item.get("thread") or {}).get("items") or [])]:
                    if _same(c, -gid, text, since):
                        return f"{owner_id}_{post_id}_c{int(c['id'])}"
        return None

    async def edit(self, action: base.Target, text: str) -> str:
        owner_id, post_id, comment_id = split_id(action.external_id)
        if comment_id is not None:
            await self.call("wall.editComment", token="group_token", owner_id=owner_id,
                            comment_id=comment_id, message=text)
        else:
            await self.call("wall.edit", token="group_token", owner_id=owner_id,
                            post_id=post_id, message=text)
        return action.external_id

    def credential(self, name: str) -> str:
        if name == "group_token" and not self._credentials.get("group_token"):
            name = "access_token"
        return super().credential(name)
