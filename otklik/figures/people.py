"""Top authors of a window merged by person, so one person is listed once.

The rule: two author rows are one person when
- they are on the same network with the same handle (case and a leading "@" aside): duplicate
  rows for one account; or
- they have the same handle and the same full name (two words or more, compared case-, "ё"-
  and space-insensitively) on different networks: "Ольга Смирнова, @olga_smirnova" on VK and
  on Telegram.
A name alone joins nobody: thousands of people are called "Мария Попова", and a top list that
added up namesakes would credit one person with strangers' posts. Accounts that differ are
shown with their handles, so namesakes read as different people.

Counts are summed over the author rows of the `POOL` busiest accounts; a person whose accounts
each fall outside that pool is not listed, which changes nothing for a top ten.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Mention, MentionBrand
from otklik.figures.overview import _window

POOL = 200
SPACES = re.compile(r"\s+")


def person_keys(network: str, handle: str | None, name: str | None) -> list[str]:
    """The keys by which an author row joins others (see the module's rule)."""
    bare = (handle or "").strip().lstrip("@").casefold()
    if not bare:
        return []
    keys = [f"{network}:@{bare}"]
    full = SPACES.sub(" ", (name or "").replace("ё", "е").replace("Ё", "Е")).strip().casefold()
    if len(full.split(" ")) >= 2:
        keys.append(f"@{bare}:{full}")
    return keys


def top_people(session: Session, brand_id: int | None, since: datetime, until: datetime,
               limit: int = 10) -> list[dict[str, Any]]:
    """[{"label", "handle", "networks", "count", "accounts", "href"}], busiest person first
    (`handle` is the busiest account's; `accounts` how many were merged)."""
    table: Any = Mention if brand_id is None else MentionBrand
    counts = session.execute(
        select(table.author_id, func.count().label("n"))
        .where(*_window(table, brand_id, since, until), table.author_id.is_not(None))
        .group_by(table.author_id).order_by(func.count().desc()).limit(POOL)).all()
    authors = {a.id: a for a in session.scalars(
        select(Author).where(Author.id.in_([row[0] for row in counts])))}
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for author_id, _ in counts:
        a = authors.get(author_id)
        if a is None:
            continue
        parent.setdefault(author_id, author_id)
        for key in person_keys(a.network, a.handle, a.name):
            if key in owner:
                parent[root(author_id)] = root(owner[key])
            else:
                owner[key] = author_id
    people: dict[int, dict[str, Any]] = {}
    for author_id, n in counts:  # busiest first, so a person is named after their main account
        a = authors.get(author_id)
        if a is None:
            continue
        person = people.setdefault(root(author_id), {
            "label": a.name or (f"@{a.handle}" if a.handle else a.external_id),
            "handle": a.handle or "", "networks": [], "count": 0, "accounts": 0,
            "href": "/mentions?" + urlencode({"author": _finder(a)})})
        person["count"] += int(n)
        person["accounts"] += 1
        if a.network not in person["networks"]:
            person["networks"].append(a.network)
    return sorted(people.values(), key=lambda p: -p["count"])[:limit]


def _finder(a: Author) -> str:
    """What the mention filter finds the person by: the handle, which all their merged
    accounts share (a name would also find namesakes)."""
    return a.handle or a.name or ""
