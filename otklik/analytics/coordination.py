"""Account-level coordination: the co-posting network of a window of mentions.

A burst of one hashtag can look organic when each of its posts is taken alone: a troll account
posts `#staywoke` three times in an hour, a few others do the same, but no two texts match and no
single account posts at a machine-like rate. What gives them away is that the *same accounts* keep
posting the *same things* at the *same time*, again and again (the coordination-network method of
Pacheco et al. 2021 and Keller et al. 2020: accounts linked when they share content within Δt).

Two accounts are linked when both posted, within the same `co_seconds` window, something they
share (a hashtag, a link, a near-duplicate text, a retweet of the same account), and each of them
did so with at least `co_posts` different posts. One shared post each is not enough: many customers
answer one brand post or use one contest hashtag once, and one post with three hashtags is still
one post. Real people rarely repeat themselves alongside the same strangers; campaign accounts do.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

_RT_SOURCE_RE = re.compile(r"\bRT\s+@(\w+)", re.IGNORECASE)


def retweet_sources(text: str) -> list[str]:
    """The accounts a post retweets (`RT @x: ...`), lower case."""
    if "RT" not in text and "rt" not in text:
        return []
    return sorted({m.lower() for m in _RT_SOURCE_RE.findall(text)})


def shared_keys(
    prepared: Sequence[tuple[str, list[str], list[str], list[str]]], labels: np.ndarray,
    au: np.ndarray,
) -> dict[tuple[str, str], list[int]]:
    """Posts grouped by what they share: a near-duplicate cluster, a hashtag, a link, a retweeted
    account."""
    lab_authors: dict[int, set[int]] = defaultdict(set)
    for i, lab in enumerate(labels.tolist()):
        if lab >= 0:
            lab_authors[lab].add(int(au[i]))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_, tags, urls, sources) in enumerate(prepared):
        lab = int(labels[i])
        if lab >= 0 and len(lab_authors[lab]) >= 2:
            groups[("text", str(lab))].append(i)
        for tag in tags:
            groups[("hashtag", "#" + tag)].append(i)
        for url in urls:
            groups[("link", url)].append(i)
        for source in sources:
            groups[("retweet", "@" + source)].append(i)
    return groups


def co_posting_partners(
    groups: Mapping[tuple[str, str], Sequence[int]], t: np.ndarray, au: np.ndarray,
    co_seconds: float, co_posts: int, max_accounts: int = 60,
) -> dict[int, set[int]]:
    """Each account's partners in the co-posting network of the window (accounts as `au` codes).

    `groups` maps a shared key to the posts that carry it. Time is cut into cells of `co_seconds`,
    twice (the second grid shifted by half a cell, so two posts a minute apart never fall on
    either side of every boundary). Cells where more than `max_accounts` accounts used a key are
    mass use (a trending hashtag), not a team, and are skipped.
    """
    posts: dict[tuple[int, int], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for idx in groups.values():
        if len(idx) < 2 * co_posts:
            continue
        ix = np.asarray(idx, dtype=np.int64)
        for shift in (0.0, co_seconds / 2):
            cell = np.floor((t[ix] + shift) / co_seconds).astype(np.int64)
            order = np.argsort(cell, kind="stable")
            bounds = np.nonzero(np.diff(cell[order]))[0] + 1
            for part in np.split(ix[order], bounds):
                if len(part) < 2:
                    continue
                by_author: dict[int, set[int]] = defaultdict(set)
                for i in part.tolist():
                    by_author[int(au[i])].add(i)
                if not 2 <= len(by_author) <= max_accounts:
                    continue
                accounts = sorted(by_author)
                for x, a in enumerate(accounts):
                    for b in accounts[x + 1:]:
                        mine, theirs = posts[(a, b)]
                        mine |= by_author[a]
                        theirs |= by_author[b]
    partners: dict[int, set[int]] = defaultdict(set)
    for (a, b), (mine, theirs) in posts.items():
        if len(mine) >= co_posts and len(theirs) >= co_posts:
            partners[a].add(b)
            partners[b].add(a)
    return partners


def lockstep(
    times: np.ndarray, authors: np.ndarray, codes: np.ndarray, seconds: float,
) -> np.ndarray:
    """Which posts (in time order) another account posted the same text within `seconds` of.

    `codes` number the texts (word-for-word copies share one), -1 where a post has none. Accounts
    run by one hand post a seed in the same minute; people who pass a story on do it at their own
    pace. Only posts with a code are compared, so a burst of many own texts costs little.
    """
    out = np.zeros(len(times), dtype=bool)
    has = np.nonzero(codes >= 0)[0]
    tt, aa, cc = times[has], authors[has], codes[has]
    for lag in range(1, len(has)):
        close = tt[lag:] - tt[:-lag] <= seconds
        if not close.any():
            break
        hit = close & (cc[lag:] == cc[:-lag]) & (aa[lag:] != aa[:-lag])
        out[has[lag:][hit]] = True
        out[has[:-lag][hit]] = True
    return out
