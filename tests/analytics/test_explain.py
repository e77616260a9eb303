"""Spike explanation: the incident's words, places, authors, negativity, duplicates, examples."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from otklik.analytics.explain import explain_spike, log_odds, split_period

FIXTURE = Path(__file__).parent.parent / "fixtures" / "spikes" / "southwest_cancellations.csv"


def _airline() -> list[dict]:
    """Real tweets to @SouthwestAir: a sample of 18–19 Feb 2015, then every tweet of the hour
    13:00–14:00 on 21 Feb, when storms cancelled flights (a third of them name a cancellation)."""
    with FIXTURE.open(encoding="utf-8") as f:
        return [{"id": r["tweet_id"], "text": r["text"], "author": r["name"],
                 "created_at": datetime.fromisoformat(r["tweet_created"]).replace(tzinfo=UTC),
                 "sentiment": r["airline_sentiment"], "reason": r["negativereason"]}
                for r in csv.DictReader(f)]


def test_real_complaint_wave_is_explained_by_its_words() -> None:
    rows = _airline()
    start = datetime(2015, 2, 21, 13, tzinfo=UTC)
    during, baseline = split_period(rows, start, start + timedelta(hours=1))
    assert len(during) == 21 and len(baseline) == 30
    result = explain_spike(during, baseline, min_count=2)
    terms = [t["term"] for t in result["terms"][:3]]
    assert "cancelled" in terms
    assert result["lemmas"][0]["term"] == "cancel"
    assert result["lemmas"][0]["form"] == "cancelled"
    neg = result["negative_share"]
    assert neg["during"] > neg["baseline"] + 0.3
    # representative posts come from the wave and most of them name the cancellations
    ids = {r["id"] for r in during}
    assert result["examples"] and all(e["id"] in ids for e in result["examples"])
    reasons = {r["id"]: r["reason"] for r in during}
    named = sum(reasons[e["id"]] == "Cancelled Flight" for e in result["examples"])
    assert named >= len(result["examples"]) // 2 + 1
    assert "cancelled" in result["summary"]


def test_words_common_to_both_periods_are_not_reported() -> None:
    baseline = Counter({"coffee": 50, "latte": 20, "queue": 2})
    during = Counter({"coffee": 50, "latte": 20, "poisoned": 15, "queue": 2})
    ranked = log_odds(during, baseline, min_count=3)
    assert ranked[0]["term"] == "poisoned"
    assert "coffee" not in [r["term"] for r in ranked]
    assert log_odds(Counter({"a": 1}), baseline) == []  # below min_count


@dataclass
class _Ref:
    handle: str


def _m(i: int, text: str, at: datetime, **kw: object) -> dict:
    return {"id": i, "text": text, "created_at": at, **kw}


def test_places_authors_hashtags_clusters_and_russian_lemmas() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    baseline = [_m(i, f"Кофе в Зерне, заказ {i}", t0 + timedelta(minutes=i),
                   place=f"group{i % 5}", author=_Ref(f"u{i % 40}"), sentiment="neutral")
                for i in range(200)]
    forms = ["отравился", "отравились", "отравилась", "отравление"]
    during = [_m(1000 + i, f"Зерно на Тверской: {forms[i % 4]} шаурмой #позор (пост {i})",
                 t0 + timedelta(days=1, minutes=i), place="Подслушано Тверская",
                 author=_Ref(f"v{i % 7}"), sentiment="negative", hashtags=["позор"])
              for i in range(40)]
    copy = "Не ходите в Зерно на Тверской, там травят людей!!"
    during += [_m(2000 + i, copy, t0 + timedelta(days=1, minutes=i), place="group1",
                  author=_Ref(f"bot{i}"), sentiment="negative", cluster_id=77) for i in range(9)]
    result = explain_spike(during, baseline)
    lemmas = [t["term"] for t in result["lemmas"][:5]]
    assert "отравиться" in lemmas
    assert result["hashtags"][0]["term"] == "позор"
    assert result["places"][0]["key"] == "Подслушано Тверская"
    assert result["places"][0]["during"] == 40 and result["places"][0]["baseline"] == 0
    assert {a["key"] for a in result["authors"][:7]} == {f"v{i}" for i in range(7)}
    assert result["clusters"][0]["size"] == 9
    assert result["clusters"][0]["example"]["text"] == copy
    assert result["negative_share"] == {"baseline": 0.0, "during": 1.0}
    # one example per duplicate cluster: the copied text appears at most once
    assert sum(e["text"] == copy for e in result["examples"]) <= 1
    assert len(result["examples"]) == 5


def test_empty_baseline_and_tiny_spike_do_not_fail() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    result = explain_spike([_m(1, "один пост", t0)], [])
    assert result["n_during"] == 1 and result["terms"] == []
    assert result["negative_share"] == {"baseline": None, "during": None}


def test_demo_incident_is_detected_and_explained_by_its_words() -> None:
    """The demo's card-terminal outage: found by the detector, explained by its own words."""
    import numpy as np

    from otklik.analytics.spikes import detect, group_episodes
    from otklik.demo.scenario import build_scenario

    scenario = build_scenario(seed=7, end=datetime(2026, 11, 20, tzinfo=UTC))
    posts = [p for p in scenario.posts if "зерн" in p.text.lower() or "zerno" in p.text.lower()]
    t0 = scenario.start.timestamp()
    n = int((scenario.end - scenario.start).total_seconds() // 300)
    counts = np.bincount([int((p.created_at.timestamp() - t0) // 300) for p in posts],
                         minlength=n)[:n]
    episodes = group_episodes(detect((t0 + 300 * np.arange(n)).tolist(), counts.tolist()),
                              threshold=0.6)
    start = scenario.incident_start.timestamp()
    (ep,) = [e for e in episodes if start <= e.start <= start + 1800]
    assert ep.volume > 3 * ep.expected
    at = datetime.fromtimestamp(ep.start, UTC)
    during, baseline = split_period(posts, at, datetime.fromtimestamp(ep.end + 300, UTC))
    result = explain_spike(during, baseline)
    lemmas = [t["term"] for t in result["lemmas"][:4]]
    assert {"карта", "оплата"} <= set(lemmas)
    assert "оплата" in result["summary"] or "картой" in result["summary"]
