"""Browser sign-ins end on time (lifetime, idle timeout), cookies are Secure over https (also
behind a trusted proxy), and every page and answer carries the security headers."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select
from typer.testing import CliRunner
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from otklik.actions.brands import create_brand
from otklik.actions.cases import open_case
from otklik.db.models import User
from otklik.settings import Settings
from otklik.web import create_app
from otklik.web.auth import password_stamp
from otklik.web.security import content_policy, tile_origins
from tests.web.conftest import PASSWORD, Desk, sign_in
from tests.web.readable import crawl
from tests.web.test_security import _post


def _headers(desk: Desk) -> dict[str, str]:
    tiles = tile_origins(desk.app.state.settings.map_tiles_url)
    return {"content-security-policy": content_policy(tiles), "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin", "x-frame-options": "DENY"}


def _clocked(desk: Desk, lifetime: int = 60, idle: int = 10) -> list[float]:
    """The desk's clock, moved by the test; sign-ins last `lifetime`, idle `idle` minutes."""
    now = [1_000_000.0]
    desk.app.state.clock = lambda: now[0]
    desk.app.state.settings = desk.app.state.settings.model_copy(update={
        "session_lifetime_minutes": lifetime, "session_idle_minutes": idle})
    return now


def _signed_out(response: Any) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_idle_session_is_sent_to_login(desk: Desk) -> None:
    now = _clocked(desk)
    client = desk.client("viewer")
    now[0] += 9 * 60
    assert client.get("/overview").status_code == 200  # active: the idle clock starts again
    now[0] += 9 * 60
    assert client.get("/mentions").status_code == 200
    now[0] += 11 * 60
    response = client.get("/mentions")
    assert _signed_out(response) and response.headers["location"] == "/login?next=/mentions"
    now[0] += 1
    assert _signed_out(client.get("/overview"))  # the session was cleared, not just refused


def test_background_polls_do_not_keep_a_session_alive(desk: Desk) -> None:
    now = _clocked(desk)
    client = desk.client("viewer")
    poll = {"HX-Request": "true", "X-Otklik-Background": "1"}
    for _ in range(2):
        now[0] += 4 * 60
        assert client.get("/mentions/rows?after_id=0", headers=poll).status_code == 200
    now[0] += 4 * 60
    response = client.get("/mentions/rows?after_id=0", headers=poll)  # 12 min after the person
    assert response.status_code == 401 and response.headers["hx-redirect"] == "/login"


def test_an_expired_session_is_sent_to_login_however_active(desk: Desk) -> None:
    now = _clocked(desk, lifetime=30, idle=10)
    client = desk.client("analyst")
    for _ in range(3):
        now[0] += 9 * 60
        assert client.get("/overview").status_code == 200
    now[0] += 4 * 60  # 31 minutes after signing in, 4 after the last request
    assert _signed_out(client.get("/overview"))
    assert desk.api("analyst").get("/api/v1/mentions").status_code == 200  # tokens: no session
    client.headers.pop("X-CSRF-Token")  # the old session's token (a form sends its own)
    sign_in(client, "analyst@example.org", PASSWORD)  # a new sign-in starts a new lifetime
    assert client.get("/overview").status_code == 200


def test_a_session_from_before_the_stamps_signs_in_again(desk: Desk) -> None:
    """A cookie signed before sign-ins carried their times cannot last for ever."""
    with desk.store.sessions() as s:
        user = s.scalars(select(User).where(User.email == "admin@example.org")).one()
        data = {"uid": user.id, "pw": password_stamp(user), "lang": "ru", "csrf": "x"}
    signer = TimestampSigner(desk.app.state.settings.secret_key)
    cookie = signer.sign(base64.b64encode(json.dumps(data).encode())).decode()
    client = TestClient(desk.app, follow_redirects=False, cookies={"otklik_session": cookie})
    assert _signed_out(client.get("/overview"))


def _proxied(desk: Desk, client_host: str) -> TestClient:
    app = ProxyHeadersMiddleware(desk.app, trusted_hosts="127.0.0.1")
    return TestClient(app, follow_redirects=False, client=(client_host, 5000),
                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})


@pytest.mark.parametrize("proxy, secure", [("127.0.0.1", True), ("203.0.113.9", False)])
def test_secure_cookie_behind_a_trusted_proxy_only(desk: Desk, proxy: str, secure: bool) -> None:
    """The proxy speaks https to the browser and http to the desk: only a trusted proxy's
    X-Forwarded-Proto makes the session cookie (here the sign-in form's) Secure."""
    response = _proxied(desk, proxy).get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert ("; secure" in cookie) is secure and "httponly" in cookie


