"""Spike detector benchmark: NAB score (standard profile) by leave-one-series-out over NAB's
53 shared series and over the five realTweets tuning series, per family, beside the published
detectors; the same over the 39 series choices were made on and the 14 set aside (every third
nab_more series of each family); simulated and resampled count series; speed.

Run: `.venv/bin/python bench/spikes.py` (every figure, ~1 min of CPU); `--choices` adds the
table of candidate settings and the figure of choosing among them by leave-one-series-out;
`field=value` arguments override any DetectorConfig field (e.g. `novelty_half_life=43200`).

Scoring follows NAB (`sweeper.py`, standard profile, `nab_profiles.json`): windows from the
labels, scaled-sigmoid weights (earliest detection in a window counts, a false positive costs
A_FP = 0.11 weighted by its distance from the last window), the probation rows (15%, at most 750)
dropped, one threshold per detector chosen over the series being scored together, and the raw
score normalised against the null detector (no detections: -1 per window) and the perfect one
(+1 per window). Leave-one-series-out: the threshold is chosen on the other series and the
left-out series is scored at it. Thresholds are swept on a grid of 1e-4 (exact for those
thresholds; the exact sweep over every score gives the realTweets headline).

Published detectors: NAB's per-file raw scores (`bench/nab_published.json`, from numenta/NAB
`results/*/..._standard_scores.csv`) at the one threshold each detector chose over NAB's whole
58-file corpus, summed per family and normalised the same way: the protocol closest to
leave-one-series-out over all 53. The realTweets figures with one threshold over five series are
those of issues 6 and 23 (the five tuning series; five held-out series that are not here).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from otklik.analytics.spikes import ROW_SCORES, DetectorConfig, score_series

DATA = Path("/work/shared/data/spikes")
MORE = DATA / "nab_more"
PUBLISHED = Path(__file__).with_name("nab_published.json")
FILES = ("AAPL", "AMZN", "CRM", "CVS", "FB")
DETECTORS = {"ARTime": "ARTime", "numenta": "Numenta HTM", "twitterADVec": "Twitter ADVec"}
# NAB standard score, one threshold over the five realTweets series: (tuning five, held-out five)
ISSUE_REALTWEETS = {"ARTime": (88.1, 82.0), "numenta": (67.4, 72.4), "twitterADVec": (66.0, 53.6)}
# settings compared by `--choices`, changes to ROW_SCORES (the first is the shipped detector)
CANDIDATES: dict[str, dict[str, Any]] = {
    "shipped (otklik spikes)": {},
    "no hold (the desk's scores)": {"hold": 0.0},
    "no hold, no range record (pre-23)": {"hold": 0.0, "record_rate": 0.0, "two_sided": False,
                                          "waves": (1800.0, 7200.0, 21600.0)},
    "hold 12 h": {"hold": 43200.0},
    "hold 36 h": {"hold": 129600.0},
    "range record rate 40": {"record_rate": 40.0},
    "novelty half-life 24 h": {"novelty_half_life": 86400.0},
    "novelty half-life 3 h": {"novelty_half_life": 10800.0},
    "waves 30 min, 2 h, 6 h (before)": {"waves": (1800.0, 7200.0, 21600.0)},
    "no Poisson bound": {"poisson_cap": 0.0},
    "flat noise (no overdispersion)": {"overdispersion": False},
    "measurements: rises only": {"two_sided": False},
}


def config_from(args: Sequence[str]) -> DetectorConfig:
    """`field=value` arguments (e.g. novelty_half_life=43200) override DetectorConfig fields."""
    base = ROW_SCORES
    values: dict[str, Any] = {}
    for arg in args:
        key, sep, text = arg.partition("=")
        if not sep:
            continue
        if not hasattr(base, key):
            print(f"bench/spikes.py: unknown detector setting {key!r}", file=sys.stderr)
            raise SystemExit(2)
        kind = type(getattr(base, key))
        if kind is bool:
            values[key] = text.lower() in ("1", "true", "yes")
        elif kind is tuple:
            values[key] = tuple(float(x) for x in text.split(","))
        else:
            values[key] = kind(text)
    return replace(base, **values)


def scaled_sigmoid(y: float) -> float:
    """NAB's weighting: ~1 at a window's left edge, 0 at its right edge, -1 far past it."""
    if y > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


@dataclass
class Scored:
    """One file prepared for the sweep: per-row weighted score and window membership."""

    weights: np.ndarray  # the row's sweep score if it were a detection
    window: np.ndarray  # window id (global) or -1
    n_windows: int


def prepare(
    timestamps: Sequence[datetime],
    windows: Sequence[tuple[datetime, datetime]],
    *,
    a_tp: float = 1.0,
    a_fp: float = 0.11,
    probation_percent: float = 0.15,
    window_offset: int = 0,
) -> Scored:
    """Sweep scores of each row (NAB sweeper.calcSweepScoreParts), probation rows dropped."""
    n = len(timestamps)
    ts = np.array(timestamps, dtype="datetime64[us]")
    bounds = []
    for w_lo, w_hi in windows:
        idx = np.nonzero((ts >= np.datetime64(w_lo, "us")) & (ts <= np.datetime64(w_hi, "us")))[0]
        if len(idx):
            bounds.append((int(idx[0]), int(idx[-1])))
    max_tp = scaled_sigmoid(-1.0)
    weights = np.empty(n)
    window = np.full(n, -1)
    k = 0
    prev_right: int | None = None
    prev_width = 0
    for i in range(n):
        if k < len(bounds) and i > bounds[k][1]:
            prev_right, prev_width = bounds[k][1], bounds[k][1] - bounds[k][0] + 1
            k += 1
        if k < len(bounds) and bounds[k][0] <= i <= bounds[k][1]:
            left, right = bounds[k]
            width = right - left + 1
            weights[i] = scaled_sigmoid(-(right - i + 1) / width) * a_tp / max_tp
            window[i] = window_offset + k
        elif prev_right is None:
            weights[i] = -1.0 * a_fp
        else:
            weights[i] = scaled_sigmoid(abs(prev_right - i) / max(prev_width - 1, 1)) * a_fp
    probation = int(min(math.floor(probation_percent * n), probation_percent * 5000))
    keep = np.arange(n) >= probation
    return Scored(weights[keep], window[keep], len(bounds))


def sweep(scores: Sequence[np.ndarray], prepared: Sequence[Scored], a_fn: float = 1.0
          ) -> tuple[float, float]:
    """Best (threshold, raw score) over thresholds, files pooled (NAB calcScoreByThreshold)."""
    probation_cut = [len(s) - len(p.weights) for s, p in zip(scores, prepared, strict=True)]
    values = np.concatenate([np.asarray(s, float)[c:] for s, c in zip(scores, probation_cut,
                                                                       strict=True)])
    weights = np.concatenate([p.weights for p in prepared])
    window = np.concatenate([p.window for p in prepared])
    n_windows = sum(p.n_windows for p in prepared)
    ids, inverse = np.unique(window, return_inverse=True)
    window = np.where(window >= 0, inverse - int((ids < 0).any()), -1)
    order = np.argsort(-values, kind="stable")
    best_by_window = np.full(max(n_windows, 1), -a_fn)
    total = -a_fn * n_windows
    best_score, best_threshold = total, float("inf")
    vals = values[order]
    for j, i in enumerate(order):
        w = window[i]
        if w < 0:
            total += weights[i]
        elif weights[i] > best_by_window[w]:
            total += weights[i] - best_by_window[w]
            best_by_window[w] = weights[i]
        if (j + 1 == len(order) or vals[j + 1] != vals[j]) and total > best_score:
            best_score, best_threshold = total, float(vals[j])
    return best_threshold, best_score


def score_at(threshold: float, scores: Sequence[np.ndarray], prepared: Sequence[Scored],
             a_fn: float = 1.0) -> float:
    """Raw NAB score of fixed-threshold detections."""
    total = 0.0
    for s, p in zip(scores, prepared, strict=True):
        vals = np.asarray(s, float)[len(s) - len(p.weights):]
        hit = vals >= threshold
        total += float(p.weights[hit & (p.window < 0)].sum())
        for w in np.unique(p.window[p.window >= 0]):
            in_w = hit & (p.window == w)
            total += float(p.weights[in_w].max()) if in_w.any() else -a_fn
        total -= a_fn * (p.n_windows - len(np.unique(p.window[p.window >= 0])))
    return total


def normalise(raw: float, n_windows: int, a_tp: float = 1.0, a_fn: float = 1.0) -> float:
    null, perfect = -n_windows * a_fn, n_windows * a_tp
    return 100.0 * (raw - null) / (perfect - null)


GRID = np.arange(10_001) / 10_000.0  # thresholds of the leave-one-out sweeps


def curve(scores: np.ndarray, p: Scored, a_fn: float = 1.0) -> np.ndarray:
    """Raw NAB score of one series at every threshold of GRID (detections: score >= t)."""
    vals = np.asarray(scores, float)[len(scores) - len(p.weights):]
    out = np.zeros(len(GRID))
    outside = p.window < 0
    order = np.argsort(vals[outside])
    v, w = vals[outside][order], p.weights[outside][order]
    suffix = np.concatenate([np.cumsum(w[::-1])[::-1], [0.0]])  # FP weight of values >= t
    out += suffix[np.searchsorted(v, GRID, "left")]
    present = np.unique(p.window[~outside])
    for k in present:
        inside = p.window == k
        order = np.argsort(-vals[inside], kind="stable")
        v, w = vals[inside][order], np.maximum.accumulate(p.weights[inside][order])
        n_hit = np.searchsorted(-v, -GRID, "right")  # rows with a value >= t
        out += np.where(n_hit > 0, w[np.maximum(n_hit - 1, 0)], -a_fn)
    return out - a_fn * (p.n_windows - len(present))


def best(total: np.ndarray) -> int:
    """Index of the best threshold (the highest of equals, as NAB's downward sweep keeps)."""
    return len(total) - 1 - int(np.argmax(total[::-1]))


def leave_one_out(curves: np.ndarray, members: Sequence[int]) -> np.ndarray:
    """Raw score of each member at the threshold chosen over the other members."""
    out = []
    for k in members:  # summed afresh: a difference of sums would break ties by rounding
        others = curves[[i for i in members if i != k]].sum(axis=0)
        out.append(curves[k][best(others)])
    return np.array(out)


def corpus_keys() -> list[str]:
    """The 53 shared series: the five realTweets tuning series and nab_more's 48."""
    more = json.loads((MORE / "windows.json").read_text())
    return [f"realTweets/Twitter_volume_{n}.csv" for n in FILES] + sorted(more)


def load_key(key: str) -> tuple[list[datetime], np.ndarray, list[tuple[datetime, datetime]]]:
    tweets = key.startswith("realTweets/")
    path = DATA / key if tweets else MORE / key
    lines = path.read_text().splitlines()[1:]
    ts = [datetime.fromisoformat(line.split(",")[0]) for line in lines]
    values = np.array([float(line.split(",")[1]) for line in lines])
    windows = json.loads((DATA / "realTweets_windows.json" if tweets else MORE / "windows.json")
                         .read_text())
    wins = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in windows[key]]
    return ts, values, wins


