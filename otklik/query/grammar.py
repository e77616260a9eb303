"""The query grammar (lark, LALR) and the step from lark's tree to `nodes`.

Every failure, whatever the input, becomes a `QuerySyntaxError` with the 0-based position, the
line and column, and what was expected in words a monitoring analyst understands.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from otklik.domain.posts import NETWORKS
from otklik.query.matcher import host_of, normalise, tokens_of
from otklik.query.nodes import And, Field, Near, Node, Not, Or, Seq, Tag, Word, geo_text

MAX_LENGTH = 10_000
MAX_DEPTH = 100

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: unary (_AND? unary)*
?unary: NOT unary -> negation
      | MINUS unary -> negation
      | near
?near: atom (NEAR_OP atom)?
?atom: term | phrase | hashtag | handle | field | "(" or_expr ")"
term: TERM
phrase: PHRASE
hashtag: HASHTAG
handle: MENTION
field: FIELD (TERM | PHRASE | MENTION | HASHTAG | MINUS TERM)

_OR.3: /OR(?![^\s()"|&])/ | "|"
_AND.3: /AND(?![^\s()"|&])/ | "&"
NOT.3: /NOT(?![^\s()"|&])/
NEAR_OP.3: /O?NEAR(\/[^\s()"|&]*)?(?![^\s()"|&])/
FIELD.3: /(author|place|network|lang|site|geo):/i
MINUS.2: "-"
PHRASE: /"[^"]*"/
HASHTAG: /#[^\s()"|&]*/
MENTION: /@[^\s()"|&]*/
TERM: /[^\s()"|&#@\-][^\s()"|&]*/
%ignore /\s+/
"""

