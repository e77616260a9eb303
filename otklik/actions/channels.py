"""Connecting a brand's accounts: verify the credentials against the network, then create the
source that reads the account and the brand channel that answers through it, linked.

The same writers serve the desk (Settings → Каналы бренда), the CLI (`otklik channel …`) and the
REST API. Credentials are sealed before they reach a row (otklik.db.secrets) and never shown back.
A channel's health says in words what is wrong when a check or a send finds the token revoked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.actions.send import run_sync
from otklik.db.models import Channel, Source
from otklik.db.rows import get_row
from otklik.db.secrets import CannotOpen, open_credentials, seal_credentials
from otklik.settings import Settings
from otklik.sources.base import Account
from otklik.sources.base import Source as Connector
from otklik.sources.errors import AuthFailed, RateLimited, SourceError, Unavailable
from otklik.sources.http import HttpClient
from otklik.sources.oauth import exchange, spec_of
from otklik.sources.registry import connector, new_client, source_class
from otklik.wording.refusals import refusal

SANDBOX_NAME = "Песочница"
POLL_SECONDS = {"sandbox": 10, "telegram": 30}


class ConnectError(Exception):
    """The account could not be connected; the message says why, in words."""


@dataclass(frozen=True, slots=True)
class Connected:
    source_id: int
    channel_ids: list[int]
    account: Account


def _verify(cls: type[Connector], settings: Settings, credentials: dict[str, Any],
            params: dict[str, Any], client: HttpClient | None) -> Account:
    async def check() -> Account:
        http = client or new_client(max_retries=1)
        source = connector(cls, settings, http, kind=cls.kinds[0] if cls.kinds else "",
                           params=params, credentials=credentials)
        try:
            return await source.verify()
        finally:
            if client is None:
                await http.aclose()
    try:
        return run_sync(check)
    except AuthFailed as exc:
        raise refusal(ConnectError, "refused_token", network=cls.label or cls.network) from exc
    except RateLimited as exc:
        raise refusal(ConnectError, "refused_rate_limited",
                      network=cls.label or cls.network) from exc
    except Unavailable as exc:
        raise refusal(ConnectError, "refused_network_unavailable",
                      network=cls.label or cls.network) from exc
    except SourceError as exc:
        raise refusal(ConnectError, "refused_account", network=cls.label or cls.network) from exc


def connect_account(
    session: Session, settings: Settings, *, brand_id: int, network: str,
    credentials: dict[str, str], params: dict[str, Any] | None = None, actor: str,
    client: HttpClient | None = None,
) -> Connected:
    """Verify the account at the network; store its source (credentials sealed) and the brand's
    channel, linked. Connecting the same account again updates both."""
    brand = brand_by_id(session, brand_id)
    try:
        cls = source_class(network)
    except ValueError as exc:
        raise ConnectError(str(exc)) from None
    missing = [f.label for f in cls.credential_fields if f.required and not credentials.get(f.name)]
    if missing:
        raise refusal(ConnectError, "refused_missing_fields", fields=", ".join(missing))
    params = dict(params or {})
    account = _verify(cls, settings, credentials, params, client)
    source = Source(brand_id=brand.id, network=network, kind=account.kind,
                    name=f"{brand.name}: {account.name}", params={**params, **account.params},
                    credentials=seal_credentials(credentials, settings.secret_key),
                    interval_seconds=POLL_SECONDS.get(network, 60))
    session.add(source)
    session.flush()
    channel = _link(session, brand.id, network, account, source.id)
    record(session, actor, "channel.connect", "channel", channel.id, brand_id=brand.id,
           network=network, account=account.external_id, source_id=source.id,
           capabilities=sorted(account.capabilities), credential_keys=sorted(credentials))
    return Connected(source.id, [channel.id], account)


def connect_channel(
    session: Session, settings: Settings, *, brand_id: int, network: str,
    credentials: dict[str, str], params: dict[str, Any], actor: str,
) -> Channel:
    """`connect_account` for one request: the brand's linked channel, committed; on a
    ConnectError nothing of the attempt is kept."""
    try:
        done = connect_account(session, settings, brand_id=brand_id, network=network,
                               credentials=credentials, params=params, actor=actor)
    except ConnectError:
        session.rollback()
        raise
    session.commit()
    channel = session.get(Channel, done.channel_ids[0])
    assert channel is not None  # just created or updated in this session
    return channel


def connect_oauth(
    session: Session, settings: Settings, *, brand_id: int, network: str, code: str,
    redirect_uri: str, verifier: str | None, params: dict[str, Any] | None = None, actor: str,
    app: dict[str, str] | None = None, client: HttpClient | None = None,
) -> Connected:
    """The network's sign-in came back with a code: exchange it for tokens at the network,
    then connect the account as pasted tokens would be (verified, sealed, linked). `app` is
    the OAuth client when it is not the configured one (Mastodon registers per server)."""
    try:
        spec = spec_of(network)
    except ValueError as exc:
        raise ConnectError(str(exc)) from None
    app = dict(app or settings.oauth_clients.get(network) or {})
    params = dict(params or {})
    label = source_class(network).label or network

    async def tokens() -> dict[str, str]:
        http = client or new_client(max_retries=1)
        try:
            return await exchange(http, spec, settings, app, code, redirect_uri, verifier,
                                  str(params.get("instance") or ""))
        finally:
            if client is None:
                await http.aclose()
    try:
        credentials = run_sync(tokens)
    except AuthFailed as exc:
        raise refusal(ConnectError, "refused_login", network=label) from exc
    except SourceError as exc:
        raise refusal(ConnectError, "refused_network_unavailable", network=label) from exc
    return connect_account(session, settings, brand_id=brand_id, network=network,
                           credentials=credentials, params=params, actor=actor, client=client)


def _link(session: Session, brand_id: int, network: str, account: Account,
          source_id: int) -> Channel:
    channel = session.scalar(select(Channel).where(
        Channel.network == network, Channel.external_id == account.external_id))
    if channel is None:
        channel = Channel(brand_id=brand_id, network=network, external_id=account.external_id)
        session.add(channel)
    channel.name, channel.url, channel.audience = account.name, account.url, account.audience
    _set_health(channel, account)
    channel.source_id = source_id
    session.flush()
    return channel


def _set_health(channel: Channel, account: Account) -> None:
    channel.capabilities = sorted(account.capabilities)
    channel.health = "problem" if account.problems else "ok"
    channel.health_reason = "; ".join(account.problems) or None
    channel.verified_at = datetime.now(UTC)


def link_sandbox(
    session: Session, *, brand_id: int,
    channels: Sequence[tuple[str, str, str]], actor: str,
) -> Connected:
    """Link the brand's channels (network, external id, name) to the sandbox network: everything
    sent through them stays in the store and simulated customers answer (the demo, training)."""
    brand = brand_by_id(session, brand_id)
    cls = source_class("sandbox")
    source = session.scalar(select(Source).where(Source.network == "sandbox").order_by(Source.id))
    if source is None:
        source = Source(network="sandbox", kind="world", name=SANDBOX_NAME, params={},
                        credentials={}, interval_seconds=POLL_SECONDS["sandbox"])
        session.add(source)
        session.flush()
    account = Account(external_id="sandbox", name=SANDBOX_NAME, kind="world",
                      capabilities=cls.capabilities)
    ids = []
    for network, external_id, name in channels:
        linked = Account(external_id=external_id, name=name, kind="world",
                         capabilities=cls.capabilities)
        channel = _link(session, brand.id, network, linked, source.id)
        ids.append(channel.id)
        record(session, actor, "channel.connect", "channel", channel.id, brand_id=brand.id,
               network=network, account=external_id, source_id=source.id, sandbox=True)
    return Connected(source.id, ids, account)


def check_channel(session: Session, settings: Settings, channel_id: int, *, actor: str,
                  client: HttpClient | None = None) -> Channel:
    """Verify a connected channel's account again; a revoked token turns its health red."""
    channel = get_row(session, Channel, channel_id, "channel")
    source = session.get(Source, channel.source_id) if channel.source_id else None
    if source is None:
        channel.health, channel.health_reason = "unlinked", "не подключён к аккаунту"
        return channel
    cls = source_class(source.network)
    try:
        account = _verify(cls, settings, open_credentials(source.credentials, settings.secret_key),
                          dict(source.params or {}), client)
    except ConnectError as exc:
        channel.health, channel.health_reason = "failing", str(exc)
    else:
        if not cls.sandbox:
            _set_health(channel, account)
        else:
            channel.health, channel.health_reason = "ok", None
    record(session, actor, "channel.check", "channel", channel.id, health=channel.health)
    return channel


