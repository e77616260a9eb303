"""Templates: sandboxed, strict about variables, graceful without a name, stored ones override."""

from __future__ import annotations

import pytest

from otklik.actions.stored_templates import render
from otklik.actions.templates import save_template
from otklik.care.templates import (
    KINDS,
    LANGS,
    TemplateInvalid,
    TemplateVars,
    default_body,
    render_text,
)
from otklik.db.models import Brand

OLGA = TemplateVars(brand="Зерно", case_number=42, name="Ольга")
NOBODY = TemplateVars(brand="Зерно", case_number=42, name=None)


def test_default_public_apology_is_the_desk_phrase() -> None:
    text = render_text(default_body("public_apology", "ru"), OLGA)
    assert text == "Ольга, приносим свои извинения, что так вышло! Написали вам в личные сообщения"


def test_default_follow_up_is_the_desk_phrase() -> None:
    text = render_text(default_body("follow_up", "ru"), OLGA)
    assert text == ("Добрый день, Ольга, удалось ли решить проблему? Расскажите, пожалуйста, "
                    "чем всё закончилось")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_default_renders_with_and_without_a_name(kind: str, lang: str) -> None:
    with_name = render_text(default_body(kind, lang), OLGA)
    without = render_text(default_body(kind, lang), NOBODY)
    assert "Ольга" in with_name
    assert "Ольга" not in without
    for bad in (", ,", " ,", ",!", ", !", "\ue000", "  "):
        assert bad not in without, (kind, lang, without)
    assert without[0].isupper()


@pytest.mark.parametrize("body,expected", [
    ("{{ name }}, приносим извинения", "Приносим извинения"),
    ("Добрый день, {{ name }}, удалось ли решить?", "Добрый день, удалось ли решить?"),
    ("Здравствуйте, {{ name }}! Это {{ brand }}.", "Здравствуйте! Это Зерно."),
    ("Спасибо. {{ name }}, ждём вас снова", "Спасибо. Ждём вас снова"),
    ("{% if name %}{{ name }}, с{% else %}С{% endif %}пасибо", "Спасибо"),
    ("{{ name or 'Уважаемый клиент' }}, спасибо", "Уважаемый клиент, спасибо"),
])
def test_missing_name_is_omitted_with_its_punctuation(body: str, expected: str) -> None:
    assert render_text(body, NOBODY) == expected


def test_variables_are_filled() -> None:
    v = TemplateVars(brand="Зерно", case_number=7, name="Ivan", incident_link="https://x.example/i")
    text = render_text("{{ brand }} #{{ case_number }} {{ incident_link }} {{ name }}", v)
    assert text == "Зерно #7 https://x.example/i Ivan"


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ brand.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ (name|attr('__class__')).__base__ }}",
])
def test_sandbox_refuses_attribute_escapes(body: str) -> None:
    with pytest.raises(TemplateInvalid):
        render_text(body, OLGA)


@pytest.mark.parametrize("body,message", [
    ("{{ nmae }}, привет", "'nmae' is undefined"),
    ("{% if name %}unclosed", "syntax error"),
    ("{% if False %}x{% endif %}", "empty"),
    ("{% for i in range(5000) %}слово {% endfor %}", "for is not allowed"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro is not allowed"),
    ("{% include 'x' %}", "include is not allowed"),
    ("{{ 'ха' * 100000000 }}", "repetition too large"),
    ("{{ name * 5000 }}", "repetition too large"),
    ("{{ 2 ** 100000000 }}", "exponent too large"),
    ("{{ (((9**64)**64)**64)**64 > 1 }}", "number too large"),
    ("{{ (9**40)*(9**40)*(9**40) }}", "number too large"),
    ("{{ 10.0 ** 64 ** 1 * 1e300 ** 2 }}", "arithmetic error"),
    ("{{ 1 // 0 }}", "arithmetic error"),
    ("{{ '%0999999999d' % 1 }}", "printf formatting"),
    ("{{ '%0999999999d'|format(1) }}", "No filter named 'format'"),
    ("{{ '{:0999999999}'.format(1) }}", "str.format is not allowed"),
    ("{{ '{:0999999999}'['format'](1) }}", "str.format is not allowed"),
    ("{{ '{x:0999999999}'.format_map({'x': 1}) }}", "str.format is not allowed"),
    ("{{ 'x'|center(999999999) }}", "argument too large"),
    ("{{ 'x'.ljust(999999999) }}", "argument too large"),
    ("{{ 'x'|indent(999999999, true) }}", "argument too large"),
    ("{{ ('x'*4000)|replace('x', 'y'*4000)|replace('y', 'z'*4000) }}", "result too long"),
    ("{{ brand }}" + " " * 4000, "characters long"),
    ("{{ brand * 3 }}" + "!" * 3990, "max"),
])
def test_bad_templates_are_clear_errors(body: str, message: str) -> None:
    with pytest.raises(TemplateInvalid, match=message):
        render_text(body, OLGA)


def test_stored_templates_override_per_brand_and_lang(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.sessions() as session:
        a = Brand(slug="a", name="Зерно")
        b = Brand(slug="b", name="Банк")
        session.add_all([a, b])
        session.flush()
        save_template(session, a.id, "follow_up", "ru", "{{ name }}, как дела с заказом?")
        save_template(session, None, "follow_up", "en", "Global: {{ brand }}")
        assert render(session, a.id, "follow_up", "ru", OLGA)[0] == "Ольга, как дела с заказом?"
        # another brand keeps the shipped default; English falls back to the global one
        assert render(session, b.id, "follow_up", "ru", OLGA)[0].startswith("Добрый день, Ольга")
        assert render(session, a.id, "follow_up", "en", OLGA)[0] == "Global: Зерно"
        # replacing keeps one row
        save_template(session, a.id, "follow_up", "ru", "Второй вариант, {{ name }}")
        assert render(session, a.id, "follow_up", "ru", OLGA)[0] == "Второй вариант, Ольга"
        with pytest.raises(TemplateInvalid):
            save_template(session, a.id, "follow_up", "ru", "{{ ''.__class__ }}")
        with pytest.raises(ValueError, match="unknown template kind"):
            save_template(session, a.id, "apology", "ru", "x")
