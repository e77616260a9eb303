"""Response headers every page and API answer carries, and how long a browser sign-in lasts.

The policy allows scripts and style sheets only from the desk's own origin: every script is a
static file (HTMX and ECharts are vendored) and no page has a `<style>` element (HTMX's own
indicator style is turned off in base.html; the indicator rules are in app.css). Only style
*attributes* may be inline: ECharts writes its tooltips as HTML with `style="…"`, and an
attribute cannot select elements, which is what an injected style sheet would abuse. Images
may also come from the locations map's tile server (`OTKLIK_MAP_TILES_URL`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_policy(image_origins: Iterable[str] = ()) -> str:
    """The policy; `image_origins` are servers images may also come from (map tiles)."""
    images = " ".join(["'self'", "data:", "blob:", *image_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def tile_origins(url_template: str) -> list[str]:
    """Where a map's tile URL template loads from, as a policy source (`{s}.` becomes `*.`);
    nothing for an empty template or one whose host the policy cannot express."""
    parts = urlsplit(url_template.strip())
    host = re.sub(r"^\{s\}\.", "*.", parts.netloc)
    if parts.scheme not in ("http", "https") or not host or "{" in host:
        return []
    return [f"{parts.scheme}://{host}"]


# requests the page makes by itself (the mentions stream's poll): they need a live sign-in but
# are not the person's activity, so they do not keep an idle session alive
BACKGROUND_HEADER = "x-otklik-background"


class SecurityHeaders:
    """Adds the policy and its companions to every response; marks cookies Secure over https
    (behind a proxy, uvicorn's proxy headers set the scheme from a trusted X-Forwarded-Proto)."""

    def __init__(self, app: ASGIApp, *, image_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_policy(image_origins).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if https and name.lower() == b"set-cookie" and b"secure" not in value.lower():
                        value = value + b"; Secure"
                    headers.append((name, value))
                headers.extend(self.headers)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def start_session(session: dict[str, Any], now: float) -> None:
    """Stamp a new sign-in: when it began and when its person was last active."""
    session["t0"] = session["seen"] = int(now)


def session_alive(session: dict[str, Any], now: float, *, lifetime: float, idle: float,
                  active: bool) -> bool:
    """Whether a signed-in session may go on: younger than `lifetime` seconds and used within
    `idle` seconds. A person's request (`active`) moves the idle clock; a background poll does
    not. A session without stamps (signed in before they existed) must sign in again."""
    started, seen = session.get("t0"), session.get("seen")
    if not isinstance(started, int) or not isinstance(seen, int):
        return False
    if now - started > lifetime or now - seen > idle:
        return False
    if active:
        session["seen"] = int(now)
    return True
