"""A source's parameters checked against its kind's declaration, and "check connection".

The web form and `otklik source add -p` both clean parameters here, so a row made either way is
the same row. Problems come back as codes per field (`required`, `int`, …) that the edges put
into words; the check runs the kind's declared step with the entered values and keeps nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from otklik.settings import Settings
from otklik.sources.base import READ, KindSpec, ParamField, Source
from otklik.sources.http import HttpClient
from otklik.sources.registry import connector

PROBLEMS = ("required", "int", "number", "url", "bool", "unknown")
_TRUE, _FALSE = {"true", "1", "yes", "on", "да"}, {"false", "0", "no", "off", "нет", ""}


def _value(spec: ParamField, raw: Any) -> Any:
    """The typed value of one parameter; ValueError with the problem's code."""
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError("bool")
    if isinstance(raw, bool):  # JSON true/false given for a number or a text
        raise ValueError(spec.kind if spec.kind in ("int", "number") else "url")
    text = str(raw).strip()
    if spec.kind == "int":
        if isinstance(raw, int):
            return raw
        try:
            return int(text)
        except ValueError:
            raise ValueError("int") from None
    if spec.kind == "number":
        if isinstance(raw, int | float):
            return raw
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError("number") from None
    if spec.kind == "url":
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("url")
    return text


def clean_params(spec: KindSpec, raw: dict[str, Any], *,
                 unknown: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed parameters and problems by field name. An empty value is no value; a bool equal
    to its default is left out (the connector's default stands), so the form's row equals the
    CLI's. `unknown=False` refuses names the kind does not declare."""
    declared = {p.name: p for p in spec.params}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, given in raw.items():
        param = declared.get(name)
        if param is None:
            if spec.params and not unknown:
                problems[name] = "unknown"
            elif given not in (None, ""):
                values[name] = given
            continue
        if given is None or (isinstance(given, str) and not given.strip()
                             and param.kind != "bool"):
            continue
        try:
            value = _value(param, given)
        except ValueError as exc:
            problems[name] = str(exc)
            continue
        if param.kind == "bool" and value == bool(param.default):
            continue
        values[name] = value
    for param in spec.params:
        if param.required and param.name not in values and param.name not in problems:
            problems[param.name] = "required"
    return values, problems


@dataclass(frozen=True, slots=True)
class Finding:
    """What a successful check found: the account or place, what was read, what is missing."""

    name: str | None
    url: str | None = None
    read: int | None = None  # posts read by a "read" check
    example: str | None = None  # the first post's text
    capabilities: frozenset[str] = frozenset({READ})
    problems: tuple[str, ...] = field(default_factory=tuple)


async def check_connection(cls: type[Source], settings: Settings, client: HttpClient, *,
                           kind: str, params: dict[str, Any],
                           credentials: dict[str, Any]) -> Finding:
    """Run the kind's check with these values: its account's verification, or one page read.
    Raises the sources' errors (SourceError) or ValueError for what the connector refuses."""
    source = connector(cls, settings, client, kind=kind, params=params, credentials=credentials)
    if cls.kind_spec(kind).check == "verify":
        account = await source.verify()
        return Finding(account.name, account.url, capabilities=account.capabilities,
                       problems=account.problems)
    page = await source.fetch_page(None)
    # a wall, a channel or a feed reads one place: that is what was found (a search: nothing)
    places = {(p.place.name, p.place.url) for p in page.posts if p.place and p.place.name}
    name, url = next(iter(places)) if len(places) == 1 else (None, None)
    first = page.posts[0].text if page.posts else None
    return Finding(name, url, read=len(page.posts), example=first)
