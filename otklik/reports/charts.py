"""The report's charts as SVG (matplotlib, no display): text drawn as paths, so the PDF needs
no font for them and Cyrillic labels look the same everywhere."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from otklik.reports.figures import Figures  # noqa: E402
from otklik.reports.i18n import translator  # noqa: E402

NEG, ALL, PREV = "#c0392b", "#2c6fbb", "#9aa5b1"


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # inline: no XML prolog or doctype


def volume_chart(f: Figures, lang: str) -> str:
    """Mentions per day (bars, negatives darker), spikes marked with their peak volume."""
    days: list[Any] = [date.fromisoformat(row["t"]) for row in f.volume.days]
    totals = [row["n"] for row in f.volume.days]
    negatives = [row["neg"] for row in f.volume.days]
    t = translator(lang)
    fig, ax = plt.subplots(figsize=(7.2, 2.6), dpi=100)
    ax.bar(days, totals, color=ALL, alpha=0.35, label=t("all"))
    ax.bar(days, negatives, color=NEG, alpha=0.8,
           label=t("negative"))
    by_day = dict(zip(days, totals, strict=True))
    for s in f.spikes:
        if s.series != "all":
            continue
        d = s.peak.date()
        ax.annotate("▲", (d, by_day.get(d, 0)), ha="center", va="bottom", color=NEG,
                    fontsize=10)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d.%m"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.tick_params(labelsize=8)
    return _svg(fig)


def sentiment_chart(f: Figures, lang: str) -> str:
    """Sentiment split of this period against the previous one, as stacked shares."""
    t = translator(lang)
    labels = tuple(t(key) for key in ("negative", "neutral", "positive"))
    colors = (NEG, PREV, "#27ae60")
    fig, ax = plt.subplots(figsize=(7.2, 1.3), dpi=100)
    rows = ((t("previous"), f.previous), (t("this"), f.volume))
    for y, (_, vol) in enumerate(rows):
        left = 0.0
        for key, color in zip(("negative", "neutral", "positive"), colors, strict=True):
            share = vol.split[key] / vol.total if vol.total else 0.0
            ax.barh(y, share, left=left, color=color)
            if share >= 0.06:
                ax.text(left + share / 2, y, f"{round(100 * share)}%", ha="center",
                        va="center", color="white", fontsize=8)
            left += share
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colors]
    ax.legend(handles, labels, frameon=False, fontsize=8, ncol=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.05))
    ax.tick_params(labelsize=8)
    return _svg(fig)
