"""Replies in an attack: whom they are sent to, what they recommend, and what the desk shows.

A smear dressed as customer complaints is many fresh voices replying to the same few accounts (a
local news site, an influencer) in their own words, all pointing to the same alternative: the
same competitor named (`@handle` or a «quoted name»), the same link. An outage looks alike in
volume but not in shape: real customers reply to the *brand's own* accounts (`own` handles, which
never count as targets), each with their own complaint and no shared recommendation, and a name
that many of them drop in passing is usually the brand's own. So a burst of one recommendation
(`("named", x)` or a link) counts the share of its posts that are replies to at most three
targets, not the brand's, by accounts that posted once in the window or are new
(`converge_share`). The brand's accounts need not be listed: an account that gets most of its
replies from elsewhere in the window (everyone talks to the brand) is not a converging target.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

_REPLY_RE = re.compile(r"^\W{0,3}((?:@\w+[\s,]*)+)")
_HANDLE_RE = re.compile(r"(?<![\w.])@(\w+)")  # not an e-mail address
_QUOTED_RE = re.compile(r"[«“„\"]([^«»“”„\"\n]{2,40})[»”\"]")
FEW_TARGETS = 3  # replies converging on more accounts than this are a conversation, not a smear


class Record(Protocol):
    """What this module reads of a `MentionRecord`."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def author_created_at(self) -> datetime | None: ...


def reply_targets(text: str, own: Collection[str] = ()) -> set[str]:
    """The accounts a reply is addressed to (its leading @handles, lower case), the brand's own
    accounts left out; empty for a post that is not a reply."""
    if not text or text.lstrip("'\" ")[:1] != "@":
        return set()
    head = _REPLY_RE.match(text.lstrip("'\" "))
    return {h.lower() for h in _HANDLE_RE.findall(head.group(1))} - set(own) if head else set()


def recommendations(text: str, targets: set[str], keep_case: bool = False) -> list[str]:
    """What a reply points its readers to besides its targets: accounts it names (`@x`) and
    names in quotes («Такси Б»), lower case unless `keep_case` (for the desk to show); links are
    keys of their own already."""
    head = _REPLY_RE.match(text.lstrip("'\" "))
    body = text.lstrip("'\" ")[head.end():] if head else text
    found = {f"@{h}" for h in _HANDLE_RE.findall(body) if h.lower() not in targets}
    found |= {f"«{' '.join(q.split())}»" for q in _QUOTED_RE.findall(body)
              if not q.strip().lower().startswith(("@", "http"))}
    return sorted(found if keep_case else {x.lower() for x in found})


def reply_keys(
    recs: Sequence[Record], own: Collection[str],
) -> tuple[list[set[str]], list[list[str]]]:
    """Each post's non-brand reply targets and, for replies, its recommendations."""
    targets = [reply_targets(r.text, own) for r in recs]
    return targets, [recommendations(r.text, to) if to else [] for r, to in
                     zip(recs, targets, strict=True)]


def converge_share(
    idx: np.ndarray, near: range, targets: Sequence[set[str]], fresh: np.ndarray,
    au: np.ndarray, received: Counter[str],
) -> tuple[float, set[int]]:
    """Share of a recommendation burst's posts that are replies by fresh accounts to its main
    targets, and those posts with the other fresh replies to them within `near`. A main target
    (three at most) is sent such replies by two accounts or more (a brand's support answering
    customers one by one converges on no one), and gets at least half of its replies of the
    window from this burst: an account everyone replies to (the brand's own, when `own` does not
    list it) is where customers talk, not a smear's target."""
    voices: dict[str, set[int]] = defaultdict(set)
    for i in idx.tolist():
        if fresh[i]:
            for h in targets[i]:
                voices[h].add(int(au[i]))
    here: Counter[str] = Counter(h for i in idx.tolist() for h in targets[i])
    top = {h for h, a in sorted(voices.items(), key=lambda kv: -len(kv[1]))[:FEW_TARGETS]
           if len(a) >= 2 and 2 * here[h] >= received[h]}
    hit = {i for i in idx.tolist() if fresh[i] and targets[i] & top}
    if not hit:
        return 0.0, hit
    # `near`: indices of the window (in time order); the caller tells which of those replies carry
    # the recommendation in a form not recognised
    return len(hit) / len(idx), hit | {i for i in near if fresh[i] and targets[i] & top}


def fresh_posts(recs: Sequence[Record], au: np.ndarray, new_days: int) -> np.ndarray:
    """Posts whose account posted only once in the window or was created shortly before."""
    once = np.bincount(au)[au] == 1
    new = np.fromiter((r.author_created_at is not None
                       and (r.created_at - r.author_created_at).days < new_days for r in recs),
                      dtype=bool, count=len(recs))
    return once | new


def story(
    idx: np.ndarray, spans: list[list[float]], recs: Sequence[Record], t: np.ndarray,
    au: np.ndarray, own: Collection[str],
) -> dict[str, Any]:
    """What the desk shows of an attack: its seeds (texts several accounts copied, with the first
    post), its targets (the accounts its replies were sent to), what its replies recommend, the
    accounts it names besides, its bursts in time."""
    by_text: dict[str, set[int]] = defaultdict(set)
    first: dict[str, str] = {}
    targets: Counter[str] = Counter()
    named: Counter[str] = Counter()
    recommends: dict[str, set[int]] = defaultdict(set)
    shown: dict[str, str] = {}  # a recommendation as first written
    for i in idx.tolist():
        text = recs[i].text
        key = " ".join(text.split())
        by_text[key].add(int(au[i]))
        first.setdefault(key, recs[i].id)
        to = reply_targets(text, own)
        targets.update(to)
        named.update({h.lower() for h in _HANDLE_RE.findall(text)} - to - set(own))
        for name in recommendations(text, to, keep_case=True) if to else []:
            recommends[shown.setdefault(name.lower(), name)].add(int(au[i]))
    seeds = sorted(((len(a), s) for s, a in by_text.items() if len(a) >= 2), reverse=True)[:3]
    bursts = []
    for lo, hi in spans:
        part = idx[(t[idx] >= lo) & (t[idx] <= hi)]
        bursts.append({"start": _iso(recs[int(part[0])].created_at),
                       "end": _iso(recs[int(part[-1])].created_at), "posts": len(part),
                       "accounts": len(np.unique(au[part]))})
    return {
        "seeds": [{"text": s[:200], "accounts": n, "post": first[s]} for n, s in seeds],
        "targets": [f"@{h}" for h, n in targets.most_common(5) if n >= 2],
        "recommends": [x for x, a in sorted(recommends.items(), key=lambda kv: -len(kv[1]))
                       if len(a) >= 2][:3],
        "named": [f"@{h}" for h, n in named.most_common(5) if n >= 2],
        "bursts": bursts,
    }


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")
