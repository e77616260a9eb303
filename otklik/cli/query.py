"""`otklik match --query Q [FILE|-]`, `otklik query check Q`, `otklik query translit NAME`.

`match` is a DESIGN.md contract: input JSON Lines `{"id", "text", "lang"?, "network"?,
"author"?, "place"?, "url"?, "geo"?: {"lat", "lon"}, "created_at"?}`; output the ids of the
matching lines, one per line, in input order. A bad query or a bad line exits with code 2 and a
message naming the position or the line; ids already printed stay printed.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from otklik.cli._common import fail, read_lines
from otklik.query import Query, QuerySyntaxError, analyse, parse

query_app = typer.Typer(help="The brand query language.", no_args_is_help=True)

_OPTIONAL_TEXT = ("lang", "network", "url", "created_at")


def _query_or_fail(text: str) -> Query:
    try:
        return parse(text)
    except QuerySyntaxError as exc:
        caret = " " * exc.position + "^"
        first_line = text.replace("\n", " ")
        fail(f"bad query: {exc}\n  {first_line}\n  {caret}")


def _mention(obj: Any) -> dict[str, Any]:
    """Check one input line; ValueError names what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    mid = obj.get("id")
    if isinstance(mid, bool) or not isinstance(mid, str | int) or mid == "":
        raise ValueError("id: missing, or not a string or integer")
    if not isinstance(obj.get("text"), str):
        raise ValueError("text: missing or not a string")
    for key in _OPTIONAL_TEXT:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise ValueError(f"{key}: {obj[key]!r} is not a string")
    for key in ("author", "place"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str | int | dict):
            raise ValueError(f"{key}: {value!r} is not a string or an object")
        if isinstance(value, int) and not isinstance(value, bool):
            obj[key] = str(value)
    for key in ("hashtags", "user_mentions"):
        value = obj.get(key)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            raise ValueError(f"{key}: expected a list of strings")
    geo = obj.get("geo")
    if geo is not None:
        if not isinstance(geo, dict):
            raise ValueError("geo: expected an object {\"lat\", \"lon\"}")
        for key, bound in (("lat", 90), ("lon", 180)):
            v = geo.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float) or not -bound <= v <= bound:
                raise ValueError(f"geo.{key}: expected a number in [-{bound}, {bound}]")
    return obj


def match(
    query: Annotated[str, typer.Option("--query", "-q", help="A query in the brand language")],
    file: Annotated[str, typer.Argument(help="JSON Lines of mentions, or - for stdin")] = "-",
) -> None:
    """Print the ids of the input mentions that the query matches, one per line."""
    compiled = _query_or_fail(query)
    out = sys.stdout
    for number, line in read_lines(file):
        if not line.strip():
            continue
        try:
            obj = _mention(json.loads(line))
        except json.JSONDecodeError as exc:
            fail(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
        except ValueError as exc:
            fail(f"line {number}: {exc}")
        if compiled.predicate(analyse(obj)):
            out.write(f"{obj['id']}\n")
    out.flush()


@query_app.command("check")
def check(
    text: Annotated[str, typer.Argument(help="The query to check")],
    forms: Annotated[bool, typer.Option("--forms", help="Also list each word's forms")] = False,
) -> None:
    """Validate a query and print it in canonical form (explicit AND/OR, parentheses)."""
    compiled = _query_or_fail(text)
    typer.echo(str(compiled))
    if forms:
        from otklik.query.compiler import forms_of
        from otklik.query.nodes import words_of

        for word in words_of(compiled.tree):
            shown = "prefix" if word.prefix else ", ".join(sorted(forms_of(word)))
            typer.echo(f"{word}: {shown}")


@query_app.command("translit")
def translit(
    name: Annotated[str, typer.Argument(help="A brand name, in Cyrillic or Latin letters")],
    limit: Annotated[int, typer.Option(min=1, max=50, help="At most this many variants")] = 8,
) -> None:
    """Suggest spellings of a brand name in the other script, and the OR query they make."""
    from otklik.query.translit import suggest_variants, variants_query

    if not name.strip():
        fail("a brand name is needed")
    for variant in suggest_variants(name, limit):
        typer.echo(variant)
    typer.echo(f"query: {variants_query(name, limit)}", err=True)


def register(app: typer.Typer) -> None:
    app.command("match")(match)
    app.add_typer(query_app, name="query")