def load(name: str) -> tuple[list[datetime], np.ndarray, list[tuple[datetime, datetime]]]:
    return load_key(f"realTweets/Twitter_volume_{name}.csv")


@dataclass
class Corpus:
    keys: list[str]
    families: list[str]
    stamps: list[list[float]]
    values: list[list[float]]
    prepared: list[Scored]

    def members(self, family: str) -> list[int]:
        return [i for i, f in enumerate(self.families) if f == family]

    def windows(self, members: Sequence[int]) -> int:
        return sum(self.prepared[i].n_windows for i in members)

    def held_out(self) -> list[int]:
        """Every third nab_more series of each family (by name): set aside at the start of issue
        23's work; choices were made on the other 39 (these figures were printed, not used)."""
        return [i for f in sorted(set(self.families)) if f != "realTweets"
                for i in self.members(f)[2::3]]


def load_corpus() -> Corpus:
    keys = corpus_keys()
    stamps, values, prepared = [], [], []
    for key in keys:
        ts, vals, wins = load_key(key)
        stamps.append([t.timestamp() for t in ts])
        values.append(vals.tolist())
        prepared.append(prepare(ts, wins))
    return Corpus(keys, [k.split("/")[0] for k in keys], stamps, values, prepared)


def curves_of(corpus: Corpus, config: DetectorConfig) -> tuple[list[np.ndarray], np.ndarray]:
    scores = [np.array(score_series(t, v, config)) for t, v in zip(corpus.stamps, corpus.values,
                                                                  strict=True)]
    return scores, np.array([curve(s, p) for s, p in zip(scores, corpus.prepared, strict=True)])


