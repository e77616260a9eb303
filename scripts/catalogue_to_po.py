"""One-shot migration: the word dictionaries (`otklik.web.i18n.CATALOGUE`, `otklik.wording.codes`'s
`CODES`) into the gettext catalogues.

    .venv/bin/python scripts/catalogue_to_po.py

Entries of the dictionaries are written into the `.po` files (replacing an entry of the same key);
entries the `.po` files hold and the dictionaries do not are kept. "one|few|many" forms with `{n}`
become gettext plurals. The location refusals (`actions.locations.LocationError`) and the code
words go to the `wording` catalogue, the rest of the pages' words to `messages`.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.wording import catalogues  # noqa: E402
from otklik.wording.catalogues import LANGS, WORDING, po_path  # noqa: E402

WEB = Path(catalogues.__file__).parents[1] / "web" / "locale"
Entry = tuple[str, str]
HEADER = "# otklik: the desk's words (msgid = key, see otklik/wording/catalogues.py)."


def _plural(ru: str, en: str) -> bool:
    return "{n}" in ru and ru.count("|") == 2 and en.count("|") == 1


def _existing(directory: Path, domain: str, lang: str) -> Catalog:
    if po_path(directory, domain, lang).exists():
        return catalogues.read(directory, domain, lang)
    return Catalog(locale=lang, domain=domain, project="otklik", version="0.1.0",
                   header_comment=HEADER, copyright_holder="otklik contributors",
                   msgid_bugs_address="",
                   revision_date=datetime.now(UTC),
                   last_translator="otklik contributors", language_team=lang, fuzzy=False)


def merge(directory: Path, domain: str, entries: dict[tuple[str | None, str], Entry]) -> None:
    for index, lang in enumerate(LANGS):
        catalog = _existing(directory, domain, lang)
        for (context, key), pair in entries.items():
            text = pair[index]
            if _plural(*pair):
                catalog.delete(key, context=context)
                catalog.add((key, key), tuple(text.split("|")), context=context)
            else:
                catalog.delete(key, context=context)
                catalog.add(key, text, context=context)
        path = po_path(directory, domain, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fp:
            write_po(fp, catalog, width=100, sort_output=True, omit_header=False)


def main() -> None:
    from otklik.web.i18n import CATALOGUE
    from otklik.wording.codes import _SUBJECTS, CODES
    from otklik.wording.places import WORDS as PLACE_WORDS

    refusals = list(PLACE_WORDS)[list(PLACE_WORDS).index("at_line"):]
    refusals.remove("radius")
    wording: dict[tuple[str | None, str], Entry] = {
        (domain, code): pair for domain, codes in CODES.items() for code, pair in codes.items()}
    wording |= {("subject", code): pair for code, pair in _SUBJECTS.items()}
    wording |= {(None, key): PLACE_WORDS[key] for key in refusals}
    messages = {(None, key): pair for key, pair in CATALOGUE.items() if key not in refusals}
    merge(WORDING, "wording", wording)
    merge(WEB, "messages", messages)
    print(f"wording: {len(wording)} entries, messages: {len(messages)} entries")


if __name__ == "__main__":
    main()
