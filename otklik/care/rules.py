"""When a mention deserves a case, and which open case a new mention belongs to.

A case opens for a mention of a brand that is negative toward the brand (or a question) with a
priority at or above the brand's threshold. One problem is one case, so a new mention joins an
open case of the same brand when it
- replies to a mention already in that case (a reply chain),
- sits in the thread of a post that is the case's root (comments under a complaint post), or
- comes from the same author who already has an open complaint (a repeated complaint),
rather than opening a second case that another responder would answer a second time.

Brand settings (`Brand.settings["case_rules"]`): `priority_threshold` (default 0.0: every
negative mention), `questions` (default true), `author_window_days` (default 14).
Read-only: the writers live in `otklik.actions.cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from otklik.db.models import Brand, Case, CaseMention, Channel, Mention
from otklik.domain.cases import OPEN_STATES

# a case's mentions and actions load when read, not with every lookup (ingest runs these often)
LAZY = (lazyload(Case.mentions), lazyload(Case.actions))


@dataclass(frozen=True, slots=True)
class CaseRule:
    priority_threshold: float = 0.0
    questions: bool = True
    author_window_days: float = 14.0

    @classmethod
    def of(cls, brand: Brand) -> CaseRule:
        spec: dict[str, Any] = dict((brand.settings or {}).get("case_rules") or {})
        return cls(
            priority_threshold=float(spec.get("priority_threshold", 0.0)),
            questions=bool(spec.get("questions", True)),
            author_window_days=float(spec.get("author_window_days", 14.0)),
        )


def wants_case(
    sentiment: str | None, is_question: bool, priority: float | None, rule: CaseRule
) -> bool:
    """A negative mention (or a question) at or above the priority threshold opens a case."""
    if (priority or 0.0) < rule.priority_threshold:
        return False
    return sentiment == "negative" or (rule.questions and is_question)


def thread_key(mention: Mention) -> str:
    """The case's thread: the whole thread when the mention starts it, else the author's part."""
    thread = mention.thread_external_id or mention.external_id
    if thread == mention.external_id:
        return f"{mention.network}:{thread}"
    return f"{mention.network}:{thread}#{mention.author_id}"


def is_brand_own(mention: Mention, channels: list[Channel]) -> bool:
    """Written by one of the brand's own accounts (its answers are not complaints)."""
    if mention.author is None:
        return False
    ext = mention.author.external_id.lstrip("-")
    return any(
        ch.network == mention.network and ch.external_id.lstrip("-") == ext for ch in channels
    )


def find_joinable_case(
    session: Session, brand_id: int, mention: Mention, rule: CaseRule, now: datetime
) -> Case | None:
    """The open case of this brand that `mention` belongs to, if any (see module docstring)."""
    open_case = (Case.brand_id == brand_id, Case.state.in_(OPEN_STATES))
    if mention.parent_external_id:
        parent_case = session.scalars(
            select(Case).options(*LAZY)
            .join(CaseMention, CaseMention.case_id == Case.id)
            .join(Mention, Mention.id == CaseMention.mention_id)
            .where(*open_case, Mention.network == mention.network,
                   Mention.external_id == mention.parent_external_id)
            .order_by(Case.id)
        ).first()
        if parent_case is not None:
            return parent_case
    thread = mention.thread_external_id or mention.external_id
    keys = [f"{mention.network}:{thread}", f"{mention.network}:{thread}#{mention.author_id}"]
    same_thread = session.scalars(
        select(Case).options(*LAZY).where(*open_case, Case.thread_key.in_(keys)).order_by(Case.id)
    ).first()
    if same_thread is not None:
        return same_thread
    if mention.author_id is None:
        return None
    since = now - timedelta(days=rule.author_window_days)
    return session.scalars(
        select(Case).options(*LAZY)
        .where(*open_case, Case.network == mention.network, Case.author_id == mention.author_id,
               Case.created_at >= since)
        .order_by(Case.id.desc())
    ).first()
