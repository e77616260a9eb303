"""A mention analysed once for every query: normalised tokens, tags, handles and fields.

Matching is the hot path of the pipeline (every mention × every brand query), so the morphology
is moved to compile time: a query term is expanded into all its word forms once (see `forms.py`),
and a mention only needs its text lower-cased, ё folded to е and split into tokens. The resulting
`Doc` is shared by all the queries a mention is tested against.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

# Word tokens: letters and digits (underscore splits, as in SQLite's unicode61 tokenizer).
# Anything else that is not space or ASCII/typographic punctuation is a candidate symbol token.
_SYMBOLS = r"[^\w\s\x00-\x1f\x7f!-/:-@\[-`{-~«»„“”‘’…—–·•№]"
_WORD_RE = re.compile(r"[^\W_]+")
_TOKEN_RE = re.compile(r"[^\W_]+|" + _SYMBOLS)
_SYMBOL_RE = re.compile(_SYMBOLS)
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w[\w-]*)")
_HANDLE_RE = re.compile(r"(?<![\w@])@(\w[\w.]*\w|\w)")


def normalise(text: str) -> str:
    """Lower case, NFC, ё → е: the one spelling both queries and mentions are compared in."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=4096)
def _is_symbol(ch: str) -> bool:
    """Emoji and other pictographs count as tokens; stray punctuation does not."""
    return unicodedata.category(ch) == "So"


def tokens_of(normalised: str) -> list[str]:
    """Tokens of already-normalised text, in order (positions are list indices)."""
    if normalised.isascii() or not _SYMBOL_RE.search(normalised):
        return _WORD_RE.findall(normalised)  # the common case: words only
    return [t for t in _TOKEN_RE.findall(normalised) if t.isalnum() or _is_symbol(t)]


def _norm_set(values: Iterable[Any] | None, strip: str = "") -> set[str]:
    if not values:
        return set()
    if isinstance(values, str):
        values = values.split()
    return {normalise(str(v)).lstrip(strip) for v in values if v}


def _names(value: Any, keys: tuple[str, ...]) -> set[str]:
    """A field given as a string or as a mapping/object with some of `keys`."""
    if value is None:
        return set()
    raw: list[Any]
    if isinstance(value, str):
        raw = [value]
    elif isinstance(value, Mapping):
        raw = [value.get(k) for k in keys]
    else:
        raw = [getattr(value, k, None) for k in keys]
    return {normalise(str(v)).lstrip("@") for v in raw if v}


_PLAIN_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#@:\[\]]+)(?::\d*)?(?:[/?#]|$)")


def host_of(url: str | None) -> str | None:
    """The lower-cased host name of a URL (or of a bare 'vk.com/...')."""
    if not url:
        return None
    m = _PLAIN_URL.match(url)
    if m:  # the common case, without urlsplit's generality
        return m.group(1).lower().rstrip(".") or None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def _geo(mention: Mapping[str, Any]) -> tuple[float, float] | None:
    geo = mention.get("geo")
    lat, lon = (geo.get("lat"), geo.get("lon")) if isinstance(geo, Mapping) else (None, None)
    if lat is None and lon is None:
        lat, lon = mention.get("lat"), mention.get("lon")
    try:
        return (float(lat), float(lon)) if lat is not None and lon is not None else None
    except (TypeError, ValueError):
        return None


class Doc:
    """The analysed mention. Text, tokens, tags and handles are computed at once; the rest
    (authors, places, host, geo, positions, tag spans) only when a query asks for them."""

    __slots__ = ("tokens", "tokset", "hashtags", "handles", "lang", "network", "text", "_mention",
                 "_authors", "_places", "_geo", "_host", "_sorted", "_positions", "_tag_spans")

    def __init__(self, mention: Mapping[str, Any]) -> None:
        get = mention.get
        text = self.text = normalise(str(get("text") or ""))
        toks = self.tokens = tokens_of(text)
        self.tokset = frozenset(toks)
        tags, users = get("hashtags"), get("user_mentions")
        self.hashtags = _norm_set(tags, "#") if tags else set()
        if "#" in text:
            self.hashtags.update(_HASHTAG_RE.findall(text))
        self.handles = _norm_set(users, "@") if users else set()
        if "@" in text:
            self.handles.update(_HANDLE_RE.findall(text))
        lang, network = get("lang"), get("network")
        self.lang = str(lang).lower().split("-")[0] if lang else None
        self.network = str(network).lower() if network else None
        self._mention = mention
        self._authors: set[str] | None = None
        self._places: set[str] | None = None
        self._geo: tuple[float, float] | None | bool = False  # False: not read yet
        self._host: str | None = None
        self._sorted: list[str] | None = None
        self._positions: dict[str, list[int]] | None = None
        self._tag_spans: dict[str, list[tuple[int, int]]] | None = None

    @property
    def authors(self) -> set[str]:
        if self._authors is None:
            self._authors = _names(self._mention.get("author"), ("handle", "name", "external_id"))
        return self._authors

    @property
    def places(self) -> set[str]:
        if self._places is None:
            self._places = _names(self._mention.get("place"), ("external_id", "name"))
        return self._places

    @property
    def geo(self) -> tuple[float, float] | None:
        if self._geo is False:
            self._geo = _geo(self._mention)
        return self._geo  # type: ignore[return-value]

    @property
    def url(self) -> str | None:
        url = self._mention.get("url")
        return str(url) if url else None

    @property
    def keys(self) -> set[str]:
        """Everything the prefilter can look up: tokens, '#tag' and '@handle'."""
        keys = set(self.tokset)
        keys.update("#" + h for h in self.hashtags)
        keys.update("@" + h for h in self.handles)
        return keys

    def has_prefix(self, prefix: str) -> bool:
        """Whether some token starts with `prefix` (bisect over the sorted distinct tokens)."""
        toks = self._sorted
        if toks is None:
            toks = self._sorted = sorted(self.tokset)
        i = bisect_left(toks, prefix)
        return i < len(toks) and toks[i].startswith(prefix)

    @property
    def host(self) -> str | None:
        if self._host is None and self.url:
            self._host = host_of(self.url) or ""
        return self._host or None

    @property
    def positions(self) -> dict[str, list[int]]:
        if self._positions is None:
            pos: dict[str, list[int]] = {}
            for i, tok in enumerate(self.tokens):
                pos.setdefault(tok, []).append(i)
            self._positions = pos
        return self._positions

    def tag_spans(self, tag: str) -> list[tuple[int, int]]:
        """Token spans of '#tag' where it occurs in the text (for NEAR with a hashtag)."""
        if self._tag_spans is None:
            spans: dict[str, list[tuple[int, int]]] = {}
            for m in _HASHTAG_RE.finditer(self.text):
                start = len(tokens_of(self.text[: m.start()]))
                n = max(1, len(tokens_of(m.group(1))))
                spans.setdefault(m.group(1), []).append((start, start + n - 1))
            self._tag_spans = spans
        return self._tag_spans.get(tag, [])


def analyse(mention: Mapping[str, Any] | Doc) -> Doc:
    """Analyse a mention mapping (text, lang?, network?, author?, place?, url?, geo?, hashtags?,
    user_mentions?) once; pass the result to every query."""
    return mention if isinstance(mention, Doc) else Doc(mention)
