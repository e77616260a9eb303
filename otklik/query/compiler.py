"""Nodes → an executable predicate over a `Doc`, plus the anchors the prefilter indexes.

Each node becomes a closure; the word forms are computed here, once. A node's *anchor* is a set
of keys (tokens, '#tag', '@handle') and of prefixes such that a mention can only match if it
contains one of them; `None` means no such set exists (NOT, field filters), and the query must be
tried on every mention.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from otklik.query.forms import word_forms
from otklik.query.matcher import Doc
from otklik.query.nodes import And, Field, Near, Node, Not, Or, Seq, Tag, Word

Pred = Callable[[Doc], bool]
Spans = Callable[[Doc], list[tuple[int, int]]]
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Anchor:
    keys: frozenset[str]
    prefixes: frozenset[str]

    def __or__(self, other: Anchor) -> Anchor:
        return Anchor(self.keys | other.keys, self.prefixes | other.prefixes)


def forms_of(word: Word) -> frozenset[str]:
    return frozenset({word.text}) if word.exact else word_forms(word.text)


def _word_anchor(word: Word) -> Anchor:
    if word.prefix:
        return Anchor(frozenset(), frozenset({word.text}))
    return Anchor(forms_of(word), frozenset())


def anchor(node: Node) -> Anchor | None:
    """Keys one of which every matching mention contains, or None when there are none."""
    if isinstance(node, Seq):
        best = max(node.words, key=lambda w: (not w.prefix, len(w.text)))
        return _word_anchor(best)
    if isinstance(node, Tag):
        return Anchor(frozenset({node.kind + node.value}), frozenset())
    if isinstance(node, Near):
        return _best([anchor(node.left), anchor(node.right)])
    if isinstance(node, And):
        return _best([anchor(c) for c in node.children])
    if isinstance(node, Or):
        result = Anchor(frozenset(), frozenset())
        for child in node.children:
            a = anchor(child)
            if a is None:
                return None
            result = result | a
        return result
    return None  # Not, Field


def _best(anchors: list[Anchor | None]) -> Anchor | None:
    """The first operand that has an anchor: people write the brand first and the context
    (common words such as "card" or "price") after it, so the first is usually the rarest."""
    return next((a for a in anchors if a is not None), None)


def _word_positions(word: Word) -> Callable[[Doc], set[int]]:
    if word.prefix:
        p = word.text
        return lambda d: {i for i, t in enumerate(d.tokens) if t.startswith(p)}
    forms = forms_of(word)
    return lambda d: {i for i, t in enumerate(d.tokens) if t in forms}


def spans(node: Node) -> Spans:
    """Token spans where a positional node (phrase, word, #tag, OR of them) occurs."""
    if isinstance(node, Seq):
        finders = [_word_positions(w) for w in node.words]
        n = len(finders)

        def seq_spans(d: Doc) -> list[tuple[int, int]]:
            sets = [f(d) for f in finders]
            return sorted((s, s + n - 1) for s in sets[0]
                          if all(s + k in sets[k] for k in range(1, n)))
        return seq_spans
    if isinstance(node, Tag):
        tag = node.value
        return lambda d: d.tag_spans(tag)
    if isinstance(node, Or):
        parts = [spans(c) for c in node.children]
        return lambda d: sorted({s for p in parts for s in p(d)})
    raise TypeError(f"not positional: {node}")  # the grammar rejects these before compiling


def _near(node: Near) -> Pred:
    left_ok, right_ok = compile_node(node.left), compile_node(node.right)
    left, right = spans(node.left), spans(node.right)
    n, ordered = node.distance, node.ordered

    def near(d: Doc) -> bool:
        if not (left_ok(d) and right_ok(d)):
            return False
        rs = right(d)
        for a0, a1 in left(d):
            for b0, b1 in rs:
                if b0 > a1 and b0 - a1 - 1 <= n:
                    return True
                if not ordered and a0 > b1 and a0 - b1 - 1 <= n:
                    return True
        return False
    return near


def _seq(node: Seq) -> Pred:
    if len(node.words) == 1:
        word = node.words[0]
        if word.prefix:
            p = word.text
            return lambda d: d.has_prefix(p)
        forms = forms_of(word)
        return lambda d: not forms.isdisjoint(d.tokset)
    # the longest word first: it is the least likely to be there, so the test fails soonest
    every = [_seq(Seq((w,))) for w in sorted(node.words, key=lambda w: -len(w.text))]
    found = spans(node)
    return lambda d: all(p(d) for p in every) and bool(found(d))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _value_test(value: str) -> Callable[[str | None], bool]:
    if value.endswith("*"):
        p = value[:-1]
        return lambda v: v is not None and v.startswith(p)
    return lambda v: v == value


def _field(node: Field) -> Pred:
    name, value = node.name, node.value
    if node.geo is not None:
        lat, lon, radius = node.geo
        return lambda d: d.geo is not None and haversine_km(lat, lon, *d.geo) <= radius
    if name == "site":
        suffix = "." + value
        return lambda d: d.host is not None and (
            d.host == value or d.host.endswith(suffix))
    test = _value_test(value)
    if name == "author":
        return lambda d: any(test(a) for a in d.authors)
    if name == "place":
        return lambda d: any(test(p) for p in d.places)
    if name == "network":
        return lambda d: test(d.network)
    return lambda d: test(d.lang)  # lang


def compile_node(node: Node) -> Pred:
    """The predicate a node stands for."""
    if isinstance(node, Seq):
        return _seq(node)
    if isinstance(node, Tag):
        value = node.value
        if node.kind == "#":
            return lambda d: value in d.hashtags
        return lambda d: value in d.handles
    if isinstance(node, Field):
        return _field(node)
    if isinstance(node, Not):
        child = compile_node(node.child)
        return lambda d: not child(d)
    if isinstance(node, And):
        parts = [compile_node(c) for c in node.children]
        if len(parts) == 2:  # the commonest shape, without a generator per call
            first, second = parts
            return lambda d: first(d) and second(d)
        return lambda d: all(p(d) for p in parts)
    if isinstance(node, Or):
        return _or(node)
    return _near(node)


def _or(node: Or) -> Pred:
    """OR of single words is the commonest brand query: one set test for all of them."""
    forms: set[str] = set()
    prefixes: list[str] = []
    rest: list[Pred] = []
    for child in node.children:
        if isinstance(child, Seq) and len(child.words) == 1:
            word = child.words[0]
            if word.prefix:
                prefixes.append(word.text)
            else:
                forms.update(forms_of(word))
        else:
            rest.append(compile_node(child))
    words, starts = frozenset(forms), tuple(prefixes)
    if not starts and not rest:
        return lambda d: not words.isdisjoint(d.tokset)

    def any_of(d: Doc) -> bool:
        if not words.isdisjoint(d.tokset):
            return True
        if starts and any(d.has_prefix(p) for p in starts):
            return True
        return any(p(d) for p in rest)
    return any_of
