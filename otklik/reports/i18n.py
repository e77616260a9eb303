"""The reports' words: the `report_…` phrases of the `wording` catalogue (reports sit below the
web layer, so they cannot read its `messages`), with Babel's plural forms and named
placeholders."""

from __future__ import annotations

from collections.abc import Callable

from otklik.wording.catalogues import wording


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)` in `lang`: `t("h_spikes")` → "Всплески" (the entry `report_h_spikes`)."""
    catalogue = wording(lang)

    def t(key: str, **values: object) -> str:
        return catalogue.say(f"report_{key}", **values)

    return t