def published(corpus: Corpus) -> dict[str, dict[str, float]]:
    """Published detectors' raw score per series of the corpus (NAB's corpus-wide threshold)."""
    table = json.loads(PUBLISHED.read_text())["scores"]
    return {d: {k: table[d][k] for k in corpus.keys} for d in DETECTORS}


def per_file(threshold: float, scores: Sequence[np.ndarray], prepared: Sequence[Scored],
             names: Sequence[str]) -> str:
    parts = []
    for name, s, p in zip(names, scores, prepared, strict=True):
        vals = s[len(s) - len(p.weights):]
        hits = vals >= threshold
        ids = np.unique(p.window[p.window >= 0])
        found = sum(bool((hits & (p.window == w)).any()) for w in ids)
        fps = int((hits & (p.window < 0)).sum())
        norm = normalise(score_at(threshold, [s], [p]), p.n_windows)
        parts.append(f"{name} {norm:5.1f} ({found}/{p.n_windows} windows, {fps} FP)")
    return "; ".join(parts)


def figure(raw: float, n_windows: int) -> str:
    """Normalised score, or the raw score (false positives only) of series without windows."""
    return f"{normalise(raw, n_windows):6.1f}" if n_windows else f"{raw:+6.2f}r"


def report(corpus: Corpus, config: DetectorConfig) -> float:
    """Print the realTweets and whole-corpus figures; return the realTweets threshold."""
    scores, curves = curves_of(corpus, config)
    tweets = corpus.members("realTweets")
    t_scores, t_prep, offset = [scores[i] for i in tweets], [], 0
    for i in tweets:  # window ids made global for the pooled sweep
        p = corpus.prepared[i]
        t_prep.append(Scored(p.weights, np.where(p.window >= 0, p.window + offset, -1),
                             p.n_windows))
        offset += p.n_windows
    n_tw = corpus.windows(tweets)
    threshold, raw = sweep(t_scores, t_prep)
    print(f"NAB standard profile, realTweets x{len(tweets)} tuning series ({n_tw} windows), one "
          "threshold over the five")
    print(f"  otklik: {normalise(raw, n_tw):.1f}  (threshold {threshold:.3f}; same protocol: "
          + ", ".join(f"{DETECTORS[d]} {a:.1f}" for d, (a, _) in ISSUE_REALTWEETS.items()) + ")")
    print("  per file at that threshold: " + per_file(threshold, t_scores, t_prep, FILES))
    loo5 = leave_one_out(curves, tweets)
    print(f"  leave-one-series-out over the five (threshold from the other four): "
          f"{normalise(loo5.sum(), n_tw):.1f}  [" + "; ".join(
              f"{n} {normalise(r, corpus.prepared[i].n_windows):.1f}"
              for n, r, i in zip(FILES, loo5, tweets, strict=True)) + "]")
    print("  held-out realTweets five (not here; issue 23, same protocol): otklik before issue "
          "23 47.9, this version not measured here; "
          + ", ".join(f"{DETECTORS[d]} {b:.1f}" for d, (_, b) in ISSUE_REALTWEETS.items()))

    everyone = list(range(len(corpus.keys)))
    loo = leave_one_out(curves, everyone)
    total = curves.sum(axis=0)
    j = best(total)
    pub = published(corpus)
    n_all = corpus.windows(everyone)
    print(f"\nLeave-one-series-out over all {len(everyone)} shared series ({n_all} windows): "
          "each series scored at the threshold chosen over the other 52")
    print(f"  {'family':22s} {'series':>6s} {'windows':>7s} {'otklik':>7s} {'own thr':>8s}   "
          + " ".join(f"{DETECTORS[d]:>13s}" for d in DETECTORS) + "  (published: NAB-wide "
          "threshold)")
    for family in sorted(set(corpus.families)):
        m = corpus.members(family)
        nw = corpus.windows(m)
        own = curves[m].sum(axis=0)
        print(f"  {family:22s} {len(m):6d} {nw:7d} {figure(loo[m].sum(), nw):>7s} "
              f"{figure(own[best(own)], nw):>8s}   " + " ".join(
                  f"{figure(sum(pub[d][corpus.keys[i]] for i in m), nw):>13s}" for d in DETECTORS))
    print(f"  {'all':22s} {len(everyone):6d} {n_all:7d} {figure(loo.sum(), n_all):>7s} "
          f"{figure(total[j], n_all):>8s}   " + " ".join(
              f"{figure(sum(pub[d].values()), n_all):>13s}" for d in DETECTORS))
    print(f"  ('own thr': one threshold over the family's series; otklik's over all 53: "
          f"{GRID[j]:.4f}; 'r': raw score of series without windows, false positives only)")
    print("  " + split_figures(corpus, curves))
    return threshold


