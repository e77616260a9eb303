"""Text preparation for the sentiment model: normalisation, script-based language, brand masking.

The model sees the same prepared text at training and prediction time, so every rule here is part
of the trained artifact's contract. Brand masking turns "toward which brand?" into a token the
classifier can learn ("brandtarget" for the brand asked about, "brandother" for rivals), which is
how targeted sentiment is done on SentiRuEval-style data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

TARGET = "brandtarget"
OTHER = "brandother"

_URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:ru|com|net|org|ly|co)/\S*", re.I)
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_PUNCT_REPEAT = re.compile(r"([!?.)(])\1{2,}")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACES = re.compile(r"\s+")
_CYR = re.compile(r"[а-яё]", re.I)
_LAT = re.compile(r"[a-z]", re.I)
# Latin letters that look like Cyrillic ones, replaced only inside mostly-Cyrillic words.
_LOOKALIKE = str.maketrans("aceopxyk", "асеорхук")
_MIXED_WORD = re.compile(r"\b(?=\w*[а-яё])(?=\w*[aceopxyk])\w+\b", re.I)

# Aliases of brands found in the Russian training data (SentiRuEval banks and telecoms) and the
# airline set; a brand given by one of these slugs or names is masked by all its aliases.
KNOWN_BRANDS: dict[str, tuple[str, ...]] = {
    "sberbank": ("сбербанк", "сбер", "sberbank", "сбрф"),
    "vtb": ("втб", "vtb"),
    "rshb": ("россельхозбанк", "россельхоз", "рсхб", "rshb"),
    "bankmoskvy": ("банк москвы", "банкмосквы", "bankmoskvy"),
    "alfabank": ("альфа-банк", "альфабанк", "альфа банк", "alfabank", "alfa-bank", "альфа"),
    "gazprom": ("газпромбанк", "газпром", "gazprombank", "gazprom"),
    "raiffeisen": ("райффайзенбанк", "райффайзен", "райфайзен", "raiffeisen"),
    "uralsib": ("уралсиб", "uralsib"),
    "mts": ("мтс", "mts", "mtc"),
    "megafon": ("мегафон", "megafon"),
    "beeline": ("билайн", "beeline", "вымпелком"),
    "tele2": ("теле2", "теле 2", "tele2", "tele 2"),
    "rostelecom": ("ростелеком", "rostelecom"),
    "skylink": ("скайлинк", "skylink"),
    "komstar": ("комстар", "komstar"),
}


def normalise(text: str) -> str:
    """Lower-case, ё→е, URLs and @users to tokens, letter runs cut to two, look-alikes fixed."""
    t = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).replace("&amp;", "&")
    t = _URL.sub(" url ", t)
    t = _USER.sub(" @user ", t)
    t = t.lower().replace("ё", "е")
    t = _MIXED_WORD.sub(lambda m: _fix_mixed(m.group(0)), t)
    t = _REPEAT.sub(r"\1\1", t)
    t = _PUNCT_REPEAT.sub(r"\1\1", t)
    t = t.replace("#", " #")
    return _SPACES.sub(" ", t).strip()


def _fix_mixed(word: str) -> str:
    cyr = len(_CYR.findall(word))
    lat = len(_LAT.findall(word))
    return word.translate(_LOOKALIKE) if cyr >= lat else word


def script_lang(text: str) -> str:
    """'ru' when Cyrillic letters dominate, else 'en': enough to pick a model when none is given."""
    cyr = len(_CYR.findall(text))
    lat = len(_LAT.findall(text))
    return "ru" if cyr >= max(1, lat) else "en"


def brand_aliases(brand: str) -> tuple[str, ...]:
    """The names a brand is written by: its own, plus known aliases when it is a known brand."""
    key = brand.strip().lower().replace("ё", "е")
    for slug, names in KNOWN_BRANDS.items():
        if key == slug or key in names:
            return (key, *names)
    return (key,)


@lru_cache(maxsize=4096)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # A name matches at a word start and swallows Russian case endings ("сбербанка").
    parts = sorted({re.escape(n.lower()).replace(r"\ ", r"[\s-]?") for n in names if n}, key=len)
    return re.compile(r"(?<![\w])#?(?:" + "|".join(reversed(parts)) + r")\w{0,3}(?!\w)", re.I)


def _other_names(target: Sequence[str]) -> tuple[str, ...]:
    own = set(target)
    return tuple(n for names in KNOWN_BRANDS.values() for n in names if n not in own)


def mask_brand(text: str, brand_names: Iterable[str]) -> str:
    """Replace mentions of the target brand by TARGET and of other known brands by OTHER.

    `text` must already be normalised; names are matched case-insensitively at word starts.
    """
    names = tuple(n.lower().replace("ё", "е") for n in brand_names if n)
    if not names:
        return text
    masked = _pattern(names).sub(f" {TARGET} ", text)
    masked = _pattern(_other_names(names)).sub(f" {OTHER} ", masked)
    return _SPACES.sub(" ", masked).strip()


def prepare(text: str, brand: str | Sequence[str] | None = None) -> str:
    """Normalise, then mask the brand when one is asked about."""
    t = normalise(text)
    if brand:
        given = (brand,) if isinstance(brand, str) else tuple(brand)
        t = mask_brand(t, tuple(a for name in given if name for a in brand_aliases(name)))
    return t
