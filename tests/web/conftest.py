"""Web fixtures: an app over a fresh store, one user per role, signed-in clients and tokens."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from otklik.actions.unit import transaction
from otklik.actions.users import create_token, create_user
from otklik.settings import Settings
from otklik.web import create_app

ROLES = ("admin", "analyst", "responder", "viewer")
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class Desk:
    app: Any
    store: Any
    tokens: dict[str, str]

    def client(self, role: str | None = None) -> TestClient:
        """A browser-like client, signed in as the role's user (or anonymous)."""
        client = TestClient(self.app, follow_redirects=False)
        if role is not None:
            sign_in(client, f"{role}@example.org", PASSWORD)
        return client

    def api(self, role: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        client.headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return client


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str) -> Any:
    token = csrf_of(client)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token, "next": "/overview"})
    client.headers["X-CSRF-Token"] = csrf_of(client, "/login")
    return response


def no_enrichers(_session: Any) -> list[Any]:
    """The desk's tests do not need the NLP models: ingest stores posts as given."""
    return []


def make_desk(store: Any, **app_kwargs: Any) -> Desk:
    settings = Settings(database_url=store.url, secret_key="test-secret-key-0123456789")
    tokens: dict[str, str] = {}
    with transaction(store.sessions) as session:
        for role in ROLES:
            user = create_user(session, f"{role}@example.org", PASSWORD, role)
            tokens[role] = create_token(session, user, "tests").token
    app_kwargs.setdefault("enrichers_factory", no_enrichers)
    app = create_app(settings, engine=store.engine, **app_kwargs)
    return Desk(app, store, tokens)


@pytest.fixture
def desk(sqlite_store: Any) -> Iterator[Desk]:
    yield make_desk(sqlite_store)


@pytest.fixture
def any_desk(store: Any) -> Iterator[Desk]:
    """The desk on SQLite and on the real PostgreSQL."""
    yield make_desk(store)
