"""The inbox as pages: open cases, most urgent first, 50 at a time, with counts per state.

The order and the paging are done by the store (an index range, not 10,000 rows sorted in
Python), so the page costs the same with 200 cases or 100,000: priority first, then the least
SLA time left (cases already answered, or without an SLA, after those still waiting). Filters
narrow the same query; the tabs count open cases under every filter but the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, exists, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from otklik.db.models import Author, Brand, Case, Location, Mention, MentionBrand, User
from otklik.domain import cases as sm

PER_PAGE = 50
MAX_PAGE = 10_000
SORTS = ("urgent", "newest", "oldest")
LEVELS = ("high", "medium", "low")


@dataclass
class InboxFilter:
    """What the responder narrowed the inbox to; every field optional."""

    brand_id: int | None = None
    state: str | None = None
    overdue: bool = False
    network: str | None = None
    level: str | None = None       # high, medium, low
    assignee: str | None = None    # "none" or a user id
    tag: str | None = None
    incident: str | None = None    # "any", "none" or an incident id
    location: int | None = None    # the brand location the complaint is about
    sort: str = "urgent"

    def query(self) -> dict[str, Any]:
        """The filter as query-string values (for links that keep it)."""
        return {"brand": self.brand_id, "state": self.state,
                "overdue": "1" if self.overdue else None, "network": self.network,
                "level": self.level, "assignee": self.assignee, "tag": self.tag,
                "incident": self.incident, "location": self.location,
                "sort": None if self.sort == "urgent" else self.sort}


@dataclass
class InboxPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # open state → cases
    overdue: int = 0


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def priority_level(priority: float | None) -> str:
    """A word for the priority score: "high" (≥ 0.6), "medium" (≥ 0.4) or "low"."""
    p = priority or 0.0
    return "high" if p >= 0.6 else "medium" if p >= 0.4 else "low"


def _level_clause(level: str) -> Any:
    p = func.coalesce(Case.priority, 0.0)
    return {"high": p >= 0.6, "medium": (p >= 0.4) & (p < 0.6), "low": p < 0.4}[level]


def _tag_clause(tag: str, dialect: str) -> Any:
    """Tags are a JSON list: containment on PostgreSQL (JSONB `@>`), `json_each` on SQLite."""
    if dialect == "postgresql":
        return type_coerce(Case.tags, JSONB).contains([tag])
    each = func.json_each(Case.tags).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == tag))


def _narrowing(f: InboxFilter, dialect: str) -> list[Any]:
    """Every filter but the state and "overdue" (those are the tabs)."""
    where: list[Any] = [Case.state.in_(sm.OPEN_STATES)]
    if f.brand_id is not None:
        where.append(Case.brand_id == f.brand_id)
    if f.network:
        where.append(Case.network == f.network)
    if f.level in LEVELS:
        where.append(_level_clause(f.level))
    if f.assignee == "none":
        where.append(Case.assignee_id.is_(None))
    elif f.assignee and f.assignee.isascii() and f.assignee.isdigit():
        where.append(Case.assignee_id == int(f.assignee))
    if f.tag:
        where.append(_tag_clause(f.tag, dialect))
    if f.incident == "any":
        where.append(Case.incident_id.is_not(None))
    elif f.incident == "none":
        where.append(Case.incident_id.is_(None))
    elif f.incident and f.incident.isascii() and f.incident.isdigit():
        where.append(Case.incident_id == int(f.incident))
    if f.location is not None:
        where.append(exists(select(1).where(
            MentionBrand.mention_id == Case.root_mention_id,
            MentionBrand.brand_id == Case.brand_id, MentionBrand.location_id == f.location)))
    return where


def _order(sort: str, waiting: Any) -> list[Any]:
    if sort == "newest":
        return [Case.created_at.desc(), Case.id.desc()]
    if sort == "oldest":
        return [Case.created_at, Case.id]
    return [func.coalesce(Case.priority, 0.0).desc(), case((waiting, 0), else_=1),
            Case.first_response_due_at, Case.id]


def read_page(session: Session, now: datetime, f: InboxFilter | None = None, *,
              page: int = 1, per_page: int = PER_PAGE) -> InboxPage:
    """One page of open cases under the filter, with the counts the tabs show."""
    f = f or InboxFilter()
    where = _narrowing(f, session.get_bind().dialect.name)
    counts = {s: int(n) for s, n in session.execute(
        select(Case.state, func.count()).where(*where).group_by(Case.state))}
    waiting = (Case.first_response_at.is_(None)) & (Case.first_response_due_at.is_not(None))
    late = waiting & (Case.first_response_due_at < now)
    overdue_n = int(session.scalar(select(func.count()).select_from(Case).where(*where, late))
                    or 0)
    if f.state in sm.OPEN_STATES:
        where.append(Case.state == f.state)
    if f.overdue:
        where.append(late)
    total = int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages, MAX_PAGE)
    stmt = (select(Case).where(*where).order_by(*_order(f.sort, waiting))
            .offset((page - 1) * per_page).limit(per_page))
    cases = list(session.scalars(stmt))
    return InboxPage(_rows(session, cases, now), total, page, pages, counts, overdue_n)


def _rows(session: Session, cases: list[Case], now: datetime) -> list[dict[str, Any]]:
    roots = {m.id: m for m in session.scalars(
        select(Mention).where(Mention.id.in_([c.root_mention_id for c in cases])))}
    authors = {a.id: a for a in session.scalars(
        select(Author).where(Author.id.in_([c.author_id for c in cases if c.author_id])))}
    users = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_([c.assignee_id for c in cases if c.assignee_id])))}
    brand_names = {b.id: b.name for b in session.scalars(select(Brand))}
    located = {(m, b): name for m, b, name in session.execute(
        select(MentionBrand.mention_id, MentionBrand.brand_id, Location.name)
        .join(Location, Location.id == MentionBrand.location_id)
        .where(MentionBrand.mention_id.in_([c.root_mention_id for c in cases])))}
    rows = []
    for c in cases:
        due = _utc(c.first_response_due_at)
        left = None if c.first_response_at is not None or due is None else \
            (due - now).total_seconds() / 60.0
        author = authors.get(c.author_id) if c.author_id else None
        who = c.customer_name or (author.name or author.handle if author else None)
        assignee = users.get(c.assignee_id) if c.assignee_id else None
        rows.append({"case": c, "root": roots.get(c.root_mention_id), "left": left,
                     "who": who, "brand": brand_names.get(c.brand_id, ""),
                     "level": priority_level(c.priority),
                     "assignee": (assignee.name or assignee.email) if assignee else None,
                     "location": located.get((c.root_mention_id, c.brand_id))})
    return rows


def choices(session: Session) -> dict[str, list[Any]]:
    """What the filter menus offer: the networks and tags open cases have, the responders, the
    brands' locations."""
    open_ = Case.state.in_(sm.OPEN_STATES)
    networks = sorted(n for n in session.scalars(select(Case.network).where(open_).distinct())
                      if n)
    tags: set[str] = set()
    for row in session.scalars(select(Case.tags).where(open_, Case.tags.is_not(None))
                               .distinct().limit(500)):
        tags.update(t for t in row or [] if isinstance(t, str))
    responders = User.active.is_(True) & User.role.in_(("admin", "responder"))
    users = list(session.scalars(select(User).where(responders).order_by(User.name, User.email)))
    locations = list(session.scalars(select(Location).where(Location.enabled.is_(True))
                                     .order_by(Location.name)))
    return {"networks": networks, "tags": sorted(tags)[:100], "users": users,
            "locations": locations}


def page_links(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one; None is a
    gap ("…")."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    out: list[int | None] = []
    last = 0
    for n in sorted(p for p in wanted if 1 <= p <= pages):
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out
