"""Latin/Cyrillic spellings of a brand name, suggested when a brand is created.

People write `Сбер` and `Sber`, `Тинькофф`, `Tinkoff` and `Tinkov`. Cyrillic → Latin uses the
`iuliia` schemas (Wikipedia, Yandex, passport, BGN/PCGN…); Latin → Cyrillic uses `cyrtranslit`
after a few English-pronunciation rewrites (x → кс, ee → и, magic e: line → лайн). The analyst
picks from the suggestions; nothing is added to a query without them.
"""

from __future__ import annotations

import itertools
import re

import cyrtranslit
import iuliia

_SCHEMAS = (iuliia.WIKIPEDIA, iuliia.YANDEX_MAPS, iuliia.YANDEX_MONEY, iuliia.MOSMETRO,
            iuliia.TELEGRAM, iuliia.ICAO_DOC_9303, iuliia.BGN_PCGN, iuliia.GOST_52535)
_CYR = re.compile(r"[а-яё]", re.IGNORECASE)
_ASCII = re.compile(r"[a-z0-9 .&'-]+")

# Cyrillic spellings that brands latinise in their own way (Тиньков → Tinkoff, Яндекс → Yandex)
_CYR_REWRITES: tuple[tuple[str, str], ...] = (
    (r"офф\b", "ов"), (r"ов\b", "офф"), (r"кс", "x"), (r"ь", ""), (r"ё", "е"), (r"э", "е"),
)
# English spelling → something cyrtranslit turns into the Russian way of saying it
_LAT_REWRITES: tuple[tuple[str, str], ...] = (
    (r"x", "ks"), (r"ee", "i"), (r"oo", "u"), (r"w", "v"), (r"ph", "f"), (r"th", "t"),
    (r"c(?=[eiy])", "s"), (r"ck", "k"), (r"c", "k"), (r"q", "k"),
    (r"i([^aeiouy\s])e\b", r"ay\1"), (r"e\b", ""), (r"off\b", "ov"), (r"j", "dzh"),
    (r"ies\b", "is"),
)


def _rewrites(word: str, rules: tuple[tuple[str, str], ...], limit: int = 3) -> dict[str, int]:
    """The word with every combination of up to `limit` applicable rules → rules applied."""
    applicable = [r for r in rules if re.search(r[0], word)]
    out = {word: 0}
    for n in range(1, min(limit, len(applicable)) + 1):
        for combo in itertools.combinations(applicable, n):
            w = word
            for pattern, repl in combo:
                w = re.sub(pattern, repl, w)
            out[w] = max(out.get(w, 0), n)
    return out


def _to_latin(name: str) -> dict[str, int]:
    """Latin spellings → a rank (0 = the plain Wikipedia transliteration)."""
    out: dict[str, int] = {}
    for variant, n in _rewrites(name, _CYR_REWRITES).items():
        for i, schema in enumerate(_SCHEMAS):
            latin = schema.translate(variant).lower().replace("'", "")
            if _ASCII.fullmatch(latin):
                out[latin] = min(out.get(latin, 99), n * 10 + i)
    return out


def _to_cyrillic(name: str) -> dict[str, int]:
    """Cyrillic spellings → a rank (more pronunciation rules applied = more Russian-sounding)."""
    out: dict[str, int] = {}
    for variant, n in _rewrites(name, _LAT_REWRITES).items():
        cyr = cyrtranslit.to_cyrillic(variant, "ru").lower()
        if not re.search(r"[a-z]", cyr):
            out[cyr] = min(out.get(cyr, 99), -n)
    return out


def suggest_variants(name: str, limit: int = 8) -> list[str]:
    """Plausible spellings of `name` in the other script (most common first), not `name` itself."""
    base = " ".join(name.lower().split())
    if not base:
        return []
    found = _to_latin(base) if _CYR.search(base) else _to_cyrillic(base)
    found.pop(base, None)
    return sorted(found, key=lambda v: (found[v], len(v), v))[:limit]


def variants_query(name: str, limit: int = 8) -> str:
    """The name and its variants as one OR query, phrases quoted."""
    names = [name.strip(), *suggest_variants(name, limit)]
    return " OR ".join(f'"{n}"' if " " in n or "-" in n else n for n in names if n)
