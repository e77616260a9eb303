"""Helpers for connector tests: recorded responses served by a real local HTTP server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.sources import vk as vk_module
from otklik.sources.http import Budget, HttpClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = {n: Budget(10_000, 10_000) for n in ("vk", "telegram", "telegram_web", "rss")}
# An hour after the newest recorded VK post (2026-11-25 10:00 UTC).
VK_RECORDED_AT = 1795604400


@pytest.fixture
def vk_recorded_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the VK connector's clock to when its responses were recorded: a first search looks
    back `lookback_hours` from now, and the recorded posts must fall inside that window on any
    day the suite runs (they fell out of it a day after recording)."""
    monkeypatch.setattr(vk_module, "time", SimpleNamespace(time=lambda: VK_RECORDED_AT))


def fixture_bytes(network: str, name: str) -> bytes:
    return (FIXTURES / network / name).read_bytes()


def fixture_json(network: str, name: str) -> Any:
    return json.loads(fixture_bytes(network, name))


def respond(network: str, name: str, status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    kind = {"json": "application/json", "html": "text/html; charset=utf-8",
            "xml": "application/rss+xml; charset=utf-8"}[name.rsplit(".", 1)[1]]
    return Response(fixture_bytes(network, name), status=status, headers=headers,
                    content_type=kind)


class FakeSleep:
    """Records the delays asked for instead of waiting them."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets=FAST, timeout=2.0, rng=lambda: 0.5)
    yield http
    await http.aclose()


def base_url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def vk_router(routes: dict[str, Callable[[Request], Response] | str]) -> Callable[
        [Request], Response]:
    """One handler for every VK method: `routes` maps method name → fixture or handler."""

    def handle(request: Request) -> Response:
        method = request.path.rsplit("/", 1)[1]
        route = routes.get(method)
        if route is None:
            return Response(json.dumps({"error": {"error_code": 3, "error_msg":
                                                  "Unknown method passed"}}), 200)
        return route(request) if callable(route) else respond("vk", route)

    return handle
