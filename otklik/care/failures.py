"""Why a send failed, in words a responder understands (never the exception's text).

Connectors raise the shared error hierarchy; this maps an error to a kind the desk can show in
the user's language, with a retry time when the network gave one. The exception itself goes to
the log with its trace, not to a page, an API field or an alert."""

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

# kind → (Russian, English); {at} is the retry time where known
REASONS: dict[str, tuple[str, str]] = {
    "not_connected": (
        "канал бренда не подключён к аккаунту: подключите его в «Настройки → Каналы бренда»",
        "the brand's channel is not connected to an account: connect it in "
        "Settings → Brand channels"),
    "no_rights": (
        "нет прав: токен отозван, истёк или не даёт этого права — подключите аккаунт заново",
        "no rights: the token was revoked, expired or lacks this right — reconnect the account"),
    "private_closed": (
        "человек не открыл личные сообщения для бренда: ответьте публично и попросите написать "
        "первым", "the person has not opened private messages to the brand: answer publicly and "
        "ask them to write first"),
    "sealed_other_key": (
        "доступы к аккаунту сохранены под другим ключом OTKLIK_SECRET_KEY: подключите аккаунт "
        "заново или выполните otklik secrets rotate",
        "the account's credentials were saved under another OTKLIK_SECRET_KEY: reconnect the "
        "account or run otklik secrets rotate"),
    "rate_limited": ("сеть просит подождать: повторите в {at}",
                     "the network asks to slow down: retry at {at}"),
    "rate_limited_unknown": ("сеть просит подождать: повторите позже",
                             "the network asks to slow down: retry later"),
    "removed": ("запись удалена в источнике: отвечать некуда",
                "the post was removed at the source: nothing to answer"),
    "network_down": ("сеть недоступна: повторите позже", "the network is down: retry later"),
    "not_supported": ("эта сеть не умеет так отправлять", "this network cannot send that"),
    "refused": ("сеть отказала в отправке", "the network refused the send"),
    "unknown": ("не удалось отправить: ошибка сети/сервиса, подробности в журнале",
                "could not send: a network/service error, details in the log"),
}
GONE_CODES = {15, 18, 100, 212, 400}  # VK: deleted/closed; Telegram 400: message not found
# VK 901/902: the user allowed no messages from the community; Telegram 403: never started the bot
PRIVATE_CLOSED = {("vk", 901), ("vk", 902), ("telegram", 403)}


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str
    retry_at: datetime | None = None

    def text(self, lang: str = "ru") -> str:
        ru, en = REASONS[self.kind]
        at = self.retry_at.strftime("%H:%M") if self.retry_at else ""
        return (ru if lang == "ru" else en).format(at=at)


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
