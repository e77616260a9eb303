"""VK API 5.199 payloads → `Post`s. Pure functions, no I/O.

External ids (kept stable because cases, actions and audit events refer to them):
- a wall post: ``{owner_id}_{post_id}`` (as in ``vk.com/wall-1_101``);
- a comment: ``{owner_id}_{post_id}_c{comment_id}``. Its thread is always its post; its parent is
  the comment it answers (``reply_to_comment``, else the top of ``parents_stack``) or the post.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post

VK_WEB = "https://vk.com"
_BR = re.compile(r"<br\s*/?>", re.I)


def vk_text(value: Any) -> str:
    """VK's text as a reader sees it: some responses carry it HTML-escaped, with `<br>` for line
    breaks (`&#10071;` is ❗, `&quot;` a quote). `<br>` first, then the entities, so a `&lt;br&gt;`
    a person typed stays text."""
    return html.unescape(_BR.sub("\n", str(value or "")))


class Directory:
    """Profiles and groups from an `extended=1` response, by VK id (groups negative)."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.profiles = {p["id"]: p for p in response.get("profiles") or [] if "id" in p}
        self.groups = {g["id"]: g for g in response.get("groups") or [] if "id" in g}

    def author(self, from_id: int | None) -> Author | None:
        if not from_id:
            return None
        if from_id > 0:
            p = self.profiles.get(from_id, {})
            name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x) or None
            handle = p.get("screen_name") or f"id{from_id}"
            return Author(external_id=str(from_id), handle=handle, name=name,
                          followers=p.get("followers_count"), url=f"{VK_WEB}/{handle}")
        g = self.groups.get(-from_id, {})
        handle = g.get("screen_name") or f"club{-from_id}"
        return Author(external_id=str(from_id), handle=handle, name=g.get("name"),
                      followers=g.get("members_count"), url=f"{VK_WEB}/{handle}")

    def place(self, owner_id: int) -> Place:
        if owner_id < 0:
            g = self.groups.get(-owner_id, {})
            handle = g.get("screen_name") or f"club{-owner_id}"
            return Place(external_id=str(owner_id), name=g.get("name"), kind="group",
                         audience=g.get("members_count"), url=f"{VK_WEB}/{handle}")
        p = self.profiles.get(owner_id, {})
        name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x) or None
        handle = p.get("screen_name") or f"id{owner_id}"
        return Place(external_id=str(owner_id), name=name, kind="wall",
                     audience=p.get("followers_count"), url=f"{VK_WEB}/{handle}")


def group_place(group: dict[str, Any]) -> Place:
    """A community from `groups.search` as a Place (owner id negative, as on its wall)."""
    handle = group.get("screen_name") or f"club{group['id']}"
    return Place(external_id=str(-int(group["id"])), name=group.get("name"), kind="group",
                 audience=group.get("members_count"), url=f"{VK_WEB}/{handle}")


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _count(item: dict[str, Any], key: str) -> int | None:
    value = item.get(key)
    return value.get("count") if isinstance(value, dict) else None


def _geo(item: dict[str, Any]) -> tuple[float | None, float | None]:
    geo = item.get("geo") or {}
    coords = geo.get("coordinates")
    try:
        if isinstance(coords, str):
            lat, lon = (float(x) for x in coords.split()[:2])
            return lat, lon
        if isinstance(coords, dict):
            return float(coords["latitude"]), float(coords["longitude"])
    except (ValueError, KeyError, TypeError):
        pass
    return None, None


def wall_post(item: dict[str, Any], directory: Directory) -> Post | None:
    """A post from `wall.get` or `newsfeed.search`; None for a deleted or non-text stub."""
    if item.get("is_deleted") or item.get("deleted") or "id" not in item:
        return None
    owner_id = int(item["owner_id"])
    post_id = int(item["id"])
    text = vk_text(item.get("text"))
    lat, lon = _geo(item)
    counts = [_count(item, k) for k in ("likes", "reposts", "comments")]
    return Post(
        network="vk",
        external_id=f"{owner_id}_{post_id}",
        text=text,
        created_at=_ts(item.get("date")) or datetime.now(UTC),
        url=f"{VK_WEB}/wall{owner_id}_{post_id}",
        author=directory.author(item.get("signer_id") or item.get("from_id") or owner_id),
        place=directory.place(owner_id),
        lat=lat,
        lon=lon,
        reach=_count(item, "views"),
        engagement=sum(c for c in counts if c) if any(c is not None for c in counts) else None,
        edited_at=_ts(item.get("edited")),
        raw=item,
    )


def comment(item: dict[str, Any], owner_id: int, post_id: int, directory: Directory) -> Post:
    """A comment from `wall.getComments` (top-level or in a thread)."""
    cid = int(item["id"])
    thread = f"{owner_id}_{post_id}"
    stack = item.get("parents_stack") or []
    parent_cid = item.get("reply_to_comment") or (stack[-1] if stack else None)
    parent = f"{thread}_c{parent_cid}" if parent_cid else thread
    url = f"{VK_WEB}/wall{thread}?reply={cid}" + (f"&thread={stack[0]}" if stack else "")
    raw = {k: v for k, v in item.items() if k != "thread"}
    return Post(
        network="vk",
        external_id=f"{thread}_c{cid}",
        text=vk_text(item.get("text")),
        created_at=_ts(item.get("date")) or datetime.now(UTC),
        url=url,
        author=directory.author(item.get("from_id")),
        place=directory.place(owner_id),
        parent_external_id=parent,
        thread_external_id=thread,
        engagement=_count(item, "likes"),
        raw=raw,
    )


def split_id(external_id: str) -> tuple[int, int, int | None]:
    """``-1_101`` → (-1, 101, None); ``-1_101_c7`` → (-1, 101, 7). ValueError otherwise."""
    parts = external_id.split("_")
    if len(parts) == 2:
        return int(parts[0]), int(parts[1]), None
    if len(parts) == 3 and parts[2].startswith("c"):
        return int(parts[0]), int(parts[1]), int(parts[2][1:])
    raise ValueError(f"not a VK post or comment id: {external_id!r}")
