"""What the desk reports to responders: a small, plain record the dispatcher can group and send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

KINDS: tuple[str, ...] = ("new_case", "sla_reminder", "sla_breach", "removed_at_source",
                          "silence", "publish_review", "spike", "attack")

TITLES = {
    "new_case": "New case",
    "sla_reminder": "SLA due soon",
    "sla_breach": "SLA breached",
    "removed_at_source": "Comment removed at the source",
    "silence": "No brand response yet",
    "publish_review": "Check a publication by hand",
    "spike": "Spike in mentions",
    "attack": "Possible information attack",
}


@dataclass(frozen=True, slots=True)
class AlertEvent:
    kind: str
    brand_id: int
    case_id: int | None
    summary: str  # one line: who said what, where
    priority: float = 0.0
    url: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r} (one of {', '.join(KINDS)})")

    def line(self) -> str:
        case = f" #{self.case_id}" if self.case_id is not None else ""
        link = f" {self.url}" if self.url else ""
        return f"{TITLES[self.kind]}{case}: {self.summary}{link}"
