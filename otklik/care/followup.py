"""Classify the customer's answer to a follow-up: resolved, not_resolved or no_answer.

Rules, not a model: the answers to "удалось ли решить проблему?" are short and formulaic, and a
rule a responder can read is easier to trust and correct than a classifier trained on a few
hundred examples. The order matters:

1. phrases that contain a negation but mean "solved" ("проблем больше нет", "no issues now");
2. phrases that say it is not solved ("так и не вернули", "до сих пор жду", "still waiting");
   these are cut out of the text so their verbs cannot count as positive below;
3. phrases that say it is solved ("всё решили", "деньги вернули", "спасибо", "sorted").

Not solved wins over thanks ("спасибо, но так и не перезвонили" is not solved). A reply that says
neither (an emoji, an unrelated question) is `no_answer`: it did not answer the question.
"""

from __future__ import annotations

import re

RESOLVED = "resolved"
NOT_RESOLVED = "not_resolved"
NO_ANSWER = "no_answer"

_NEG_BUT_SOLVED = [
    r"проблем\w* (больше |уже )?нет", r"(больше|уже) нет проблем", r"никаких проблем",
    r"претензий (больше |уже )?нет", r"вопрос(ов)? (больше |уже )?нет", r"всё ок", r"все ок",
    r"no (more )?(problems?|issues?|complaints?)", r"not an issue (any ?more|now)",
    r"no longer an? (problem|issue)", r"nothing to complain",
]

_NOT_SOLVED = [
    r"\bне (решил|решен|решён|решает|помогл|помог|вернул|перезвонил|ответил|исправил|заменил|"
    r"доставил|пришл|пришел|пришёл|получил|сделал|разобрал|связал|починил|компенсир)\w*",
    r"\bнич(его|его так) не\b", r"\bтак и не\b", r"\bдо сих пор\b", r"\bвс[её] ещ[её]\b",
    r"\bникто не\b", r"\bникак\b", r"\bпо-прежнему\b", r"\bпрежнему\b", r"\bопять\b",
    r"\bснова\b", r"\bувы\b", r"\bк сожалению\b", r"\bтишина\b", r"\bигнор\w*",
    r"\bотписк\w*", r"\bжд[уеё]\w*", r"\bобещал\w*", r"\bпроблема (осталась|не ушла)\b",
    r"^\s*нет\b", r"^\s*неа\b", r"\bне удалось\b", r"\bбез толку\b", r"\bбесполезн\w*",
    r"\bnot (yet |really |at all )?(resolved|solved|fixed|sorted|refunded|received)\b",
    r"\b(didn'?t|did not|haven'?t|have not|hasn'?t|has not|won'?t|wasn'?t|isn'?t|never)\b",
    r"\bstill\b", r"\bnobody\b", r"\bno one\b", r"\bno response\b", r"\bwaiting\b",
    r"\bunfortunately\b", r"\b(happened|broken|charged|failed|crash\w*) again\b",
    r"^\s*no\b", r"^\s*nope\b", r"\buseless\b", r"\bignor\w*", r"\bnot at all\b",
    r"\bno (refund|reply|answer|callback|call|update)\b", r"\bgave up\b",
    r"\bwent (elsewhere|to (a|another) competitor)\b", r"\bушл[аи]? к конкурент\w*",
]

_SOLVED = [
    r"\bрешил\w*", r"\bрешен\w*", r"\bрешён\w*", r"\bрешилось\b", r"\bразобрал\w*",
    r"\bвернули\b", r"\bвозврат (пришел|пришёл|получил)\w*", r"\bпомогл\w*", r"\bпомогли\b",
    r"\bисправил\w*", r"\bзаменил\w*", r"\bпривезли\b", r"\bдоставили\b", r"\bпришл[аио]\b",
    r"\bпришел\b", r"\bпришёл\b", r"\bполучил\w*", r"\bвс[её] (хорошо|отлично|в порядке|супер)\b",
    r"\bв порядке\b", r"\bспасибо\b", r"\bблагодар\w*", r"^\s*да\b", r"\bпочинил\w*",
    r"\bкомпенсир\w*", r"\bуладил\w*", r"\bулажен\w*", r"\bвопрос (закрыт|снят)\b",
    r"\bперезвонил\w*",
    r"\b(resolved|solved|fixed|sorted|refunded|replaced|delivered|arrived|received)\b",
    r"\b(thanks?|thank you|cheers|appreciate\w*)\b", r"\ball good\b", r"\bworks (now|fine)\b",
    r"\bworking (now|fine|again)\b", r"^\s*yes\b", r"^\s*yep\b", r"\bgot (it|my)\b",
    r"\bhelped\b", r"\bperfect\b", r"\bgreat\b",
]


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.MULTILINE)


_NEG_BUT_SOLVED_RE = _compile(_NEG_BUT_SOLVED)
_NOT_SOLVED_RE = _compile(_NOT_SOLVED)
_SOLVED_RE = _compile(_SOLVED)


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def classify_reply(text: str) -> str:
    """`resolved`, `not_resolved` or `no_answer` for the customer's reply to a follow-up."""
    norm = _normalise(text)
    if not norm:
        return NO_ANSWER
    norm = _NEG_BUT_SOLVED_RE.sub(" решено ", norm)
    if _NOT_SOLVED_RE.search(norm):
        return NOT_RESOLVED
    if _SOLVED_RE.search(norm):
        return RESOLVED
    return NO_ANSWER
