"""Text normalisation shared by every enricher and the sentiment model.

Social-network text hides the same word behind many spellings: `ооочень`, `пpивет` typed with a
Latin `p`, `ёлка`/`елка`, links and @handles that differ in every post. Models and hashes should
see one spelling, so everything here maps those variants onto one form. All functions are pure.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

URL_TOKEN = "xxurl"
USER_TOKEN = "xxuser"

# A bare domain starts only where no domain character precedes and is taken possessively, so
# every character is looked at a bounded number of times (`a.a.a.…` was quadratic with `\b`).
URL_RE = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"
    r"|(?<![\w.-])[\w-]++(?:\.[\w-]++)++"
    r"(?:(?<=\.ru)|(?<=\.com)|(?<=\.net)|(?<=\.org)|(?<=\.рф)|(?<=\.su)|(?<=\.me)|(?<=\.io)"
    r"|(?<=\.ly)|(?<=\.be)|(?<=\.co))/\S*",
    re.IGNORECASE,
)
USER_RE = re.compile(r"(?<![\w@])@\w[\w.]*\w|(?<![\w@])@\w", re.UNICODE)
# A letter, digit or punctuation mark repeated three or more times.
REPEAT_RE = re.compile(r"(.)\1{2,}", re.DOTALL)

# Latin letters that look like Cyrillic ones (and back).
LAT_TO_CYR = str.maketrans(
    "aceopxykmtbhACEOPXYKMTBH",
    "асеорхукмтвнАСЕОРХУКМТВН",
)
CYR_TO_LAT = str.maketrans(
    "асеорхукАСЕОРХУКМТВН",
    "aceopxykACEOPXYKMTBH",
)
_LAT_LOOKALIKE = frozenset("aceopxykmtbhACEOPXYKMTBH")
_CYR_LOOKALIKE = frozenset("асеорхукАСЕОРХУКМТВН")
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Only texts with letters of both scripts can hold a mixed word (most do not: skip them fast).
_HAS_LAT_RE = re.compile(r"[a-zA-Z]")
_HAS_CYR_RE = re.compile(r"[а-яёА-ЯЁ]")

# Emoticons that carry sentiment in Russian and English posts, to their own tokens.
EMOTICON_RE = re.compile(r"[:;=]-?[)(DPpOo/|\\]|\){2,}|\({2,}|<3")
_DROP_MARKS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}
_MARKS_RE = re.compile("[\u200d\ufe0f\ufe0e\u20e3\U0001F3FB-\U0001F3FF]")
# Emoji live above U+2000 (with symbols and punctuation); letters of ru/en/uk live below.
_HIGH_RE = re.compile("[\u2000-\U0010ffff]")
TOKEN_RE = re.compile(
    r"xxurl|xxuser|[:;=]-?[)(dpo/|\\]|\){2,}|\({2,}|<3|[^\W_]+(?:[-'][^\W_]+)*|[!?]",
    re.UNICODE,
)


def is_emoji(ch: str) -> bool:
    """True for pictographic symbols (emoji, dingbats); modifiers and joiners are not emoji."""
    cp = ord(ch)
    if 0x1F3FB <= cp <= 0x1F3FF:  # skin tones modify the previous emoji
        return False
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF:
        return True
    return unicodedata.category(ch) == "So"


def _fix_script(word: str) -> str:
    has_cyr = has_lat = False
    lat_all_lookalike = cyr_all_lookalike = True
    n_cyr = n_lat = 0
    for ch in word:
        if "\u0400" <= ch <= "\u04ff":
            has_cyr = True
            n_cyr += 1
            cyr_all_lookalike &= ch in _CYR_LOOKALIKE
        elif ch.isascii():
            has_lat = True
            n_lat += 1
            lat_all_lookalike &= ch in _LAT_LOOKALIKE
    if not (has_cyr and has_lat):
        return word
    if lat_all_lookalike and cyr_all_lookalike:
        return word.translate(LAT_TO_CYR if n_cyr >= n_lat else CYR_TO_LAT)
    if lat_all_lookalike:
        return word.translate(LAT_TO_CYR)
    if cyr_all_lookalike:
        return word.translate(CYR_TO_LAT)
    return word


def fix_lookalikes(text: str) -> str:
    """Map Latin look-alike letters inside Cyrillic words to Cyrillic (`пpивет` → `привет`).

    A word mixing the two scripts is written in the script of most of its letters when the
    letters of the other script all have a twin there (`Аррle` → `Apple`); a word in one script is
    left alone.
    """
    # One pass over the words, each looked at once: linear in the text (a single regex for "a
    # word with both scripts" backtracks cubically over a long run of letters).
    if not (_HAS_LAT_RE.search(text) and _HAS_CYR_RE.search(text)):
        return text
    return WORD_RE.sub(lambda m: _fix_script(m.group(0)), text)


def squeeze_repeats(text: str, keep: int = 2) -> str:
    """Cut runs of one character to `keep` (`ооочень` → `оочень`, `!!!!` → `!!`).

    Two are kept by default because Russian and English both double letters (`касса`, `good`).
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    return REPEAT_RE.sub(lambda m: m.group(1) * keep, text)


