"""Sign-in, the main pages render for a signed-in user, and anonymous users are sent to /login."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import PASSWORD, csrf_of


def test_anonymous_is_sent_to_login(desk: Any) -> None:
    client = desk.client()
    response = client.get("/mentions")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_sign_in_and_pages(desk: Any) -> None:
    client = desk.client("admin")
    for path in ("/overview", "/mentions", "/inbox", "/sources", "/settings", "/sources/new"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
        assert "admin@example.org" in response.text


def test_wrong_password_is_refused(desk: Any) -> None:
    client = desk.client()
    token = csrf_of(client)
    response = client.post("/login", data={"email": "admin@example.org", "password": "nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/overview").status_code == 303
    ok = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                     "csrf_token": token})
    assert ok.status_code == 303


def test_interface_language_follows_the_user(desk: Any) -> None:
    client = desk.client("viewer")
    assert "Упоминания" in client.get("/mentions").text
    switched = client.post("/lang", data={"lang": "en"})
    assert switched.status_code == 303
    page = client.get("/mentions").text
    assert "Mentions" in page and 'lang="en"' in page and "Упоминания" not in page
    assert client.post("/lang", data={"lang": "fr"}).status_code == 422
