"""Hostile text is data; sessions are guarded: CSRF, cookie flags, throttling, CSP."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, csrf_of

XSS = [
    '<script>alert("x1")</script>',
    '<img src=x onerror="alert(2)">',
    '"><svg onload=alert(3)>',
    "{{ 7*7 }} {% raw %}",
]
RLO = "\u202e"


def _post(n: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"network": "vk", "external_id": f"x{n}", "text": text,
            "created_at": "2026-11-01T10:00:00Z",
            "author": {"external_id": f"a{n}", "handle": f"h{n}", "name": text[:200]},
            "place": {"external_id": f"p{n}", "name": text[:200]}, **extra}


def test_xss_payloads_through_ingest_are_escaped(desk: Any) -> None:
    posts = [_post(i, payload) for i, payload in enumerate(XSS)]
    posts.append(_post(90, "javascript link", url="javascript:alert(4)"))
    posts.append(_post(91, f"bidi {RLO}gnp.exe ok"))
    posts.append(_post(92, "A" * 1_000_000))
    response = desk.api("admin").post("/api/v1/ingest", json={"mentions": posts})
    assert response.status_code == 200, response.text[:300]

    client = desk.client("admin")
    for path in ("/mentions", "/overview", "/mentions/rows?after_id=0"):
        page = client.get(path)
        assert page.status_code == 200
        html = page.text
        for payload in XSS[:3]:
            assert payload not in html, (path, payload)
        if path.startswith("/mentions"):
            assert "&lt;script&gt;alert(&#34;x1&#34;)&lt;/script&gt;" in html
            assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html
            assert "{{ 7*7 }}" in html  # shown as typed, never evaluated (no "49")
            assert 'href="javascript:' not in html
            assert RLO not in html and "[U+202E]" in html
            assert "A" * 2001 not in html and len(html) < 600_000
        # no inline script anywhere: every <script> has a src
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", re.sub(r"&[^;]+;", "", _tags_only(html))), path


def _tags_only(html: str) -> str:
    """The markup of the page without its text nodes (escaped user text is text, not tags)."""
    return " ".join(re.findall(r"<[a-zA-Z][^>]*>", html))


def test_security_headers(desk: Any) -> None:
    response = desk.client().get("/login")
    csp = response.headers["content-security-policy"]
    scripts = csp.split("script-src")[1].split(";")[0]
    assert scripts.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_session_cookie_flags(desk: Any) -> None:
    plain = desk.client()
    token = csrf_of(plain)
    response = plain.post("/login", data={"email": "viewer@example.org", "password": PASSWORD,
                                          "csrf_token": token})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = TestClient(desk.app, base_url="https://testserver", follow_redirects=False)
    token = csrf_of(secure)
    response = secure.post("/login", data={"email": "viewer@example.org", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


def test_csrf_is_required_on_every_unsafe_request(desk: Any) -> None:
    client = desk.client("analyst")
    ids = desk.api("admin").post("/api/v1/ingest", json={"mentions": [_post(1, "текст")]})
    mention_id = ids.json()["mention_ids"][0]
    good = client.headers.pop("X-CSRF-Token")
    refused = client.post(f"/mentions/{mention_id}/sentiment", data={"label": "negative"})
    assert refused.status_code == 403
    wrong = client.post(f"/mentions/{mention_id}/sentiment", data={"label": "negative"},
                        headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    in_form = client.post(f"/mentions/{mention_id}/sentiment",
                          data={"label": "negative", "csrf_token": good})
    assert in_form.status_code == 200
    login = desk.client().post("/login", data={"email": "a@b.c", "password": "x" * 9})
    assert login.status_code == 403  # even signing in needs the token from the form


def test_sign_in_is_throttled(desk: Any) -> None:
    client = desk.client()
    token = csrf_of(client)
    for _ in range(5):
        bad = client.post("/login", data={"email": "admin@example.org", "password": "wrong-one",
                                          "csrf_token": token})
        assert bad.status_code == 401
    blocked = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                          "csrf_token": token})
    assert blocked.status_code == 429
    assert client.get("/overview").status_code == 303  # still signed out


def test_open_redirect_after_sign_in_is_refused(desk: Any) -> None:
    client = desk.client()
    token = csrf_of(client)
    response = client.post("/login", data={"email": "viewer@example.org", "password": PASSWORD,
                                           "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


def test_stored_secrets_are_never_shown_again(desk: Any) -> None:
    client = desk.client("admin")
    secret = "vk1.a.SUPERSECRETTOKEN-0123456789abcdef"
    response = client.post("/sources", data={
        "name": "VK search", "network": "vk", "kind": "search", "p_q": "зерно",
        "c_access_token": secret, "interval_seconds": "300", "enabled": "true",
    })
    assert response.status_code == 303, response.text[:500]
    listing = client.get("/sources").text
    assert "VK search" in listing
    source_id = re.search(r'/sources/(\d+)/edit', listing).group(1)
    edit = client.get(f"/sources/{source_id}/edit").text
    assert secret not in edit and secret[:12] not in edit and "••••cdef" in edit
    # saving the form with the credential left empty keeps the stored one
    client.post(f"/sources/{source_id}", data={
        "name": "VK search 2", "p_q": "зерно", "c_access_token": "", "interval_seconds": "300",
        "enabled": "true"})
    from otklik.db.models import Source
    from otklik.db.secrets import open_credentials

    with desk.store.sessions() as session:
        stored = session.get(Source, int(source_id)).credentials
    assert secret not in str(stored)  # sealed at rest
    assert open_credentials(stored, desk.app.state.settings.secret_key) == {
        "access_token": secret}
    bad = client.post("/sources", data={"name": "x", "network": "vk", "kind": "search",
                                        "interval_seconds": "300"})
    assert bad.status_code == 422 and "Заполните это поле" in bad.text


def test_hostile_complaint_on_the_inbox_and_case_page(desk: Any) -> None:
    from otklik.actions.brands import create_brand
    from otklik.actions.cases import open_case

    payload = '<script>alert("case")</script><img src=x onerror=alert(5)>'
    ids = desk.api("admin").post("/api/v1/ingest", json={"mentions": [
        _post(7, payload + f" {RLO}")]}).json()["mention_ids"]
    with desk.store.sessions() as session:
        brand = create_brand(session, "Зерно<b>")
        case = open_case(session, ids[0], brand.id, actor="test")
        session.commit()
        case_id = case.id
    client = desk.client("responder")
    for path in ("/inbox", f"/cases/{case_id}"):
        html = client.get(path).text
        assert payload not in html and "Зерно<b>" not in html
        assert "&lt;script&gt;alert(&#34;case&#34;)&lt;/script&gt;" in html
        assert RLO not in html


def test_overlong_parameters_are_refused_cleanly(desk: Any) -> None:
    client = desk.client("viewer")
    huge = "coffee " * 5_000
    for path in ("/mentions", "/mentions/rows", "/settings/queries/validate"):
        key = "text" if "validate" in path else "q"
        response = client.get(path, params={key: huge[:20_000]})
        assert response.status_code == 422, path
        assert "at most 5000" in response.text


def test_wrong_passwords_elsewhere_do_not_lock_the_owner_out(desk: Any) -> None:
    """Throttled per (e-mail, address) and per address: ten wrong passwords from one address
    do not stop the account's owner signing in from theirs."""
    from fastapi.testclient import TestClient

    attacker = TestClient(desk.app, follow_redirects=False, client=("203.0.113.9", 5000))
    token = csrf_of(attacker)
    codes = [attacker.post("/login", data={"email": "admin@example.org", "password": "nope",
                                           "csrf_token": token}).status_code for _ in range(10)]
    assert codes[:5] == [401] * 5 and 429 in codes[5:]
    spoofed = attacker.post("/login", headers={"X-Forwarded-For": "198.51.100.7"}, data={
        "email": "admin@example.org", "password": "nope", "csrf_token": token})
    assert spoofed.status_code == 429  # no trusted proxy: the header does not change the address
    owner = TestClient(desk.app, follow_redirects=False, client=("198.51.100.7", 5000))
    token = csrf_of(owner)
    signed = owner.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                        "csrf_token": token})
    assert signed.status_code == 303


def test_throttle_backs_off_rather_than_locking() -> None:
    from otklik.web.auth import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(limit=5, window=900, base=1.0, clock=lambda: now[0])
    keys = throttle.keys("Anna@Example.org", "192.0.2.1")
    waits = []
    for _ in range(9):
        throttle.failed(keys)
        waits.append(throttle.retry_after(keys))
    assert waits[:4] == [0, 0, 0, 0] and waits[4:] == [2, 3, 5, 9, 17]  # 1, 2, 4, 8, 16 s (+1)
    now[0] += 17
    assert throttle.retry_after(keys) == 0  # waited it out: one more try, not fifteen minutes
    # an address trying many e-mails is throttled on its own count
    many = [throttle.keys(f"u{i}@example.org", "192.0.2.50") for i in range(20)]
    for k in many:
        throttle.failed(k)
    assert throttle.retry_after(throttle.keys("new@example.org", "192.0.2.50")) > 0
