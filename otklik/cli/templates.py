"""`otklik template …`: the reply templates in force, stored after a sandboxed render (thin).

Bad input (unknown brand, a template that does not render) exits with code 2 and a message on
stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from otklik.actions import changes, stored_templates
from otklik.actions.brands import get_brand
from otklik.care import templates as tpl
from otklik.cli._common import DEFAULT_ACTOR, ActorOpt, fail, store_session

console = Console()
template_app = typer.Typer(help="Reply templates (Jinja2, sandboxed).", no_args_is_help=True)


@template_app.command("list")
def template_list(ctx: typer.Context,
                  brand: Annotated[str | None, typer.Option(help="Brand slug or id")] = None
                  ) -> None:
    """The templates in force: stored overrides, else the shipped defaults."""
    with store_session(ctx) as s:
        brand_id = get_brand(s, brand).id if brand else None
        table = Table("kind", "lang", "source", "text")
        for kind in tpl.KINDS:
            for lang in tpl.LANGS:
                row = stored_templates.find_template(s, brand_id, kind, lang)
                source = "default" if row is None else (
                    "brand" if row.brand_id is not None else "global")
                body = row.body if row else tpl.default_body(kind, lang)
                table.add_row(kind, lang, source, body)
        console.print(table)


@template_app.command("set")
def template_set(
    ctx: typer.Context, kind: str, lang: str,
    file: Annotated[str, typer.Argument(help="Template file, or - for stdin")],
    brand: Annotated[str | None, typer.Option(help="Brand slug or id (default: all)")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Store a template after checking it renders in the sandbox (recorded in the audit log)."""
    try:
        body = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: {exc}")
    with store_session(ctx) as s:
        row = changes.save_template(s, actor, brand_id=get_brand(s, brand).id if brand else None,
                                    kind=kind, lang=lang, name="default", body=body.strip())
        typer.echo(f"template {row.id} saved ({kind}/{lang})")


@template_app.command("preview")
def template_preview(
    ctx: typer.Context, kind: str, lang: str,
    brand: Annotated[str | None, typer.Option(help="Brand slug or id")] = None,
    name: Annotated[str | None, typer.Option(help="Customer name ('' = unknown)")] = "Ольга",
    case_number: int = 1, incident_link: str | None = None,
) -> None:
    """Render the template in force with sample variables."""
    with store_session(ctx) as s:
        b = get_brand(s, brand) if brand else None
        text, _ = stored_templates.render(s, b.id if b else None, kind, lang, tpl.TemplateVars(
            brand=b.name if b else "Бренд", case_number=case_number, name=name or None,
            incident_link=incident_link))
        typer.echo(text)


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
