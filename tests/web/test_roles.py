"""Every route checks the role: walk ALL of `app.routes` as each role and as nobody.

A route either is one of the few public ones or declares `Require(permission)`; calling it as a
role without that permission gives 403, with it anything but 401/403 (and never a 500, even with
ids that do not exist and empty forms).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from otklik.web.auth import ROLE_PERMISSIONS, Require
from tests.web.conftest import ROLES

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/api/docs"),
          ("GET", "/api/openapi.json"), ("GET", "/healthz"), ("GET", "/readyz"),
          ("GET", "/metrics"),  # /metrics checks a token or an address itself (web/health.py)
          # networks pushing events prove themselves with the source's secret (web/api/push.py)
          ("POST", "/api/v1/push/vk/{source_id}"), ("POST", "/api/v1/push/telegram/{source_id}")}

# What the roles are for, written out: a weakened permission on any of these fails the test.
EXPECTED = {
    ("GET", "/overview"): "read",
    ("GET", "/overview/top/{what}"): "read",
    ("GET", "/mentions"): "read",
    ("POST", "/mentions/{mention_id}/sentiment"): "analyze",
    ("POST", "/api/v1/mentions/{mention_id}/sentiment"): "analyze",
    ("POST", "/settings/brands/{brand_id}/queries"): "analyze",
    ("POST", "/api/v1/brands/{brand_id}/queries"): "analyze",
    ("POST", "/cases/{case_id}/answer"): "respond",
    ("POST", "/cases/{case_id}/resolve"): "respond",
    ("POST", "/cases/{case_id}/follow-up"): "respond",
    ("POST", "/api/v1/cases/{case_id}/reply"): "respond",
    ("POST", "/api/v1/cases/{case_id}/transition"): "respond",
    ("POST", "/api/v1/ingest"): "ingest",
    ("POST", "/sources"): "admin",
    ("POST", "/sources/{source_id}"): "admin",
    ("GET", "/sources/new"): "admin",
    ("POST", "/settings/users"): "admin",
    ("POST", "/settings/users/{user_id}"): "admin",
    ("POST", "/api/v1/brands"): "admin",
    ("GET", "/communities"): "read",
    ("GET", "/attacks"): "read",
    ("GET", "/refutations/{refutation_id}"): "read",
    ("POST", "/attacks/{attack_id}/refutation"): "respond",
    ("POST", "/refutations/{refutation_id}/approve"): "respond",
    ("POST", "/refutations/{refutation_id}/publish"): "respond",
    ("POST", "/refutations/{refutation_id}/replies"): "respond",
    ("POST", "/refutations/{refutation_id}/placements/{community_id}"): "respond",
    ("GET", "/incidents"): "read",
    ("GET", "/incidents/{incident_id}"): "read",
    ("POST", "/incidents"): "respond",
    ("POST", "/incidents/{incident_id}/publish"): "respond",
    ("POST", "/incidents/{incident_id}/update"): "respond",
    ("POST", "/incidents/{incident_id}/close"): "respond",
    ("POST", "/announcements"): "respond",
}


def _permission(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Require):
            return dep.call.permission
        stack.extend(dep.dependencies)
    return None


def _routes(app: Any) -> list[tuple[str, str, APIRoute]]:
    out = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                out.append((method, route.path, route))
    return out


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_every_route_declares_a_permission(desk: Any) -> None:
    routes = _routes(desk.app)
    assert len(routes) > 40
    seen = set()
    for method, path, route in routes:
        seen.add((method, path))
        permission = _permission(route)
        if (method, path) in PUBLIC:
            assert permission is None, (method, path)
            continue
        assert permission is not None, f"{method} {path} checks no role"
        if (method, path) in EXPECTED:
            assert permission == EXPECTED[(method, path)], (method, path, permission)
    assert set(EXPECTED) <= seen, set(EXPECTED) - seen
    assert not any(m == "DELETE" for m, _, _ in routes), "nothing is ever deleted"


@pytest.mark.parametrize("role", ROLES)
def test_walk_all_routes_as(role: str, desk: Any) -> None:
    pages = desk.client(role)
    api = desk.api(role)
    checked = 0
    # sign-out last: it ends the session the other calls ride on
    routes = sorted(_routes(desk.app), key=lambda r: r[1] == "/logout")
    for method, path, route in routes:
        permission = _permission(route)
        if permission is None:
            continue
        client = api if path.startswith("/api/") else pages
        kwargs: dict[str, Any] = {"json": {}} if path.startswith("/api/") else {"data": {}}
        response = client.request(method, _url(path), **kwargs)
        allowed = permission in ROLE_PERMISSIONS[role]
        where = f"{role} {method} {path} → {response.status_code}"
        assert response.status_code < 500, where + response.text[:500]
        if allowed:
            assert response.status_code not in (401, 403), where
            if path != "/logout":
                assert not response.headers.get("location", "").startswith("/login"), where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked > 40


def test_nobody_gets_nothing(desk: Any) -> None:
    anonymous = desk.client()
    for method, path, route in _routes(desk.app):
        if _permission(route) is None:
            continue
        response = anonymous.request(method, _url(path))
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code in (303, 403), (method, path, response.status_code)


def test_a_bad_token_is_refused(desk: Any) -> None:
    client = desk.client()
    client.headers["Authorization"] = "Bearer otk_not-a-real-token"
    assert client.get("/api/v1/mentions").status_code == 401
