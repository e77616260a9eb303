"""REST API v1 (Bearer tokens) and its documentation page, served without any CDN."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from otklik.web.api import (
    brands,
    cases,
    channels,
    ingest,
    locations,
    mentions,
    persons,
    push,
    reports,
    spikes,
)

router = APIRouter()
# Flat list (no include_router nesting): the role test walks `app.routes` route by route.
ROUTERS = [router, mentions.router, ingest.router, brands.router, channels.router, cases.router,
           spikes.router, reports.router, persons.router, push.router, locations.router]


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the vendored bundle; its start-up code is a static file (CSP)."""
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>otklik API</title>'
        '<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head><body>'
        '<div id="swagger-ui" data-spec="/api/openapi.json"></div>'
        '<script src="/static/vendor/swagger-ui-bundle.js"></script>'
        '<script src="/static/swagger-init.js"></script></body></html>'
    )
    return HTMLResponse(html)