def split_figures(corpus: Corpus, curves: np.ndarray) -> str:
    """Leave-one-series-out over the 39 series choices were made on; the 14 held out, each at
    the threshold chosen over those 39."""
    hold = corpus.held_out()
    decide = [i for i in range(len(corpus.keys)) if i not in hold]
    loo = leave_one_out(curves, decide)
    j = best(curves[decide].sum(axis=0))
    return (f"decided on {len(decide)} series: leave-one-series-out "
            f"{normalise(loo.sum(), corpus.windows(decide)):.1f}; held out {len(hold)} (every "
            f"third nab_more series), at the threshold of the {len(decide)}: "
            f"{normalise(curves[hold, j].sum(), corpus.windows(hold)):.1f}")


def choices(corpus: Corpus) -> None:
    """Candidate settings by leave-one-series-out, and the figure of choosing among them."""
    everyone = list(range(len(corpus.keys)))
    tweets = corpus.members("realTweets")
    n_all, n_tw = corpus.windows(everyone), corpus.windows(tweets)
    base = ROW_SCORES
    all_curves = []
    print("\nChoices, each judged by leave-one-series-out (all 53 | the five realTweets), then the "
          "split of `split_figures`:")
    for label, fields in CANDIDATES.items():
        curves = curves_of(corpus, replace(base, **fields))[1]
        all_curves.append(curves)
        own = curves[tweets].sum(axis=0)
        print(f"  {label:34s} all 53 {normalise(leave_one_out(curves, everyone).sum(), n_all):5.1f}"
              f" | realTweets {normalise(leave_one_out(curves, tweets).sum(), n_tw):5.1f} "
              f"(one threshold over the five {normalise(own[best(own)], n_tw):5.1f})\n"
              f"  {'':34s} {split_figures(corpus, curves)}")
    stack = np.array(all_curves)  # candidate x series x threshold
    for label, members, n_w in (("all 53", everyone, n_all), ("realTweets five", tweets, n_tw)):
        raw, picked = 0.0, []
        for k in members:
            others = [i for i in members if i != k]
            sums = stack[:, others].sum(axis=1)
            c = int(np.argmax([s[best(s)] for s in sums]))  # the first of equals: shipped
            raw += stack[c, k, best(sums[c])]
            picked.append(c)
        counts = np.bincount(picked, minlength=len(CANDIDATES))
        print(f"  choosing among them on the other series, then scoring the left-out one "
              f"({label}): {normalise(raw, n_w):.1f}  (picked: "
              + ", ".join(f"{lbl} x{n}" for lbl, n in zip(CANDIDATES, counts, strict=True) if n)
              + ")")


