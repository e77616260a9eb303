"""Desk metrics per brand and period: how fast, how privately, how often the loop was closed.

- time to first public answer: from the mention's appearance to the brand's first public reply
  (minutes: median, mean, 90th percentile over the answered cases);
- share moved to private: cases where a private message was actually sent;
- loop-closure rate: share of public complaints where the brand came back publicly with the
  result (a follow-up or closing note sent in the thread);
- outcome shares over the closed cases (resolved / not_resolved / no_answer).
Cases dismissed as `not_actionable` are not complaints and count in `cases` only.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from otklik.domain.cases import NOT_ACTIONABLE, OUTCOMES

PUBLIC_RESULT = ("follow_up", "closing_note")


@dataclass(frozen=True, slots=True)
class CaseFacts:
    state: str
    appeared_at: datetime
    first_public_at: datetime | None
    sent_kinds: frozenset[str]
    outcome: str | None
    sla_breached: bool


@dataclass
class DeskMetrics:
    cases: int = 0
    complaints: int = 0
    answered_publicly: int = 0
    first_answer_minutes: dict[str, float | None] = field(default_factory=dict)
    sla_breached: int = 0
    moved_to_private: int = 0
    moved_to_private_share: float | None = None
    loop_closed: int = 0
    loop_closure_rate: float | None = None
    closed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    outcome_shares: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def compute(facts: list[CaseFacts]) -> DeskMetrics:
    """Pure: the metrics of a list of cases."""
    m = DeskMetrics(cases=len(facts))
    complaints = [f for f in facts if f.state != NOT_ACTIONABLE]
    m.complaints = len(complaints)
    waits = [(f.first_public_at - f.appeared_at).total_seconds() / 60
             for f in complaints if f.first_public_at is not None]
    m.answered_publicly = len(waits)
    m.first_answer_minutes = {
        "median": round(statistics.median(waits), 2) if waits else None,
        "mean": round(statistics.fmean(waits), 2) if waits else None,
        "p90": round(_quantile(waits, 0.9), 2) if waits else None,
    }
    m.sla_breached = sum(f.sla_breached for f in complaints)
    m.moved_to_private = sum("private_message" in f.sent_kinds for f in complaints)
    m.moved_to_private_share = _share(m.moved_to_private, m.complaints)
    m.loop_closed = sum(any(k in f.sent_kinds for k in PUBLIC_RESULT) for f in complaints)
    m.loop_closure_rate = _share(m.loop_closed, m.complaints)
    closed = [f for f in complaints if f.state == "closed"]
    m.closed = len(closed)
    counts = Counter(f.outcome or "unknown" for f in closed)
    m.outcomes = {k: counts.get(k, 0) for k in OUTCOMES}
    if counts.get("unknown"):
        m.outcomes["unknown"] = counts["unknown"]
    m.outcome_shares = {k: _share(v, m.closed) for k, v in m.outcomes.items()}
    return m
