"""Telegram Bot API `Update`/`Message` objects → `Post`s. Pure functions, no I/O.

External id of a message: ``{chat_id}_{message_id}`` (chat ids as the Bot API gives them, e.g.
``-1001234567890_42``). In a channel's discussion group Telegram copies each channel post into
the group (``is_automatic_forward``); comments reply to that copy. The copy is not emitted (it is
the channel post again); it is remembered in `threads` so that every comment, at any depth, gets
the channel post as its thread and the message it answers as its parent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post

MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")


def chat_url(chat: dict[str, Any], message_id: int) -> str | None:
    """A link to the message, when one exists (a private chat has none)."""
    if chat.get("type") == "private":
        return None
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):  # private supergroups and channels: members-only links
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return None


def _author(msg: dict[str, Any]) -> Author | None:
    chat = msg.get("chat") or {}
    signature = msg.get("author_signature")
    if signature and chat.get("type") == "channel":  # a signed channel post: the signer wrote it
        # the same id as the t.me/s preview gives the signer (`<chat>:<signature>`)
        return Author(external_id=f"{chat['id']}:{signature}", name=str(signature))
    sender = msg.get("sender_chat")
    if not sender and chat.get("type") == "channel":  # channel posts may come without it
        sender = chat
    if sender:  # a channel posting, or an anonymous group admin
        handle = sender.get("username")
        return Author(external_id=str(sender["id"]), handle=handle, name=sender.get("title"),
                      url=f"https://t.me/{handle}" if handle else None)
    user = msg.get("from")
    if not user:
        return None
    handle = user.get("username")
    name = " ".join(x for x in (user.get("first_name"), user.get("last_name")) if x) or None
    return Author(external_id=str(user["id"]), handle=handle, name=name,
                  url=f"https://t.me/{handle}" if handle else None)


def _place(chat: dict[str, Any]) -> Place:
    kind = {"channel": "channel", "private": "private"}.get(chat.get("type", ""), "chat")
    handle = chat.get("username")
    name = chat.get("title") or " ".join(
        x for x in (chat.get("first_name"), chat.get("last_name")) if x) or None
    return Place(external_id=str(chat["id"]), name=name, kind=kind,
                 url=f"https://t.me/{handle}" if handle else None)


def forwarded_channel_post(msg: dict[str, Any]) -> str | None:
    """For an automatic forward into a discussion group: the channel post's external id."""
    origin = msg.get("forward_origin") or {}
    if origin.get("type") == "channel" and origin.get("chat"):
        return f"{origin['chat']['id']}_{origin['message_id']}"
    if msg.get("forward_from_chat") and msg.get("forward_from_message_id"):  # before Bot API 7
        return f"{msg['forward_from_chat']['id']}_{msg['forward_from_message_id']}"
    return None


def message_post(msg: dict[str, Any], threads: dict[str, str]) -> Post | None:
    """One message as a Post; None for the automatic copy of a channel post (recorded instead)."""
    chat = msg.get("chat") or {}
    if "message_id" not in msg or "id" not in chat:
        return None
    chat_id = chat["id"]
    key = f"{chat_id}_{msg['message_id']}"
    if msg.get("is_automatic_forward"):
        origin = forwarded_channel_post(msg)
        if origin:
            threads[key] = origin
            return None
    text = msg.get("text") or msg.get("caption") or ""
    parent = thread = None
    reply = msg.get("reply_to_message")
    if reply and "message_id" in reply:
        reply_key = f"{chat_id}_{reply['message_id']}"
        origin = forwarded_channel_post(reply) if reply.get("is_automatic_forward") else None
        if origin:
            threads[reply_key] = origin
        parent = origin or threads.get(reply_key) or reply_key
        thread_id = msg.get("message_thread_id")
        thread_key = f"{chat_id}_{thread_id}" if thread_id else reply_key
        thread = origin or threads.get(thread_key) or thread_key
    edited = msg.get("edit_date")
    return Post(
        network="telegram",
        external_id=key,
        text=text,
        created_at=datetime.fromtimestamp(int(msg.get("date") or 0), UTC),
        url=chat_url(chat, msg["message_id"]),
        author=_author(msg),
        place=_place(chat),
        parent_external_id=parent,
        thread_external_id=thread,
        edited_at=datetime.fromtimestamp(int(edited), UTC) if edited else None,
        raw=msg,
    )


def update_posts(updates: list[dict[str, Any]], threads: dict[str, str]) -> list[Post]:
    posts = []
    for update in updates:
        for key in MESSAGE_KEYS:
            msg = update.get(key)
            if isinstance(msg, dict):
                post = message_post(msg, threads)
                if post is not None:
                    posts.append(post)
    return posts
