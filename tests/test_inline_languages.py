"""No sentence of the desk is written inline in two languages: every word a person reads comes
from the gettext catalogues (`otklik/wording/locale`, `otklik/web/locale`), so a translator finds
all of them in one place and a third language is a new catalogue, not a code change.

Caught here: a dict keyed by "ru" and "en", a choice between texts by comparing `lang` with "ru"
or "en", a Russian text beside its English twin (`("недельный", "weekly")`, `t("Бренд",
"Brand")`), and a template calling `t()` or `w()` with two texts. Not checked: the wording
package (the catalogues' readers, the languages' default zones), the NLP models' training and
lexicons, the demo's posts and the follow-up classifier's patterns (languages as data, not words
for people), and the connectors' declarations (below)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[1] / "otklik"
NOT_CHECKED = ("wording", "nlp", "demo", "db/migrations",
               # a connector, a plugin's too, declares its kinds' and parameters' words in both
               # languages in its own declaration: a plugin cannot add to otklik's catalogues
               "sources")
# the follow-up classifier's phrase patterns in both languages: data it matches, not words shown
PATTERNS = ("care/followup.py",)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]{2}")
LANGS = {"ru", "en"}
TWO_TEXTS = re.compile(r"""\b[tw]\(\s*(['"])[^'"]*\1\s*,\s*(['"])""")


def _modules() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(NOT_CHECKED) and rel not in PATTERNS:
            yield path


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _compares_lang(node: ast.AST) -> bool:
    """`lang == "en"`, `lang != "ru"` (any name or attribute ending in `lang`)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Compare):
            sides = [sub.left, *sub.comparators]
            names = [s for s in sides if isinstance(s, ast.Name) and s.id.endswith("lang")
                     or isinstance(s, ast.Attribute) and s.attr.endswith("lang")]
            if names and any(_text(s) in LANGS for s in sides):
                return True
    return False


def _has_words(nodes: list[ast.AST]) -> bool:
    return any(isinstance(sub, ast.JoinedStr) or LATIN.search(_text(sub) or "")
               or CYRILLIC.search(_text(sub) or "") for node in nodes for sub in ast.walk(node))


def _words(node: ast.AST) -> str | None:
    """A text's fixed words (an f-string's too)."""
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) or " " for v in node.values)
    if isinstance(node, ast.BinOp):  # "…" + ("…" if … else "")
        return _words(node.left)
    return _text(node)


def _twins(items: list[ast.expr]) -> bool:
    """A Russian text followed by an English one, the only two texts of a tuple or a call."""
    texts = [_words(i) for i in items]
    return any(a is not None and b is not None and CYRILLIC.search(a) and LATIN.search(b)
               and not CYRILLIC.search(b) for a, b in zip(texts, texts[1:], strict=False)
               ) and sum(t is not None for t in texts) == 2


def _pair(node: ast.AST) -> bool:
    if isinstance(node, ast.Dict):
        return {_text(k) for k in node.keys if k} >= LANGS
    if isinstance(node, ast.IfExp):
        return _compares_lang(node.test) and _has_words([node.body, node.orelse])
    if isinstance(node, ast.If):
        return _compares_lang(node.test) and _has_words([*node.body, *node.orelse])
    if isinstance(node, ast.Tuple | ast.List):
        return _twins(node.elts)
    return isinstance(node, ast.Call) and _twins(node.args)


def inline_pairs(source: str) -> list[int]:
    """The lines of `source` that hold a sentence in two languages."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if _pair(node)})


def test_the_check_sees_each_kind_of_pair() -> None:
    samples = ['WORDS = {"ru": "всего", "en": "all"}',
               'x = "все" if lang != "en" else "all"',
               'if lang == "ru":\n    out = f"{n} постов"',
               'KINDS = {"weekly": ("недельный", "weekly")}',
               'label = t("Бренд", "Brand")']
    assert [inline_pairs(s) for s in samples] == [[1]] * len(samples)
    fine = ['zone = words.zone(name, lang)', 'if lang != "en" and n < 10_000:\n    n = str(n)',
            'text = say("quoted", lang, text=name)', 'names = ("ВКонтакте", "Telegram", "X")']
    assert [inline_pairs(s) for s in fine] == [[]] * len(fine)


def test_no_module_writes_a_sentence_in_two_languages() -> None:
    found = {path.relative_to(ROOT).as_posix(): lines for path in _modules()
             if (lines := inline_pairs(path.read_text(encoding="utf-8")))}
    assert not found, f"move these words into the gettext catalogues: {found}"


def test_no_template_gives_t_two_texts() -> None:
    assert TWO_TEXTS.search("""{{ w("Когда", 'When') }}""")
    assert not TWO_TEXTS.search("""{{ t("reports_download", format="PDF") }}""")
    found = [path.relative_to(ROOT).as_posix() for path in ROOT.rglob("templates/**/*.html")
             if TWO_TEXTS.search(path.read_text(encoding="utf-8"))]
    assert not found, found
