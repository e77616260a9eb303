"""People's names for the account keys analytics stores (`vk:vk-u146` → "Мария Попова").

Attacks and opponent groups keep their accounts as `network:external_id`; a reader needs the
name, the handle and a link to the account's mentions, not the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Place

CHUNK = 200
Row = TypeVar("Row", Author, Place)


@dataclass(frozen=True)
class Account:
    label: str
    href: str


def _stored(session: Session, model: type[Row], keys: list[str]) -> dict[str, Row]:
    """`network:external_id` keys → their stored rows, looked up CHUNK keys at a time."""
    pairs = {k: (k.partition(":")[0], k.partition(":")[2]) for k in dict.fromkeys(keys) if ":" in k}
    out: dict[str, Row] = {}
    items = list(pairs.items())
    for i in range(0, len(items), CHUNK):
        part = items[i:i + CHUNK]
        cond = or_(*(and_(model.network == n, model.external_id == e) for _, (n, e) in part))
        found = {(r.network, r.external_id): r for r in session.scalars(select(model).where(cond))}
        out.update((key, found[pair]) for key, pair in part if pair in found)
    return out


def _unknown(key: str) -> Account:
    """A key with no stored row keeps a tidy form."""
    return Account(key.partition(":")[2] or key, "")


def account_names(session: Session, keys: list[str]) -> dict[str, Account]:
    """key → a readable label and a link; a key with no stored author keeps a tidy form."""
    out: dict[str, Account] = {}
    for key, a in _stored(session, Author, keys).items():
        handle = a.handle or ""
        name = a.name or (f"@{handle}" if handle else a.external_id)
        label = f"{name} (@{handle})" if handle and a.name and a.name != handle else name
        href = "/mentions?" + urlencode({"author": handle or name, "network": a.network})
        out[key] = Account(label, href)
    return {key: out.get(key) or _unknown(key) for key in keys}


def place_names(session: Session, keys: list[str]) -> dict[str, Account]:
    """`network:external_id` of places → their names and a link to their mentions."""
    out = {key: Account(place.name or place.external_id, f"/mentions?place={place.id}")
           for key, place in _stored(session, Place, keys).items()}
    return {key: out.get(key) or _unknown(key) for key in keys}
