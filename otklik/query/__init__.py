"""The brand query language: what counts as a mention of a brand.

    q = parse('(сбер OR sber) NEAR/3 (карта OR card) -#реклама lang:ru')
    q.matches({"text": "Заблокировали карту Сбера", "lang": "ru"})  # True

`parse` raises `QuerySyntaxError` (position, line, column, expected) and nothing else. Matching
needs no store; `QueryIndex` matches many queries at once (and `brand_matcher` makes it a
pipeline enricher); `search(session, text, limit, …)` searches the stored history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otklik.query.compiler import Anchor, Pred, anchor, compile_node
from otklik.query.grammar import QuerySyntaxError, parse_tree
from otklik.query.matcher import Doc, analyse
from otklik.query.nodes import Node


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed, compiled query. `matches` takes a mention mapping or an analysed `Doc`."""

    text: str
    tree: Node
    predicate: Pred
    anchor: Anchor | None

    def matches(self, mention: Mapping[str, Any] | Doc) -> bool:
        return self.predicate(analyse(mention))

    def __str__(self) -> str:
        text = str(self.tree)
        return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def parse(text: str) -> Query:
    """Parse and compile a query; raise `QuerySyntaxError` for any text that is not one."""
    tree = parse_tree(text)
    try:
        return Query(text, tree, compile_node(tree), anchor(tree))
    except RecursionError:
        raise QuerySyntaxError(text, 0, "a less deeply nested query") from None


# Imported last: they build on `Query` and `parse` above. Importing `search` here also makes
# `otklik.query.search` the function (the submodule stays importable as otklik.query.search).
from otklik.query.index import QueryIndex, brand_matcher  # noqa: E402
from otklik.query.search import search  # noqa: E402

__all__ = [
    "Doc", "Query", "QueryIndex", "QuerySyntaxError", "analyse", "brand_matcher", "parse", "search",
]
