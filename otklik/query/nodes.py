"""The parsed form of a brand query: a small tree of immutable nodes.

`str(node)` prints the canonical query text (explicit AND/OR, parentheses), which
`otklik query check` shows and which parses back to the same tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PLAIN_VALUE = re.compile(r"[\w.*/][\w.*/-]*")


@dataclass(frozen=True, slots=True)
class Word:
    """One token pattern: all inflections, the exact form (`=`), or a prefix (`*`)."""

    text: str
    exact: bool = False
    prefix: bool = False

    def __str__(self) -> str:
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class Seq:
    """A term or a quoted phrase: words that must stand next to each other, in order."""

    words: tuple[Word, ...]
    quoted: bool = field(default=False, compare=False)
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        exact = "=" if any(w.exact for w in self.words) else ""
        body = " ".join(str(w) for w in self.words)
        if self.quoted or len(self.words) > 1:
            return f'"{exact}{body}"'
        return exact + body


@dataclass(frozen=True, slots=True)
class Tag:
    """`#hashtag` (kind '#') or `@handle` (kind '@')."""

    kind: str
    value: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return self.kind + self.value


@dataclass(frozen=True, slots=True)
class Field:
    """A filter on a mention field: author, place, network, lang, site, geo."""

    name: str
    value: str
    geo: tuple[float, float, float] | None = None
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        if self.geo is not None:
            return "geo:" + geo_text(self.geo)
        if _PLAIN_VALUE.fullmatch(self.value):
            return f"{self.name}:{self.value}"
        return f'{self.name}:"{self.value}"'  # spaces, ':' or a leading '#', '-' …


def geo_text(geo: tuple[float, float, float]) -> str:
    return ",".join(repr(x).removesuffix(".0") for x in geo)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"NOT {self.child}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " AND ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True, slots=True)
class Near:
    """Two operands within `distance` words of each other (words between them ≤ distance)."""

    left: Node
    right: Node
    distance: int
    ordered: bool = False
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        op = "ONEAR" if self.ordered else "NEAR"
        return f"({self.left} {op}/{self.distance} {self.right})"


Node = Seq | Tag | Field | Not | And | Or | Near


def words_of(node: Node) -> list[Word]:
    """Every word of the query, in order, without repeats."""
    out: dict[Word, None] = {}
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Seq):
            out.update(dict.fromkeys(n.words))
        elif isinstance(n, Not):
            stack.append(n.child)
        elif isinstance(n, And | Or):
            stack.extend(reversed(n.children))
        elif isinstance(n, Near):
            stack.extend((n.right, n.left))
    return list(out)
