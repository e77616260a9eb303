"""A `Post` is what any source or importer hands to the pipeline: one normalised post or comment.

Sources speak to networks and decide nothing; they turn each network's payload into `Post`s. The
pipeline turns `Post`s into stored mentions. Keeping this type free of I/O lets connectors,
importers, the webhook and the tests share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

HASHTAG_RE = re.compile(r"(?<![\w#])#(\w[\w-]*)", re.UNICODE)
USER_RE = re.compile(r"(?<![\w@])@(\w[\w.]*\w|\w)", re.UNICODE)

NETWORKS = (
    "vk", "telegram", "rss", "reddit", "mastodon", "youtube", "x", "ok", "reviews", "webhook",
    "file",
)


@dataclass(slots=True)
class Author:
    """An account on a network."""

    external_id: str
    handle: str | None = None
    name: str | None = None
    followers: int | None = None
    created_at: datetime | None = None
    url: str | None = None


@dataclass(slots=True)
class Place:
    """Where a post lives: a VK group, a Telegram channel or chat, a subreddit, a site."""

    external_id: str
    name: str | None = None
    kind: str | None = None  # group, channel, chat, subreddit, site, feed
    audience: int | None = None
    url: str | None = None


@dataclass(slots=True)
class Post:
    """One post or comment, unique by (network, external_id)."""

    network: str
    external_id: str
    text: str
    created_at: datetime
    url: str | None = None
    author: Author | None = None
    place: Place | None = None
    parent_external_id: str | None = None
    thread_external_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    hashtags: list[str] = field(default_factory=list)
    user_mentions: list[str] = field(default_factory=list)
    reach: int | None = None
    engagement: int | None = None
    lang: str | None = None
    edited_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    rating: int | None = None  # a review's stars (1–5): 1–2 make it negative whatever its words

    def __post_init__(self) -> None:
        if not self.network or not self.external_id:
            raise ValueError("a post needs a network and an external_id")
        if self.created_at.tzinfo is None:
            self.created_at = self.created_at.replace(tzinfo=UTC)
        if not self.hashtags:
            self.hashtags = extract_hashtags(self.text)
        if not self.user_mentions:
            self.user_mentions = extract_user_mentions(self.text)


def extract_hashtags(text: str) -> list[str]:
    """Lower-cased hashtags in order of appearance, without repeats."""
    return list(dict.fromkeys(m.lower() for m in HASHTAG_RE.findall(text)))


def extract_user_mentions(text: str) -> list[str]:
    """Lower-cased @handles in order of appearance, without repeats."""
    return list(dict.fromkeys(m.lower() for m in USER_RE.findall(text)))
