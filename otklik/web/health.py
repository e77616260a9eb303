"""For the orchestrator and Prometheus: liveness, readiness and metrics, without a browser session.

`/healthz` says the process answers (nothing else: a store outage must not get every web process
killed and restarted). `/readyz` says it can serve: the store answers, its schema is at the
migrations' head, and in distributed mode the broker answers. `/metrics` takes an API token of
any role, or a caller whose address is in `OTKLIK_METRICS_ADDRESSES`.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine

from otklik.actions.users import token_user
from otklik.db.migrate import script_heads, store_heads
from otklik.runtime.metrics import exposition
from otklik.runtime.worker import producer
from otklik.settings import Settings

router = APIRouter(tags=["health"])


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


_script_heads = functools.lru_cache(maxsize=1)(script_heads)  # the scripts do not change


def check_store(engine: Engine) -> str | None:
    """None when the store answers and is migrated to head, else what is wrong."""
    try:
        current = store_heads(engine)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the store is "not ready"
        return f"store unreachable: {type(exc).__name__}"
    if current != _script_heads():
        return (f"store at migration {', '.join(sorted(current)) or 'none'}, "
                f"not {', '.join(sorted(_script_heads()))}: run otklik init")
    return None


def check_broker(settings: Settings) -> str | None:
    """None in embedded mode or when the broker answers."""
    if not settings.broker_url:
        return None
    try:
        with producer(settings).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the broker is "not ready"
        return f"broker unreachable: {type(exc).__name__}"
    return None


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    problems = {"store": check_store(request.app.state.engine),
                "broker": check_broker(settings)}
    checks: dict[str, Any] = {name: problem or "ok" for name, problem in problems.items()}
    if not settings.broker_url:
        checks["broker"] = "not used (embedded mode)"
    ready = not any(problems.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


def address_allowed(address: str | None, allowed: str) -> bool:
    """Whether `address` is in the comma-separated list of addresses and networks (CIDR)."""
    if not address or not allowed.strip():
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in filter(None, (part.strip() for part in allowed.split(","))):
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue  # a mistyped entry allows nobody
    return False


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not address_allowed(client, settings.metrics_addresses):
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise HTTPException(401, "an API token is needed",
                                headers={"WWW-Authenticate": "Bearer"})
        with request.app.state.sessions() as session:
            if token_user(session, header[7:].strip()) is None:
                raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    return Response(exposition(request.app.state.sessions, settings),
                    media_type=CONTENT_TYPE_LATEST)
