"""Why a send failed, in words a responder understands (never the exception's text).

Connectors raise the shared error hierarchy; this maps an error to a kind the desk can show in
the user's language (the `failure_reason` entries of the `wording` catalogue; `{at}` is the retry
time when the network gave one). The exception itself goes to the log with its trace, not to a
page, an API field or an alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from otklik.db.secrets import CannotOpen
from otklik.sources.errors import (
    AuthFailed,
    BadResponse,
    ChannelNotConnected,
    NotSupported,
    RateLimited,
    SourceError,
    Unavailable,
)
from otklik.wording.codes import word

GONE_CODES = {15, 18, 100, 212, 400}  # VK: deleted/closed; Telegram 400: message not found
# VK 901/902: the user allowed no messages from the community; Telegram 403: never started the bot
PRIVATE_CLOSED = {("vk", 901), ("vk", 902), ("telegram", 403)}


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str
    retry_at: datetime | None = None

    def text(self, lang: str = "ru") -> str:
        at = self.retry_at.strftime("%H:%M") if self.retry_at else ""
        return word("failure_reason", self.kind, lang).format(at=at)


def failure_of(exc: BaseException, now: datetime) -> Failure:
    """The kind of a send's failure, from the shared error hierarchy."""
    if isinstance(exc, ChannelNotConnected):
        return Failure("not_connected")
    if isinstance(exc, CannotOpen):
        return Failure("sealed_other_key")
    if isinstance(exc, RateLimited):
        if exc.retry_after:
            return Failure("rate_limited", now + timedelta(seconds=float(exc.retry_after)))
        return Failure("rate_limited_unknown")
    if isinstance(exc, SourceError) and (exc.network, exc.code) in PRIVATE_CLOSED:
        return Failure("private_closed")
    if isinstance(exc, AuthFailed):
        return Failure("removed" if exc.code in GONE_CODES else "no_rights")
    if isinstance(exc, NotSupported):
        return Failure("not_supported")
    if isinstance(exc, Unavailable):
        return Failure("network_down")
    if isinstance(exc, BadResponse) and exc.code is not None:
        return Failure("removed" if exc.code in GONE_CODES else "refused")
    return Failure("unknown")
