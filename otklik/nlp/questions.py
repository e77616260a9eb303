"""Is a post a question to the brand? Questions wait for an answer, so they rank higher.

Two parts, both rules (ru, en): the text must ask something (a question mark on a sentence, a
question word opening a sentence, "подскажите", "can you"), and it must be put to someone who can
answer: addressed in the second person (вы, ваш, you), with an @handle, written on the brand's
own page, or naming the brand. Rhetorical complaints ("Сколько можно?!", "what the hell?") ask
nothing and do not count.
"""

from __future__ import annotations

import re

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")

_RU_OPENERS = (
    r"как|где|когда|почему|зачем|что|чем|сколько|куда|откуда|кто|какой|какая|какое|какие|"
    r"каким|какую|можно|нельзя ли|можно ли|есть ли|будет ли|будут ли|а вы|вы не|не могли бы|"
    r"подскажите|скажите|объясните|ответьте|помогите|уточните|посоветуйте|кто-нибудь|"
    r"кто нибудь|нормально ли|правда ли|реально ли|долго ли|скоро ли|почему-то"
)
_EN_OPENERS = (
    r"how|what|when|where|why|who|which|can|could|would|will|is|are|do|does|did|should|"
    r"has|have|any|anyone|is there|are there|please advise|please help|help"
)
_OPENER_RE = re.compile(
    rf"^(?:[@#]\w+[\s,:]*)*(?:ну|а|и|so|and|hey|hi|hello|здравствуйте|добрый день|привет)?"
    rf"[\s,!]*(?:{_RU_OPENERS}|{_EN_OPENERS})\b",
    re.IGNORECASE,
)
_REQUEST_RE = re.compile(
    r"\b(?:подскажите|скажите пожалуйста|объясните|уточните|не подскажете|"
    r"хотел[аи]? бы узнать|хочу узнать|интересует|can you|could you|please let me know|"
    r"any idea|any update|is it possible|do you know|how do i|how can i)\b",
    re.IGNORECASE,
)
# Openers that ask even without a question mark, as people often write them.
_STRONG_RE = re.compile(
    r"^(?:[@#]\w+[\s,:]*)*(?:ну и|ну|а|и|so|and|hey|hi|hello|здравствуйте|добрый день|привет)?"
    r"[\s,!]*(?:где|когда|почему|зачем|сколько|куда|откуда|подскажите|кто-нибудь|кто нибудь|"
    r"можно ли|есть ли|будет ли|а у вас|у вас есть|у вас можно|как(?! же| всегда| обычно| будто|"
    r"-то| то| хорошо| здорово| приятно| классно| жаль| же)|how (?:do|can|long|much|many|to)|"
    r"where|when|why|is there|are there|do you|can you|can i|could you|will you|"
    r"does anyone|anyone know)\b",
    re.IGNORECASE,
)
_LI_RE = re.compile(r"\b\w+\s+ли\b", re.IGNORECASE)
_RHETORICAL_RE = re.compile(
    r"сколько можно|доколе|какого (?:хрена|черта|чёрта|х\w*)|что за (?:бред|хрень|фигня|жесть)|"
    r"за что\s*\?|how dare|what the (?:hell|fuck|heck)|wtf|seriously\s*\?|are you kidding|"
    r"you kidding me|why me\b",
    re.IGNORECASE,
)
_SECOND_PERSON_RE = re.compile(
    r"\b(?:вы|вас|вам|вами|ваш\w*|you|your|yours|u|ur)\b|@\w"
    # second person plural verbs: вернете, объясните, сделайте
    r"|\b[а-яё]{2,}(?:ете|ите|ёте|йте)\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """True when some sentence of the text asks something (rhetorical outbursts excluded)."""
    if not text:
        return False
    for sentence in _SENTENCE_SPLIT.split(text.strip()):
        s = sentence.strip()
        if not s or _RHETORICAL_RE.search(s):
            continue
        if "?" in s and not re.search(r"\?\s*!|!\s*\?", s):
            return True
        if _REQUEST_RE.search(s):
            return True
        if s.endswith("!"):
            continue
        if _STRONG_RE.match(s) or (_OPENER_RE.match(s) and _LI_RE.search(s)):
            return True
    return False


def is_addressed(text: str, *, on_own_page: bool = False, names_brand: bool = False) -> bool:
    """Put to someone who can answer: the brand's page, the brand named, or "you"/@handle."""
    return on_own_page or names_brand or bool(_SECOND_PERSON_RE.search(text or ""))


def is_question(text: str, *, on_own_page: bool = False, names_brand: bool = False) -> bool:
    """A question to the brand: the text asks, and it is addressed to someone who can answer."""
    return asks(text) and is_addressed(text, on_own_page=on_own_page, names_brand=names_brand)
