"""Turning push on (and off) for a connected source: a secret of its own (sealed with its
credentials, no new table), the network told where to push, and — for a Telegram bot — polling set
aside, since Telegram refuses `getUpdates` while a webhook is set.

The secret and the VK confirmation code are committed before the network is told: VK sends its
handshake, and Telegram its first update, the moment the URL is registered.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.send import run_sync
from otklik.db.models import Source as SourceRow
from otklik.db.rows import get_row
from otklik.db.secrets import open_credentials, seal_credentials
from otklik.settings import Settings
from otklik.sources.errors import SourceError
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source, new_client
from otklik.sources.telegram import TelegramSource
from otklik.sources.vk import VKSource
from otklik.sources.vk_push import add_server, confirmation_code, remove_server

PATHS = {"vk": "/api/v1/push/vk/{}", "telegram": "/api/v1/push/telegram/{}"}


class PushSetupError(Exception):
    """Push could not be turned on; the message says why, in words."""


@dataclass(frozen=True, slots=True)
class PushSetup:
    source_id: int
    network: str
    url: str
    registered: bool  # the network was told (False: a person enters url and secret by hand)
    secret: str | None = None  # shown only when a person must enter it at the network


def push_url(public_url: str, network: str, source_id: int) -> str:
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushSetupError(f"not a public address of the desk: {public_url!r} "
                             "(e.g. https://desk.example.org)")
    if network == "telegram" and parts.scheme != "https":
        raise PushSetupError("Telegram pushes only to https:// addresses")
    return public_url.strip().rstrip("/") + PATHS[network].format(source_id)


def connect_push(
    session: Session, settings: Settings, source_id: int, *, public_url: str, actor: str,
    confirmation: str | None = None, client: HttpClient | None = None,
) -> PushSetup:
    """Give the source a push secret and register its URL at the network (commits).

    VK: the confirmation code is asked of VK (or given, when the community token may not manage
    the community: the person then adds the server by hand with the returned secret)."""
    row = get_row(session, SourceRow, source_id, "source")
    if row.network not in PATHS or (row.network == "telegram" and row.kind != "bot"):
        raise PushSetupError(f"{row.network}/{row.kind}: only VK communities and Telegram bots "
                             "push events")
    url = push_url(public_url, row.network, row.id)
    creds = open_credentials(row.credentials, settings.secret_key)
    try:
        if row.network == "vk":
            return _vk(session, settings, row, creds, url, actor, confirmation, client)
        return _telegram(session, settings, row, creds, url, actor, client)
    except SourceError as exc:
        raise PushSetupError(f"{row.network}: the network refused ({exc})") from exc


def _with_client(settings: Settings, row: SourceRow, client: HttpClient | None,
                 work: Any) -> Any:
    async def run() -> Any:
        http = client or new_client(max_retries=1)
        try:
            return await work(build_source(row, settings, http))
        finally:
            if client is None:
                await http.aclose()
    return run_sync(run)


def _save(session: Session, settings: Settings, row: SourceRow, creds: dict[str, Any],
          **params: Any) -> None:
    row.credentials = seal_credentials(creds, settings.secret_key)
    row.params = {**(row.params or {}), **params}
    session.commit()


def _vk(session: Session, settings: Settings, row: SourceRow, creds: dict[str, Any], url: str,
        actor: str, confirmation: str | None, client: HttpClient | None) -> PushSetup:
    params = row.params or {}
    group_id = abs(int(params.get("group_id") or params.get("owner_id") or 0))
    if not group_id:
        raise PushSetupError("vk: the source names no community (params group_id / owner_id)")
    secret = str(creds.get("callback_secret") or secrets.token_hex(16))  # VK: [A-Za-z0-9]{,50}
    code = confirmation or _with_client(
        settings, row, client, lambda s: confirmation_code(_vk_source(s), group_id))
    creds = {**creds, "callback_secret": secret, "callback_confirmation": code}
    record(session, actor, "push.connect", "source", row.id, network="vk", url=url,
           by_hand=bool(confirmation))
    _save(session, settings, row, creds, group_id=group_id)
    if confirmation:
        return PushSetup(row.id, "vk", url, registered=False, secret=secret)
    server_id = _with_client(settings, row, client,
                             lambda s: add_server(_vk_source(s), group_id, url, secret))
    _save(session, settings, row, creds, callback_server_id=server_id)
    return PushSetup(row.id, "vk", url, registered=True)


def _vk_source(source: Any) -> VKSource:
    if not isinstance(source, VKSource):
        raise PushSetupError("vk: not a VK connector")
    return source


def _telegram(session: Session, settings: Settings, row: SourceRow, creds: dict[str, Any],
              url: str, actor: str, client: HttpClient | None) -> PushSetup:
    secret = str(creds.get("webhook_secret") or secrets.token_urlsafe(32))  # [A-Za-z0-9_-]
    record(session, actor, "push.connect", "source", row.id, network="telegram", url=url)
    _save(session, settings, row, {**creds, "webhook_secret": secret})

    async def register(source: Any) -> None:
        if not isinstance(source, TelegramSource):
            raise PushSetupError("telegram: not a Telegram connector")
        await source.set_webhook(url, secret)

    _with_client(settings, row, client, register)
    _save(session, settings, row, creds | {"webhook_secret": secret}, webhook=True)
    return PushSetup(row.id, "telegram", url, registered=True)


PUSH_CREDENTIALS = ("callback_secret", "callback_confirmation", "webhook_secret")


def disconnect_push(session: Session, settings: Settings, source_id: int, *, actor: str,
                    client: HttpClient | None = None) -> PushSetup:
    """Push off: the network stops pushing (VK: the Callback API server otklik added is
    removed; Telegram: an empty webhook, so `getUpdates` works again) and the source's push
    secrets are dropped, so its push URL refuses everything (commits)."""
    row = get_row(session, SourceRow, source_id, "source")
    if row.network not in PATHS:
        raise PushSetupError(f"{row.network}: no push to turn off")
    params = dict(row.params or {})
    try:
        if row.network == "telegram" and params.get("webhook"):
            async def clear(source: Any) -> None:
                if isinstance(source, TelegramSource):
                    await source.set_webhook("", "")
            _with_client(settings, row, client, clear)
        elif row.network == "vk" and params.get("callback_server_id"):
            group, server = int(params["group_id"]), int(params["callback_server_id"])
            _with_client(settings, row, client,
                         lambda s: remove_server(_vk_source(s), group, server))
    except SourceError as exc:
        raise PushSetupError(f"{row.network}: the network refused ({exc})") from exc
    creds = open_credentials(row.credentials, settings.secret_key)
    row.credentials = seal_credentials(
        {k: v for k, v in creds.items() if k not in PUSH_CREDENTIALS}, settings.secret_key)
    row.params = {k: v for k, v in params.items() if k not in ("webhook", "callback_server_id")}
    record(session, actor, "push.disconnect", "source", row.id, network=row.network)
    session.commit()
    return PushSetup(row.id, row.network, "", registered=False)
