"""Spike detector benchmark: NAB score (standard profile) on realTweets, leave-one-out,
simulated series, and timings.

Run: `.venv/bin/python bench/spikes.py` (prints every figure). The NAB scorer follows NAB's
`sweeper.py`: per-row sweep scores, probation excluded, earliest detection per window, one
threshold per detector chosen over all files scored together.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

DATA = Path("/work/shared/data/spikes")
FILES = ("AAPL", "AMZN", "CRM", "CVS", "FB")


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
    for left, right in windows:
        idx = np.nonzero((ts >= np.datetime64(left, "us")) & (ts <= np.datetime64(right, "us")))[0]
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
    """Raw NAB score of fixed-threshold detections (used for leave-one-out)."""
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


def load(name: str) -> tuple[list[datetime], np.ndarray, list[tuple[datetime, datetime]]]:
    path = DATA / "realTweets" / f"Twitter_volume_{name}.csv"
    lines = path.read_text().splitlines()[1:]
    ts = [datetime.fromisoformat(line.split(",")[0]) for line in lines]
    values = np.array([float(line.split(",")[1]) for line in lines])
    windows = json.loads((DATA / "realTweets_windows.json").read_text())
    wins = [(datetime.fromisoformat(a), datetime.fromisoformat(b))
            for a, b in windows[f"realTweets/Twitter_volume_{name}.csv"]]
    return ts, values, wins
