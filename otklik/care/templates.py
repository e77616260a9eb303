"""Reply templates: user-written Jinja2, rendered in a sandbox, with good defaults shipped.

Responders write templates, so a template is untrusted code: it runs in Jinja2's
`SandboxedEnvironment` (no attribute escapes such as `''.__class__.__mro__`), unknown variables
are errors (a typo must not send "Здравствуйте, !" to a customer), and the output is plain text
(social networks are not HTML; autoescape is off).

Variables: `name` (the customer's first name, when enrichment found one), `brand`, `case_number`,
`incident_link`, `agent`. When the name is unknown, `{{ name }}` disappears together with the
punctuation around it: "{{ name }}, приносим…" renders "Приносим…", "Добрый день, {{ name }},
удалось…" renders "Добрый день, удалось…". `{% if name %}` also works as expected.

Lookup order for (brand, kind, lang): the brand's stored template, a stored global template
(brand_id NULL), then the shipped default in `default_templates/<kind>.<lang>.j2`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError

KINDS: tuple[str, ...] = ("public_apology", "private_opening", "follow_up", "closing_note")
LANGS: tuple[str, ...] = ("ru", "en")
VARIABLES: tuple[str, ...] = ("name", "brand", "case_number", "incident_link", "agent")
DEFAULTS_DIR = Path(__file__).parent / "default_templates"
MAX_OUTPUT = 4000  # VK comments allow 16k, Telegram 4096: a template is never a novel

_MARK = "\ue000"  # private-use character standing in for a missing name


class TemplateInvalid(ValueError):
    """A template that does not parse, escapes the sandbox or names an unknown variable."""


class _MissingName(str):
    """Renders as a marker (removed with its punctuation afterwards) and is false in `if`."""

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class TemplateVars:
    """What a template may use; `name=None` when the customer's name is unknown."""

    brand: str
    case_number: int | str | None = None
    name: str | None = None
    incident_link: str | None = None
    agent: str | None = None

    def as_context(self) -> dict[str, Any]:
        name = (self.name or "").strip()
        return {
            "name": name if name else _MissingName(_MARK),
            "brand": self.brand,
            "case_number": "" if self.case_number is None else str(self.case_number),
            "incident_link": self.incident_link or "",
            "agent": self.agent or "",
        }


MAX_BITS = 128  # a number in a reply is a count or a case number, never 40 digits long
MAX_ARGUMENT = 10 * MAX_OUTPUT  # a width, count or string handed to a filter or method


