"""The default `source_factory`: a brand's channel → the connector of its stored source.

The desk never hard-wires a network: `send_action` asks a factory for a connector per channel.
This one builds it from the channel's `sources` row through `otklik.sources.registry` (base URLs
from settings, credentials from the row or settings) and binds it to the channel (VK: the
community replies are sent from, unless the source row names one; the sandbox: the network and
account it answers as) and to the caller's session (the sandbox writes what it "sent" there, and
the action that sends commits it). The connector learns its row and sealing key (`Source.home`),
so the send path can store the tokens a refresh renewed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from otklik.db.models import Channel
from otklik.db.models import Source as SourceRow
from otklik.settings import Settings
from otklik.sources.base import Home, Source
from otklik.sources.errors import ChannelNotConnected
from otklik.sources.registry import build_source, new_client, source_class

SourceFactory = Callable[[Channel], Source]
"""A brand channel → a ready connector to send through it."""


def registry_source_factory(
    session: Session, settings: Settings, *, max_retries: int | None = None
) -> SourceFactory:
    """A factory that builds a fresh connector (with its own HTTP client) for each send."""

    def factory(channel: Channel) -> Source:
        if channel.source_id is None:
            raise ChannelNotConnected(channel.network)
        row = session.get(SourceRow, channel.source_id)
        if row is None:
            raise ChannelNotConnected(channel.network)
        detached = SourceRow(network=row.network, kind=row.kind, params=dict(row.params or {}),
                             credentials=dict(row.credentials or {}), name=row.name)
        # a network that drops a repeated idempotency key may be retried by the HTTP client;
        # elsewhere a send is tried once and an uncertain failure goes to review
        retries = max_retries if max_retries is not None else (
            4 if source_class(row.network).deduplicates_sends else 0)
        source = build_source(detached, settings, new_client(max_retries=retries))
        source.bind_channel(channel.network, channel.external_id, channel.name)
        source.bind_store(session)  # what it writes there, the sending action commits
        source.home = Home(row.id, settings.secret_key)
        return source

    return factory
