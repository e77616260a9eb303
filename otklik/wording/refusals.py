"""A refused step in words: the state machine's refusals name states, not codes, and a refusal
raised with `refusal` carries its key so that a page says it in the reader's language."""

from __future__ import annotations

from typing import TypeVar

from otklik.domain.cases import TRANSITIONS, IllegalTransition
from otklik.wording.catalogues import say
from otklik.wording.codes import word

E = TypeVar("E", bound=Exception)


def refusal(cls: type[E], key: str, **values: object) -> E:
    """`cls` with the Russian words of `key` as its message (what `str(error)` and the API answer)
    and the key and values kept, so that `explain` says it in another language."""
    error = cls(say(key, "ru", **values))
    error.wording_key = key  # type: ignore[attr-defined]
    error.wording_values = values  # type: ignore[attr-defined]
    return error


def explain(error: Exception, lang: str = "ru") -> str:
    """The message a person reads for a refused step (other errors already speak words)."""
    key = getattr(error, "wording_key", None)
    if isinstance(key, str):
        return say(key, lang, **getattr(error, "wording_values", {}))
    if not isinstance(error, IllegalTransition):
        return str(error)
    allowed = sorted(TRANSITIONS.get(error.current, ()))
    names = ", ".join(say("quoted", lang, text=word("state", s, lang)) for s in allowed)
    tail = say("refused_move_possible", lang, names=names) if names else \
        say("refused_move_final", lang)
    return say("refused_move", lang, now=word("state", error.current, lang),
               target=word("state", error.target, lang), tail=tail)
