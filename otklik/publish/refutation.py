"""The refutation plan as data, with no I/O: threads ranked by reach, coverage, placements.

Three tracks answer an attack: the official post, a targeted reply in every thread of the
campaign (largest reach first), and native placements in the largest neutral or friendly
communities and media. Progress is *coverage*: the share of the campaign's reach whose thread has
a sent reply. A post's reach counts at least 1 (its author read it), so a campaign of tiny
accounts with no reach figures still has a meaningful coverage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from otklik.sources.registry import declared_budgets

PLACEMENT_STATUSES: tuple[str, ...] = ("todo", "contacted", "published", "declined")
REPLY_DONE = "sent"
PLACEABLE_STANCES = frozenset({"unofficial-neutral", "unofficial-friendly"})
MEDIA_KINDS = frozenset({"site", "media", "news", "feed"})


@dataclass(frozen=True, slots=True)
class CampaignPost:
    mention_id: int
    network: str
    external_id: str
    thread_external_id: str | None
    parent_external_id: str | None
    reach: int | None
    url: str | None = None


def weight(reach: int | None) -> int:
    return max(int(reach or 0), 1)


def thread_of(post: CampaignPost) -> str:
    """The thread a post lives in: its root post, or itself when it starts one."""
    root = post.thread_external_id or post.parent_external_id or post.external_id
    return f"{post.network}:{root}"


def rank_threads(posts: Iterable[CampaignPost]) -> list[dict[str, Any]]:
    """One entry per thread: the post to answer (its largest), summed reach; largest first."""
    threads: dict[str, list[CampaignPost]] = {}
    for post in posts:
        threads.setdefault(thread_of(post), []).append(post)
    out: list[dict[str, Any]] = []
    for key, members in threads.items():
        target = max(members, key=lambda p: (weight(p.reach), -p.mention_id))
        out.append({
            "thread": key, "network": target.network, "mention_id": target.mention_id,
            "external_id": target.external_id, "url": target.url, "posts": len(members),
            "reach": sum(weight(p.reach) for p in members), "action_id": None, "status": "todo",
        })
    out.sort(key=lambda t: (-t["reach"], t["thread"]))
    return out


def merge_threads(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """A refreshed ranking that keeps what was already done for each known thread."""
    done = {t["thread"]: t for t in old}
    merged = []
    for thread in new:
        before = done.pop(thread["thread"], None)
        if before is not None:
            thread = {**thread, "action_id": before.get("action_id"),
                      "status": before.get("status", "todo")}
        merged.append(thread)
    merged.extend(done.values())  # a thread that left the attack keeps its history
    merged.sort(key=lambda t: (-t["reach"], t["thread"]))
    return merged


def coverage(threads: Sequence[dict[str, Any]]) -> float:
    """Share of the campaign's reach whose thread has a sent reply (0 when there is nothing)."""
    total = sum(int(t["reach"]) for t in threads)
    if total == 0:
        return 0.0
    covered = sum(int(t["reach"]) for t in threads if t.get("status") == REPLY_DONE)
    return round(covered / total, 4)


def pick_placements(communities: Iterable[Any], limit: int = 10,
                    media: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """The largest neutral or friendly communities and media (rows with `stance`, `audience`);
    `media` holds the ids of those that are news sites."""
    chosen = [c for c in communities if c.stance in PLACEABLE_STANCES]
    chosen.sort(key=lambda c: (-(c.audience or 0), -(c.volume or 0), c.key))
    return [{"community_id": c.id, "name": c.name or c.key, "key": c.key, "stance": c.stance,
             "audience": c.audience, "media": c.id in media,
             "status": "todo", "note": ""} for c in chosen[:limit]]


def check_placement_status(status: str) -> str:
    if status not in PLACEMENT_STATUSES:
        raise ValueError(f"unknown placement status {status!r} "
                         f"(one of {', '.join(PLACEMENT_STATUSES)})")
    return status


class Pacer:
    """Keeps sends through one network at least its budget's interval apart (sleep injectable).

    The connectors' own HTTP client paces requests inside one call; a fresh client is built per
    send, so a loop of sends is paced here, at the rate each connector declares.
    """

    def __init__(self, intervals: dict[str, float] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.intervals = intervals if intervals is not None else {
            n: 1.0 / b.rate for n, b in declared_budgets().items()}
        self.sleep, self.clock = sleep, clock
        self._last: dict[str, float] = {}

    def wait(self, network: str) -> float:
        gap = self.intervals.get(network, 1.0)
        last = self._last.get(network)
        now = self.clock()
        delay = 0.0 if last is None else max(0.0, last + gap - now)
        if delay > 0:
            self.sleep(delay)
        self._last[network] = now + delay
        return delay
