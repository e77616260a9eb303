"""VK Callback API (API version 5.199) events → `Post`s and removal marks. Pure, no I/O.

VK POSTs one JSON event per request: ``{"type", "event_id", "v", "object", "group_id",
"secret"}``. The first request, when the server is added, is ``{"type": "confirmation",
"group_id"}`` and must be answered with the community's confirmation code; every other event
with the plain text ``ok`` (VK retries, up to five times, whatever else it gets).

Handled: ``wall_reply_new``/``_edit``/``_restore`` (a comment object with ``post_id`` and
``post_owner_id``), ``wall_reply_delete`` (``owner_id``, ``id``, ``post_id``, ``deleter_id``),
``wall_post_new``/``wall_repost`` (a wall post object), ``message_new`` (``object.message``
since 5.103, the message itself before). Ids are the ones polling gives (`vk_items`), so a pushed
comment and a polled one are the same mention. Other types are acknowledged and ignored.

A private message: ``gim{group}_{id}`` (the community's inbox, ``vk.com/gim{group}``), in the
conversation ``gim{group}?sel={peer}``; a reply to one of our messages has our message's id (what
`messages.send` returned) as its parent, so the desk links it to its case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post
from otklik.sources.vk_items import VK_WEB, Directory, comment, vk_text, wall_post

COMMENT_EVENTS = ("wall_reply_new", "wall_reply_edit", "wall_reply_restore")
POST_EVENTS = ("wall_post_new", "wall_repost")
HANDLED = (*COMMENT_EVENTS, *POST_EVENTS, "wall_reply_delete", "message_new", "confirmation")
_NOBODY = Directory({})  # events carry ids only: authors are named by the next poll's profiles


class BadEvent(ValueError):
    """Not a VK Callback API event we can read (the message says what is wrong)."""


@dataclass
class CallbackEvent:
    """One event: what to store, what was removed or put back at the source."""

    type: str
    group_id: int
    event_id: str | None
    secret: str | None
    posts: list[Post] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


def _int(obj: dict[str, Any], key: str) -> int:
    try:
        return int(obj[key])
    except (KeyError, TypeError, ValueError):
        raise BadEvent(f"object.{key} is missing or not a number") from None


def parse_event(body: Any) -> CallbackEvent:
    """One request body → a `CallbackEvent` (BadEvent when it is not one)."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise BadEvent("not a VK Callback API event (no 'type')")
    kind = body["type"]
    group_id = _int(body, "group_id")
    event = CallbackEvent(kind, group_id, _opt_str(body.get("event_id")),
                          _opt_str(body.get("secret")))
    if kind == "confirmation" or kind not in HANDLED:
        return event
    obj = body.get("object")
    if not isinstance(obj, dict):
        raise BadEvent(f"{kind}: 'object' is not an object")
    if kind in COMMENT_EVENTS:
        owner_id, post_id = _int(obj, "post_owner_id"), _int(obj, "post_id")
        _int(obj, "id")
        post = comment(obj, owner_id, post_id, _NOBODY)
        event.posts.append(post)
        if kind == "wall_reply_restore":
            event.restored.append(post.external_id)
    elif kind in POST_EVENTS:
        _int(obj, "owner_id")
        post_or_none = wall_post(obj, _NOBODY)
        if post_or_none is not None:
            event.posts.append(post_or_none)
    elif kind == "wall_reply_delete":
        owner_id, post_id = _int(obj, "owner_id"), _int(obj, "post_id")
        event.removed.append(f"{owner_id}_{post_id}_c{_int(obj, 'id')}")
    else:
        message = obj.get("message")  # API 5.103+: {message, client_info}; before: the message
        event.posts.append(private_message(message if isinstance(message, dict) else obj,
                                           group_id))
    return event


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def private_message(message: dict[str, Any], group_id: int) -> Post:
    """An incoming message to the community (`message_new`)."""
    mid, peer, sender = _int(message, "id"), _int(message, "peer_id"), _int(message, "from_id")
    conversation = f"gim{group_id}?sel={peer}"
    reply = message.get("reply_message")
    parent = None
    if isinstance(reply, dict) and reply.get("id"):
        ours = int(reply.get("from_id") or 0) == -group_id
        parent = str(int(reply["id"])) if ours else f"gim{group_id}_{int(reply['id'])}"
    when = message.get("date")
    return Post(
        network="vk",
        external_id=f"gim{group_id}_{mid}",
        text=vk_text(message.get("text")),
        created_at=datetime.fromtimestamp(int(when), UTC) if when else datetime.now(UTC),
        url=f"{VK_WEB}/{conversation}",
        author=Author(external_id=str(sender), handle=f"id{sender}", url=f"{VK_WEB}/id{sender}")
        if sender > 0 else _NOBODY.author(sender),
        place=Place(external_id=conversation, kind="private", url=f"{VK_WEB}/{conversation}"),
        parent_external_id=parent,
        thread_external_id=conversation,
        raw=message,
    )