def recheck_channel(session: Session, settings: Settings, channel_id: int, *,
                    actor: str) -> Channel:
    """`check_channel` for one request: the health it found, committed."""
    channel = check_channel(session, settings, channel_id, actor=actor)
    session.commit()
    return channel


def brand_channel(session: Session, brand_id: int, channel_id: int) -> Channel:
    """The brand's channel of that id, or LookupError (another brand's is not found either)."""
    channel = session.get(Channel, channel_id)
    if channel is None or channel.brand_id != brand_id:
        raise LookupError("no such channel")
    return channel


def rotate_credentials(session: Session, *, old_key: str, new_key: str, actor: str) -> int:
    """Re-seal every source's credentials under a new secret key (rows already under the new
    key, or stored before sealing existed, are sealed under it too). Returns how many rows."""
    rows = session.scalars(select(Source).order_by(Source.id)).all()
    opened: list[tuple[Source, dict[str, Any]]] = []
    for row in rows:
        if not row.credentials:
            continue
        try:
            opened.append((row, open_credentials(row.credentials, old_key)))
        except CannotOpen:
            opened.append((row, open_credentials(row.credentials, new_key)))  # CannotOpen: stop
    for row, plain in opened:
        row.credentials = seal_credentials(plain, new_key)
    record(session, actor, "secrets.rotate", "source", None, rows=len(opened))
    return len(opened)
