"""The default `source_factory`: a brand's channel → the connector of its stored source.

The desk never hard-wires a network: `send_action` asks a factory for a connector per channel.
This one builds it from the channel's `sources` row through `otklik.sources.registry` (base URLs
from settings, credentials from the row or settings). For VK, the channel's community id is the
`group_id` replies and private messages are sent from, unless the source row names one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.actions.send import SourceFactory
from otklik.db.models import Channel
from otklik.db.models import Source as SourceRow
from otklik.settings import Settings
from otklik.sources.base import Source
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source

# Networks whose send calls carry our idempotency key (VK: `guid`, `random_id`), so the HTTP
# client may retry a timed-out send without posting twice. Elsewhere a send is tried once and an
# uncertain failure goes to review.
DEDUPLICATING = frozenset({"vk"})


def registry_source_factory(
    session: Session, settings: Settings, *, max_retries: int | None = None
) -> SourceFactory:
    """A factory that builds a fresh connector (with its own HTTP client) for each send."""

    def factory(channel: Channel) -> Source:
        if channel.source_id is None:
            raise ValueError(f"channel {channel.id} ({channel.network}) has no source to send "
                             "through: link it to a source with credentials")
        row = session.get(SourceRow, channel.source_id)
        if row is None:
            raise LookupError(f"channel {channel.id}: source {channel.source_id} is gone")
        params = dict(row.params or {})
        if channel.network == "vk":
            params.setdefault("group_id", abs(int(channel.external_id)))
        detached = SourceRow(network=row.network, kind=row.kind, params=params,
                             credentials=dict(row.credentials or {}), name=row.name)
        retries = max_retries if max_retries is not None else (
            4 if channel.network in DEDUPLICATING else 0)
        client = HttpClient(max_retries=retries)
        return build_source(detached, settings, client)

    return factory
