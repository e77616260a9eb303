"""Reddit OAuth API things (`t3` links, `t1` comments in `Listing`s) → `Post`s. No I/O.

Ids are Reddit's own fullnames (``t3_1h2abcd``, ``t1_m0xyz12``), as `/api/comment` takes them in
``thing_id``, so a stored mention can be answered without a lookup. A comment's parent is its
``parent_id`` (the link for a top-level comment), its thread the link (``link_id``).
Authors are keyed by username: Reddit usernames never change and `/api/compose` addresses them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited

REDDIT_WEB = "https://www.reddit.com"
GONE_AUTHORS = {"[deleted]", "[removed]", ""}
POST_KINDS = ("t1", "t3", "t4")  # links, comments, messages: what becomes a Post
_WAIT_RE = re.compile(r"(\d+)\s*(second|minute|hour)", re.I)


def listing_children(payload: Any, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """The things of a `Listing` and its `after` token; BadResponse when it is no listing."""
    if not isinstance(payload, dict) or payload.get("kind") != "Listing" or not isinstance(
            payload.get("data"), dict):
        raise BadResponse(f"reddit: {where}: not a Listing", network="reddit")
    data = payload["data"]
    children = data.get("children")
    if not isinstance(children, list):
        raise BadResponse(f"reddit: {where}: Listing without children", network="reddit")
    things = [c for c in children if isinstance(c, dict) and isinstance(c.get("data"), dict)]
    after = data.get("after")
    return things, str(after) if after else None


def _ts(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _plain(value: Any) -> str:
    """Markdown text as written. Reddit's JSON escapes ``&``, ``<`` and ``>`` as HTML entities
    (``raw_json=1`` would not, but otklik sends the documented query as is), so unescaping here
    gives back exactly what was typed; an entity must never reach the stored text."""
    text = str(value or "").strip()
    return html.unescape(text) if "&" in text else text


def _author(data: dict[str, Any]) -> Author | None:
    name = str(data.get("author") or "")
    if name in GONE_AUTHORS:
        return None
    return Author(external_id=name, handle=name, name=name,
                  url=f"{REDDIT_WEB}/user/{name}")


def _place(data: dict[str, Any]) -> Place | None:
    sub = data.get("subreddit")
    if not sub:
        return None
    return Place(external_id=str(data.get("subreddit_id") or f"r/{sub}"),
                 name=str(data.get("subreddit_name_prefixed") or f"r/{sub}"), kind="subreddit",
                 audience=data.get("subreddit_subscribers"), url=f"{REDDIT_WEB}/r/{sub}")


def _url(data: dict[str, Any]) -> str | None:
    permalink = data.get("permalink") or data.get("context")  # inbox items have a context
    return f"{REDDIT_WEB}{permalink}" if permalink else None


_LINK_IN_PATH = re.compile(r"/comments/([a-z0-9]+)/")


def _link_id(data: dict[str, Any]) -> str | None:
    """The comment's link: `link_id`, or (inbox items have none) read from its context path."""
    if data.get("link_id"):
        return str(data["link_id"])
    found = _LINK_IN_PATH.search(str(data.get("context") or ""))
    return f"t3_{found.group(1)}" if found else None


def _edited(data: dict[str, Any]) -> datetime | None:
    edited = data.get("edited")
    return _ts(edited) if edited and edited is not True else None


def thing_created(thing: dict[str, Any]) -> float:
    """A thing's `created_utc` (0 when missing): what the listing cursors compare."""
    try:
        return float(thing["data"].get("created_utc") or 0)
    except (TypeError, ValueError):
        return 0.0


def _public_post(data: dict[str, Any], kind: str, text: str, **fields: Any) -> Post:
    """A link or a comment: what both carry (name, time, link, author, subreddit, edit)."""
    return Post(network="reddit", external_id=str(data.get("name") or f"{kind}_{data['id']}"),
                text=text, created_at=_ts(data.get("created_utc")) or datetime.now(UTC),
                url=_url(data), author=_author(data), place=_place(data),
                edited_at=_edited(data), **fields)


def link_post(data: dict[str, Any]) -> Post | None:
    """A `t3` link (a post): its title, then its self text."""
    if not data.get("id"):
        return None
    title = _plain(data.get("title"))
    body = _plain(data.get("selftext"))
    if body in ("[deleted]", "[removed]"):
        body = ""
    text = f"{title}\n\n{body}" if body else title
    score, comments = data.get("score"), data.get("num_comments")
    counted = [int(x) for x in (score, comments) if isinstance(x, int | float)]
    return _public_post(
        data, "t3", text, engagement=sum(counted) if counted else None,
        raw={k: v for k, v in data.items() if k not in ("preview", "media_metadata")})