_HUMAN = {
    "TERM": "a word", "PHRASE": 'a "phrase"', "HASHTAG": "a #hashtag", "MENTION": "an @mention",
    "FIELD": "a field filter (author:, place:, network:, lang:, site:, geo:)", "LPAR": '"("',
    "RPAR": '")"', "_OR": "OR", "_AND": "AND", "NOT": "NOT", "MINUS": '"-"',
    "NEAR_OP": "NEAR/n", "$END": "the end of the query",
}
_OPERAND = "a word, phrase, #hashtag, @mention, field filter or \"(\""
_TAG_RE = re.compile(r"\w[\w-]*")
_POSSESSIVE = re.compile(r"(?<=[a-z])['’]s\b")
_HANDLE_RE = re.compile(r"\w[\w.]*\w|\w")
_NUMBER = r"\s*([-+]?\d+(?:\.\d+)?)\s*"
_GEO_RE = re.compile(f"{_NUMBER},{_NUMBER},{_NUMBER}(?:km)?\\s*", re.IGNORECASE)
NETWORK_ALIASES = {"twitter": "x", "tg": "telegram", "vkontakte": "vk", "вк": "vk"}


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: where (0-based `position`, 1-based `line`/`column`) and
    what was expected there."""

    def __init__(self, text: str, position: int, expected: str) -> None:
        position = max(0, min(position, len(text)))
        before = text[:position]
        self.text = text
        self.position = position
        self.line = before.count("\n") + 1
        self.column = position - (before.rfind("\n") + 1) + 1
        self.expected = expected
        super().__init__(
            f"expected {expected} at line {self.line}, column {self.column} (position {position})"
        )


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="basic", propagate_positions=False)


def _expected(names: set[str] | frozenset[str]) -> str:
    if {"TERM", "PHRASE"} <= set(names) and "LPAR" not in names:  # right after `field:`
        return 'a value after the field name (a word or "quoted text")'
    if {"TERM", "PHRASE"} <= set(names):
        return _OPERAND + (" or the end of the query" if "$END" in names else "")
    words = sorted({_HUMAN.get(n, n.lower()) for n in names})
    return " or ".join(words) if words else "something else"


def _from_lark(text: str, exc: UnexpectedInput) -> QuerySyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        if text[pos : pos + 1] == '"':
            return QuerySyntaxError(text, pos, 'a closing " for the phrase opened here')
        return QuerySyntaxError(text, pos, _expected(set(exc.allowed or ())))
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        pos = len(text) if tok.type == "$END" else (tok.start_pos or 0)
        if tok.type == "RPAR" and "RPAR" not in exc.expected:
            return QuerySyntaxError(text, pos, _expected(set(exc.expected)) + ' (unmatched ")")')
        return QuerySyntaxError(text, pos, _expected(set(exc.expected)))
    pos = getattr(exc, "pos_in_stream", None) or len(text)
    return QuerySyntaxError(text, pos, _expected(set(getattr(exc, "expected", ()) or ())))


def _depth_check(text: str) -> None:
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(text, i, f"at most {MAX_DEPTH} nested parentheses")


def parse_tree(text: str) -> Node:
    """Parse query text into nodes, or raise `QuerySyntaxError` (and nothing else)."""
    if not isinstance(text, str):
        raise QuerySyntaxError("", 0, "query text (a string)")
    if len(text) > MAX_LENGTH:
        raise QuerySyntaxError(text, MAX_LENGTH, f"a query of at most {MAX_LENGTH} characters")
    if not text.strip():
        raise QuerySyntaxError(text, len(text), _OPERAND)
    _depth_check(text)
    try:
        tree = _parser().parse(text)
        return _Builder(text).build(tree, 0)
    except QuerySyntaxError:
        raise
    except UnexpectedInput as exc:
        raise _from_lark(text, exc) from None
    except (LarkError, RecursionError):
        raise QuerySyntaxError(text, 0, "a simpler query") from None


class _Builder:
    """lark tree → nodes, checking what the grammar alone cannot (words, NEAR, field values)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, pos: int, expected: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, pos, expected)

    def build(self, item: Tree | Token, depth: int) -> Node:
        if isinstance(item, Token):  # pragma: no cover - the grammar wraps every token
            raise self.error(item.start_pos or 0, _OPERAND)
        if depth > MAX_DEPTH:
            raise self.error(_tree_pos(item), f"a query nested at most {MAX_DEPTH} levels deep")
        kind = item.data
        ch = item.children
        if kind == "or_expr":
            return Or(tuple(self.build(c, depth + 1) for c in ch))
        if kind == "and_expr":
            return And(tuple(self.build(c, depth + 1) for c in ch))
        if kind == "negation":
            return Not(self.build(ch[1], depth + 1), pos=_pos(ch[0]))
        if kind == "near":
            return self._near(ch, depth)
        tok = ch[0]
        assert isinstance(tok, Token)
        if kind == "term":
            return self._seq(str(tok), _pos(tok), quoted=False)
        if kind == "phrase":
            return self._seq(str(tok)[1:-1], _pos(tok) + 1, quoted=True)
        if kind in ("hashtag", "handle"):
            return self._tag(tok)
        if kind == "field":
            value = ch[1]
            assert isinstance(value, Token)
            if len(ch) == 3:  # place:-1 (VK group ids are negative)
                value = Token("TERM", "-" + str(ch[2]), start_pos=value.start_pos)
            return self._field(tok, value)
        raise self.error(0, _OPERAND)  # pragma: no cover - every rule is handled above

    def _seq(self, raw: str, pos: int, quoted: bool) -> Seq:
        body = raw.lstrip()
        exact = body.startswith("=")
        if exact:
            body = body[1:]
        words: list[Word] = []
        offset = pos + len(raw) - len(body)
        for m in re.finditer(r"\S+", body):
            chunk, start = m.group(), offset + m.start()
            prefix = chunk.endswith("*")
            core = chunk.rstrip("*")
            if "*" in core:
                raise self.error(start + core.index("*"), "'*' only at the end of a word")
            # English possessive: "McDonald's" is the word McDonald, whose forms include -s
            toks = tokens_of(_POSSESSIVE.sub("", normalise(core)))
            if not toks:
                if core == "" and prefix:
                    raise self.error(start, "at least 2 letters before '*'")
                continue
            if prefix and len(toks[-1]) < 2:
                raise self.error(start, "at least 2 letters before '*'")
            words.extend(Word(t, exact=exact) for t in toks[:-1])
            words.append(Word(toks[-1], exact=exact and not prefix, prefix=prefix))
        if not words:
            what = "a phrase with a word in it" if quoted else "a word (letters, digits or emoji)"
            raise self.error(pos, what)
        return Seq(tuple(words), quoted=quoted, pos=pos)

    def _tag(self, tok: Token) -> Tag:
        kind, value = str(tok)[0], normalise(str(tok)[1:])
        pattern = _TAG_RE if kind == "#" else _HANDLE_RE
        if not pattern.fullmatch(value):
            what = "hashtag" if kind == "#" else "handle"
            raise self.error(_pos(tok) + 1, f"a {what} of letters, digits, '_' or '-'")
        return Tag(kind, value, pos=_pos(tok))

    def _field(self, name_tok: Token, value_tok: Token) -> Field:
        name = str(name_tok)[:-1].lower()
        raw = str(value_tok)
        pos = _pos(value_tok)
        value = raw[1:-1] if value_tok.type == "PHRASE" else raw
        value = normalise(value.strip())
        if not value:
            raise self.error(pos, f"a value after {name}:")
        if name == "geo":
            geo = self._geo(value, pos)
            return Field(name, geo_text(geo), geo=geo, pos=_pos(name_tok))
        if name in ("author", "place"):
            value = value.lstrip("@").strip()
            if not value:
                raise self.error(pos, f"a value after {name}:")
        elif name == "network":
            value = NETWORK_ALIASES.get(value, value)
            if value not in NETWORKS:
                raise self.error(pos, "a network: " + ", ".join(NETWORKS))
        elif name == "lang":
            value = value.split("-")[0].strip()
            if not re.fullmatch(r"[a-z]{2,3}", value):
                raise self.error(pos, "a language code such as ru or en")
        elif name == "site":
            host = host_of(value)
            if not host or "*" in value:
                raise self.error(pos, "a domain after site:, e.g. site:vk.com")
            value = host.removeprefix("www.")
        if value.count("*") > 1 or value.find("*") not in (-1, len(value) - 1):
            raise self.error(pos, "'*' only at the end of the value")
        return Field(name, value, pos=_pos(name_tok))

    def _geo(self, value: str, pos: int) -> tuple[float, float, float]:
        m = _GEO_RE.fullmatch(value)
        if not m:
            raise self.error(pos, "geo:lat,lon,radius_km (e.g. geo:55.75,37.62,10)")
        lat, lon, radius = (float(g) for g in m.groups())
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (0 < radius <= 20_038):
            raise self.error(pos, "a latitude in [-90, 90], a longitude in [-180, 180] and a "
                             "radius in km above 0")
        assert math.isfinite(radius)
        return lat, lon, radius

    def _near(self, ch: list[Tree | Token], depth: int) -> Near:
        op = ch[1]
        assert isinstance(op, Token)
        m = re.fullmatch(r"(O?)NEAR/(\d{1,4})", str(op))
        if not m:
            raise self.error(_pos(op), "NEAR/n or ONEAR/n with a number of words n (e.g. NEAR/5)")
        left, right = self.build(ch[0], depth + 1), self.build(ch[2], depth + 1)
        for side, node in ((ch[0], left), (ch[2], right)):
            if not _positional(node):
                raise self.error(_tree_pos(side), "a word, phrase, #hashtag or an OR-group of "
                                 "them beside NEAR")
        return Near(left, right, int(m.group(2)), ordered=bool(m.group(1)), pos=_pos(op))


def _positional(node: Node) -> bool:
    if isinstance(node, Seq):
        return True
    if isinstance(node, Tag):
        return node.kind == "#"
    if isinstance(node, Or):
        return all(_positional(c) for c in node.children)
    return False


def _pos(tok: Token | Tree) -> int:
    return _tree_pos(tok)


def _tree_pos(item: Tree | Token) -> int:
    if isinstance(item, Token):
        return item.start_pos or 0
    for child in item.children:
        if isinstance(child, Token | Tree):
            return _tree_pos(child)
    return 0
