"""The app factory: settings in, a FastAPI app out (pages, REST API v1, static files, security).

Nothing here reads the environment: the CLI (or a test) builds `Settings` and passes them in.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from starlette.middleware.sessions import SessionMiddleware

from otklik.db.engine import make_engine, make_sessionmaker
from otklik.settings import Settings
from otklik.web import health
from otklik.web.api import ROUTERS as API_ROUTERS
from otklik.web.auth import LoginThrottle
from otklik.web.pages import ROUTERS as PAGE_ROUTERS
from otklik.web.render import make_templates, render
from otklik.web.security import SecurityHeaders, tile_origins

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "otklik_session"


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    enrichers_factory: Any = None,
    source_factory: Any = None,
    after_ingest: Any = None,
) -> FastAPI:
    """Build the web app over the store named in `settings` (or an engine the caller owns).

    `enrichers_factory(session)` gives the ingest API's enrichers (default `otklik.flow.wiring`);
    `source_factory(settings, session)` gives the channel → connector function used to send;
    `after_ingest(session, mention_ids, actor)` runs after the ingest API stored a batch
    (default: the case rules of `otklik.actions.cases`).
    """
    app = FastAPI(
        title="otklik API",
        version="1",
        description="Reputation desk: mentions, ingest, brands, cases, spikes. "
        "Authenticate with `Authorization: Bearer <token>` (`otklik token create EMAIL`).",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.db_pool_size)
    app.state.sessions = make_sessionmaker(app.state.engine)
    app.state.templates = make_templates()
    app.state.throttle = LoginThrottle()
    app.state.enrichers_factory = enrichers_factory
    app.state.source_factory = source_factory
    app.state.after_ingest = after_ingest
    app.state.overview_cache = {}  # see pages/overview.py: figures kept for overview_ttl s
    app.state.clock = time.time  # sign-in lifetime and idle timeout (web/security.py)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_lifetime_minutes * 60,
        same_site="lax",
        https_only=False,  # SecurityHeaders adds Secure whenever the request came over https
    )
    app.add_middleware(SecurityHeaders, image_origins=tile_origins(settings.map_tiles_url))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in (*API_ROUTERS, *PAGE_ROUTERS, health.router):
        app.router.routes.extend(router.routes)
    _error_handlers(app)
    return app


MACHINE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith("/api/") and path not in MACHINE_PATHS


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request):
            if exc.status_code == 401:
                if request.headers.get("hx-request"):
                    return Response(status_code=401, headers={"HX-Redirect": "/login"})
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            if exc.status_code in (403, 404, 409, 422, 429):
                return render(request, "error.html",
                              {"status": exc.status_code, "detail": str(exc.detail)},
                              status_code=exc.status_code)
        headers: Any = getattr(exc, "headers", None)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(DataError)
    async def refused_by_store(request: Request, exc: DataError) -> Response:
        """A value the store cannot hold (a NUL in a query parameter on PostgreSQL, a number out
        of a column's range) is the client's input, not a server fault: a 422 that says so."""
        detail = f"a value the store cannot hold: {str(exc.orig).splitlines()[0][:200]}"
        if _wants_html(request):
            return render(request, "error.html", {"status": 422, "detail": detail},
                          status_code=422)
        return JSONResponse({"detail": [{"loc": [], "msg": detail, "type": "value_error"}]},
                            status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _wants_html(request):
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
            return render(request, "error.html", {"status": 422, "detail": detail},
                          status_code=422)
        return JSONResponse({"detail": errors}, status_code=422)