def test_serve_trusts_the_configured_proxies(monkeypatch: pytest.MonkeyPatch,
                                             sqlite_store: Any) -> None:
    import uvicorn

    from otklik.cli import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: calls.append(kw))
    env = {"OTKLIK_DATABASE_URL": sqlite_store.url, "OTKLIK_SECRET_KEY": "k" * 40,
           "OTKLIK_FORWARDED_ALLOW_IPS": "10.0.0.5"}
    result = CliRunner().invoke(app, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 0, result.output
    assert calls[0]["proxy_headers"] is True and calls[0]["forwarded_allow_ips"] == "10.0.0.5"


def test_security_headers_on_every_page_and_answer(desk: Desk) -> None:
    """The desk crawled two clicks deep from its main pages, plus the sign-in page, errors,
    static files, the API and the machine endpoints: every answer has the headers, and no page
    has an inline script or style sheet the policy would refuse."""
    ids = desk.api("admin").post("/api/v1/ingest", json={"mentions": [
        _post(n, f"Кофе холодный #{n}") for n in range(3)]}).json()["mention_ids"]
    with desk.store.sessions() as session:
        brand = create_brand(session, "Зерно", queries=["кофе"])
        open_case(session, ids[0], brand.id, actor="test")
        session.commit()
    client = desk.client("admin")
    expected = _headers(desk)
    missing: dict[str, list[str]] = {}
    inline: dict[str, list[str]] = {}

    def get(url: str) -> tuple[int, str]:
        response = client.get(url)
        _check(url, response, expected, missing)
        scripts = [t for t in re.findall(r"<script\b[^>]*>", response.text) if "src=" not in t]
        if scripts or "<style" in response.text:
            inline[url] = scripts or ["<style>"]
        return response.status_code, response.text

    report, seen = crawl(get, ("/overview", "/inbox", "/mentions", "/settings", "/sources"),
                         set())
    assert len(seen) >= 15, sorted(seen)
    assert all(not found[0].startswith("HTTP 5") for found in report.values()), report
    anonymous = desk.client()
    for url, response in [
        ("/login", anonymous.get("/login")), ("/overview (signed out)", anonymous.get("/overview")),
        ("/api/docs", client.get("/api/docs")), ("/api/openapi.json", client.get(
            "/api/openapi.json")), ("/static/app.css", client.get("/static/app.css")),
        ("/cases/999999", client.get("/cases/999999")), ("/nowhere", client.get("/nowhere")),
        ("/api/v1/cases", desk.api("viewer").get("/api/v1/cases")),
        ("/api/v1/cases (no token)", anonymous.get("/api/v1/cases")),
        ("/healthz", anonymous.get("/healthz")),
    ]:
        _check(url, response, expected, missing)
    assert not missing, missing
    assert not inline, inline


def _check(url: str, response: Any, expected: dict[str, str],
           missing: dict[str, list[str]]) -> None:
    wrong = [name for name, value in expected.items() if response.headers.get(name) != value]
    if wrong:
        missing[url] = wrong


def _rules(policy: str) -> dict[str, str]:
    return dict(rule.strip().split(" ", 1) for rule in policy.split(";"))


def test_the_policy_allows_only_own_scripts_and_style_sheets(sqlite_store: Any) -> None:
    rules = _rules(content_policy())
    assert rules["script-src"] == "'self'" and rules["style-src"] == "'self'"
    assert rules["style-src-attr"] == "'unsafe-inline'"  # ECharts tooltips' style attributes
    assert rules["frame-ancestors"] == "'none'" and rules["object-src"] == "'none'"
    assert rules["img-src"] == "'self' data: blob:"
    # the locations map's tiles come from the configured tile server, and only from it
    for template, origins in [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", ["https://*.tiles.example.org"]),
        ("http://10.0.0.7:8080/osm/{z}/{x}/{y}.png", ["http://10.0.0.7:8080"]),
        ("", []), ("https://{a}.x.org/{z}.png", []), ("javascript:alert(1)", []),
    ]:
        assert tile_origins(template) == origins, template
    for tiles, images in [("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "'self' data: blob: https://tile.openstreetmap.org"),
                          ("", "'self' data: blob:")]:
        app = create_app(Settings(database_url=sqlite_store.url, map_tiles_url=tiles),
                         engine=sqlite_store.engine)
        policy = TestClient(app).get("/login").headers["content-security-policy"]
        assert _rules(policy)["img-src"] == images
