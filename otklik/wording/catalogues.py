"""gettext catalogues (`.po` files) read with Babel: the words of the desk in Russian and English.

The `.po` files are the source and are read directly: on first use each is parsed
(`babel.messages.pofile.read_po`), compiled in memory (`write_mo`) and opened as
`babel.support.Translations`, so neither `make run`, `make test` nor an installed wheel needs a
compile step, and gettext (with the Russian `Plural-Forms` header) picks plural forms.

The messages are keys (`n_mentions`, `sla_overdue`), not English source text: the pages already
ask for words by key, a key survives a change of the English wording, and the English catalogue
is a translation like the Russian one (a recognised gettext practice for interfaces).

Two catalogues: `wording` (this package's `locale/`: words for the program's codes, with the code's
domain as `msgctxt`, and the phrases the layers below the web compose: times, refusals, a send's
failure, a post's time, an attack's story, the reports' `report_…` words) and `messages` (the
web pages' words, `otklik/web/locale/`), which falls back to `wording`. No module writes a text
inline in two languages (`tests/test_inline_languages.py`).
`make i18n` finds new `messages` keys in the templates and the web code; `wording` is edited by
hand (its keys are codes and phrases the code composes), and tests check that every code the
program defines has words there and that no entry of either is left untranslated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGS = ("ru", "en")
WORDING = Path(__file__).parent / "locale"


def po_path(directory: Path, domain: str, lang: str) -> Path:
    return directory / lang / "LC_MESSAGES" / f"{domain}.po"


def read(directory: Path, domain: str, lang: str) -> Catalog:
    """The `.po` file as Babel's catalogue (for the tests and `make i18n`)."""
    with po_path(directory, domain, lang).open("rb") as fp:
        return read_po(fp, locale=lang, domain=domain)


@dataclass(frozen=True)
class Catalogue:
    """One language's compiled catalogue with what it holds (to tell a plural or known entry)."""

    lang: str
    translations: Translations
    plural: frozenset[str]
    known: frozenset[tuple[str | None, str]]  # (msgctxt, msgid)

    def say(self, key: str, **values: object) -> str:
        """The words for `key`, `{placeholders}` filled; with `n`, its plural form and `n` written
        for the reader ("12 345 обращений"). An unknown key is returned as it is."""
        n = values.get("n")
        if key in self.plural and isinstance(n, int | float):
            text = self.translations.ngettext(key, key, int(n))
        else:
            text = self.translations.gettext(key)
        if isinstance(n, int):
            values = {**values, "n": format_decimal(n, locale=self.lang)}
        return text.format(**values) if values else text

    def word(self, context: str, code: str) -> str | None:
        """The words for a code in its domain (`msgctxt`), None when it has none."""
        if (context, code) not in self.known:
            return None
        return str(self.translations.pgettext(context, code))


def compile_po(catalog: Catalog, lang: str, fallback: Catalogue | None = None) -> Catalogue:
    """Babel's catalogue compiled to gettext translations in memory."""
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer, domain=catalog.domain)
    plural = {str(m.id[0]) for m in catalog if m.id and m.pluralizable}
    known = {(m.context, str(m.id)) for m in catalog if m.id and not m.pluralizable}
    if fallback is not None:
        translations.add_fallback(fallback.translations)
        plural |= fallback.plural
        known |= fallback.known
    return Catalogue(lang, translations, frozenset(plural), frozenset(known))


@cache
def load(directory: Path, domain: str, lang: str) -> Catalogue:
    """The catalogue of `domain` in `lang` (read once per process); `messages` falls back to
    `wording` so that a page can say a key the lower layers own (a location's refusal)."""
    fallback = wording(lang) if directory != WORDING else None
    return compile_po(read(directory, domain, lang), lang, fallback)


def wording(lang: str) -> Catalogue:
    return load(WORDING, "wording", lang if lang in LANGS else "ru")


def say(key: str, lang: str, **values: object) -> str:
    """A phrase of the `wording` catalogue in `lang` (see `Catalogue.say`)."""
    return wording(lang).say(key, **values)
