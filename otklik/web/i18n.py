"""The web pages' words: gettext catalogues `locale/<lang>/LC_MESSAGES/messages.po` (ru, en).

`translator(lang)` gives `t(key, **values)`: a key with `n` takes its plural form by gettext's
rule for the language ("1 упоминание, 3 упоминания, 5 упоминаний"), a key the pages do not
define falls back to the `wording` catalogue, an unknown key reads as itself. Messages are keys,
not English source text (why: `otklik.wording.catalogues`); the English catalogue is a
translation like the Russian one.

`make i18n` adds the keys the templates and the code use to both catalogues (`pybabel extract`
with `otklik.web.i18n_extract`, then `pybabel update`); `tests/web/test_catalogues.py` fails on
a key missing from either or left untranslated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from otklik.wording.catalogues import LANGS, Catalogue, load

LOCALE = Path(__file__).parent / "locale"


def catalogue(lang: str) -> Catalogue:
    return load(LOCALE, "messages", lang if lang in LANGS else "ru")


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)` in `lang`: `t("n_mentions", n=5)` → "5 упоминаний"."""
    return catalogue(lang).say
