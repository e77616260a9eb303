"""Public Telegram channels from their web preview, ``t.me/s/<channel>`` (HTML, selectolax).

The preview lists a channel's latest ~20 posts, oldest first; ``?before=<id>`` pages back. Views
are the post's reach. Service messages ("channel photo updated") are skipped as posts but still
count as seen, so the id range of a page is a complete listing of what the channel still shows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from otklik.domain.posts import Author, Place, Post
from otklik.sources.errors import BadResponse

log = logging.getLogger("otklik.sources.telegram")
_SUFFIX = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_NUM_RE = re.compile(r"([\d.,]+)\s*([KMB]?)", re.I)


def parse_count(text: str | None) -> int | None:
    """'1.2K' → 1200, '987' → 987, '3M' → 3000000."""
    if not text:
        return None
    m = _NUM_RE.search(text.replace("\xa0", " ").replace(" ", ""))
    if not m:
        return None
    number = float(m.group(1).replace(",", "."))
    return int(round(number * _SUFFIX.get(m.group(2).upper(), 1)))


def node_text(node: LexborNode | None) -> str:
    """Visible text with line breaks kept; script/style content never leaks in."""
    if node is None:
        return ""
    for bad in node.css("script, style, template"):
        bad.decompose()
    for br in node.css("br"):
        br.replace_with("\n")
    return (node.text(deep=True) or "").strip()


@dataclass
class PreviewPage:
    posts: list[Post]
    ids: list[int] = field(default_factory=list)  # every message id shown, service ones too
    before: int | None = None  # the id to page back from, when the page offers it
    place: Place | None = None


def parse_preview(html: str, channel: str, place_id: str) -> PreviewPage:
    """Parse one ``t.me/s/<channel>`` page; BadResponse when it is not a channel preview."""
    tree = LexborHTMLParser(html)
    if tree.css_first(".tgme_channel_history") is None:
        raise BadResponse(f"telegram: t.me/s/{channel} is not a channel preview page",
                          network="telegram")
    title = node_text(tree.css_first(".tgme_channel_info_header_title")) or channel
    audience = None
    for counter in tree.css(".tgme_channel_info_counter"):
        if "subscriber" in node_text(counter.css_first(".counter_type")):
            audience = parse_count(node_text(counter.css_first(".counter_value")))
    place = Place(external_id=place_id, name=title, kind="channel", audience=audience,
                  url=f"https://t.me/{channel}")
    page = PreviewPage(posts=[], place=place)
    for msg in tree.css(".tgme_widget_message[data-post]"):
        name, _, number = (msg.attributes.get("data-post") or "").rpartition("/")
        if not number.isdigit():
            continue
        if name.casefold() != channel.casefold():  # another channel's block: its id is not ours
            log.info("t.me/s/%s: skipped a block of %s (%s)", channel, name, number)
            continue
        mid = int(number)
        page.ids.append(mid)
        if "service_message" in (msg.attributes.get("class") or ""):
            continue
        post = _message(msg, mid, channel, place)
        if post is not None:
            page.posts.append(post)
    more = tree.css_first(".tme_messages_more[data-before]")
    if more is not None and (more.attributes.get("data-before") or "").isdigit():
        page.before = int(more.attributes["data-before"] or 0)
    elif page.ids:
        page.before = min(page.ids) if min(page.ids) > 1 else None
    return page


def map_point(msg: LexborNode) -> tuple[float | None, float | None]:
    """A location post's coordinates, from its map link (`maps?q=LAT,LON&ll=LAT,LON`)."""
    link = msg.css_first("a.tgme_widget_message_location_wrap[href]")
    if link is None:
        return None, None
    query = parse_qs(urlsplit(link.attributes.get("href") or "").query)
    for key in ("q", "ll"):
        try:
            lat, lon = (float(x) for x in query.get(key, [""])[0].split(","))
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None, None


def _message(msg: LexborNode, mid: int, channel: str, place: Place) -> Post | None:
    stamp = msg.css_first(".tgme_widget_message_date time[datetime]")
    if stamp is None:
        return None
    try:
        created = datetime.fromisoformat(stamp.attributes.get("datetime") or "")
    except ValueError:
        raise BadResponse(f"telegram: t.me/s/{channel}: bad date on post {mid}",
                          network="telegram") from None
    text_node = msg.css_first(".tgme_widget_message_text.js-message_text")
    if text_node is None:
        text_node = next((n for n in msg.css(".tgme_widget_message_text")
                          if n.parent is None or "message_reply" not in
                          (n.parent.attributes.get("class") or "")), None)
    meta = node_text(msg.css_first(".tgme_widget_message_meta"))
    signer = node_text(msg.css_first(".tgme_widget_message_from_author"))
    author = Author(external_id=f"{place.external_id}:{signer}", name=signer) if signer else \
        Author(external_id=place.external_id, handle=channel, name=place.name, url=place.url)
    parent = None
    reply = msg.css_first("a.tgme_widget_message_reply[href]")
    if reply is not None:
        target = (reply.attributes.get("href") or "").rstrip("/").rpartition("/")[2]
        parent = f"{place.external_id}_{target.split('?')[0]}" if target else None
    lat, lon = map_point(msg)
    return Post(
        network="telegram",
        external_id=f"{place.external_id}_{mid}",
        text=node_text(text_node),
        created_at=created.astimezone(UTC),
        url=f"https://t.me/{channel}/{mid}",
        author=author,
        place=place,
        parent_external_id=parent,
        lat=lat,
        lon=lon,
        reach=parse_count(node_text(msg.css_first(".tgme_widget_message_views"))),
        raw={"data_post": f"{channel}/{mid}", "source": "t.me/s",
             "edited": "edited" in meta.lower()},
    )
