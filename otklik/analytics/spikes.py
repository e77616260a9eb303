"""Online spike detection in mention volume, and grouping of detections into episodes.

Counts per bucket are variance-stabilised (Anscombe: Poisson noise has unit variance, so quiet
nights with 0–2 mentions do not look like spikes) and compared with a robust Holt–Winters style
forecast: an EWMA level and an hour-of-day profile, both updated with Huber-clipped residuals
(Gelper, Fried & Croux 2010). One spike barely moves the baseline; a lasting level shift keeps
pushing it and is absorbed within hours, after which the new level is normal. Weekly rhythm is
left to the level (half-life 12 h) and to the tail model below, which learns how surprising a
Monday morning usually is; an explicit hour-of-week profile was tried and scored worse on NAB.

Noise is modelled as negative-binomial-like: in Anscombe units its variance is base^2 + phi*mu
(mu the expected count), both parts learnt online by a median tracker (mention counts are
overdispersed: a busy hour is noisier than Poisson, a quiet night is not).

Evidence: the bucket's robust z-score and EWMAs of z-scores over 30 min and 2 h (a wave of
moderately high buckets is as telling as one very high bucket; a 6 h one added nothing on NAB).
Each statistic's upper tail is modelled online, peaks-over-threshold style (SPOT, Siffer et al.
2017): exponential beyond its running 90th percentile (excesses winsorised at 5 betas). The
smallest tail probability, in decades, is the raw surprise; it is calibrated on the series' own
history, so one threshold means the same thing on a busy and on a quiet series, and it is never
more than Poisson noise allows (3 posts in a silent hour stay unremarkable, however quiet the
history).
The score is the surprise beyond what was already seen in the last hours (novelty, half-life 9 h:
NAB counts only the earliest detection in a window and charges every later one outside it), so a
spike that goes on scores high at its onset and at escalations, not at every bucket; mapped to
[0, 1).
A bucket's score depends only on it and earlier buckets.

Counts and measurements: a series is taken as counts until a negative or non-integer value
arrives; from then on (the state starts again) it is a measurement (CPU share, latency, price)
scored in its own units, without the Anscombe transform, the overdispersion model and the Poisson
bound, its noise scale found by a median tracker with 1/sqrt(n) steps at first (nothing is scored
in its first 32 buckets). A measurement's falls are scored as well as its rises (each statistic's
lower tail too, as NAB's leaders do: a stalled machine or a flat line where a cycle was due); a
brand's mentions falling quiet is not a spike. Mention counts never leave the count path.

Records (issue 23): a value outside every value seen so far, by more than twice the noise, scores
by its excess in units of the range seen (the "spatial anomaly" of Numenta's NAB detector, Ahmad
et al. 2017, re-implemented from its description); the bucket's score is the larger of the two.
A record needs no calibration, so it holds where the tail model's per-series calibration does
not: on NAB's 53 shared series records alone (score >= 0.5, after the probation) find 44 of 99
labelled windows with 15 false rows (realTweets: 9 of 16, none false).

Hold (`ROW_SCORES`, the scores of `otklik spikes`): after an alarm (score >= 0.5) the tail score
is held at 0 for a day unless the raw surprise is a decade above the alarm's (records are never
held), as many NAB detectors mask repeats. The desk's default holds nothing: it groups
detections into episodes itself, and a noise alarm must not hide a real incident hours later.
NAB leave-one-series-out over 53 series: 33.1 before issue 23, 47.3 with records, 49.9 with the
hold, 54.1 with a measurement's falls, 54.6 with two waves; over the five realTweets 76.9, 77.4,
79.9, 79.9, 80.2 (`bench/spikes.py --choices`; what was tried and not kept: bench/spikes_notes.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from otklik.analytics.spike_episodes import BucketScore, Episode, group_episodes

__all__ = ["ROW_SCORES", "BucketScore", "DetectorConfig", "Episode", "SpikeDetector", "detect",
           "group_episodes", "score_series"]

DAY = 86_400.0
_INV_LN10 = 1.0 / math.log(10.0)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_ALARM = 0.5  # a score this high is an alarm (for the hold)
_ESCALATION = 1.0  # decades: during a hold, an event 10x rarer than the alarm alarms again
_SETTLE = 32  # buckets a measurement's scale is given (steps 1/sqrt(n): ~2 sqrt(n) e-folds)


@dataclass(frozen=True)
class DetectorConfig:
    """Time constants in seconds (so any bucket size works) and robustness constants."""

    warmup: float = 6 * 3600.0  # scores are 0 until this much history has been seen
    level_half_life: float = 12 * 3600.0
    season_half_life: float = 4 * DAY  # of an hour-of-day slot, in days of history
    scale_rate: float = 0.003  # step of the multiplicative median tracker of |residual|
    tail_half_life: float = 14 * DAY  # memory of the tail model of each statistic
    excess_cap: float = 5.0  # excesses are winsorised at this many betas (a robust mean)
    waves: tuple[float, ...] = (1800.0, 7200.0)  # EWMA half-lives of z-scores
    huber: float = 2.0  # residuals beyond huber*scale are clipped before updating
    z_clip: float = 8.0  # z-scores are clipped at this before entering the waves
    min_scale: float = 0.5  # in Anscombe units: Poisson noise is 1
    poisson_cap: float = 1.0  # noise sd (Anscombe units) that bounds the surprise; 0: off
    novelty_half_life: float = 9 * 3600.0  # memory of recent surprise (0 turns it off)
    novelty: float = 1.0  # how much of the recent surprise is subtracted
    score_decades: float = 2.0  # decades of novel surprise that make a score of 1 - 1/e
    overdispersion: bool = True  # noise variance grows with the expected count (False: flat)
    continuous: bool = True  # a non-integer or negative value makes the series a measurement
    hold: float = 0.0  # after an alarm, only a 10x rarer event or a record alarms (0: off)
    record_rate: float = 20.0  # a new record beyond the range by this fraction of it: 1 - 1/e
    two_sided: bool = True  # a measurement's falls are scored as well as its rises (not counts)


def _alpha(dt: float, half_life: float) -> float:
    return 1.0 - 0.5 ** (dt / half_life) if half_life > 0 else 1.0


def _epoch(ts: datetime | float) -> float:
    if isinstance(ts, datetime):
        return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()
    return float(ts)


# The per-row scores of `otklik spikes` (what NAB measures): an alarm holds for a day. The desk
# keeps the default (no hold): it groups detections into episodes itself, and a hold would let a
# noise alarm hide the onset of a real incident hours later.
ROW_SCORES = DetectorConfig(hold=DAY)


@dataclass(slots=True)
class _State:
    started: float | None = None
    last: float | None = None
    level: float = 0.0
    scale: float = 1.0
    hours: list[float] = field(default_factory=lambda: [0.0] * 24)
    hour_n: list[int] = field(default_factory=lambda: [0] * 24)
    waves: list[float] = field(default_factory=list)
    tail_q: list[float] = field(default_factory=list)  # ~90th percentile of each statistic
    tail_beta: list[float] = field(default_factory=list)  # mean excess over it
    tail_n: list[int] = field(default_factory=list)  # exceedances seen
    pwaves: list[float] = field(default_factory=list)  # waves of residuals in Poisson units
    n: int = 0
    recent: float = 0.0  # decayed maximum of recent raw scores
    last_raw: float = 0.0
    last_expected: float = 0.0
    phi: float = 0.01  # extra noise variance per expected post (median-|residual| units)
    counts: bool = True  # False once a value that is not a count has been seen
    hold_until: float | None = None  # end of the hold after the last alarm
    hold_ref: float = 0.0  # raw surprise of that alarm
    high: float = 0.0  # the highest and lowest value seen (Anscombe units for counts)
    low: float = 0.0


class SpikeDetector:
    """Streaming detector: `update(value, ts)` returns the bucket's anomaly score in [0, 1].

    `to_json()`/`from_json()` keep the whole state, so a scheduled job can resume where the last
    run stopped and score only the new buckets.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self.state = _State()
        self._gain_cache: dict[float, tuple[float, ...]] = {}
        self._up = math.exp(self.config.scale_rate)
        self._down = math.exp(-self.config.scale_rate)

    @property
    def expected(self) -> float:
        """Forecast count for the last scored bucket (back-transformed), for episode volumes."""
        return self.state.last_expected

    def _gains(self, dt: float) -> tuple[float, ...]:
        """Per-step EWMA gains for a step of dt seconds (memoised: buckets are regular)."""
        gains = self._gain_cache.get(dt)
        if gains is None:
            c = self.config
            gains = (
                _alpha(dt, c.level_half_life),
                _alpha(dt, c.season_half_life / 24.0),  # a slot is visited 1/24 of the time
                _alpha(dt, c.tail_half_life) * 50.0,
                _alpha(dt, c.novelty_half_life) if c.novelty_half_life > 0 else 1.0,
                *(_alpha(dt, h) for h in c.waves),
                # 1 / sd of an EWMA of N(0, 1) noise, sqrt((2 - a) / a), per wave
                *(math.sqrt((2 - _alpha(dt, h)) / _alpha(dt, h)) for h in c.waves),
            )
            self._gain_cache[dt] = gains
        return gains

    def update(self, value: float, ts: datetime | float) -> float:
        c, s = self.config, self.state
        t = _epoch(ts)
        value = float(value)
        if s.counts and c.continuous and (value < 0.0 or not value.is_integer()):
            # not counts: start again on the raw values, without the Poisson assumptions
            self.state = s = _State(started=s.started, counts=False)
        # counts: Anscombe, so Poisson noise has unit variance; a measurement: its own units
        y = 2.0 * math.sqrt(max(value, 0.0) + 0.375) if s.counts else value
        hour = int((t % DAY) // 3600)
        if s.last is None or s.started is None:
            s.started = t if s.started is None else s.started
            s.last, s.level, s.n = t, y, 1
            if not s.counts:
                s.scale = 1e-6 * abs(y) + 1e-12  # in the series' own units, learnt quickly below
            s.waves = [0.0] * len(c.waves)
            n_stats = (len(c.waves) + 1) * (2 if c.two_sided and not s.counts else 1)
            s.tail_q = [1.0] * n_stats
            s.tail_beta = [1.0] * n_stats
            s.tail_n = [0] * n_stats
            s.pwaves = [0.0] * len(c.waves)
            s.last_expected = value
            s.high = s.low = y
            return 0.0
        dt = max(t - s.last, 1.0)
        gains = self._gain_cache.get(dt) or self._gains(dt)
        g_level, g_season, g_tail, g_novelty = gains[:4]
        # the clock never goes back: a bucket stamped at or before the last one (a repeated
        # local hour, a duplicate) is taken as arriving 1 s after it
        s.last = t if t > s.last else s.last + 1.0
        s.n += 1
        record = self._record(y)
        forecast = s.level + s.hours[hour]
        if s.counts:
            half = forecast / 2.0
            s.last_expected = max(half * half - 0.375, 0.0) if forecast > 0 else 0.0
        else:
            s.last_expected = forecast
        resid = y - forecast
        if not s.counts:
            # median of |residual| in the series' units: steps of 1/sqrt(n) at first, so any
            # magnitude is reached within a day or two, then the configured rate
            rate = c.scale_rate if s.n * c.scale_rate * c.scale_rate >= 1.0 else s.n ** -0.5
            s.scale *= math.exp(rate if abs(resid) > s.scale else -rate)
            scale = max(s.scale * 1.4826, 1e-9 * abs(s.level) + 1e-12)
        elif c.overdispersion:
            # negative-binomial-like noise: var = base^2 + phi * mu; each part is moved by the
            # median tracker in proportion to its share of the variance
            base2 = s.scale * s.scale
            extra = s.phi * s.last_expected
            var = base2 + extra
            w = extra / var
            step = c.scale_rate * (1.0 if resid * resid > var else -1.0)
            s.scale *= math.exp(step * (1.0 - w))
            s.phi = min(max(s.phi * math.exp(2.0 * step * w), 1e-4), 10.0)
            scale = max(math.sqrt(var) * 1.4826, c.min_scale)
        else:
            scale = max(s.scale * 1.4826, c.min_scale)
            s.scale *= self._up if abs(resid) > s.scale else self._down  # median of |resid|
        z = resid / scale
        # the baseline learns from the clipped residual: one spike barely moves it
        bound = c.huber * scale
        clipped = -bound if resid < -bound else (bound if resid > bound else resid)
        s.level += g_level * clipped
        n_hour = s.hour_n[hour] = s.hour_n[hour] + 1
        s.hours[hour] += (1.0 / n_hour if n_hour * g_season < 1.0 else g_season) * clipped
        if not s.counts and s.n <= _SETTLE:
            return 0.0  # the scale of a measurement is still being found: nothing to learn yet
        zc = -c.z_clip if z < -c.z_clip else (c.z_clip if z > c.z_clip else z)
        waves, tail_q, tail_beta, tail_n = s.waves, s.tail_q, s.tail_beta, s.tail_n
        # decreasing steps at first (stochastic approximation), then a fixed memory
        g_q = g_tail if g_tail * s.n > 1.0 else 1.0 / s.n
        # peaks over threshold (SPOT-like): each statistic's upper tail is exponential beyond its
        # ~90th percentile; the smallest tail probability over the statistics is scored
        log10p = 0.0
        cap = c.poisson_cap if s.counts else 0.0
        pc = resid / cap if cap > 0 else 0.0  # the residual in units of Poisson noise
        pc = -c.z_clip if pc < -c.z_clip else (c.z_clip if pc > c.z_clip else pc)
        pwaves = s.pwaves
        n_waves = len(pwaves)
        m = n_waves + 1
        for k in range(len(tail_q)):
            if k == 0:
                x, pz = z, pc
            elif k >= m:
                x = -(z if k == m else waves[k - m - 1])
            else:
                g = gains[3 + k]
                x = waves[k - 1] = waves[k - 1] + g * (zc - waves[k - 1])
                pw = pwaves[k - 1] = pwaves[k - 1] + g * (pc - pwaves[k - 1])
                pz = pw * gains[3 + n_waves + k]
            q, beta = tail_q[k], tail_beta[k]
            if x > q:
                excess = x - q
                decades = 1.0 + excess / beta * _INV_LN10
                if cap > 0 and pz < c.z_clip:
                    # never more surprising than Poisson noise allows (N(0, 1) in Anscombe
                    # units, averaged the same way): 3 posts in a quiet hour stay unremarkable
                    decades = min(decades, -math.log10(0.5 * math.erfc(pz * _INV_SQRT2) + 1e-300))
                log10p = min(log10p, -decades)
                n_exc = tail_n[k] = tail_n[k] + 1
                g_b = 0.2 * g_tail if 0.2 * g_tail * n_exc > 1.0 else 1.0 / n_exc
                tail_beta[k] = beta + g_b * (min(excess, c.excess_cap * beta) - beta)
                tail_q[k] = q + g_q * 0.9 * beta
            else:
                tail_q[k] = q - g_q * 0.1 * beta
        if t - s.started < c.warmup:
            return 0.0
        raw = max(0.0, -log10p - math.log10(len(tail_q)))  # decades of surprise, Bonferroni
        s.last_raw = raw
        if c.novelty_half_life > 0:
            # novelty: what this bucket adds beyond the surprise already seen in the last hours,
            # so a spike that goes on scores high at its onset and at escalations only
            recent = s.recent * (1.0 - g_novelty)
            s.recent = raw if raw > recent else recent
            raw = raw - c.novelty * recent
        score = 1.0 - math.exp(-raw / c.score_decades) if raw > 0 else 0.0
        # hold: after an alarm only an event score_decades rarer than it alarms again for a while
        if s.hold_until is not None and t <= s.hold_until:
            if score >= _ALARM and s.last_raw >= s.hold_ref + _ESCALATION:
                s.hold_until, s.hold_ref = t + c.hold, s.last_raw
            else:
                score = 0.0
        elif score >= _ALARM and c.hold > 0:
            s.hold_until, s.hold_ref = t + c.hold, s.last_raw
        return record if record > score else score

    def _record(self, y: float) -> float:
        """Score of a value outside every value seen so far (the spatial anomaly of Numenta's
        NAB detector, Ahmad et al. 2017), by its excess in units of the range seen. The value must
        leave the range by more than twice the noise (Poisson for counts, the robust scale for a
        measurement): a new extreme of noise alone is not an anomaly."""
        s = self.state
        high, low = s.high, s.low
        noise = 1.0 if s.counts else s.scale * 1.4826
        excess = max(y - high, low - y) - 2.0 * noise
        if y > high:
            s.high = y
        elif y < low:
            s.low = y
        rate = self.config.record_rate
        if excess <= 0.0 or rate <= 0.0:
            return 0.0
        width = high - low
        return 1.0 - math.exp(-rate * excess / width) if width > 0.0 else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"config": asdict(self.config), "state": asdict(self.state)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpikeDetector:
        config = dict(data.get("config", {}))
        if "waves" in config:
            config["waves"] = tuple(config["waves"])
        det = cls(DetectorConfig(**config))
        det.state = _State(**data.get("state", {}))
        return det


def score_series(timestamps: Sequence[datetime | float], values: Sequence[float],
                 config: DetectorConfig | None = None) -> list[float]:
    """Scores of a whole series, computed online (row i sees rows 0..i only)."""
    det = SpikeDetector(config)
    update = det.update
    return [update(float(v), _epoch(t)) for t, v in zip(timestamps, values, strict=True)]


def detect(timestamps: Sequence[datetime | float], values: Sequence[float],
           detector: SpikeDetector | None = None) -> list[BucketScore]:
    """Run (or resume) a detector over buckets, keeping what episode grouping needs."""
    det = detector or SpikeDetector()
    out = []
    for t, v in zip(timestamps, values, strict=True):
        epoch = _epoch(t)
        score = det.update(float(v), epoch)
        out.append(BucketScore(epoch, float(v), det.expected, score, det.state.last_raw))
    return out
