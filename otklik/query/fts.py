"""A full-text prefilter for the store, derived from a parsed query: a SUPERSET of its matches.

The store's full-text index narrows the history to rows that could match; the exact match is then
done in Python by the compiled query. So every translation here may only loosen: NOT, field
filters and anything the index cannot see (emoji, English stop words) become "no restriction"
(None), NEAR and phrases become AND, a word becomes the OR of all its forms.

- SQLite FTS5 (`unicode61 remove_diacritics 2`): quoted tokens, `"банк"*` for prefixes.
- PostgreSQL: a `to_tsquery` string, used as `to_tsquery('russian', q) || to_tsquery('english', q)`
  against the index `to_tsvector('russian', text) || to_tsvector('english', text)`. A text that
  contains a form contains both configurations' lexemes of it, so the OR of both is safe.

Known gap: PostgreSQL reads host names, e-mails and URLs as one token (`sber.ru`), so a word
seen only inside one of those is not found by the prefilter there.
"""

from __future__ import annotations

import itertools
import re

from otklik.query.compiler import forms_of
from otklik.query.nodes import And, Field, Near, Node, Not, Or, Seq, Tag, Word

# PostgreSQL's `english` stop words (tsearch_data/english.stop): dropped from both configurations
_STOP_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing a an the and but if
or because as until while of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once here there
when where why how all any both each few more most other some such no nor not only own same so
than too very s t can will just don should now
"""
ENGLISH_STOP = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[a-z]")


def _indexable(token: str) -> bool:
    return bool(_WORD.fullmatch(token))


def yo_variants(form: str) -> list[str]:
    """`form` with ё restored where е stood: the index keeps ё, queries fold it to е."""
    spots = [i for i, ch in enumerate(form) if ch == "е"]
    if not spots:
        return [form]
    combos = (itertools.product((False, True), repeat=len(spots)) if len(spots) <= 3
              else ([i == j for i in range(len(spots))] for j in range(-1, len(spots))))
    out = []
    for combo in combos:
        chars = list(form)
        for spot, yo in zip(spots, combo, strict=True):
            if yo:
                chars[spot] = "ё"
        out.append("".join(chars))
    return out


class _Dialect:
    """How one store spells a token, a prefix, AND and OR."""

    sqlite: bool

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite

    def token(self, form: str) -> str | None:
        if not _indexable(form):
            return None
        if self.sqlite:
            return f'"{form}"'
        if form in ENGLISH_STOP:
            return None
        return f"'{form}'"

    def prefix(self, text: str) -> str | None:
        if not _indexable(text):
            return None
        if self.sqlite:
            return f'"{text}"*'
        # English stemming may rewrite a word's end (running → run, happy → happi): keep 3 letters
        root = text[:3] if _LATIN.search(text) else text
        if root in ENGLISH_STOP:
            return None
        return f"'{root}':*"

    def join(self, op: str, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        if self.sqlite:
            return "(" + f" {op} ".join(parts) + ")"
        return "(" + (" & " if op == "AND" else " | ").join(parts) + ")"


def _word(word: Word, d: _Dialect) -> str | None:
    parts: list[str] = []
    if word.prefix:
        for variant in yo_variants(word.text):
            token = d.prefix(variant)
            if token is None:
                return None
            parts.append(token)
        return d.join("OR", parts)
    for form in sorted(forms_of(word)):
        for variant in yo_variants(form):
            token = d.token(variant)
            if token is None:
                return None  # a form the index cannot see: this word cannot narrow anything
            parts.append(token)
    return d.join("OR", parts)


def _all(parts: list[str | None], d: _Dialect) -> str | None:
    known = [p for p in parts if p is not None]
    return d.join("AND", known) if known else None


def _expr(node: Node, d: _Dialect) -> str | None:
    if isinstance(node, Seq):
        return _all([_word(w, d) for w in node.words], d)
    if isinstance(node, Tag):
        if node.kind == "@" and not d.sqlite:
            return None  # '@ivan.petrov' may be read as a host name by PostgreSQL's parser
        words = [Word(w, exact=True) for w in _WORD.findall(node.value)]
        return _all([_word(w, d) for w in words], d)
    if isinstance(node, Near):
        return _all([_expr(node.left, d), _expr(node.right, d)], d)
    if isinstance(node, And):
        return _all([_expr(c, d) for c in node.children], d)
    if isinstance(node, Or):
        parts = [_expr(c, d) for c in node.children]
        if any(p is None for p in parts):
            return None
        return d.join("OR", [p for p in parts if p is not None])
    assert isinstance(node, Not | Field)
    return None


def fts5_match(tree: Node) -> str | None:
    """An FTS5 MATCH expression whose rows include every match of the query, or None."""
    return _expr(tree, _Dialect(sqlite=True))


def pg_tsquery(tree: Node) -> str | None:
    """A `to_tsquery` string (use with 'russian' OR 'english'), a superset of matches, or None."""
    return _expr(tree, _Dialect(sqlite=False))
