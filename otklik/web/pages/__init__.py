"""HTML pages: thin routes that read through `otklik.figures` and change through actions."""

from otklik.web.pages import (
    announcements,
    auth,
    cases,
    locations,
    mentions,
    overview,
    publishing,
    reports,
    sandbox,
    settings,
    sources,
    threats,
)

# Flat list (no include_router nesting): the role test walks `app.routes` route by route.
ROUTERS = [m.router for m in (auth, overview, mentions, cases, threats, publishing, sources,
                                settings, sandbox, reports, announcements, locations)]
