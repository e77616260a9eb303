"""Accounts: users with argon2-hashed passwords, roles, and API tokens stored only as hashes.

Every writer records an audit event. Tokens are random 32-byte secrets shown once; the store
keeps their SHA-256 (a fast hash is right for high-entropy secrets looked up on every request,
argon2 is for low-entropy passwords).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.db.models import ApiToken, User
from otklik.db.models.accounts import ROLES

_hasher = PasswordHasher()
TOKEN_PREFIX = "otk_"
MIN_PASSWORD = 8
# A valid hash to verify against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("otklik-dummy-password")


class UserError(ValueError):
    """Bad input for an account operation (unknown role, short password, duplicate e-mail)."""


@dataclass(frozen=True, slots=True)
class NewToken:
    id: int
    token: str  # shown once; only its hash is stored


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 200:
        raise UserError(f"not an e-mail address: {email!r}")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of {', '.join(ROLES)}")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str = "viewer",
    *,
    name: str = "",
    lang: str = "ru",
    actor: str = "system",
) -> User:
    """Create an active user; the caller commits."""
    email = normalize_email(email)
    _check_role(role)
    _check_password(password)
    if find_user(session, email) is not None:
        raise UserError(f"a user {email} already exists")
    user = User(
        email=email, name=name, role=role, lang=lang if lang in ("ru", "en") else "ru",
        password_hash=_hasher.hash(password), active=True,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, email=email, role=role)
    return user


def set_password(session: Session, user: User, password: str, *, actor: str = "system") -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    record(session, actor, "user.set_password", "user", user.id)


def set_role(session: Session, user: User, role: str, *, actor: str = "system") -> None:
    _check_role(role)
    old = user.role
    user.role = role
    record(session, actor, "user.set_role", "user", user.id, old=old, role=role)


def set_active(session: Session, user: User, active: bool, *, actor: str = "system") -> None:
    user.active = active
    record(session, actor, "user.set_active", "user", user.id, active=active)


def set_lang(session: Session, user: User, lang: str) -> None:
    if lang not in ("ru", "en"):
        raise UserError(f"unknown language {lang!r}")
    user.lang = lang


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work either way)."""
    user = find_user(session, email)
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, user: User, name: str = "", *, actor: str = "system"
) -> NewToken:
    """A new API token for the user; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=_token_hash(token))
    session.add(row)
    session.flush()
    record(session, actor, "token.create", "user", user.id, token_id=row.id, name=name)
    return NewToken(id=row.id, token=token)


TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning this token, or None. When it was last used is noted at most once
    a minute: a write per API call would queue every call for SQLite's write lock."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = datetime.now(UTC)
    last = row.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) \
            >= TOKEN_USE_GRANULARITY:
        row.last_used_at = now
    return user


def token_user(session: Session, token: str) -> User | None:
    """`user_for_token` with its noted use kept (a commit only when there is one to keep)."""
    user = user_for_token(session, token)
    if session.dirty:
        session.commit()
    return user


def sign_in(session: Session, email: str, password: str) -> User | None:
    """`authenticate`, keeping a password rehashed with today's parameters."""
    user = authenticate(session, email, password)
    if user is not None:
        session.commit()
    return user


def choose_lang(session: Session, user: User, lang: str) -> None:
    """The interface language a person picked, kept for their next sign-in."""
    set_lang(session, session.merge(user), lang)
    session.commit()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError("no such user")
    return user


def update_user(session: Session, user: User, *, role: str, active: bool, password: str,
                by: int, actor: str) -> None:
    """An admin's edit of one user (only what changed is recorded); nobody removes their own
    admin role or access, so a desk always keeps an admin who can sign in. The caller commits."""
    if user.id == by and (role != "admin" or not active):
        raise UserError("you cannot remove your own admin role or access")
    if role != user.role:
        set_role(session, user, role, actor=actor)
    if active != user.active:
        set_active(session, user, active, actor=actor)
    if password:
        set_password(session, user, password, actor=actor)
