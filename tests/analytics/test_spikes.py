"""Spike detector: online, absorbs rhythm and level shifts, finds spikes, groups them; NAB scorer;
and the store action on both stores with posts ingested through the pipeline."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from otklik.actions.brands import create_brand
from otklik.actions.spikes import detect_spikes
from otklik.actions.unit import transaction
from otklik.analytics.spikes import (
    ROW_SCORES,
    DetectorConfig,
    SpikeDetector,
    detect,
    group_episodes,
    score_series,
)
from otklik.db.models import AuditEvent, Spike
from otklik.domain.enrichment import Enriched
from otklik.flow.pipeline import ingest
from tests.factories import make_post

STEP = 300.0
T0 = 1_700_000_100.0 // 86400 * 86400  # a midnight, UTC


def _bench():
    """bench/spikes.py holds the NAB scorer (benchmarks are scripts, not a package)."""
    path = Path(__file__).resolve().parents[2] / "bench" / "spikes.py"
    spec = importlib.util.spec_from_file_location("bench_spikes", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_spikes"] = module
    spec.loader.exec_module(module)
    return module


def _series(days: float, rate, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts per 5 minutes with a rate given as a function of epoch seconds."""
    ts = T0 + STEP * np.arange(int(days * 86400 / STEP))
    rng = np.random.default_rng(seed)
    return ts, rng.poisson(rate(ts)).astype(float)


def _daily(ts: np.ndarray, day: float = 20.0, night: float = 0.05) -> np.ndarray:
    """Busy days and near-silent nights (00–07 UTC), the rhythm of a local brand."""
    hour = (ts % 86400) / 3600
    return np.where((hour >= 7) & (hour < 23), day, night)


def test_score_of_a_row_does_not_depend_on_later_rows() -> None:
    ts, values = _series(4, lambda t: _daily(t))
    first = score_series(ts.tolist(), values.tolist())
    changed = values.copy()
    changed[700:] = np.random.default_rng(5).poisson(80, len(changed) - 700)
    second = score_series(ts.tolist(), changed.tolist())
    assert first[:700] == second[:700]
    assert first[700:] != second[700:]
    assert all(0.0 <= s <= 1.0 for s in first + second)


def test_state_survives_json_between_runs() -> None:
    ts, values = _series(3, lambda t: _daily(t))
    whole = score_series(ts.tolist(), values.tolist())
    det = SpikeDetector()
    head = [det.update(v, t) for t, v in zip(ts[:500], values[:500], strict=True)]
    resumed = SpikeDetector.from_json(json.loads(json.dumps(det.to_json())))
    tail = [resumed.update(v, t) for t, v in zip(ts[500:], values[500:], strict=True)]
    assert head + tail == pytest.approx(whole)


def test_injected_spike_is_the_one_detection() -> None:
    ts, values = _series(6, lambda t: _daily(t))
    at = int(5.5 * 288)  # 12:00 on day 6
    values[at:at + 6] += [15, 40, 60, 50, 30, 15]
    buckets = detect(ts.tolist(), values.tolist())
    episodes = group_episodes(buckets)
    late = [e for e in episodes if e.start >= T0 + 86400]  # after the first day of learning
    assert len(late) == 1
    (ep,) = late
    assert ts[at] <= ep.start <= ts[at + 1]
    assert ts[at] <= ep.peak <= ts[at + 5]
    assert ep.volume > 2 * ep.expected


def test_quiet_nights_and_daily_rhythm_are_not_spikes() -> None:
    ts, values = _series(8, lambda t: _daily(t))
    scores = np.array(score_series(ts.tolist(), values.tolist()))
    assert scores[2 * 288:].max() < 0.5  # after two days the rhythm is learnt