class DeskSandbox(SandboxedEnvironment):
    """The sandbox, also closed to resource bombs, since one render holds a web worker: every
    arithmetic result stays within MAX_BITS (`(((9**64)**64)**64)**64` took 18 s before: the
    exponent was bounded, its base was not); `'x' * 10**9`, printf formatting with a width of a
    billion, and filters or methods given huge widths, counts or strings are refused before they
    run (loops and macros are refused when the template is parsed, see `_check_shape`)."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guarded(name, f) for name, f in self.filters.items()
                        if name != "format"}  # printf widths: "%0999999999d"|format(1)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_operands(operator, left, right)
        try:
            result = super().call_binop(context, operator, left, right)
        except ArithmeticError as exc:  # 1/0, a float power that overflows
            raise SecurityError(f"arithmetic error in a template: {exc}") from exc
        if isinstance(result, int) and result.bit_length() > MAX_BITS:
            raise SecurityError("number too large in a template")
        return result

    def wrap_str_format(self, value: Any) -> Any:
        if isinstance(getattr(value, "__self__", None), str) and getattr(
                value, "__name__", "") in ("format", "format_map"):  # '{:0999999999}'.format
            raise SecurityError("str.format is not allowed in a reply template")
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_arguments(getattr(__obj, "__name__", "call"), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _check_operands(operator: str, left: Any, right: Any) -> None:
    if operator == "%" and isinstance(left, str):
        raise SecurityError("printf formatting (%) is not allowed in a reply template")
    if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
        raise SecurityError("exponent too large in a template")
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
            and (abs(left).bit_length() - 1) * right > MAX_BITS:  # |left|**right ≥ 2**that
        raise SecurityError("number too large in a template")
    if operator == "*":
        sizes = [len(x) for x in (left, right) if isinstance(x, str | list | tuple)]
        counts = [x for x in (left, right) if isinstance(x, int)]
        if sizes and counts and sizes[0] * max(counts) > MAX_OUTPUT:
            raise SecurityError("repetition too large in a template")


def _check_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Widths and counts (`center(10**9)`, `indent(10**9)`) and strings past MAX_ARGUMENT."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and abs(value) > MAX_ARGUMENT:
            raise SecurityError(f"{name}: argument too large in a template")
        if isinstance(value, str) and len(value) > MAX_ARGUMENT:
            raise SecurityError(f"{name}: text too long in a template")


def _guarded(name: str, f: Any) -> Any:
    """A filter whose arguments are checked first; `replace` also by the text it would make
    (a chain of replaces multiplies the length at every step)."""

    @functools.wraps(f)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, Environment | Context | EvalContext)]
        _check_arguments(name, tuple(values), kwargs)
        if name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            text, old, new = values[:3]
            if len(text) + text.count(old) * len(new) > MAX_ARGUMENT:
                raise SecurityError("replace: result too long in a template")
        return f(*args, **kwargs)

    return guarded


def make_environment() -> SandboxedEnvironment:
    """A sandbox with strict variables and no HTML escaping (the output is a social post)."""
    return DeskSandbox(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


MAX_BODY = 4000
_REFUSED_NODES = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.Import, nodes.FromImport,
                  nodes.Include, nodes.Extends)


def _check_shape(body: str) -> None:
    """A reply template is a sentence with conditions: no loops, macros or includes (which
    could spin the renderer) and no novels."""
    if len(body) > MAX_BODY:
        raise TemplateInvalid(f"template is {len(body)} characters long (max {MAX_BODY})")
    tree = _ENV.parse(body)
    for node in tree.find_all(_REFUSED_NODES):
        raise TemplateInvalid(f"line {node.lineno}: {type(node).__name__.lower()} is not allowed "
                              "in a reply template (use {% if %} and variables)")


_ENV = make_environment()

_CLEANUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Добрый день, NAME, удалось" → "Добрый день, удалось"
    (re.compile(rf"\s*,\s*{_MARK}\s*(?=,)"), ""),
    # "Здравствуйте, NAME!" → "Здравствуйте!"
    (re.compile(rf"\s*[,;]?\s*{_MARK}\s*(?=[!?.…])"), ""),
    # "NAME, приносим" at the start of a line → "приносим" (capitalised below)
    (re.compile(rf"(^|(?<=\n)|(?<=[.!?…]\s))\s*{_MARK}\s*[,;:—–-]?\s*", re.M), r"\1"),
    (re.compile(rf"\s*{_MARK}\s*"), " "),
    (re.compile(r"[ \t]{2,}"), " "),
)
_SENTENCE_START = re.compile(r"(^|\n|[.!?…]\s+)([a-zа-яё])", re.M)


def _tidy(text: str) -> str:
    """Remove the missing-name marker with its punctuation; re-capitalise sentence starts."""
    if _MARK not in text:
        return text.strip()
    for pattern, repl in _CLEANUPS:
        text = pattern.sub(repl, text)
    text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text.strip()


def render_text(body: str, variables: TemplateVars) -> str:
    """Render one template body in the sandbox; any refusal is a TemplateInvalid."""
    try:
        _check_shape(body)
        text = _ENV.from_string(body).render(variables.as_context())
    except SecurityError as exc:
        raise TemplateInvalid(f"template refused by the sandbox: {exc}") from exc
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(f"template syntax error at line {exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:  # UndefinedError and friends
        raise TemplateInvalid(
            f"template error: {exc} (variables: {', '.join(VARIABLES)})"
        ) from exc
    text = _tidy(text)
    if not text:
        raise TemplateInvalid("template rendered to an empty text")
    if len(text) > MAX_OUTPUT:
        raise TemplateInvalid(f"template rendered {len(text)} characters (max {MAX_OUTPUT})")
    return text


def validate(body: str) -> None:
    """Check a template before it is stored: renders with and without a customer name."""
    for name in ("Ольга", None):
        render_text(body, TemplateVars(brand="Бренд", case_number=1, name=name,
                                       incident_link="https://example.org/incident"))


def default_body(kind: str, lang: str) -> str:
    path = DEFAULTS_DIR / f"{check_kind(kind)}.{lang}.j2"
    if not path.exists():
        path = DEFAULTS_DIR / f"{kind}.ru.j2"
    return path.read_text(encoding="utf-8").strip()


def check_kind(kind: str) -> str:
    """The kind, or ValueError naming the kinds there are."""
    if kind not in KINDS:
        raise ValueError(f"unknown template kind {kind!r} (one of {', '.join(KINDS)})")
    return kind


def pick_lang(wanted: str | None, brand_languages: list[str] | None) -> str:
    """The case's language when templates exist for it, else the brand's first, else Russian."""
    for lang in (wanted, *(brand_languages or []), "ru"):
        if lang and (DEFAULTS_DIR / f"public_apology.{lang}.j2").exists():
            return lang
    return "ru"
