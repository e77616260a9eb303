"""The gettext catalogues are whole: every key the templates and the code use is in the Russian
and the English catalogue, translated, with the same placeholders and plural-ness in both."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from otklik.reports.rows import COLUMNS
from otklik.web import attack_story
from otklik.web.i18n import LOCALE
from otklik.wording.catalogues import LANGS, WORDING, read
from otklik.wording.codes import codes

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": None, "tn": (1, 1)}  # as `make i18n` passes them (-k t -k tn:1,1)
CATALOGUES = ((LOCALE, "messages"), (WORDING, "wording"))


def used_keys() -> dict[str, bool]:
    """The keys the templates and the web code pass to t() (key → plural), as `make i18n`
    extracts them, without the catalogue's own keys."""
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    source = [(pattern, method) for pattern, method in method_map
              if not method.endswith(":extract_catalogue")]
    assert len(source) == 2, method_map
    found: dict[str, bool] = {}
    for _path, _line, message, _comments, _context in extract_from_dir(
            str(LOCALE.parent), source, options_map, KEYWORDS):
        plural = isinstance(message, tuple)
        key = message[0] if plural else message
        found[key] = found.get(key, False) or plural
    return found


def _entries(catalog: Catalog) -> dict[tuple[str | None, str], tuple[str, ...]]:
    out = {}
    for m in catalog:
        if m.id:
            key = m.id[0] if isinstance(m.id, tuple) else m.id
            forms = m.string if isinstance(m.string, tuple) else (m.string,)
            out[(m.context, key)] = tuple(forms) if m.pluralizable else (forms[0],)
    return out


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_the_desk_uses_is_in_both_catalogues() -> None:
    used = used_keys()
    assert len(used) > 200  # the extraction found the templates' keys
    for lang in LANGS:
        catalog = read(LOCALE, "messages", lang)
        missing = [k for k in used if k not in catalog]
        assert not missing, f"{lang}: keys used but not in messages.po (run make i18n): {missing}"
        singular = [k for k, plural in used.items() if plural and not catalog[k].pluralizable]
        assert not singular, singular


def test_no_entry_is_untranslated_and_both_languages_say_the_same_things() -> None:
    for directory, domain in CATALOGUES:
        ru, en = (_entries(read(directory, domain, lang)) for lang in LANGS)
        assert set(ru) == set(en), set(ru) ^ set(en)
        for lang, entries in (("ru", ru), ("en", en)):
            empty = [key for key, forms in entries.items() if not all(f.strip() for f in forms)]
            assert not empty, f"{domain} {lang}: untranslated {empty}"
        for key in ru:
            assert (len(ru[key]) > 1) == (len(en[key]) > 1), f"{key}: plural in one only"
            assert len(ru[key]) in (1, 3) and len(en[key]) in (1, 2), key
            fields = {f for form in ru[key] + en[key] for f in _fields(form)}
            for form in ru[key] + en[key]:
                assert _fields(form) == fields or fields == {"n"} | _fields(form), (key, form)
        for lang in LANGS:
            catalog = read(directory, domain, lang)
            assert not catalog.fuzzy and not [m.id for m in catalog if m.id and m.fuzzy]
            assert catalog.num_plurals == (3 if lang == "ru" else 2)


REPORT_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']""")


def test_the_reports_ask_only_for_words_the_catalogue_has() -> None:
    """A report's `t(key)` reads the entry `report_<key>`; a missing one would print the key."""
    reports = ROOT / "otklik" / "reports"
    used = {m.group(1) for path in [*reports.glob("*.py"), *reports.glob("templates/*.html")]
            for m in REPORT_KEY.finditer(path.read_text(encoding="utf-8"))}
    assert {"h_spikes", "summary_cause", "sheet_mentions"} <= used  # the search finds them
    for lang in LANGS:
        catalog = read(WORDING, "wording", lang)
        assert not [k for k in used if f"report_{k}" not in catalog], lang


def test_every_code_with_a_label_has_its_longer_words() -> None:
    """A send's failure has a label and a sentence; an attack's signal a name and a meaning."""
    assert codes("failure_reason") == codes("failure")
    assert set(attack_story.ORDER) == codes("signal_meaning")
    assert codes("report_column") == set(COLUMNS)
