"""Network name → connector class, built from the connectors' own declarations, and building a
connector from a stored `sources` row.

The built-in networks are listed once here; third-party packages add theirs through the
`otklik.sources` entry-point group (`name = "package.module:SourceClass"`). Everything else —
the connect form, base URLs, delivery, verification — reads the class's declarations.

Credentials come from the row (set through the connect flow or the CLI, encrypted at rest) or, as a
fallback, from settings named `<network>_<credential>` (``OTKLIK_VK_ACCESS_TOKEN``…); never from
code. Base URLs come from settings only, so a stored row cannot send a token to some other host.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from otklik.db.models import Source as SourceRow
from otklik.db.secrets import open_credentials
from otklik.settings import Settings
from otklik.sources.base import Source
from otklik.sources.http import Budget, HttpClient
from otklik.sources.mastodon import MastodonSource
from otklik.sources.ok import OKSource
from otklik.sources.reddit import RedditSource
from otklik.sources.reviews import ReviewsSource
from otklik.sources.rss import RSSSource
from otklik.sources.sandbox import SandboxSource
from otklik.sources.telegram import TelegramSource
from otklik.sources.vk import VKSource
from otklik.sources.x import XSource
from otklik.sources.youtube import YouTubeSource

log = logging.getLogger("otklik.sources")

BUILTIN: tuple[type[Source], ...] = (VKSource, TelegramSource, RSSSource, SandboxSource,
                                     YouTubeSource, XSource, RedditSource, MastodonSource,
                                     OKSource, ReviewsSource)


@lru_cache(maxsize=1)
def networks() -> dict[str, type[Source]]:
    """Every known connector by network name: the built-in ones, then the entry points."""
    found = {cls.network: cls for cls in BUILTIN}
    for entry in entry_points(group="otklik.sources"):
        try:
            cls = entry.load()
        except Exception:  # a broken plug-in must not take the desk down
            log.exception("cannot load source plug-in %s", entry.value)
            continue
        if isinstance(cls, type) and issubclass(cls, Source) and cls.network not in found:
            found[cls.network] = cls
    return found


def declared_budgets() -> dict[str, Budget]:
    """Every connector's declared request budgets, by name."""
    out: dict[str, Budget] = {}
    for cls in networks().values():
        out.update(cls.budgets)
    return out


def new_client(**kwargs: Any) -> HttpClient:
    """An HTTP client paced by the connectors' declared budgets (tests pass their own)."""
    kwargs.setdefault("budgets", declared_budgets())
    return HttpClient(**kwargs)


def settings_credentials(settings: Settings, cls: type[Source]) -> dict[str, str]:
    """Credentials configured in settings as `<network>_<name>` for the class's fields."""
    found = {f.name: getattr(settings, f"{cls.network}_{f.name}", None)
             for f in cls.credential_fields}
    return {k: str(v) for k, v in found.items() if v}


def source_class(network: str) -> type[Source]:
    try:
        return networks()[network]
    except KeyError:
        raise ValueError(f"no connector for network {network!r} "
                         f"(known: {', '.join(sorted(networks()))})") from None


def connector(
    cls: type[Source], settings: Settings, client: HttpClient, *, kind: str,
    params: dict[str, Any] | None = None, credentials: dict[str, Any] | None = None,
) -> Source:
    """A connector of `cls` with its base URL and options from settings."""
    kwargs: dict[str, Any] = cls.options(settings)
    if cls.base_url_setting:
        kwargs["base_url"] = getattr(settings, cls.base_url_setting)
    return cls(client, kind=kind, params=params, credentials=credentials, **kwargs)


def build_source(row: SourceRow, settings: Settings, client: HttpClient) -> Source:
    """A ready connector for one stored source (ValueError for a bad network or kind)."""
    cls = source_class(row.network)
    credentials = {**settings_credentials(settings, cls),
                   **open_credentials(row.credentials, settings.secret_key)}
    return connector(cls, settings, client, kind=row.kind, params=dict(row.params or {}),
                     credentials=credentials)
