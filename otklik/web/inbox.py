"""The inbox as pages: open cases, most urgent first, 50 at a time, with counts per state.

The order and the paging are done by the store (an index range, not 10,000 rows sorted in
Python), so the page costs the same with 200 cases or 100,000: priority first, then the least
SLA time left (cases already answered, or without an SLA, after those still waiting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Brand, Case, Mention
from otklik.domain import cases as sm

PER_PAGE = 50
MAX_PAGE = 10_000


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


def read_page(session: Session, now: datetime, *, brand_id: int | None = None,
              state: str | None = None, overdue: bool = False, page: int = 1,
              per_page: int = PER_PAGE) -> InboxPage:
    """One page of open cases (or of one open state), with the counts the tabs show."""
    where: list[Any] = [Case.state.in_(sm.OPEN_STATES)]
    if brand_id is not None:
        where.append(Case.brand_id == brand_id)
    counts = {s: int(n) for s, n in session.execute(
        select(Case.state, func.count()).where(*where).group_by(Case.state))}
    waiting = (Case.first_response_at.is_(None)) & (Case.first_response_due_at.is_not(None))
    late = waiting & (Case.first_response_due_at < now)
    overdue_n = int(session.scalar(select(func.count()).select_from(Case).where(*where, late))
                    or 0)
    if state in sm.OPEN_STATES:
        where.append(Case.state == state)
    if overdue:
        where.append(late)
    total = int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages, MAX_PAGE)
    stmt = (select(Case).where(*where)
            .order_by(func.coalesce(Case.priority, 0.0).desc(), case((waiting, 0), else_=1),
                      Case.first_response_due_at, Case.id)
            .offset((page - 1) * per_page).limit(per_page))
    cases = list(session.scalars(stmt))
    roots = {m.id: m for m in session.scalars(
        select(Mention).where(Mention.id.in_([c.root_mention_id for c in cases])))}
    authors = {a.id: a for a in session.scalars(
        select(Author).where(Author.id.in_([c.author_id for c in cases if c.author_id])))}
    brand_names = {b.id: b.name for b in session.scalars(select(Brand))}
    rows = []
    for c in cases:
        due = _utc(c.first_response_due_at)
        left = None if c.first_response_at is not None or due is None else \
            (due - now).total_seconds() / 60.0
        author = authors.get(c.author_id) if c.author_id else None
        who = c.customer_name or (author.name or author.handle if author else None)
        rows.append({"case": c, "root": roots.get(c.root_mention_id), "left": left,
                     "who": who, "brand": brand_names.get(c.brand_id, ""),
                     "level": priority_level(c.priority)})
    return InboxPage(rows, total, page, pages, counts, overdue_n)


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
