"""The small error hierarchy every connector and the shared HTTP client raise."""

from __future__ import annotations


class SourceError(Exception):
    """Anything that went wrong talking to a network. `network` names it for the health record."""

    def __init__(self, message: str, *, network: str = "", code: object = None) -> None:
        super().__init__(message)
        self.network = network
        self.code = code


class RateLimited(SourceError):
    """The network asked us to slow down; `retry_after` seconds when it said how long."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, network: str = "",
        code: object = None,
    ) -> None:
        super().__init__(message, network=network, code=code)
        self.retry_after = retry_after


class AuthFailed(SourceError):
    """Credentials missing, wrong, expired or lacking the right: retrying will not help."""


class Unavailable(SourceError):
    """The network is down or slow (5xx, timeout, connection refused): worth retrying later."""


class BadResponse(SourceError):
    """The network answered something we cannot read (malformed JSON/HTML, a refused request)."""


class NotSupported(SourceError):
    """This network (or this kind of source) cannot do that outbound operation."""


class ChannelNotConnected(SourceError):
    """The brand's channel is not linked to a connected account: nothing can be sent through it."""

    def __init__(self, network: str) -> None:
        super().__init__(f"the brand's {network} channel is not connected to an account",
                         network=network)
