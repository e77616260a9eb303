"""Network name → connector class, and building a connector from a stored `sources` row.

Credentials come from the row (set through the desk or the CLI) or, as a fallback, from settings
(``OTKLIK_VK_ACCESS_TOKEN``…); never from code. Base URLs come from settings only, so a stored row
cannot send a token to some other host.
"""

from __future__ import annotations

from typing import Any

from otklik.db.models import Source as SourceRow
from otklik.settings import Settings
from otklik.sources.base import Source
from otklik.sources.http import HttpClient
from otklik.sources.rss import RSSSource
from otklik.sources.telegram import TelegramSource
from otklik.sources.vk import VKSource

SOURCES: dict[str, type[Source]] = {"vk": VKSource, "telegram": TelegramSource, "rss": RSSSource}


def settings_credentials(settings: Settings, network: str) -> dict[str, str]:
    found = {
        "vk": {"access_token": settings.vk_access_token, "group_token": settings.vk_group_token},
        "telegram": {"bot_token": settings.telegram_bot_token},
    }.get(network, {})
    return {k: v for k, v in found.items() if v}


def source_class(network: str) -> type[Source]:
    try:
        return SOURCES[network]
    except KeyError:
        raise ValueError(f"no connector for network {network!r} "
                         f"(known: {', '.join(sorted(SOURCES))})") from None


def build_source(row: SourceRow, settings: Settings, client: HttpClient) -> Source:
    """A ready connector for one stored source (ValueError for a bad network or kind)."""
    cls = source_class(row.network)
    credentials = {**settings_credentials(settings, row.network), **(row.credentials or {})}
    kwargs: dict[str, Any] = {}
    if row.network == "vk":
        kwargs["base_url"] = settings.vk_api_url
    elif row.network == "telegram":
        kwargs.update(base_url=settings.telegram_api_url, web_base_url=settings.telegram_web_url)
    return cls(client, kind=row.kind, params=dict(row.params or {}), credentials=credentials,
               **kwargs)