def replace_urls(text: str, token: str = URL_TOKEN) -> str:
    """Every link becomes one token: links differ per post but mean the same thing."""
    return URL_RE.sub(f" {token} ", text)


def replace_users(text: str, token: str = USER_TOKEN) -> str:
    """Every @handle becomes one token."""
    return USER_RE.sub(f" {token} ", text)


def _drop_marks(text: str) -> str:
    return _MARKS_RE.sub("", text)


def space_emoji(text: str) -> str:
    """Put spaces around each emoji and drop joiners, variation selectors and skin tones.

    A string of emoji (`😡😡😡`) becomes separate tokens; squeezing repeats then keeps two.
    """
    text = _drop_marks(text)
    return _HIGH_RE.sub(lambda m: f" {m.group(0)} " if is_emoji(m.group(0)) else m.group(0), text)


def normalize(
    text: str,
    *,
    lower: bool = True,
    urls: bool = True,
    users: bool = True,
    keep_repeats: int = 2,
) -> str:
    """One canonical spelling of a post's text for models and hashes.

    HTML entities decoded, Unicode NFC, links and @handles to tokens, look-alike letters fixed,
    ё → е, lower-cased, runs squeezed (emoji runs too), emoji spaced out, whitespace collapsed.
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)  # exported tweets keep "&amp;", "&lt;3"
    text = unicodedata.normalize("NFC", text)
    if urls:
        text = replace_urls(text)
    if users:
        text = replace_users(text)
    text = fix_lookalikes(text)
    text = text.replace("ё", "е").replace("Ё", "Е")
    if lower:
        text = text.lower()
    text = squeeze_repeats(_drop_marks(text), keep_repeats)
    text = space_emoji(text)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def _normalize_cached(text: str) -> str:
    return normalize(text)


def tokens(text: str, *, punct: bool = False, emoji: bool = True) -> list[str]:
    """Tokens of the normalised text: words, `xxurl`, `xxuser`, emoticons and emoji.

    `punct=True` keeps `!` and `?` (they carry sentiment and question-ness).
    """
    norm = _normalize_cached(text) if len(text) < 2000 else normalize(text)
    out: list[str] = []
    for piece in norm.split(" "):
        if emoji and len(piece) == 1 and is_emoji(piece):
            out.append(piece)
            continue
        for tok in TOKEN_RE.findall(piece):
            if tok in ("!", "?") and not punct:
                continue
            out.append(tok)
    return out


def strip_emoji(text: str) -> str:
    """Text without any emoji, e.g. to see whether anything but pictures is left."""
    return "".join(ch for ch in text if not is_emoji(ch) and ch not in _DROP_MARKS)
