"""A refused step in words: the state machine's refusals name states, not codes."""

from __future__ import annotations

from otklik.domain.cases import TRANSITIONS, IllegalTransition
from otklik.wording.catalogues import say
from otklik.wording.codes import word


def explain(error: Exception, lang: str = "ru") -> str:
    """The message a person reads for a refused step (other errors already speak words)."""
    if not isinstance(error, IllegalTransition):
        return str(error)
    allowed = sorted(TRANSITIONS.get(error.current, ()))
    names = ", ".join(say("quoted", lang, text=word("state", s, lang)) for s in allowed)
    tail = say("refused_move_possible", lang, names=names) if names else \
        say("refused_move_final", lang)
    return say("refused_move", lang, now=word("state", error.current, lang),
               target=word("state", error.target, lang), tail=tail)
