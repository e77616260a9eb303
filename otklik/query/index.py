"""Many brands' queries matched at once, with a prefilter so each mention meets few of them.

Every query is compiled once. Its anchor (see `compiler.anchor`) lists the tokens, tags and
prefixes one of which a matching mention must contain; the index maps each of them to the
queries they anchor. A mention is then tried only against the queries its own tokens point to,
plus the few with no anchor (purely negative or field-only), which are always tried. What each
token points to is cached, so a warm index costs one dict lookup per distinct token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from otklik.domain.enrichment import Enriched, Enricher
from otklik.domain.posts import Post
from otklik.query import Query, QuerySyntaxError, parse
from otklik.query.compiler import Pred
from otklik.query.matcher import Doc, analyse

CACHE_LIMIT = 200_000  # distinct tokens remembered (~30 MB at most)


class QueryIndex:
    """Queries of many brands; `match(mention)` → {brand_id: [query_id, …]}."""

    def __init__(self, queries: Iterable[tuple[int, int, str]] = ()) -> None:
        self._entries: list[tuple[int, int, Pred]] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._prefix_lengths: list[int] = []
        self._always: list[int] = []
        self._cache: dict[str, tuple[int, ...]] = {}
        self._hot: set[str] = set()  # cached keys that anchor at least one query
        self.errors: list[tuple[int, int, QuerySyntaxError]] = []
        for brand_id, query_id, text in queries:
            try:
                self.add(brand_id, query_id, text)
            except QuerySyntaxError as exc:  # a bad stored query must not stop the pipeline
                self.errors.append((brand_id, query_id, exc))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def always_checked(self) -> int:
        """How many queries have no anchor and are tried on every mention."""
        return len(self._always)

    def add(self, brand_id: int, query_id: int, text: str | Query) -> Query:
        """Compile and index one query; raises `QuerySyntaxError` for a bad one."""
        query = text if isinstance(text, Query) else parse(text)
        slot = len(self._entries)
        self._entries.append((brand_id, query_id, query.predicate))
        self._cache.clear()
        self._hot.clear()
        if query.anchor is None:
            self._always.append(slot)
            return query
        for key in query.anchor.keys:
            self._by_key.setdefault(key, []).append(slot)
        for prefix in query.anchor.prefixes:
            self._by_prefix.setdefault(prefix, []).append(slot)
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})
        return query

    def _slots_for(self, key: str) -> tuple[int, ...]:
        slots = list(self._by_key.get(key, ()))
        if key[:1] not in ("#", "@"):
            for n in self._prefix_lengths:
                if n > len(key):
                    break
                slots.extend(self._by_prefix.get(key[:n], ()))
        return tuple(slots)

    def candidates(self, doc: Doc) -> set[int]:
        """Slots of the queries that could match this mention (a superset of those that do)."""
        cache, hot = self._cache, self._hot
        if len(cache) > CACHE_LIMIT:
            cache.clear()
            hot.clear()
        keys = doc.tokset
        if doc.hashtags or doc.handles:
            keys = keys.union(["#" + h for h in doc.hashtags], ["@" + h for h in doc.handles])
        for key in [k for k in keys if k not in cache]:
            slots = cache[key] = self._slots_for(key)
            if slots:
                hot.add(key)
        found: set[int] = set(self._always)
        for key in keys.intersection(hot):
            found.update(cache.get(key, ()))  # .get: another thread may have just cleared it
        return found

    def match(self, mention: Mapping[str, Any] | Doc) -> dict[int, list[int]]:
        """Brand id → ids of that brand's queries the mention matches (query ids in index order)."""
        doc = analyse(mention)
        result: dict[int, list[int]] = {}
        entries = self._entries
        for slot in sorted(self.candidates(doc)):
            brand_id, query_id, predicate = entries[slot]
            if predicate(doc):
                result.setdefault(brand_id, []).append(query_id)
        return result


def post_mapping(post: Post, lang: str | None = None, text: str | None = None) -> dict[str, Any]:
    """The mapping a query matches, from a pipeline `Post` (and the detected language); `text`
    replaces the post's own (the pipeline passes its bounded view)."""
    return {
        "text": post.text if text is None else text,
        "lang": lang or post.lang,
        "network": post.network,
        "author": post.author,
        "place": post.place,
        "url": post.url,
        "geo": {"lat": post.lat, "lon": post.lon} if post.lat is not None else None,
        "hashtags": post.hashtags,
        "user_mentions": post.user_mentions,
    }


def brand_matcher(index: QueryIndex) -> Enricher:
    """An enricher that fills `Enriched.brand_matches` from the index (run after language)."""

    def enrich(batch: Sequence[Enriched]) -> None:
        for item in batch:
            matches = index.match(post_mapping(item.post, item.lang, item.text))
            for brand_id, query_ids in matches.items():
                known = item.brand_matches.setdefault(brand_id, [])
                known.extend(q for q in query_ids if q not in known)

    return enrich
