"""The data a volume chart draws (`static/overview.js`, `static/mentions.js`): bars per local
hour, day or week, the negative share as a line, and axis labels in the reader's words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otklik.wording import words


def axis_label(key: str, bucket: str, lang: str) -> str:
    """ "3 дек., 14:00" for an hour, "3 дек." for a day or week (`key` is already local)."""
    at = datetime.fromisoformat(key).replace(tzinfo=UTC)
    text = words.when(at, lang, UTC, year=False)
    return text if bucket == "hour" else text.rsplit(", ", 1)[0]


def volume_chart(series: list[dict[str, Any]], bucket: str, lang: str) -> dict[str, Any]:
    """`series` rows are {"t": local key, "n": mentions, "neg": negatives}; rows with a "since"
    and an "until" (the mentions page's) give each bar's period, so a click narrows the filter."""
    chart = {
        "bucket": bucket,
        "t": [row["t"] for row in series],
        "x": [axis_label(row["t"], bucket, lang) for row in series],
        "n": [row["n"] for row in series],
        "negn": [row["neg"] for row in series],
        "neg": [round(100.0 * row["neg"] / row["n"], 1) if row["n"] else None for row in series],
    }
    if series and "since" in series[0]:
        chart["since"] = [row["since"] for row in series]
        chart["until"] = [row["until"] for row in series]
    return chart