def test_weekly_rhythm_is_learnt() -> None:
    def rate(t: np.ndarray) -> np.ndarray:
        weekday = ((t // 86400) + 3) % 7
        return _daily(t) * np.where(weekday >= 5, 2.0, 1.0)  # twice as busy at weekends

    ts, values = _series(28, rate)
    buckets = detect(ts.tolist(), values.tolist())
    late = [e for e in group_episodes(buckets) if e.start >= T0 + 14 * 86400]
    assert late == []  # from the third week on, weekends are normal


def test_level_shift_becomes_normal() -> None:
    shift = T0 + 4 * 86400 + 12 * 3600
    ts, values = _series(8, lambda t: np.where(t < shift, 10.0, 40.0))
    buckets = detect(ts.tolist(), values.tolist())
    scores = np.array([b.score for b in buckets])
    after = ts >= shift + 86400
    assert scores[(ts >= shift) & (ts < shift + 3600)].max() >= 0.5  # the change is noticed
    assert scores[after].max() < 0.5  # and a day later the new level is normal
    expected = np.array([b.expected for b in buckets])
    assert expected[ts >= shift + 2 * 86400].mean() == pytest.approx(40.0, rel=0.15)
    assert len([e for e in group_episodes(buckets) if e.start >= T0 + 86400]) == 1


def test_noise_growing_with_volume_is_learnt_as_overdispersion() -> None:
    """Gamma-Poisson counts (busy hours noisier than Poisson) raise phi; Poisson counts do not."""
    ts = T0 + STEP * np.arange(10 * 288)
    rate = 110 + 100 * np.sin(np.pi * ((ts % 86400) / 3600 - 8) / 12)
    rng = np.random.default_rng(3)
    phis = []
    for counts in (rng.poisson(rate), rng.poisson(rng.gamma(10.0, rate / 10.0))):
        det = SpikeDetector()
        for t, v in zip(ts.tolist(), counts.tolist(), strict=True):
            det.update(v, t)
        phis.append(det.state.phi)
    assert phis[1] > 5 * phis[0]
    assert 0.01 < phis[1] < 0.1  # in median-|residual| units the truth is ~0.045
    flat = SpikeDetector(DetectorConfig(overdispersion=False))
    flat.update(1.0, T0)
    flat.update(2.0, T0 + STEP)
    assert flat.state.phi == SpikeDetector().state.phi  # the flat model leaves phi alone


def test_a_spike_that_goes_on_is_one_episode() -> None:
    ts, values = _series(5, lambda t: np.full(len(t), 8.0))
    at = 4 * 288
    values[at:at + 36] += np.random.default_rng(9).poisson(30, 36)  # three hours of excess
    buckets = detect(ts.tolist(), values.tolist())
    episodes = [e for e in group_episodes(buckets) if e.start >= T0 + 86400]
    assert len(episodes) == 1
    (ep,) = episodes
    assert ep.start <= ts[at + 1] and ep.end >= ts[at + 30]
    assert not ep.ongoing
    assert ep.volume == pytest.approx(values[(ts >= ep.start) & (ts <= ep.end)].sum())
    assert 0.5 <= ep.severity <= 1.0


def test_episode_still_running_at_the_end_is_ongoing() -> None:
    ts, values = _series(3, lambda t: np.full(len(t), 8.0))
    values[-10:] += 60
    (ep,) = [e for e in group_episodes(detect(ts.tolist(), values.tolist()))
             if e.start >= T0 + 86400]
    assert ep.ongoing



def test_a_measurement_series_is_scored_in_its_own_units() -> None:
    """Non-count values (CPU share, latency) skip the Poisson model: a small-valued series with
    a jump is scored like a count series would be, not flattened by Poisson noise."""
    ts = T0 + STEP * np.arange(5 * 288)
    rng = np.random.default_rng(4)
    values = 0.1 + 0.005 * rng.standard_normal(len(ts))
    at = 4 * 288
    values[at:at + 6] += 0.08
    det = SpikeDetector()
    buckets = detect(ts.tolist(), values.tolist(), det)
    scores = np.array([b.score for b in buckets])
    assert not det.state.counts
    assert scores[2 * 288:at].max() < 0.5
    assert scores[at:at + 3].max() >= 0.5
    assert buckets[at - 1].expected == pytest.approx(0.1, abs=0.01)
    counts = SpikeDetector()
    counts.update(3.0, T0)
    counts.update(4.0, T0 + STEP)
    assert counts.state.counts

def test_a_measurement_falling_inside_its_range_scores_but_a_count_falling_does_not() -> None:
    """A measurement's anomaly may be a fall (a stalled machine, a flat line where a daily cycle
    was due), so both tails are scored; a brand's mentions falling quiet is not a spike."""
    ts = T0 + STEP * np.arange(6 * 288)
    rng = np.random.default_rng(5)
    cycle = 50.0 + 30.0 * np.sin(2 * np.pi * ts / 86400)
    values = cycle + 0.5 * rng.standard_normal(len(ts))
    peak = 5 * 288 + 72  # the day's high: the flat line is far below the forecast, not a record
    values[peak:peak + 12] = 50.5
    scores = np.array(score_series(ts.tolist(), values.tolist()))
    rises_only = np.array(score_series(ts.tolist(), values.tolist(),
                                       DetectorConfig(two_sided=False)))
    assert scores[3 * 288:peak].max() < 0.5  # once the cycle is learnt
    assert scores[peak:peak + 12].max() >= 0.5
    assert rises_only[peak:peak + 12].max() < 0.5
    counts = np.round(np.clip(cycle, 0, None))
    counts[peak:peak + 12] = 50.0
    assert np.array(score_series(ts.tolist(), counts.tolist()))[peak:peak + 12].max() < 0.5


def test_a_value_beyond_every_value_seen_scores_high_on_a_bursty_series() -> None:
    """Bursts every few hours teach the tail model that bursts are usual; a burst beyond all of
    them (the range record) scores near 1, a burst within the range gets nothing from it."""
    ts, values = _series(10, lambda t: np.full(len(t), 20.0), seed=6)
    rng = np.random.default_rng(7)
    for at in range(300, 9 * 288, 40):
        values[at] += rng.integers(40, 120)
    values[9 * 288 + 100] += 110  # a burst like the others
    values[9 * 288 + 200] += 220  # beyond any value seen (at most 139 so far)
    scores = np.array(score_series(ts.tolist(), values.tolist()))
    tail_only = np.array(score_series(ts.tolist(), values.tolist(),
                                      DetectorConfig(record_rate=0.0)))
    assert scores[9 * 288 + 100] == tail_only[9 * 288 + 100]
    assert scores[9 * 288 + 200] > 0.99 > tail_only[9 * 288 + 200]


def test_row_scores_hold_for_a_day_after_an_alarm() -> None:
    """`otklik spikes` scores: a second burst like the first within a day is held at 0, a burst
    beyond every value seen is not, and after a day a burst alarms again; the desk's default
    detector holds nothing (it groups detections into episodes itself)."""
    ts, values = _series(6, lambda t: np.full(len(t), 8.0), seed=11)
    first, second, record, later = 3 * 288, 3 * 288 + 60, 3 * 288 + 120, 5 * 288
    values[[first, second, later]] += 40
    values[record] += 200
    held = np.array(score_series(ts.tolist(), values.tolist(), ROW_SCORES))
    free = np.array(score_series(ts.tolist(), values.tolist()))
    assert held[first] >= 0.5 and free[second] >= 0.5
    assert held[second] == 0.0
    assert held[record] > 0.99
    assert held[later] >= 0.5
    assert (held <= free + 1e-12).all()


def test_a_timestamp_not_after_the_last_one_is_scored_after_it() -> None:
    """A repeated hour (daylight saving) or a clock set back: the detector's clock does not go
    back, so the time constants stay positive and later rows score as if nothing happened."""
    ts, values = _series(3, lambda t: _daily(t))
    stamps = ts.tolist()
    stamps[500] = stamps[499]  # repeated
    stamps[600] = stamps[590]  # set back
    det = SpikeDetector()
    scores = [det.update(v, t) for t, v in zip(stamps, values.tolist(), strict=True)]
    assert all(0.0 <= x <= 1.0 for x in scores)
    assert det.state.last == pytest.approx(ts[-1])
    assert max(scores[700:]) < 0.5

# --- NAB scoring -------------------------------------------------------------------------


def _sigma(y: float) -> float:
    return 2 / (1 + math.exp(5 * y)) - 1


def test_nab_scorer_on_a_hand_computed_case() -> None:
    bench = _bench()
    ts = [datetime(2015, 1, 1) + timedelta(minutes=5 * i) for i in range(20)]
    windows = [(ts[10], ts[13])]  # rows 10..13, width 4; probation = floor(0.15 * 20) = 3 rows
    prepared = bench.prepare(ts, windows)
    scores = np.zeros(20)
    scores[5] = 0.9  # false positive before any window: -A_FP
    scores[11] = 0.8  # inside the window: y = -(13 - 11 + 1) / 4
    scores[16] = 0.7  # after the window: y = (16 - 13) / (4 - 1)
    tp = _sigma(-0.75) / _sigma(-1.0)
    by_hand = {0.9: -1 - 0.11, 0.8: tp - 0.11, 0.7: tp - 0.11 + 0.11 * _sigma(1.0)}
    for threshold, expected in by_hand.items():
        assert bench.score_at(threshold, [scores], [prepared]) == pytest.approx(expected)
    threshold, raw = bench.sweep([scores], [prepared])
    assert (threshold, raw) == (0.8, pytest.approx(tp - 0.11))
    assert bench.normalise(raw, 1) == pytest.approx(100 * (tp - 0.11 + 1) / 2)


def test_nab_perfect_detector_scores_100_and_null_0() -> None:
    bench = _bench()
    names = bench.FILES[:2]
    data = [bench.load(n) for n in names]
    prepared, offset = [], 0
    for ts, _, wins in data:
        prepared.append(bench.prepare(ts, wins, window_offset=offset))
        offset += prepared[-1].n_windows
    n_windows = sum(p.n_windows for p in prepared)
    perfect = []
    for (ts, _, _), p in zip(data, prepared, strict=True):
        s = np.zeros(len(ts))
        cut = len(ts) - len(p.weights)
        for w in np.unique(p.window[p.window >= 0]):
            s[cut + np.nonzero(p.window == w)[0][0]] = 1.0  # the left edge of each window
        perfect.append(s)
    _, raw = bench.sweep(perfect, prepared)
    assert bench.normalise(raw, n_windows) == pytest.approx(100.0, abs=1e-9)
    null = [np.zeros(len(ts)) for ts, _, _ in data]
    assert bench.normalise(bench.score_at(2.0, null, prepared), n_windows) == 0.0



def test_threshold_curve_and_leave_one_out_agree_with_the_scorer() -> None:
    bench = _bench()
    rng = np.random.default_rng(2)
    ts = [datetime(2015, 1, 1) + timedelta(minutes=5 * i) for i in range(400)]
    series = []
    for k in range(3):
        windows = [(ts[100 + 40 * k], ts[140 + 40 * k]), (ts[300], ts[330])]
        scores = np.round(rng.random(400) ** 4, 4)
        scores[120 + 40 * k] = 0.97
        series.append((scores, bench.prepare(ts, windows)))
    curves = np.array([bench.curve(s, p) for s, p in series])
    for t in (0.0, 0.25, 0.5, 0.8, 0.97, 1.0):
        j = int(round(t * 10_000))
        for (s, p), c in zip(series, curves, strict=True):
            assert c[j] == pytest.approx(bench.score_at(t, [s], [p]))
    loo = bench.leave_one_out(curves, [0, 1, 2])
    for k in range(3):
        others = curves[[i for i in range(3) if i != k]].sum(axis=0)
        t = bench.GRID[bench.best(others)]
        assert loo[k] == pytest.approx(bench.score_at(t, [series[k][0]], [series[k][1]]))

# --- the store action ------------------------------------------------------------------------


def _brand_matcher(brand_id: int, negative_words: Sequence[str]):
    """An enricher standing in for the query matcher and the sentiment model."""

    def enrich(batch: Sequence[Enriched]) -> None:
        for item in batch:
            item.brand_matches = {brand_id: []}
            negative = any(w in item.post.text for w in negative_words)
            item.sentiment = "negative" if negative else "neutral"

    return enrich


def _posts(start: datetime, days: int, seed: int = 3):
    """A quiet background (about 1 post per 5 minutes) and one incident wave at the end."""
    rng = np.random.default_rng(seed)
    posts = []
    topics = ["кофе сегодня вкусный", "зашла за латте", "круассаны свежие", "очередь небольшая",
              "бариста улыбчивый", "взяла капучино с собой"]
    for i in range(days * 288):
        for k in range(int(rng.poisson(1.0))):
            at = start + timedelta(minutes=5 * i, seconds=17 * k + 5)
            posts.append(make_post(text=f"Зерно: {topics[(i + k) % len(topics)]} #{i}",
                                   created_at=at))
    wave = start + timedelta(days=days) - timedelta(hours=2)
    for j in range(60):
        posts.append(make_post(
            text=f"Зерно на Тверской отравились шаурмой, закрыли кофейню санэпидемстанция {j}",
            created_at=wave + timedelta(seconds=30 * j)))
    return posts, wave


def test_detect_spikes_stores_the_incident_once(store) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with transaction(store.sessions) as s:
        brand = create_brand(s, "Зерно")
        brand_id = brand.id
    posts, wave = _posts(start, days=3)
    enrich = _brand_matcher(brand_id, ["отравились"])
    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[enrich])
    now = start + timedelta(days=3)
    with transaction(store.sessions) as s:
        created = detect_spikes(s, brand_id, now=now)
        assert {sp.series for sp in created} == {"all", "negative"}
    with transaction(store.sessions) as s:
        again = detect_spikes(s, brand_id, now=now)  # idempotent: nothing new, nothing changed
        assert again == []
        spikes = s.scalars(select(Spike).order_by(Spike.series)).all()
        assert [sp.series for sp in spikes] == ["all", "negative"]
        for sp in spikes:
            assert wave - timedelta(minutes=5) <= sp.start <= wave + timedelta(minutes=10)
            assert sp.volume >= 40 and sp.expected < sp.volume / 3
            words = [t["term"] for t in sp.explanation["terms"][:5]]
            assert any(w in words for w in ("отравились", "шаурмой", "санэпидемстанция"))
            lemmas = [t["term"] for t in sp.explanation["lemmas"][:8]]
            assert "отравиться" in lemmas
        everything = next(sp for sp in spikes if sp.series == "all")
        assert everything.explanation["negative_share"]["during"] > 0.5
        assert everything.explanation["negative_share"]["baseline"] == 0.0
        audits = s.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "spike.detected"))
        assert audits == 2
