"""The signals of one burst (posts sharing a key, close in time) and its coordination score.

Volume and tone play no part: only traces of many accounts acting as one (repeats, machine-like
rates, copied texts, synchrony, the co-posting network, converging replies, copies posted in the
same minute). Which weights and why: `AttackParams`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from otklik.analytics.attacks_replies import converge_share
from otklik.analytics.coordination import lockstep

if TYPE_CHECKING:
    from otklik.analytics.attacks import AttackParams, MentionRecord


@dataclass
class Burst:
    """Posts sharing one key, close in time, and what they show of coordination."""

    key: tuple[str, str]
    idx: np.ndarray  # mention indices, in time order
    score: float = 0.0
    signals: dict[str, Any] = field(default_factory=dict)
    participants: set[int] = field(default_factory=set)
    echo: bool = False  # a small seed scoring too low: counts only as a return of a seed
    ret: bool = False  # scored too low alone: counts only as its accounts pushing a key again
    small: bool = False  # a seed fewer than min_accounts accounts copied word for word



def burst_signals(
    b: Burst, t: np.ndarray, au: np.ndarray, dup: np.ndarray, vb: np.ndarray,
    recs: Sequence[MentionRecord], partners: dict[int, set[int]], p: AttackParams,
    replies: tuple[list[set[str]], np.ndarray, np.ndarray, Counter[str]],
) -> None:
    """Fill the burst's coordination signals and its score (volume and tone play no part)."""
    idx = b.idx
    times, authors = t[idx], au[idx]
    n_posts, accounts = len(idx), np.unique(authors)
    # per account, in time order: does it post again within repeat_seconds, and does it post
    # burst_posts times within burst_seconds (a machine-like rate)?
    order = np.lexsort((times, authors))
    sa, st = authors[order], times[order]
    m = p.burst_posts - 1
    again = (sa[1:] == sa[:-1]) & (st[1:] - st[:-1] <= p.repeat_seconds)
    fast = (sa[m:] == sa[:-m]) & (st[m:] - st[:-m] <= p.burst_seconds)
    repeat_share = len(np.unique(sa[1:][again])) / len(accounts)
    machine_share = len(np.unique(sa[m:][fast])) / len(accounts)
    # near-identical text across accounts inside the burst
    copied = np.zeros(n_posts, dtype=bool)
    labels = dup[idx]
    by_label: dict[int, set[int]] = defaultdict(set)
    for lab, a in zip(labels.tolist(), authors.tolist(), strict=True):
        if lab >= 0:
            by_label[lab].add(a)
    shared = {lab for lab, s in by_label.items() if len(s) >= 2}
    copied = np.isin(labels, list(shared)) if shared else copied
    dup_share = float(copied.mean())
    # word-for-word copies, link included, of a text that 3+ accounts of the burst posted
    copy_accounts: dict[int, set[int]] = defaultdict(set)
    for code, a in zip(vb[idx].tolist(), authors.tolist(), strict=True):
        if code >= 0:
            copy_accounts[code].add(a)
    copy_share = float(np.mean([len(copy_accounts.get(c, ())) >= 3 for c in vb[idx].tolist()]))
    # synchrony beyond chance: a post of another account within sync_seconds
    # chance is judged over an hour at least: a burst all inside one minute is not its own chance
    span = max(float(times[-1] - times[0]), float(p.co_seconds))
    chance = 1.0 - float(np.exp(-2.0 * (n_posts / span) * p.sync_seconds))
    near = np.zeros(n_posts, dtype=bool)
    for lag in range(1, min(n_posts, 50)):
        close = (times[lag:] - times[:-lag] <= p.sync_seconds) & (authors[lag:] != authors[:-lag])
        near[lag:] |= close
        near[:-lag] |= close
    sync = max(0.0, (float(near.mean()) - chance) / max(1e-9, 1.0 - chance))
    in_step = lockstep(times, authors, vb[idx], p.sync_seconds)
    # copies in step count by their presence, not their share: a push mixes a few with its
    # accounts' own texts, and no organic burst has a single one (`AttackParams.lockstep`)
    lock = float(in_step.any())
    # account traits, only where known
    first = {a: i for i, a in zip(idx.tolist(), authors.tolist(), strict=True)}
    fol = [recs[i].followers for i in first.values() if recs[i].followers is not None]
    small = (sum(f < p.small_followers for f in fol) / len(fol)) if fol else None
    start = datetime.fromtimestamp(float(times[0]), UTC)
    ages = [
        (start - c).days for i in first.values() if (c := recs[i].author_created_at) is not None
    ]
    new = (sum(d < p.new_account_days for d in ages) / len(ages)) if ages else None
    places = {recs[i].place for i in idx.tolist() if recs[i].place}
    # accounts co-posting with several others of the burst; one partner is not enough (two
    # friends entering a brand's contest together are not a team)
    members = {int(a) for a in accounts}
    linked = {a for a in members if len(partners.get(a, set()) & members) >= p.co_partners}
    co_share = len(linked) / len(accounts)
    # replies by fresh accounts to a few targets, all carrying this burst's recommendation
    if b.key[0] in ("named", "link"):
        lo = np.searchsorted(t, times[0] - p.gap.total_seconds())
        hi = np.searchsorted(t, times[-1] + p.gap.total_seconds(), side="right")
        converge, voices = converge_share(idx, range(int(lo), int(hi)), *replies)
    else:
        converge, voices = 0.0, set()
    core = (
        0.45 * repeat_share + 0.25 * machine_share + 0.20 * dup_share + 0.10 * sync
        + 0.30 * co_share + 0.20 * copy_share + p.converge * converge + p.lockstep * lock
    )
    # small or new accounts only add evidence, and only when they are most of the accounts:
    # real customers are often small accounts too, and a campaign may use big ones
    traits = [x for x in (small, new) if x is not None]
    trait = sum(traits) / len(traits) if traits else 0.0
    score = core + 0.1 * min(1.0, max(0.0, (trait - 0.5) / 0.5))
    b.score = round(min(1.0, score), 4)
    b.signals = {
        "accounts": len(accounts), "posts": n_posts,
        "near_duplicate_share": round(dup_share, 3), "repeat_account_share": round(repeat_share, 3),
        "machine_rate_share": round(machine_share, 3), "synchrony": round(sync, 3),
        "small_account_share": None if small is None else round(small, 3),
        "new_account_share": None if new is None else round(new, 3),
        "places": len(places), "co_posting_share": round(co_share, 3),
        "copy_share": round(copy_share, 3), "converge_share": round(converge, 3),
        "lockstep_share": round(float(in_step.mean()), 3),
        "lockstep_accounts": len(np.unique(authors[in_step])),
    }
    part = {int(a) for a in np.unique(sa[1:][again])}
    part |= {a for lab, s in by_label.items() if lab in shared for a in s}
    part |= {int(a) for a in authors[in_step]}
    # fresh voices to its targets naming the recommendation without quotes ("берите такси Б")
    name, own = b.key[1].strip("«»"), set(idx.tolist())
    voices = {i for i in voices if i in own or name in recs[i].text.lower()}
    b.participants = part | linked | {int(au[i]) for i in voices}
    b.idx = np.union1d(idx, sorted(voices)) if voices else idx
