"""Where alerts go: Telegram (Bot API `sendMessage`), e-mail (SMTP) and a JSON webhook.

Each notifier is built from an `AlertChannel` row (`kind` + `config`) and has one method,
`send(subject, text)`, which raises `NotifyError` when the message did not get through. Configs:

- telegram: `{"token": "123:ABC", "chat_id": "-100…", "base_url": "https://api.telegram.org"}`
- email: `{"host", "port": 25, "sender", "to": [..], "starttls": false, "ssl": false,
  "username"?, "password"?}`
- webhook: `{"url": "https://hooks.slack.com/…"}` — receives `{"text": "…"}` (Slack-compatible)
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from functools import lru_cache
from typing import Any, Protocol

import httpx

TELEGRAM_LIMIT = 4096
TIMEOUT = 10.0


def _http() -> httpx.Client:
    """One client for every alert sent by this process: a new one per message loaded the CA
    bundle again each time (~50 ms of CPU per alert) and opened a new connection. Per process
    id, so a forked worker never shares its parent's connections."""
    return _client_of(os.getpid())


@lru_cache(maxsize=2)
def _client_of(pid: int) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT)


class NotifyError(Exception):
    """An alert could not be delivered (the channel refused or could not be reached)."""


class Notifier(Protocol):
    def send(self, subject: str, text: str) -> None: ...


def _need(config: dict[str, Any], key: str, kind: str) -> Any:
    value = config.get(key)
    if value in (None, "", []):
        raise ValueError(f"{kind} alert channel: config needs {key!r}")
    return value


@dataclass(frozen=True)
class TelegramNotifier:
    token: str
    chat_id: str
    base_url: str = "https://api.telegram.org"

    def __repr__(self) -> str:  # never shows the token
        return f"<TelegramNotifier chat {self.chat_id}>"

    def send(self, subject: str, text: str) -> None:
        body = f"{subject}\n{text}" if text else subject
        if len(body) > TELEGRAM_LIMIT:
            body = body[: TELEGRAM_LIMIT - 1] + "…"
        url = f"{self.base_url.rstrip('/')}/bot{self.token}/sendMessage"
        try:
            response = _http().post(url, json={"chat_id": self.chat_id, "text": body,
                                               "disable_web_page_preview": True},
                                    timeout=TIMEOUT)
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NotifyError(f"telegram: {type(exc).__name__}") from exc
        if not (response.is_success and isinstance(payload, dict) and payload.get("ok")):
            said = payload.get("description", "") if isinstance(payload, dict) else ""
            raise NotifyError(f"telegram: {response.status_code} {said}")


@dataclass(frozen=True)
class WebhookNotifier:
    url: str

    def send(self, subject: str, text: str) -> None:
        body = f"{subject}\n{text}" if text else subject
        try:
            response = _http().post(self.url, json={"text": body}, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise NotifyError(f"webhook: {type(exc).__name__}") from exc
        if not response.is_success:
            raise NotifyError(f"webhook: HTTP {response.status_code}")


@dataclass(frozen=True)
class EmailNotifier:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return f"<EmailNotifier {self.host}:{self.port} → {', '.join(self.to)}>"

    def send(self, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.to)
        message["Subject"] = subject
        message.set_content(text or subject)
        smtp_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        try:
            with smtp_class(self.host, self.port, timeout=TIMEOUT) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyError(f"email: {type(exc).__name__}: {exc}") from exc


def build_notifier(kind: str, config: dict[str, Any]) -> Notifier:
    """A notifier from an alert channel's kind and config (ValueError naming what is missing)."""
    config = dict(config or {})
    if kind == "telegram":
        return TelegramNotifier(token=str(_need(config, "token", kind)),
                                chat_id=str(_need(config, "chat_id", kind)),
                                base_url=str(config.get("base_url") or "https://api.telegram.org"))
    if kind == "webhook":
        return WebhookNotifier(url=str(_need(config, "url", kind)))
    if kind == "email":
        to = _need(config, "to", kind)
        return EmailNotifier(
            host=str(_need(config, "host", kind)), port=int(config.get("port", 25)),
            sender=str(_need(config, "sender", kind)),
            to=tuple([to] if isinstance(to, str) else to),
            starttls=bool(config.get("starttls", False)), ssl=bool(config.get("ssl", False)),
            username=config.get("username"), password=config.get("password"))
    raise ValueError(f"unknown alert channel kind {kind!r} (telegram, email or webhook)")
