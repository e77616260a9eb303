"""Mastodon REST API (v1/v2, Mastodon 4.x) Status and Account entities → `Post`s. No I/O.

Status ids are local to the instance that serves them (the same toot has another id on another
server), so a stored status is ``<instance host>/<id>``: unique across instances, and a reply
knows which server's id it holds. Authors are keyed by their full ``user@domain`` (a local
account's ``acct`` has no domain: the instance's is added), the address a direct message mentions.
HTML ``content`` is reduced to text with selectolax (scripts and styles dropped, no markup kept).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from otklik.domain.posts import Author, Place, Post
from otklik.sources.base import iso_time
from otklik.sources.rss import html_to_text

_LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?([a-z]+)"?')


def id_key(status_id: str) -> tuple[int, str]:
    """Order of Mastodon ids: numeric strings of any length compare as numbers (by length, then
    digits); the fixed-length flake ids and ULIDs of other servers compare as text."""
    return len(status_id), status_id


def newest_id(ids: list[str]) -> str | None:
    return max(ids, key=id_key) if ids else None


def oldest_id(ids: list[str]) -> str | None:
    return min(ids, key=id_key) if ids else None


def full_acct(account: dict[str, Any], host: str) -> str:
    """``user@domain`` for any account; a local one gets its profile's (or the API's) host."""
    acct = str(account.get("acct") or account.get("username") or "")
    if "@" in acct:
        return acct
    domain = urlsplit(str(account.get("url") or "")).hostname or host
    return f"{acct}@{domain}"


def account_author(account: dict[str, Any], host: str) -> Author | None:
    if not isinstance(account, dict) or not (account.get("acct") or account.get("username")):
        return None
    acct = full_acct(account, host)
    return Author(external_id=acct, handle=acct,
                  name=str(account.get("display_name") or account.get("username") or acct),
                  followers=account.get("followers_count"),
                  created_at=iso_time(account.get("created_at")), url=account.get("url"))


def status_text(status: dict[str, Any]) -> str:
    """The content as plain text, its content warning first, poll options after."""
    text = html_to_text(str(status.get("content") or ""))
    spoiler = str(status.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}".strip()
    poll = status.get("poll")
    if isinstance(poll, dict):
        options = [str(o.get("title") or "") for o in poll.get("options") or []
                   if isinstance(o, dict)]
        text = "\n".join([text, *(f"• {o}" for o in options if o)]).strip()
    if not text:  # a media-only status: what its attachments show, so it is not stored blank
        text = "\n".join(media_line(m) for m in status.get("media_attachments") or []
                         if isinstance(m, dict)).strip()
    return text


def media_line(attachment: dict[str, Any]) -> str:
    """``[image] its description`` (the alt text people write), or just ``[image]``."""
    description = " ".join(str(attachment.get("description") or "").split())
    return f"[{attachment.get('type') or 'media'}] {description}".strip()


def status_post(status: Any, host: str, *, thread: str | None = None) -> Post | None:
    """A Status as a Post (a boost stands for the status it boosts); None without an id."""
    if not isinstance(status, dict):
        return None
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]
    sid = status.get("id")
    if not sid:
        return None
    counts = [status.get(k) for k in ("replies_count", "reblogs_count", "favourites_count")]
    numbers = [int(c) for c in counts if isinstance(c, int)]
    parent = status.get("in_reply_to_id")
    author = account_author(status.get("account") or {}, host)
    place = None
    if status.get("visibility") == "direct" and author is not None:  # a private conversation
        place = Place(external_id=f"direct:{author.external_id}", name=f"@{author.external_id}",
                      kind="private")
    return Post(
        network="mastodon",
        external_id=f"{host}/{sid}",
        text=status_text(status),
        created_at=iso_time(status.get("created_at")) or datetime.now(UTC),
        url=status.get("url") or status.get("uri"),
        author=author,
        place=place,
        parent_external_id=f"{host}/{parent}" if parent else None,
        thread_external_id=thread,
        engagement=sum(numbers) if numbers else None,
        lang=status.get("language") or None,
        edited_at=iso_time(status.get("edited_at")),
        hashtags=[str(t.get("name")).lower() for t in status.get("tags") or []
                  if isinstance(t, dict) and t.get("name")],
        raw=status,
    )


def link_param(link_header: str | None, rel: str, name: str) -> str | None:
    """A query parameter of one ``Link`` header relation (``rel="next"`` → its ``max_id``)."""
    for url, found in _LINK_RE.findall(link_header or ""):
        if found == rel:
            values = parse_qs(urlsplit(url).query).get(name)
            return values[0] if values else None
    return None
