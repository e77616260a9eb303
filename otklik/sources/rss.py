"""RSS and Atom feeds (news sites, blogs, review sites, search-alert feeds) through feedparser.

The shared client fetches the bytes (so retries, budgets and logging are the same as for every
network) and feedparser only parses them. External id: the entry's id (guid), else its link, else
a hash of title and date. HTML in entries is reduced to text with selectolax, dropping script and
style content. The feed is the Place. Cursor: the ETag / Last-Modified the server sent, for a
conditional GET (304 = nothing new), and the newest entry date seen.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser

from otklik.domain.posts import Author, Place, Post
from otklik.sources import base
from otklik.sources.errors import BadResponse
from otklik.sources.http import Budget
from otklik.sources.telegram_web import node_text


def html_to_text(html: str) -> str:
    """Readable text of an HTML fragment; script/style content never reaches the text."""
    if "<" not in html and "&" not in html:
        return html.strip()
    tree = LexborHTMLParser(f"<div id='otklik-root'>{html}</div>")
    for block in tree.css("p, div, li, h1, h2, h3, h4, tr, blockquote"):
        block.insert_after("\n")
    return "\n".join(line.strip() for line in node_text(tree.css_first("#otklik-root"))
                     .splitlines() if line.strip())


def _when(entry: Any, *keys: str) -> datetime | None:
    for key in keys:
        parsed = dict.get(entry, f"{key}_parsed")  # no feedparser fallbacks between keys
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def entry_post(entry: Any, place: Place) -> Post | None:
    """One feed entry as a Post; None when it has neither id, link nor title."""
    link = entry.get("link")
    title = html_to_text(entry.get("title") or "")
    body = ""
    if entry.get("content"):
        body = html_to_text(entry["content"][0].get("value") or "")
    elif entry.get("summary"):
        body = html_to_text(entry["summary"])
    published = _when(entry, "published", "created")
    updated = _when(entry, "updated")
    external_id = entry.get("id") or link
    if not external_id:
        if not title:
            return None
        stamp = (published or updated or datetime.now(UTC)).isoformat()
        external_id = "sha1:" + hashlib.sha1(f"{title}|{stamp}".encode()).hexdigest()
    text = f"{title}\n\n{body}".strip() if body and body != title else title
    name = entry.get("author")
    author = Author(external_id=f"{place.external_id}#{name}", name=name) if name else None
    return Post(
        network="rss",
        external_id=str(external_id)[:300],
        text=text,
        created_at=published or updated or datetime.now(UTC),
        url=link,
        author=author,
        place=place,
        edited_at=updated if updated and published and updated > published else None,
        raw={"id": entry.get("id"), "link": link, "title": entry.get("title"),
             "published": dict.get(entry, "published"), "updated": dict.get(entry, "updated")},
    )


def parse_feed(content: bytes, url: str) -> tuple[list[Post], Place]:
    """Parse feed bytes; BadResponse when they are not a feed at all."""
    parsed = feedparser.parse(content, sanitize_html=True)
    if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
        raise BadResponse(f"rss: {url}: not a feed ({parsed.get('bozo_exception')})",
                          network="rss")
    feed = parsed.feed
    place = Place(external_id=url, name=html_to_text(feed.get("title") or "") or url,
                  kind="feed", url=feed.get("link") or url)
    posts = [p for p in (entry_post(e, place) for e in parsed.entries) if p]
    return posts, place


class RSSSource(base.Source):
    network = "rss"
    label = "RSS/Atom"
    kind_specs = (base.KindSpec(
        "feed", "Лента RSS или Atom", "An RSS or Atom feed",
        "Новые записи блога, новостного сайта или форума.",
        "New entries of a blog, news site or forum.",
        params=(base.ParamField("url", "Адрес ленты", "Feed address",
                                "Ссылка на RSS или Atom, например https://zerno.ru/blog/feed.xml",
                                "The RSS or Atom link, e.g. https://zerno.ru/blog/feed.xml",
                                kind="url", required=True),),
        found_ru="Лента «{name}» найдена", found_en="Feed “{name}” found"),)
    budgets = {"rss": Budget(5, 10)}  # feeds are other people's web servers

    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = cursor or {}
        url = str(self.params.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise ValueError("rss source needs params.url (http or https)")
        headers = {}
        if cursor.get("etag"):
            headers["If-None-Match"] = str(cursor["etag"])
        if cursor.get("modified"):
            headers["If-Modified-Since"] = str(cursor["modified"])
        response = await self.client.request("rss", "GET", url, headers=headers)
        if response.status_code == 304:
            return base.Page([], cursor)
        posts, _ = parse_feed(response.content, url)
        newest = max([p.created_at.isoformat() for p in posts] + [cursor.get("newest") or ""])
        nxt: base.Cursor = {"etag": response.headers.get("ETag"),
                            "modified": response.headers.get("Last-Modified"),
                            "newest": newest or None}
        return base.Page(posts, nxt)
