"""Who is asking and may they: roles → permissions, one dependency per route, CSRF, throttling.

Every route (page or API) declares a `Require(permission)` dependency; the role test walks
`app.routes` and checks each one. Browser sessions need a CSRF token on every unsafe request;
API calls carry a Bearer token and no cookies, so CSRF does not apply to them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from otklik.actions.users import token_user
from otklik.db.models import User
from otklik.web.security import BACKGROUND_HEADER, session_alive

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "analyze", "respond", "ingest", "admin"}),
    "analyst": frozenset({"read", "analyze"}),
    "responder": frozenset({"read", "respond"}),
    "viewer": frozenset({"read"}),
}
PERMISSIONS = ("read", "analyze", "respond", "ingest", "admin")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def db(request: Request) -> Iterator[Session]:
    """One session per request; writers commit explicitly, anything left is rolled back."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


def password_stamp(user: User) -> str:
    """Changes when the password does, so a password change ends older sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe browser request whose token (header or form field) is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(403, "CSRF token missing or wrong")


@dataclass(frozen=True, slots=True)
class Who:
    """A plain copy of the user for pages: still readable after a rollback expired the row."""

    id: int
    email: str
    name: str
    role: str
    lang: str


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    via: str  # "session" or "token"
    who: Who

    @classmethod
    def of(cls, user: User, via: str) -> Principal:
        return cls(user, via, Who(user.id, user.email, user.name, user.role, user.lang))

    @property
    def actor(self) -> str:
        return self.who.email

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.who.role, frozenset())


def _from_session(request: Request, session: Session) -> User | None:
    """The session's user while the sign-in lasts (lifetime, idle timeout, same password)."""
    uid = request.session.get("uid")
    if uid is None:
        return None
    settings = request.app.state.settings
    alive = session_alive(
        request.session, request.app.state.clock(),
        lifetime=settings.session_lifetime_minutes * 60, idle=settings.session_idle_minutes * 60,
        active=request.headers.get(BACKGROUND_HEADER) is None)
    user = session.get(User, uid) if alive else None
    if user is None or not user.active or request.session.get("pw") != password_stamp(user):
        request.session.clear()
        return None
    return user


def _identify(request: Request, session: Session) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = token_user(session, header[7:].strip())  # its use noted at most once a minute
        return Principal.of(user, "token") if user else None
    user = _from_session(request, session)
    return Principal.of(user, "session") if user else None


class Require:
    """FastAPI dependency: the signed-in user if their role grants `permission`, else 401/403."""

    def __init__(self, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission

    async def __call__(self, request: Request, session: Session = Depends(db)) -> Principal:
        # the store is read (and a token's use noted) in a worker thread: on the event loop a
        # wait for SQLite's write lock would stall every other request
        principal = await run_in_threadpool(_identify, request, session)
        if principal is None:
            raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
        if principal.via == "session":
            await check_csrf(request)
        if not principal.can(self.permission):
            raise HTTPException(403, f"your role may not do this (needs {self.permission})")
        request.state.principal = principal
        return principal


class LoginThrottle:
    """Failed sign-ins counted per (e-mail, address) pair and per address, with back-off: past a
    key's limit within `window` seconds, every further failure doubles the wait (from `base`
    seconds, at most `window`). The e-mail alone is never a key, so nobody can lock a person out
    of their own account from elsewhere; the address counts every e-mail tried from it."""

    def __init__(self, limit: int = 5, window: float = 900.0, *, base: float = 1.0,
                 address_limit: int = 20, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.address_limit = limit, address_limit
        self.clock = clock
        self.window, self.base = window, base
        self._failures: dict[str, deque[float]] = {}

    def keys(self, email: str, address: str) -> list[str]:
        """The keys one attempt counts against: its (e-mail, address) pair, then its address."""
        return [f"pair:{email.strip().lower()}|{address}", f"addr:{address}"]

    def _limit(self, key: str) -> int:
        return self.address_limit if key.startswith("addr:") else self.limit

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def retry_after(self, keys: list[str]) -> int:
        """Seconds until another attempt is allowed (0 = allowed now)."""
        now = self.clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            over = len(times) - self._limit(key)
            if over >= 0:
                back_off = min(self.window, self.base * 2 ** over)
                wait = max(wait, back_off - (now - times[-1]))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, keys: list[str]) -> None:
        now = self.clock()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
