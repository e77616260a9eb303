"""Words for the program's internal codes (states, events, kinds, signals…), Russian and English.

Pages never show a code itself: `word(domain, code, lang)` gives its words from the `wording`
catalogue (`locale/<lang>/LC_MESSAGES/wording.po`, `msgctxt` = the domain, `msgid` = the code),
and an unknown code is shown as readable words built from its parts (never as `snake_case`), so
a new state or event reads tolerably until it gets its entry. A test checks that every code the
program defines has one.
"""

from __future__ import annotations

from otklik.wording.catalogues import wording


def word(domain: str, code: object, lang: str) -> str:
    """The words for a code in a domain; an unknown code reads as its parts, spaced."""
    if code is None or code == "":
        return "—"
    text = str(code)
    words = wording(lang)
    found = words.word(domain, text)
    if found is not None:
        return found
    if domain == "event" and "." in text:
        # an event without an entry: the object it is about, then what happened
        subject, _, rest = text.partition(".")
        head = words.word("subject", subject)
        tail = words.word("action_status", rest) or rest.replace("_", " ")
        return f"{head}: {tail}" if head else tail
    return text.replace("_", " ").replace(".", " ")


def codes(domain: str) -> frozenset[str]:
    """The codes of a domain that have words."""
    return frozenset(code for context, code in wording("ru").known if context == domain)
