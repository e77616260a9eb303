"""A refused step in words: the state machine's refusals name states, not codes."""

from __future__ import annotations

from otklik.domain.cases import TRANSITIONS, IllegalTransition
from otklik.wording.codes import word


def explain(error: Exception, lang: str = "ru") -> str:
    """The message a person reads for a refused step (other errors already speak words)."""
    if not isinstance(error, IllegalTransition):
        return str(error)
    now, target = word("state", error.current, lang), word("state", error.target, lang)
    allowed = sorted(TRANSITIONS.get(error.current, ()))
    names = ", ".join(f"«{word('state', s, lang)}»" for s in allowed)
    if lang == "en":
        tail = f" (possible: {names})" if names else " (it is final)"
        return f"A case that is “{now}” cannot become “{target}”{tail}."
    tail = f" (можно: {names})" if names else " (это окончательное состояние)"
    return f"Обращение в состоянии «{now}» нельзя перевести в «{target}»{tail}."
