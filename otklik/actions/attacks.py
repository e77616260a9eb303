"""Detect information attacks in a brand's recent mentions and store them as `Attack` records.

A campaign that goes on is found again on the next run with more posts: a detection that shares
posts with a stored attack of the brand updates that attack (its posts and accounts only grow),
so running again over the same data creates nothing new. New attacks are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.communities import BrandMention, load_brand_mentions
from otklik.analytics.attacks import Attack as Detected
from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks
from otklik.db.models import Attack, Channel

ACTOR = "system:attacks"


@dataclass
class AttackRefresh:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    detected: list[Detected] = field(default_factory=list)


def mention_records(mentions: list[BrandMention]) -> list[MentionRecord]:
    return [
        MentionRecord(
            id=str(m.id), text=m.text, author=m.author_key, created_at=m.created_at, lang=m.lang,
            followers=m.followers, author_created_at=m.author_created_at, place=m.place_key,
            parent_id=m.parent_external_id,
        )
        for m in mentions
    ]


def own_handles(session: Session, brand_id: int) -> frozenset[str]:
    """The handles people write to reach the brand's channels (lower case, no @ or u/)."""
    found: set[str] = set()
    for external_id, name in session.execute(
            select(Channel.external_id, Channel.name).where(Channel.brand_id == brand_id)):
        for value in (external_id, name):
            handle = str(value or "").strip().lower().removeprefix("@").removeprefix("u/")
            if handle and " " not in handle:
                found.add(handle)
    return frozenset(found)


def _match(stored: list[Attack], ids: set[int]) -> Attack | None:
    """The stored attack sharing the most posts with a detection (at least one)."""
    best, best_overlap = None, 0
    for row in stored:
        overlap = len(ids & set(row.mention_ids))
        if overlap > best_overlap:
            best, best_overlap = row, overlap
    return best


def refresh_attacks(
    session: Session, brand_id: int, *, now: datetime | None = None,
    window: timedelta = timedelta(days=3), params: AttackParams | None = None,
) -> AttackRefresh:
    """Run the detector over the brand's last `window` of mentions; store what it finds. The
    brand's own accounts are never a smear's "target": customers reply to them."""
    now = now or datetime.now(UTC)
    params = replace(params or AttackParams(), own_accounts=frozenset(
        (params.own_accounts if params else frozenset()) | own_handles(session, brand_id)))
    mentions = load_brand_mentions(session, brand_id, since=now - window, until=now)
    result = AttackRefresh(detected=detect_attacks(mention_records(mentions), params))
    if not result.detected:
        return result
    stored = list(session.scalars(
        select(Attack).where(Attack.brand_id == brand_id, Attack.end >= now - 2 * window)
        .order_by(Attack.id)
    ))
    for found in result.detected:
        ids = {int(i) for i in found.mention_ids}
        row = _match(stored, ids)
        if row is None:
            row = Attack(
                brand_id=brand_id, key=found.id, start=found.start, end=found.end,
                score=found.score, mention_ids=sorted(ids), authors=found.authors,
                signals=found.signals, summary=found.summary,
            )
            session.add(row)
            session.flush()
            stored.append(row)
            record(session, ACTOR, "attack.detected", "attack", row.id, score=found.score,
                   posts=len(ids), accounts=len(found.authors))
            result.created.append(row.id)
            continue
        merged = sorted(ids | set(row.mention_ids))
        authors = sorted(set(found.authors) | set(row.authors))
        if merged == sorted(row.mention_ids) and authors == sorted(row.authors):
            continue  # nothing new about this attack
        row.mention_ids, row.authors = merged, authors
        row.start, row.end = min(row.start, found.start), max(row.end, found.end)
        row.score = max(row.score, found.score)
        row.signals, row.summary = found.signals, found.summary
        result.updated.append(row.id)
    session.flush()
    return result
