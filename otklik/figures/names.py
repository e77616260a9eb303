"""People's names for the account keys analytics stores (`vk:vk-u146` → "Мария Попова").

Attacks and opponent groups keep their accounts as `network:external_id`; a reader needs the
name, the handle and a link to the account's mentions, not the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Place

CHUNK = 200


@dataclass(frozen=True)
class Account:
    label: str
    href: str


def account_names(session: Session, keys: list[str]) -> dict[str, Account]:
    """key → a readable label and a link; a key with no stored author keeps a tidy form."""
    pairs = {}
    for key in dict.fromkeys(keys):
        network, sep, external = key.partition(":")
        if sep:
            pairs[key] = (network, external)
    out: dict[str, Account] = {}
    items = list(pairs.items())
    for i in range(0, len(items), CHUNK):
        part = items[i:i + CHUNK]
        cond = or_(*(and_(Author.network == n, Author.external_id == e) for _, (n, e) in part))
        found = {(a.network, a.external_id): a for a in session.scalars(select(Author).where(cond))}
        for key, pair in part:
            a = found.get(pair)
            if a is None:
                continue
            handle = a.handle or ""
            name = a.name or (f"@{handle}" if handle else pair[1])
            label = f"{name} (@{handle})" if handle and a.name and a.name != handle else name
            href = "/mentions?" + urlencode({"author": handle or name, "network": a.network})
            out[key] = Account(label, href)
    for key in keys:
        if key not in out:
            network, _, external = key.partition(":")
            out[key] = Account(external or key, "")
    return out


def place_names(session: Session, keys: list[str]) -> dict[str, Account]:
    """`network:external_id` of places → their names and a link to their mentions."""
    pairs: dict[str, tuple[str, str]] = {
        k: (k.partition(":")[0], k.partition(":")[2]) for k in dict.fromkeys(keys) if ":" in k}
    out: dict[str, Account] = {}
    items = list(pairs.items())
    for i in range(0, len(items), CHUNK):
        part = items[i:i + CHUNK]
        cond = or_(*(and_(Place.network == n, Place.external_id == e) for _, (n, e) in part))
        found = {(p.network, p.external_id): p for p in session.scalars(select(Place).where(cond))}
        for key, pair in part:
            place = found.get(pair)
            if place is not None:
                out[key] = Account(place.name or pair[1], f"/mentions?place={place.id}")
    for key in keys:
        out.setdefault(key, Account(key.partition(":")[2] or key, ""))
    return out
