"""Incident rules with no I/O: statuses, the keywords query, which complaints an incident explains.

A complaint belongs to an open incident when the incident's keywords (a brand query, checked
with `otklik.query.parse`) match it, or, for an incident that explains a spike, when it was
written inside the spike's time window. Keyword matches count from a day before the incident
began (it is recorded after the complaints start); spike-window ones from the spike's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.query import Query, parse
from otklik.wording.codes import word

STATUSES: tuple[str, ...] = ("open", "monitoring", "resolved")
OPEN: frozenset[str] = frozenset({"open", "monitoring"})
WINDOW_SLACK = timedelta(minutes=30)  # complaints lag a little behind a spike's end
# An incident is recorded after customers began to complain: complaints matching its keywords
# up to a day before it began are its too (else "related complaints" stay empty when it opens).
LOOKBACK = timedelta(hours=24)


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown incident status {status!r} (one of {', '.join(STATUSES)})")
    return status


def keywords_query(text: str | None) -> Query | None:
    """The parsed keywords, or None when there are none; `QuerySyntaxError` names the column."""
    if text is None or not text.strip():
        return None
    return parse(text)


def spike_keywords(explanation: Mapping[str, Any] | None) -> str:
    """A spike's top single-word terms as incident keywords ("оплата OR терминал")."""
    terms = [t["term"] for t in (explanation or {}).get("terms") or []
             if isinstance(t, dict) and " " not in str(t.get("term", ""))][:4]
    return " OR ".join(str(t) for t in terms)


def status_text(status: str, lang: str) -> str:
    """The status as a post to customers says it ("разбираемся и исправляем")."""
    return word("incident_status_text", check_status(status), lang)


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class IncidentScope:
    """What an incident explains: its start, its keywords, the window of the spike it explains."""

    started_at: datetime
    query: Query | None = None
    spike_start: datetime | None = None
    spike_end: datetime | None = None

    def explains(self, mention: Mapping[str, Any], created_at: datetime,
                 now: datetime) -> bool:
        """Does this complaint (a `mention_mapping`) belong to the incident?"""
        when = aware(created_at)
        start = aware(self.started_at)
        if self.spike_start is not None:
            start = min(start, aware(self.spike_start))
        if self.query is not None and start - LOOKBACK <= when and self.query.matches(mention):
            return True
        if when < start:
            return False
        if self.spike_start is None:
            return False
        end = aware(self.spike_end) + WINDOW_SLACK if self.spike_end else aware(now)
        return aware(self.spike_start) <= when <= end