def comment_post(data: dict[str, Any]) -> Post | None:
    """A `t1` comment; None for one deleted or removed with nothing left to read."""
    if not data.get("id"):
        return None
    body = _plain(data.get("body"))
    if body in ("[deleted]", "[removed]") and _author(data) is None:
        return None
    link_id = _link_id(data)
    return _public_post(
        data, "t1", body,
        parent_external_id=str(data["parent_id"]) if data.get("parent_id") else link_id,
        thread_external_id=str(link_id) if link_id else None,
        engagement=data.get("score") if isinstance(data.get("score"), int) else None,
        raw={k: v for k, v in data.items() if k != "replies"})


def message_post(data: dict[str, Any]) -> Post | None:
    """A `t4` private message from the inbox; its conversation is its first message."""
    if not data.get("id"):
        return None
    author = _author(data)
    name = str(data.get("name") or f"t4_{data['id']}")
    first = data.get("first_message_name")
    return Post(
        network="reddit",
        external_id=name,
        text=_plain(data.get("body")),
        created_at=_ts(data.get("created_utc")) or datetime.now(UTC),
        author=author,
        place=Place(external_id=f"u/{author.external_id}", name=f"u/{author.external_id}",
                    kind="private") if author else None,
        parent_external_id=str(data["parent_id"]) if data.get("parent_id") else None,
        thread_external_id=str(first) if first else None,
        raw={k: v for k, v in data.items() if k != "replies"},
    )


def thing_post(thing: dict[str, Any]) -> Post | None:
    """A `t3`, `t1` or `t4` thing as a Post; anything else (`more`, `t5`…) is None."""
    kind, data = thing.get("kind"), thing.get("data") or {}
    if kind == "t3":
        return link_post(data)
    if kind == "t1":
        return comment_post(data)
    if kind == "t4":
        return message_post(data)
    return None


def walk_comments(things: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every `t1` of a comment tree, depth first, parents before replies (explicit stack).
    `more` stubs are yielded too, so the caller can count what Reddit left out."""
    stack = list(reversed(things))
    while stack:
        thing = stack.pop()
        if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
            continue
        yield thing
        replies = thing["data"].get("replies")
        if isinstance(replies, dict):
            children = (replies.get("data") or {}).get("children") or []
            stack.extend(reversed([c for c in children if isinstance(c, dict)]))


def tree_posts(payload: Any, where: str) -> tuple[list[Post], list[str]]:
    """``/comments/{id}``'s ``[link listing, comment listing]`` as posts, parents first, and
    the ids of the comments Reddit left behind ``more`` stubs (for ``/api/morechildren``)."""
    if not isinstance(payload, list) or len(payload) != 2:
        raise BadResponse(f"reddit: {where}: expected [link, comments]", network="reddit")
    links, _ = listing_children(payload[0], where)
    comments, _ = listing_children(payload[1], where)
    return things_posts([*links, *walk_comments(comments)])


def things_posts(things: list[dict[str, Any]]) -> tuple[list[Post], list[str]]:
    """Things as posts, and the comment ids their ``more`` stubs name (a "continue this
    thread" stub, id ``_``, names none: its comments come with their own ``/comments`` page)."""
    posts: list[Post] = []
    hidden: list[str] = []
    for thing in things:
        if thing.get("kind") == "more":
            hidden += [str(c) for c in thing["data"].get("children") or [] if c]
        post = thing_post(thing)
        if post is not None:
            posts.append(post)
    return posts, hidden


def more_things(payload: Any, where: str) -> list[dict[str, Any]]:
    """The flat things of an ``/api/morechildren`` answer (``{"json": {"data": {"things"}}}``);
    each comment names its parent, so the tree is kept without nesting."""
    api_errors(payload, where)
    data = ((payload or {}).get("json") or {}).get("data") if isinstance(payload, dict) else None
    things = data.get("things") if isinstance(data, dict) else None
    if not isinstance(things, list):
        raise BadResponse(f"reddit: {where}: no things in the answer", network="reddit")
    return [t for t in things if isinstance(t, dict) and isinstance(t.get("data"), dict)]


def number(value: str | None) -> float | None:
    """A rate-limit header as a number (Reddit sends ``598.0``), None when absent or odd."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def api_errors(payload: Any, what: str) -> None:
    """Raise for the ``{"json": {"errors": [[CODE, message, field], …]}}`` of a POST."""
    errors = ((payload or {}).get("json") or {}).get("errors") if isinstance(payload, dict) \
        else None
    if not errors:
        return
    code, message = str(errors[0][0]), str(errors[0][1] if len(errors[0]) > 1 else "")
    text = f"reddit: {what}: {code}: {message}"
    if code == "RATELIMIT":
        found = _WAIT_RE.search(message)
        unit = {"second": 1, "minute": 60, "hour": 3600}
        wait = int(found.group(1)) * unit[found.group(2).lower()] if found else None
        raise RateLimited(text, network="reddit", code=code, retry_after=wait)
    if code in ("USER_REQUIRED", "NOT_AUTHORIZED"):
        raise AuthFailed(text, network="reddit", code=code)
    raise BadResponse(text, network="reddit", code=code)
