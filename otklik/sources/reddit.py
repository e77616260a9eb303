"""Reddit through its OAuth API (``oauth.reddit.com``, the JSON API documented at
reddit.com/dev/api, OAuth2 bearer tokens), setting ``OTKLIK_REDDIT_API_URL``.

Kinds of source:
- ``search``: ``GET /search?q=…&sort=new&type=link&limit=100`` (``/r/{subreddit}/search`` with
  ``restrict_sr`` when ``subreddit`` is given), newest first, paged with ``after``; with
  ``comments=true`` the comment trees of the posts found (``max_trees``) are read after it.
- ``subreddit``: a subreddit's new posts (``/r/{subreddit}/new``) and then its new comments
  (``/r/{subreddit}/comments``; ``comments=false`` to skip them), both paged with ``after``.
- ``inbox``: the connected account's inbox (``/message/inbox?mark=false``): replies to its posts
  and comments, username mentions (``t1``) and private messages (``t4``). Connecting an account
  creates this source.
- ``comments``: one post's whole comment tree (``/comments/{post_id}``, then the comments behind
  its ``more`` stubs from ``/api/morechildren``): each keeps its parent and thread (the link).

Listings are read newest first; a sweep stops at the newest ``created_utc`` the previous sweep
saw (the next poll stops at what it has seen). Reddit's own ``before=<fullname>`` is not used for
that: it returns nothing for ever once that thing is deleted.

Credential ``access_token`` (a bearer token of an installed or script app; scopes ``read``,
``submit``, ``privatemessages``, ``identity``), pasted as is; or ``refresh_token`` +
``client_id`` (+ ``client_secret``), from which a fresh token is taken when there is none or the
pasted one is refused (401). Reddit asks for a descriptive User-Agent: param
``user_agent``. Rate limits: ``X-Ratelimit-Remaining``/``X-Ratelimit-Reset`` are honoured (the
next request waits for the reset once remaining reaches 0); 429 is RateLimited with the reset.
Outbound: ``POST /api/comment`` (a public reply), ``POST /api/compose`` (a private message).
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from typing import Any

import httpx

from otklik.domain.posts import Post
from otklik.sources import base
from otklik.sources.errors import AuthFailed, BadResponse, NotSupported, Unavailable
from otklik.sources.http import (
    Budget,
    ResetWindow,
    parse_json,
    retry_after_seconds,
    status_error,
)
from otklik.sources.oauth import refresh
from otklik.sources.reddit_items import (
    POST_KINDS,
    REDDIT_WEB,
    api_errors,
    listing_children,
    more_things,
    number,
    thing_created,
    thing_post,
    things_posts,
    tree_posts,
)
from otklik.sources.reddit_kinds import CREDENTIALS, KIND_SPECS

log = logging.getLogger("otklik.sources.reddit")

DEFAULT_USER_AGENT = "server:otklik:0.1 (reputation desk; +https://github.com/otklik/otklik)"
LIMIT = 100
MORE_IDS = 100  # comment ids one /api/morechildren call takes
READ_BACK = 100  # newest sent comments or messages read when checking an interrupted send


class RedditSource(base.Source):
    network = "reddit"
    label = "Reddit"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    base_url_setting = "reddit_api_url"
    default_url = "https://oauth.reddit.com"
    renews_tokens = True
    capabilities = frozenset({base.READ, base.REPLY, base.PRIVATE})
    # 100 requests a minute per OAuth client, averaged over 10 minutes
    budgets = {"reddit": Budget(1.5, 10)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._window = ResetWindow("reddit")
        self._fresh_token: str | None = None

    def _refreshable(self) -> bool:
        return bool(self._credentials.get("refresh_token") and self._credentials.get("client_id"))

    async def _token(self) -> str:
        """The pasted access token; without one (or once it was refused), a fresh one from the
        refresh token."""
        if self._fresh_token:
            return self._fresh_token
        if self._credentials.get("access_token") or not self._refreshable():
            return self.credential("access_token")
        return await self._refresh()

    async def _refresh(self) -> str:
        """``POST /api/v1/access_token`` (grant_type=refresh_token, HTTP Basic with the app's
        id and secret — empty for an installed app), as Reddit's OAuth2 wiki documents."""
        self._fresh_token = self.renew(await refresh(
            self.client, "reddit", self.token_url, self._credentials, basic=True,
            headers={"User-Agent": self._user_agent()}))
        return self._fresh_token

    def _user_agent(self) -> str:
        return str(self.params.get("user_agent") or DEFAULT_USER_AGENT)

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        kind, _, ident = external_id.partition("_")
        return f"{REDDIT_WEB}/comments/{ident}" if kind == "t3" and ident else None

    # ---------------------------------------------------------------- transport
    async def call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                   data: dict[str, Any] | None = None) -> Any:
        """One API request; returns the parsed JSON or raises from the shared hierarchy. A
        refused token is refreshed once when a refresh token is configured."""
        try:
            return await self._call(method, path, await self._token(), params, data)
        except AuthFailed as exc:
            if exc.code != 401 or self._fresh_token or not self._refreshable():
                raise
        return await self._call(method, path, await self._refresh(), params, data)

    async def _call(self, method: str, path: str, token: str, params: dict[str, Any] | None,
                    data: dict[str, Any] | None) -> Any:
        await self._window.pause(self.client)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": self._user_agent()}
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            status = response.status_code
            reset = number(response.headers.get("X-Ratelimit-Reset"))
            if status >= 400:
                refused = status not in (401, 403, 429) and status < 500  # names the request
                text = f"reddit: {path}: HTTP {status}" if refused else f"reddit: HTTP {status}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise status_error("reddit", status, text,
                                   retry_after=wait if wait is not None else reset)
            holder["json"] = parse_json(response, "reddit")
            remaining = number(response.headers.get("X-Ratelimit-Remaining"))
            if remaining is not None and remaining <= 0:
                self._window.spent(reset)

        await self.client.request("reddit", method, f"{self.base_url}{path}", params=params,
                                  data=data, headers=headers, secrets=(token,), check=check)
        return holder["json"]

    async def verify(self) -> base.Account:
        """``GET /api/v1/me``: whose token this is."""
        me = await self.call("GET", "/api/v1/me")
        if not isinstance(me, dict) or not me.get("name"):
            raise BadResponse("reddit: /api/v1/me named no account", network="reddit")
        name = str(me["name"])
        return base.Account(external_id=name, name=f"u/{name}", kind="inbox",
                            capabilities=frozenset({base.READ, base.REPLY, base.PRIVATE}),
                            url=f"{REDDIT_WEB}/user/{name}")

    # ---------------------------------------------------------------- inbound
    def _phases(self) -> list[str]:
        if self.kind in ("search", "inbox"):
            return [self.kind]
        return ["new", "comments"] if self.params.get("comments", True) else ["new"]

    def _listing(self, phase: str) -> tuple[str, dict[str, Any]]:
        """The path and query of one listing."""
        query: dict[str, Any] = {"limit": LIMIT}
        if phase == "search":
            q = str(self.params.get("q") or "").strip()
            if not q:
                raise ValueError("reddit search source needs params.q")
            query = {"q": q, "sort": "new", "limit": LIMIT, "type": "link"}
            sub = self._subreddit(required=False)
            if sub:
                return f"/r/{sub}/search", {**query, "restrict_sr": 1}
            return "/search", query
        if phase == "inbox":
            return "/message/inbox", {**query, "mark": "false"}
        return f"/r/{self._subreddit()}/{phase}", query

    def _subreddit(self, *, required: bool = True) -> str:
        sub = str(self.params.get("subreddit") or "").strip().removeprefix("/")
        sub = sub.removeprefix("r/")
        if (required or sub) and not re.fullmatch(r"[A-Za-z0-9_]{2,21}", sub):
            raise ValueError("reddit subreddit source needs params.subreddit (its name)")
        return sub

    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        if self.kind == "comments":
            return await self._tree(cursor or {})
        cursor = dict(cursor or {})
        if cursor.get("phase") == "trees":
            return await self._next_tree(cursor)
        phases = self._phases()
        phase = str(cursor.get("phase")) if cursor.get("phase") in phases else phases[0]
        posts, state, going_on = await self._sweep(phase, dict(cursor.get(phase) or {}))
        cursor[phase] = state
        if self.kind == "search" and self.params.get("comments"):
            found = [p.external_id[3:] for p in posts if (p.raw.get("num_comments") or 0) > 0]
            trees = dict.fromkeys([*(cursor.get("trees") or []), *found])
            cursor["trees"] = list(trees)[:int(self.params.get("max_trees", 25))]
        if going_on:
            return base.Page(posts, {**cursor, "phase": phase}, more=True)
        if cursor.get("trees"):
            return base.Page(posts, {**cursor, "phase": "trees"}, more=True)
        following = phases.index(phase) + 1
        if following < len(phases):
            return base.Page(posts, {**cursor, "phase": phases[following]}, more=True)
        return base.Page(posts, {**cursor, "phase": phases[0]})

    async def _sweep(self, phase: str,
                     state: dict[str, Any]) -> tuple[list[Post], base.Cursor, bool]:
        """One page of a newest-first listing. Returns its posts, the listing's state, and
        whether this sweep goes on (older pages not yet read, nothing seen reached)."""
        path, query = self._listing(phase)
        floor = state.get("floor")
        if state.get("after"):
            query["after"] = state["after"]
        try:
            payload = await self.call("GET", path, params=query)
        except BadResponse as exc:
            if exc.code != 404 or "after" not in query:
                raise
            # an older page the server no longer serves: the sweep ends with what it read
            log.info("reddit: %s after %s: 404; sweep ended", path, query["after"])
            return [], {"floor": state.get("top") or floor}, False
        things, after = listing_children(payload, path)
        things = [t for t in things if t.get("kind") in POST_KINDS]  # no `more` stubs
        created = [thing_created(t) for t in things]
        fresh = [t for t, c in zip(things, created, strict=True) if floor is None or c >= floor]
        posts = [p for p in (thing_post(t) for t in fresh) if p is not None]
        top = max([floor or 0.0, state.get("top") or 0.0, *created]) or None
        oldest = min(created) if created else None
        pages = int(state.get("pages") or 0) + 1
        progressed = oldest is not None and (state.get("oldest") is None
                                             or oldest < float(state["oldest"]))
        going_on = (after is not None and after != state.get("after") and progressed
                    and len(fresh) == len(things)  # an older, already seen thing: stop
                    and pages < int(self.params.get("max_pages", 5)))
        if going_on:
            return posts, {"floor": floor, "top": top, "after": after, "pages": pages,
                           "oldest": oldest}, True
        return posts, {"floor": top}, False

    async def _tree(self, cursor: base.Cursor) -> base.Page:
        """A post and its whole comment tree (``/comments/{id}``), read again every poll."""
        post_id = str(self.params.get("post_id") or "").removeprefix("t3_")
        if not re.fullmatch(r"[a-z0-9]{1,12}", post_id):
            raise ValueError("reddit comments source needs params.post_id (e.g. 1h2abcd)")
        posts = await self._read_tree(post_id)
        newest = max([p.created_at.timestamp() for p in posts] + [cursor.get("newest") or 0])
        return base.Page(posts, {"newest": newest or None})

    async def _read_tree(self, post_id: str) -> list[Post]:
        path = f"/comments/{post_id}"
        payload = await self.call("GET", path, params={
            "limit": int(self.params.get("limit", 500)), "depth": 10, "sort": "new",
            "threaded": "true"})
        posts, hidden = tree_posts(payload, path)
        return posts + await self._more_children(post_id, hidden)

    async def _more_children(self, post_id: str, hidden: list[str]) -> list[Post]:
        """Comments behind ``more`` stubs (100 ids a call, ``max_more`` calls); a failed call
        keeps what was read (the next poll reads the tree again)."""
        posts: list[Post] = []
        asked: set[str] = set()
        for _ in range(int(self.params.get("max_more", 5))):
            batch = [c for c in dict.fromkeys(hidden) if c not in asked][:MORE_IDS]
            if not batch:
                break
            asked.update(batch)
            try:
                payload = await self.call("GET", "/api/morechildren", params={
                    "api_type": "json", "link_id": f"t3_{post_id}", "children": ",".join(batch),
                    "sort": "new", "limit_children": "false"})
                found, hidden = things_posts(more_things(payload, "/api/morechildren"))
            except (BadResponse, Unavailable) as exc:
                log.info("reddit: more comments of t3_%s not read (%s)", post_id, exc)
                break
            posts += found
        return posts

    async def _next_tree(self, cursor: base.Cursor) -> base.Page:
        """One found post's comment tree (search with ``comments=true``). A post removed or in
        a subreddit gone private since (404, 403) is skipped, or the cursor would stick on it."""
        trees = [str(t) for t in cursor.get("trees") or []]
        try:
            posts = await self._read_tree(trees.pop(0)) if trees else []
        except (AuthFailed, BadResponse) as exc:
            if exc.code not in (403, 404):
                raise
            log.info("reddit: a found post's comments are gone (%s); skipped", exc)
            posts = []
        if trees:
            return base.Page(posts, {**cursor, "trees": trees, "phase": "trees"}, more=True)
        return base.Page(posts, {k: v for k, v in cursor.items() if k != "trees"}
                         | {"phase": "search"})

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """``POST /api/comment``: a comment under the link or comment (its fullname)."""
        thing_id = to_mention.external_id
        if not re.fullmatch(r"t[13]_[a-z0-9]+", thing_id):
            raise ValueError(f"not a Reddit link or comment fullname: {thing_id!r}")
        payload = await self.call("POST", "/api/comment", data={
            "api_type": "json", "thing_id": thing_id, "text": text})
        api_errors(payload, "/api/comment")
        things = (((payload or {}).get("json") or {}).get("data") or {}).get("things") or []
        if not things or not isinstance(things[0], dict):
            raise BadResponse("reddit: /api/comment: no comment in reply", network="reddit")
        data = things[0].get("data") or {}
        return str(data.get("name") or f"t1_{data.get('id')}")

    async def send_private(self, author: base.Target, text: str, *,
                           idempotency_key: str = "") -> str:
        """``POST /api/compose`` to the author's username. Reddit answers no message id, so the
        id returned names the recipient and the message (a hash of the key or the text)."""
        to = author.external_id.removeprefix("u/").removeprefix("/u/")
        if not re.fullmatch(r"[A-Za-z0-9_-]{3,20}", to):
            raise ValueError(f"not a Reddit username: {to!r}")
        first = text.strip().splitlines()[0] if text.strip() else ""
        subject = str(self.params.get("dm_subject") or first or "—")[:100]
        payload = await self.call("POST", "/api/compose", data={
            "api_type": "json", "to": to, "subject": subject, "text": text})
        api_errors(payload, "/api/compose")
        digest = hashlib.sha256((idempotency_key or text).encode()).hexdigest()[:16]
        return f"compose:{to}:{digest}"

    async def find_sent(self, kind: str, target: base.Target, text: str, *, since: datetime,
                        idempotency_key: str = "") -> str | None:
        """Read back what an interrupted send may have left (Reddit drops no repeated send, so
        a send is tried once): a reply among the account's newest comments
        (``/user/{me}/comments``) under the same parent; a private message among
        ``/message/sent`` to the same user. Its fullname, or None when it is not there."""
        if kind == "private_message":
            to = target.external_id.removeprefix("u/").removeprefix("/u/").lower()
            path = "/message/sent"
            params: dict[str, Any] = {"limit": READ_BACK}
        elif kind == "post":
            raise NotSupported("reddit: posts are not sent here", network="reddit")
        else:
            me = await self.call("GET", "/api/v1/me")
            name = str((me or {}).get("name") or "") if isinstance(me, dict) else ""
            if not name:
                raise BadResponse("reddit: /api/v1/me named no account", network="reddit")
            path = f"/user/{name}/comments"
            params = {"sort": "new", "limit": READ_BACK}
        things, _ = listing_children(await self.call("GET", path, params=params), path)
        for thing in things:
            data = thing["data"]
            if thing_created(thing) < since.timestamp() or not base.same_text(
                    str(data.get("body") or ""), text):
                continue
            if kind == "private_message" and str(data.get("dest") or "").lower() == to:
                return str(data.get("name"))
            if kind != "private_message" and data.get("parent_id") == target.external_id:
                return str(data.get("name"))
        return None
