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
Pure rules: the store is read in `otklik.actions.case_queries`, written in `otklik.actions.cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otklik.db.models import Brand, Channel, Mention


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
