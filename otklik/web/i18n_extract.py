"""Babel extraction methods for `make i18n` (named in `babel.cfg`): the keys the desk says.

Templates are read by Jinja2's own extractor (`jinja2.ext.babel_extract`, `t` as the keyword),
code by Babel's Python extractor. Two things a key-based catalogue needs on top:
- plural-ness is a property of the entry, declared in the English catalogue: a call to a plural
  key is yielded under the keyword `tn` (`-k tn:1,1`, msgid = msgid_plural = the key), so
  `pybabel update` keeps its `msgstr[0..n]`;
- keys composed at run time (`t("sort_" ~ s)`, a sentiment label) cannot be found in the
  source, so the English catalogue is itself an input (`extract_catalogue`): extraction adds the
  keys the source uses to those the catalogue declares, and an update never drops one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

Found = tuple[Any, ...]  # (line, keyword, message, comments), as Babel passes them


def _plurals() -> frozenset[str]:
    from otklik.web.i18n import catalogue

    return catalogue("en").plural


def _marked(found: Iterable[Found]) -> Iterator[Found]:
    plural = _plurals()
    for lineno, func, message, comments in found:
        key = message[0] if isinstance(message, tuple) else message
        if func == "t" and key in plural:
            yield lineno, "tn", key, comments
        else:
            yield lineno, func, message, comments


def extract_templates(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any
                      ) -> Iterator[Found]:
    yield from _marked(babel_extract(fileobj, keywords, comment_tags, options))


def extract_code(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any
                 ) -> Iterator[Found]:
    yield from _marked(extract_python(fileobj, keywords, comment_tags, options))


def extract_catalogue(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any
                      ) -> Iterator[Found]:
    """Every key the (English) catalogue declares, plural ones as plural."""
    for message in read_po(fileobj):
        if message.id:
            plural = isinstance(message.id, tuple)
            key = message.id[0] if plural else message.id
            yield message.lineno, "tn" if plural else "t", key, []
