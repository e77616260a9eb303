"""Desk metrics over hand-built cases: each figure checked against a count done by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from otklik.care.metrics import CaseFacts, compute

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def fact(state: str, answered_after: float | None, sent: set[str], outcome: str | None = None,
         breached: bool = False) -> CaseFacts:
    return CaseFacts(state=state, appeared_at=T,
                     first_public_at=None if answered_after is None
                     else T + timedelta(minutes=answered_after),
                     sent_kinds=frozenset(sent), outcome=outcome, sla_breached=breached)


def test_metrics_by_hand() -> None:
    facts = [
        fact("closed", 10, {"public_reply", "private_message", "follow_up"}, "resolved"),
        fact("closed", 20, {"public_reply", "private_message", "follow_up"}, "not_resolved"),
        fact("closed", 30, {"public_reply", "closing_note"}, "resolved"),
        fact("closed", 90, {"public_reply", "private_message"}, "no_answer", breached=True),
        fact("in_private", 40, {"public_reply", "private_message"}),
        fact("new", None, set(), breached=True),
        fact("not_actionable", None, set()),  # spam: not a complaint
    ]
    m = compute(facts)
    assert (m.cases, m.complaints, m.answered_publicly) == (7, 6, 5)
    assert m.first_answer_minutes == {"median": 30.0, "mean": 38.0, "p90": 70.0}
    assert m.sla_breached == 2
    assert (m.moved_to_private, m.moved_to_private_share) == (4, round(4 / 6, 4))
    assert (m.loop_closed, m.loop_closure_rate) == (3, 0.5)
    assert m.closed == 4
    assert m.outcomes == {"resolved": 2, "not_resolved": 1, "no_answer": 1}
    assert m.outcome_shares == {"resolved": 0.5, "not_resolved": 0.25, "no_answer": 0.25}


def test_metrics_of_nothing_are_empty_not_zero() -> None:
    m = compute([])
    assert m.cases == 0 and m.first_answer_minutes["median"] is None
    assert m.moved_to_private_share is None and m.loop_closure_rate is None
    assert m.outcome_shares == {"resolved": None, "not_resolved": None, "no_answer": None}