def simulate(seed: int, base: float, weeks: int = 8) -> tuple[list[datetime], np.ndarray,
                                                                list[tuple[datetime, datetime]]]:
    """A mention-count series with the rhythms a brand has, and labelled anomalies.

    Daily rhythm with quiet nights, weekly rhythm, a slow trend, overdispersed (gamma-Poisson)
    noise, one level shift (its onset is an anomaly, the new level is then normal) and 2–4
    injected bursts of 30 min to 4 h. Windows are NAB's: 10% of the series over the anomalies,
    centred on each.
    """
    rng = np.random.default_rng(seed)
    n = weeks * 7 * 288
    t0 = datetime(2025, 1, 6)  # a Monday
    epoch = t0.timestamp() + 300.0 * np.arange(n)
    hour = (epoch % 86400) / 3600
    weekday = ((epoch // 86400) + 3) % 7
    daily = 0.08 + np.clip(np.sin(np.pi * (hour - 6) / 17), 0, None) ** 1.5 * (hour >= 6)
    weekly = np.where(weekday >= 5, rng.uniform(0.5, 1.6), 1.0)
    trend = np.linspace(1.0, rng.uniform(0.7, 1.6), n)
    rate = base * daily * weekly * trend / daily.mean()
    anomalies = []
    shift_at = int(rng.uniform(0.35, 0.6) * n)
    rate[shift_at:] *= rng.choice([0.4, 2.5])
    if rate[shift_at] > rate[shift_at - 1]:
        anomalies.append(shift_at)
    probation = int(min(0.15 * n, 750))
    for _ in range(int(rng.integers(2, 5))):
        at = int(rng.uniform(probation + 288, n - 288))
        length = int(rng.integers(6, 48))
        shape = np.exp(-np.arange(length) / (length / 3))
        rate[at:at + length] += (rng.uniform(3, 10) * rate[at - 288:at].mean() + 2) * shape
        anomalies.append(at)
    noisy = rng.gamma(20.0, rate / 20.0)
    values = rng.poisson(noisy).astype(float)
    ts = [t0 + timedelta(minutes=5 * i) for i in range(n)]
    half = int(0.1 * n / len(anomalies) / 2)
    windows = [(ts[max(a - half, 0)], ts[min(a + half, n - 1)]) for a in sorted(anomalies)]
    return ts, values, windows


def resample_real(name: str, seed: int) -> tuple[list[datetime], np.ndarray,
                                                list[tuple[datetime, datetime]]]:
    """A realTweets series (values only; its labels are not used) with whole days shuffled, a
    level shift half the time (x0.5 or x2, the rise labelled) and 2-4 injected bursts of 2-10x
    the previous day's mean, 15 min to 4 h. Real texture, unknown positions: a check of how the
    threshold chosen on the five files transfers, not used to tune anything else.
    """
    rng = np.random.default_rng(seed)
    stamps, values, _ = load(name)
    start = next(i for i, t in enumerate(stamps) if t.hour == 0 and t.minute < 5)
    n_days = (len(values) - start) // 288
    days = values[start:start + n_days * 288].reshape(n_days, 288)
    counts = days[rng.permutation(n_days)].reshape(-1).astype(int)
    n = len(counts)
    ts = [stamps[start] + timedelta(minutes=5 * i) for i in range(n)]
    anomalies = []
    if rng.random() < 0.5:
        at = int(rng.uniform(0.35, 0.6) * n)
        if rng.random() < 0.5:
            counts[at:] = rng.binomial(counts[at:], 0.5)
        else:
            counts[at:] += rng.poisson(counts[at:])
            anomalies.append(at)
    probation = int(min(0.15 * n, 750))
    for _ in range(int(rng.integers(2, 5))):
        at = int(rng.uniform(probation + 288, n - 288))
        length = int(rng.integers(3, 48))
        shape = np.exp(-np.arange(length) / (length / 3))
        size = np.exp(rng.uniform(np.log(2), np.log(10))) * counts[at - 288:at].mean()
        counts[at:at + length] += rng.poisson(size * shape)
        anomalies.append(at)
    half = int(0.1 * n / len(anomalies) / 2)
    windows = [(ts[max(a - half, 0)], ts[min(a + half, n - 1)]) for a in sorted(anomalies)]
    return ts, counts.astype(float), windows


def transfer(label: str, series: Sequence[tuple[list[datetime], np.ndarray,
                                                 list[tuple[datetime, datetime]]]],
             threshold: float, config: DetectorConfig) -> None:
    """Score series at the realTweets threshold and at their own best one, and print both."""
    scores, prepared, offset = [], [], 0
    for ts, values, wins in series:
        scores.append(np.array(score_series([t.timestamp() for t in ts], values.tolist(),
                                            config)))
        prepared.append(prepare(ts, wins, window_offset=offset))
        offset += prepared[-1].n_windows
    n_windows = sum(p.n_windows for p in prepared)
    own, raw_own = sweep(scores, prepared)
    print(f"{label} ({n_windows} windows)")
    print(f"  with the realTweets threshold {threshold:.3f}: "
          f"{normalise(score_at(threshold, scores, prepared), n_windows):.1f};  own best "
          f"threshold {own:.3f}: {normalise(raw_own, n_windows):.1f}")


def main() -> None:
    profile = json.loads((DATA / "nab_profiles.json").read_text())["standard"]["CostMatrix"]
    assert (profile["tpWeight"], profile["fnWeight"], profile["fpWeight"]) == (1.0, 1.0, 0.11)
    config = config_from(sys.argv[1:])
    corpus = load_corpus()
    threshold = report(corpus, config)
    if "--choices" in sys.argv[1:]:
        choices(corpus)
    print()
    sims = [simulate(seed, base)
            for seed, base in enumerate((0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 2.0))]
    transfer("Simulated: 8 series x 8 weeks (0.3–300 posts/5 min, rhythms, trend, level shift, "
             "bursts)", sims, threshold, config)
    real = [resample_real(name, seed) for seed in range(11, 17) for name in FILES]
    transfer("Resampled realTweets: 30 series (days shuffled, bursts of 2–10x injected)", real,
             threshold, config)
    volumes(corpus, config)
    timing(config)


def volumes(corpus: Corpus, config: DetectorConfig) -> None:
    """The five realTweets series at other volumes (counts thinned to 30%, or tripled with
    Poisson noise; labels kept): how far the one-threshold score holds for brands louder or
    quieter than the tuning five (a stand-in for unseen series)."""
    tweets = corpus.members("realTweets")
    parts = []
    for factor, seed in ((1.0, 0), (0.3, 0), (0.3, 1), (3.0, 0), (3.0, 1)):
        rng = np.random.default_rng(seed)
        curves = []
        for i in tweets:
            counts = np.asarray(corpus.values[i], dtype=int)
            if factor < 1:
                counts = rng.binomial(counts, factor)
            elif factor > 1:
                counts = rng.poisson(counts * factor)
            scores = np.array(score_series(corpus.stamps[i], counts.astype(float).tolist(),
                                           config))
            curves.append(curve(scores, corpus.prepared[i]))
        stack = np.array(curves)
        own = stack.sum(axis=0)
        loo = leave_one_out(stack, range(len(tweets)))
        n_w = corpus.windows(tweets)
        parts.append(f"x{factor:g} (seed {seed}) {normalise(own[best(own)], n_w):.1f} | "
                     f"{normalise(loo.sum(), n_w):.1f}")
    print("realTweets five at other volumes, one threshold over the five | leave-one-series-out: "
          + "; ".join(parts))


def timing(config: DetectorConfig) -> None:
    import csv
    import random
    import time

    from otklik.analytics.explain import explain_spike

    rng = np.random.default_rng(0)
    values = rng.poisson(20, 100_000).astype(float).tolist()
    stamps = (1.7e9 + 300.0 * np.arange(100_000)).tolist()
    best_cpu = best_wall = math.inf
    for _ in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        score_series(stamps, values, config)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(f"Speed: scoring 100,000 buckets: {best_cpu:.2f} s CPU ({best_wall:.2f} s wall), "
          "target < 1 s")

    path = DATA.parent / "sentiment" / "airline_tweets.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    random.Random(0).shuffle(rows)
    t0 = datetime(2015, 2, 1)
    mentions = [{"id": i, "text": r["text"], "author": r["name"], "place": r["airline"],
                 "sentiment": r["airline_sentiment"], "created_at": t0 + timedelta(seconds=30 * i)}
                for i, r in enumerate(rows * 4)][:50_000]
    during, baseline = mentions[40_000:], mentions[:40_000]
    best_cpu = best_wall = math.inf
    for _ in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        explain_spike(during, baseline)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(f"Speed: one explanation over 50,000 mentions (10,000 in the spike): {best_cpu:.2f} s "
          f"CPU ({best_wall:.2f} s wall), target < 2 s")


if __name__ == "__main__":
    main()
