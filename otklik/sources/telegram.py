"""Telegram: the Bot API for the brand's own channel and chats, the web preview for the rest.

Kinds of source:
- ``bot``: `getUpdates` with the update offset as cursor (credential ``bot_token``). Delivers the
  brand's channel posts and their edits (the bot must be a channel admin), the discussion group's
  messages with their reply threads, and private messages from users who started the bot.
  Telegram forgets an update once a later offset is requested, and the poller stores a page before
  it saves the cursor, so a crash re-reads the page instead of losing it.
- ``channel``: a public channel read from ``t.me/s/<channel>`` (params ``channel``; ``chat_id``
  when known, so that ids agree with the Bot API; ``owned`` for the brand's own channel, whose
  pages are complete listings: a post missing inside a page's id range was removed).

With ``webhook`` set (`otklik push connect`), updates come to the push endpoint instead and the
poll reads nothing: Telegram refuses `getUpdates` while a webhook is set.

Outbound (``bot``): `sendMessage` (with `reply_parameters` for a reply), `editMessageText`.
A bot can write privately only to users who started it; Telegram answers 403 otherwise.
The token lives in the URL path, so it is masked in every log line and error.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx

from otklik.sources import base
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable
from otklik.sources.http import Budget, default_check, parse_json
from otklik.sources.telegram_items import update_posts
from otklik.sources.telegram_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS
from otklik.sources.telegram_web import parse_preview

ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post"]
MAX_THREADS = 2000  # discussion-group copies remembered in the cursor


def bot_error(payload: Any, status: int) -> SourceError:
    """A Bot API error reply (``ok: false``) → the shared hierarchy."""
    if not isinstance(payload, dict):
        payload = {}
    code = payload.get("error_code", status)
    text = f"telegram: error {code}: {payload.get('description', '')}"
    params = payload.get("parameters") or {}
    if code == 429:
        retry = params.get("retry_after")
        return RateLimited(text, network="telegram", code=code,
                           retry_after=float(retry) if retry is not None else None)
    if code in (401, 403, 404):  # bad token (401/404), blocked or not allowed (403)
        return AuthFailed(text, network="telegram", code=code)
    if isinstance(code, int) and code >= 500:
        return Unavailable(text, network="telegram", code=code)
    return BadResponse(text, network="telegram", code=code)


def _split(external_id: str) -> tuple[str, int]:
    chat, _, mid = external_id.rpartition("_")
    if not chat or not mid.isdigit():
        raise ValueError(f"not a Telegram message id: {external_id!r}")
    return chat, int(mid)


def public_username(chat: str) -> str | None:
    """The public @username of a Telegram channel, when its id is one (numeric ids are not)."""
    ident = chat.strip()
    name = ident[1:] if ident.startswith("@") else ident
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,}", name) else None


class TelegramSource(base.Source):
    network = "telegram"
    label = "Telegram"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    base_url_setting = "telegram_api_url"
    default_url = "https://api.telegram.org"
    capabilities = frozenset({base.READ, base.REPLY, base.PRIVATE, base.PUBLISH})
    # the Bot API takes ~30 messages a second overall; t.me pages are a web server: be gentle
    budgets = {"telegram": Budget(25, 30), "telegram_web": Budget(1, 3)}

    @classmethod
    def options(cls, settings: Any) -> dict[str, Any]:
        return {"web_base_url": settings.telegram_web_url}

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        chat, _, mid = external_id.rpartition("_")
        username = public_username(channel_external_id)
        if username:
            return f"https://t.me/{username}/{mid}"
        if chat.startswith("-100"):
            return f"https://t.me/c/{chat[4:]}/{mid}"
        return None

    async def find_post(self, channel_external_id: str, text: str, since: datetime) -> base.Check:
        """The public `t.me/s/<channel>` preview: the newest posts, found by text and time."""
        username = public_username(channel_external_id)
        if username is None:
            return base.Check("unknown", detail="a Telegram chat without a public username cannot "
                              "be read back")
        response = await self.client.request("telegram", "GET",
                                             f"{self.web_base_url}/s/{username}",
                                             budget="telegram_web")
        page = parse_preview(response.text, username, channel_external_id)
        for post in page.posts:
            if post.created_at >= since and base.same_text(post.text, text):
                return base.Check("found", post.external_id, f"found in t.me/s/{username}")
        return base.Check("absent", detail=f"not in the latest posts of t.me/s/{username}")

    async def verify(self) -> base.Account:
        """`getMe` proves the token; `getChat` + `getChatMember` find the brand's chat and
        whether the bot may post there."""
        me = await self.call("getMe", {})
        if not isinstance(me, dict) or "id" not in me:
            raise BadResponse("telegram: getMe: no bot in result", network="telegram")
        chat_ref = str(self.params.get("chat") or "").strip()
        bot_name = f"@{me.get('username') or me['id']}"
        if not chat_ref:
            return base.Account(external_id=str(me["id"]), name=bot_name, kind="bot",
                                capabilities=frozenset({base.READ, base.REPLY, base.PRIVATE}),
                                problems=("канал не указан: посты публиковать некуда",))
        chat = await self.call("getChat", {"chat_id": chat_ref})
        member = await self.call("getChatMember", {"chat_id": chat["id"], "user_id": me["id"]})
        can = {base.READ, base.REPLY, base.PRIVATE}
        problems = []
        status = (member or {}).get("status")
        if status == "creator" or (status == "administrator" and (
                chat.get("type") != "channel" or member.get("can_post_messages"))):
            can.add(base.PUBLISH)
        else:
            problems.append(f"бот {bot_name} не администратор с правом публикации в этом чате")
        username = chat.get("username")
        return base.Account(external_id=str(chat["id"]), name=str(chat.get("title") or chat_ref),
                            kind="bot", capabilities=frozenset(can),
                            url=f"https://t.me/{username}" if username else None,
                            params={"chat_id": str(chat["id"])}, problems=tuple(problems))

    def __init__(self, *args: Any, web_base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.web_base_url = (web_base_url or "https://t.me").rstrip("/")

    async def call(self, method: str, body: dict[str, Any]) -> Any:
        """Call one Bot API method; returns its `result` or raises from the error payload."""
        token = self.credential("bot_token")
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            try:
                payload = parse_json(response, "telegram")
            except BadResponse:
                default_check(response, "telegram")  # a proxy's HTML 502 is still a 502
                raise
            if not isinstance(payload, dict) or payload.get("ok") is not True:
                raise bot_error(payload, response.status_code)
            holder["result"] = payload.get("result")

        await self.client.request("telegram", "POST", f"{self.base_url}/bot{token}/{method}",
                                  json_body=body, secrets=(token,), check=check)
        return holder["result"]

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        if self.kind == "bot":
            return await self._updates(cursor or {})
        return await self._preview(cursor or {})

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """`setWebhook`: Telegram POSTs every update to `url` with `secret_token` in the
        `X-Telegram-Bot-Api-Secret-Token` header. An empty `url` goes back to `getUpdates`."""
        body: dict[str, Any] = {"url": url, "allowed_updates": ALLOWED_UPDATES}
        if url:
            body["secret_token"] = secret_token
        if await self.call("setWebhook", body) is not True:
            raise BadResponse("telegram: setWebhook was not confirmed", network="telegram")

    async def _updates(self, cursor: base.Cursor) -> base.Page:
        if self.params.get("webhook"):  # Telegram refuses getUpdates (409) while a webhook is set
            return base.Page([], dict(cursor))
        limit = int(self.params.get("limit", 100))
        body: dict[str, Any] = {"limit": limit, "timeout": 0, "allowed_updates": ALLOWED_UPDATES}
        if cursor.get("offset") is not None:
            body["offset"] = int(cursor["offset"])
        updates = await self.call("getUpdates", body)
        if not isinstance(updates, list):
            raise BadResponse("telegram: getUpdates: result is not a list", network="telegram")
        threads: dict[str, str] = dict(cursor.get("threads") or {})
        posts = update_posts(updates, threads)
        ids = [int(u["update_id"]) for u in updates if "update_id" in u]
        offset = max(ids) + 1 if ids else cursor.get("offset")
        kept = dict(list(threads.items())[-MAX_THREADS:])
        return base.Page(posts, {"offset": offset, "threads": kept}, more=len(updates) >= limit)

    async def _preview(self, cursor: base.Cursor) -> base.Page:
        channel = str(self.params.get("channel") or "").lstrip("@")
        if not channel:
            raise ValueError("telegram channel source needs params.channel")
        place_id = str(self.params.get("chat_id") or f"@{channel.lower()}")
        newest = int(cursor.get("newest") or 0)
        before = cursor.get("before")
        response = await self.client.request(
            "telegram", "GET", f"{self.web_base_url}/s/{channel}", budget="telegram_web",
            params={"before": before} if before else None)
        page = parse_preview(response.text, channel, place_id)
        listings = []
        if self.params.get("owned") and page.ids:
            lo, hi = min(page.ids), max(page.ids)
            expected = {f"{place_id}_{i}" for i in range(lo, hi + 1)}
            listings.append(base.Listing(seen={f"{place_id}_{i}" for i in page.ids},
                                         expected=expected))
        top = max([int(cursor.get("top") or 0), newest, *page.ids])
        pages = int(cursor.get("pages") or 0) + 1
        go_back = (page.before is not None and page.ids and min(page.ids) > newest + 1
                   and pages < int(self.params.get("max_pages", 5)))
        if go_back:
            nxt = {"newest": newest, "before": page.before, "top": top, "pages": pages}
            return base.Page(page.posts, nxt, more=True, listings=listings)
        return base.Page(page.posts, {"newest": top}, listings=listings)

    # ---------------------------------------------------------------- outbound
    async def _send(self, chat_id: str, text: str, **extra: Any) -> str:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text, **extra})
        if not isinstance(result, dict) or "message_id" not in result:
            raise BadResponse("telegram: sendMessage: no message in result", network="telegram")
        return f"{result.get('chat', {}).get('id', chat_id)}_{result['message_id']}"

    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        chat_id, message_id = _split(to_mention.external_id)
        return await self._send(chat_id, text, reply_parameters={
            "message_id": message_id, "allow_sending_without_reply": True})

    async def send_private(self, author: base.Target, text: str, *,
                           idempotency_key: str = "") -> str:
        return await self._send(author.external_id, text)

    async def post(self, channel: base.Target, text: str, *, idempotency_key: str = "") -> str:
        return await self._send(channel.external_id, text)

    async def edit(self, action: base.Target, text: str) -> str:
        chat_id, message_id = _split(action.external_id)
        await self.call("editMessageText",
                        {"chat_id": chat_id, "message_id": message_id, "text": text})
        return action.external_id
