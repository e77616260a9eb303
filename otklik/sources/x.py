"""X (Twitter) through the X API v2 (https://api.x.com/2).

Kind of source:
- ``search``: recent search, `GET /2/tweets/search/recent` (param ``q``: the X query, operators
  and all; optional ``lookback_hours`` bounds the first poll with ``start_time``). Authors and
  geo places come as expansions. A pass pages back with ``next_token`` from the newest tweet to
  the previous pass's newest one (``since_id``); when it ends, the pass's ``meta.newest_id``
  becomes the next ``since_id``. The cursor keeps an unfinished pass's ``next_token``, so a poll
  cut short (page limit, rate limit, crash) resumes where it stopped.

Rate limits: every reply carries ``x-rate-limit-remaining`` / ``x-rate-limit-reset``. A 429 is
RateLimited until the reset; a page that leaves no requests in the window ends the poll (its
cursor resumes the pass next time) instead of running into a 429.

Credentials: ``bearer_token`` (app-only, to read) and a user ``access_token`` (OAuth 2.0 user
context, scopes tweet.read tweet.write users.read) to answer with `POST /2/tweets`. A user token
lives two hours: with the ``refresh_token`` of a sign-in (scope offline.access) and the X app of
``OTKLIK_OAUTH_CLIENTS``, a call refused with 401 renews both tokens at ``POST /2/oauth2/token``
and is tried once more; X rotates refresh tokens, so the connector hands both back (`renewed`)
for the caller to store.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from otklik.sources import base
from otklik.sources.errors import AuthFailed, BadResponse, NotSupported
from otklik.sources.http import Budget, json_or_none, parse_json
from otklik.sources.oauth import refresh
from otklik.sources.x_items import Includes, tweet_post, x_error
from otklik.sources.x_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS

log = logging.getLogger("otklik.sources.x")
REPLY_KINDS = {"public_reply", "follow_up", "closing_note"}  # sent as POST /2/tweets replies
_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")  # X may put the answered @names before a reply

SEARCH_PARAMS = {
    "max_results": 100,
    "expansions": "author_id,geo.place_id",
    # note_tweet: a post longer than 280 characters is cut short in `text` without it
    "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,geo,"
                    "public_metrics,lang,note_tweet",
    "user.fields": "username,name,public_metrics,created_at",
    "place.fields": "geo,full_name",
}


class XSource(base.Source):
    network = "x"
    label = "X (Twitter)"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    base_url_setting = "x_api_url"
    default_url = "https://api.x.com"
    renews_tokens = True
    capabilities = frozenset({base.READ, base.REPLY})
    # recent search allows 450 requests per 15 minutes for an app (fewer on Basic): 0.5/s
    budgets = {"x": Budget(0.5, 5)}

    def __init__(self, *args: Any, oauth_client: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oauth_client = dict(oauth_client or {})  # the installation's X app, to refresh
        if self.base_url.endswith("/2"):  # a base URL given with the version: paths add it
            self.base_url = self.base_url[:-2]

    @classmethod
    def options(cls, settings: Any) -> dict[str, Any]:
        return {**super().options(settings),
                "oauth_client": dict((getattr(settings, "oauth_clients", None) or {}).get("x")
                                     or {})}

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        return f"https://x.com/i/web/status/{external_id}"

    async def _refresh(self) -> str:
        """New user tokens from the refresh token (X answers a new refresh token each time and
        invalidates the old); the stored client fields, else the configured X app."""
        client = {k: v for k, v in self.oauth_client.items()
                  if k in ("client_id", "client_secret")}
        credentials = {**client, **self._credentials}
        return self.renew(await refresh(self.client, "x", self.token_url, credentials,
                                        basic=bool(credentials.get("client_secret"))))

    def _read_token(self) -> str:
        if not self._credentials.get("bearer_token") and self._credentials.get("access_token"):
            return self.credential("access_token")  # a user token can read as well
        return self.credential("bearer_token")

    async def call(self, method: str, path: str, *, token: str,
                   params: dict[str, Any] | None = None, body: Any = None,
                   ) -> tuple[dict[str, Any], httpx.Headers]:
        """One API request: the reply object and its headers, or an error of the hierarchy.
        A user token refused with 401 is renewed once (when it can be) and the call retried."""
        try:
            return await self._request(method, path, token, params, body)
        except AuthFailed as exc:
            user_token = token == self._credentials.get("access_token")
            refreshable = self._credentials.get("refresh_token") and (
                self._credentials.get("client_id") or self.oauth_client.get("client_id"))
            if exc.code != 401 or not user_token or not refreshable or self.renewed:
                raise
        return await self._request(method, path, await self._refresh(), params, body)

    async def _request(self, method: str, path: str, token: str, params: dict[str, Any] | None,
                       body: Any) -> tuple[dict[str, Any], httpx.Headers]:
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            if response.status_code >= 400:
                raise x_error(response.status_code, json_or_none(response, "x"), response.headers)
            payload = parse_json(response, "x")
            if not isinstance(payload, dict):
                raise BadResponse(f"x: {path}: reply is not an object", network="x")
            holder["payload"], holder["headers"] = payload, response.headers

        query = {k: v for k, v in (params or {}).items() if v is not None}
        await self.client.request("x", method, f"{self.base_url}{path}", params=query or None,
                                  json_body=body, headers={"Authorization": f"Bearer {token}"},
                                  secrets=(token,), check=check)
        return holder["payload"], holder["headers"]

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = dict(cursor or {})
        query = self.params.get("q")
        if query in (None, ""):
            raise ValueError("x search source needs params.q")
        since_id = cursor.get("since_id")
        next_token = cursor.get("next_token")
        params: dict[str, Any] = {"query": str(query), **SEARCH_PARAMS,
                                  "since_id": since_id, "next_token": next_token}
        if not since_id and not next_token and self.params.get("lookback_hours"):
            start = datetime.now(UTC) - timedelta(hours=float(self.params["lookback_hours"]))
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            payload, headers = await self.call("GET", "/2/tweets/search/recent",
                                               token=self._read_token(), params=params)
        except BadResponse as exc:
            code = str(exc.code or "")
            if "next_token" in code or "pagination_token" in code:
                # the paging token expired: start the pass again from the last since_id
                log.info("x: next_token refused (%s); the pass starts again", exc)
                return base.Page([], {"since_id": since_id, "next_token": None, "newest_id": None},
                                 more=True)
            if "since_id" in code:
                # since_id older than the 7 days recent search covers: read what there is
                log.info("x: since_id refused (%s); reading the last 7 days", exc)
                return base.Page([], {"since_id": None, "next_token": None, "newest_id": None},
                                 more=True)
            if next_token and "HTTP 404" in str(exc):
                # an older page the server no longer serves: the pass ends with what it read
                log.info("x: page %s is gone (%s); the pass ends", next_token, exc)
                newest = _newer(since_id, cursor.get("newest_id"))
                return base.Page([], {"since_id": newest, "next_token": None, "newest_id": None})
            raise
        includes = Includes(payload)
        posts = [p for p in (tweet_post(t, includes) for t in payload.get("data") or []
                             if isinstance(t, dict)) if p]
        meta = payload.get("meta") or {}
        newest = cursor.get("newest_id") if next_token else meta.get("newest_id")
        newest = _newer(newest, *(p.external_id for p in posts))
        token = meta.get("next_token")
        if token and posts and token != next_token:  # a repeated token would page for ever
            more = headers.get("x-rate-limit-remaining") != "0"
            if not more:
                log.info("x: rate-limit window spent; the pass resumes next poll")
            return base.Page(posts, {"since_id": since_id, "next_token": token,
                                     "newest_id": newest}, more=more)
        return base.Page(posts, {"since_id": _newer(since_id, newest), "next_token": None,
                                 "newest_id": None})

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """`POST /2/tweets` in reply to the tweet, as the user the access token belongs to."""
        payload, _ = await self.call(
            "POST", "/2/tweets", token=self.credential("access_token"),
            body={"text": text, "reply": {"in_reply_to_tweet_id": to_mention.external_id}})
        data = payload.get("data") or {}
        if not isinstance(data, dict) or not data.get("id"):
            raise BadResponse("x: POST /2/tweets returned no tweet id", network="x")
        return str(data["id"])

    async def find_sent(self, kind: str, target: base.Target, text: str, *, since: datetime,
                        idempotency_key: str = "") -> str | None:
        """Read back what an interrupted reply may have left (X drops no repeated post, so a
        send is tried once): the account's own posts since the attempt
        (`GET /2/users/{id}/tweets`), one replying to the target with this text."""
        if kind not in REPLY_KINDS:
            raise NotSupported(f"x: cannot look for a sent {kind}", network="x")
        me, _ = await self.call("GET", "/2/users/me", token=self.credential("access_token"))
        user_id = (me.get("data") or {}).get("id") if isinstance(me.get("data"), dict) else None
        if not user_id:
            raise BadResponse("x: /2/users/me named no user", network="x")
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload, _ = await self.call("GET", f"/2/users/{user_id}/tweets",
                                     token=self.credential("access_token"), params={
            "max_results": 100, "start_time": start,
            "tweet.fields": "created_at,referenced_tweets,conversation_id,note_tweet"})
        for tweet in payload.get("data") or []:
            post = tweet_post(tweet, Includes({})) if isinstance(tweet, dict) else None
            if (post and post.parent_external_id == target.external_id
                    and base.same_text(_LEADING_MENTIONS.sub("", post.text),
                                       _LEADING_MENTIONS.sub("", text))):
                return post.external_id
        return None

    async def verify(self) -> base.Account:
        """With a user token: the account it posts as (`GET /2/users/me`). With a bearer token
        only: the account named by params.username, read only (nothing can be sent)."""
        if self._credentials.get("access_token"):
            payload, _ = await self.call(
                "GET", "/2/users/me", token=self.credential("access_token"),
                params={"user.fields": "username,name,public_metrics"})
            return _account(payload, read_only=False)
        username = str(self.params.get("username") or "").lstrip("@")
        if not username:
            raise AuthFailed("x: a bearer token alone names no account: give the brand's "
                             "@username or a user access token", network="x")
        payload, _ = await self.call(
            "GET", f"/2/users/by/username/{username}", token=self.credential("bearer_token"),
            params={"user.fields": "username,name,public_metrics"})
        return _account(payload, read_only=True)


def _account(payload: dict[str, Any], *, read_only: bool) -> base.Account:
    """The user of a users lookup reply as a connectable account (its mentions to read)."""
    user = payload.get("data") or {}
    if not isinstance(user, dict) or not user.get("id"):
        raise BadResponse("x: the users lookup named no user", network="x")
    handle = str(user.get("username") or user["id"])
    followers = (user.get("public_metrics") or {}).get("followers_count")
    return base.Account(
        external_id=str(user["id"]), name=str(user.get("name") or handle), kind="search",
        capabilities=frozenset({base.READ} if read_only else {base.READ, base.REPLY}),
        audience=followers if isinstance(followers, int) else None,
        url=f"https://x.com/{handle}", params={"q": f"@{handle}"},
        problems=("нет токена пользователя: отвечать нельзя",) if read_only else ())


def _newer(*ids: Any) -> str | None:
    """The largest of tweet ids (snowflakes grow with time), None when there is none."""
    found = [str(i) for i in ids if i not in (None, "") and str(i).isdigit()]
    return max(found, key=int) if found else None
