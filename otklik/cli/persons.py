"""`otklik person export|forget AUTHOR`: personal-data requests (thin; the writers are in
`otklik.actions.persons` and `otklik.actions.person_export`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from otklik.actions.person_export import export_person
from otklik.actions.persons import actor_of, find_author, forget_person
from otklik.cli._common import DEFAULT_ACTOR, fail, settings_of, store_session

person_app = typer.Typer(help="Personal-data requests (GDPR art. 15/17, 152-FZ): what is stored "
                         "about an author, and forgetting them.", no_args_is_help=True)

AuthorArg = Annotated[str, typer.Argument(
    help="NETWORK:ID as the network knows the account (vk:12345, reddit:some_user) or the "
         "author's store id")]
ByOpt = Annotated[str | None, typer.Option(
    "--by", help="E-mail of the desk user executing the request (for the audit log); "
                 f"default: {DEFAULT_ACTOR}")]


@person_app.command("export")
def export_cmd(ctx: typer.Context, author: AuthorArg, by: ByOpt = None,
               output: Annotated[Path | None, typer.Option(
                   "-o", "--output", help="Write the JSON here instead of stdout")] = None,
               ) -> None:
    """Everything stored about an author, as one JSON document (the request is audited)."""
    key = settings_of(ctx).secret_key
    with store_session(ctx) as session:
        data = export_person(session, author, secret_key=key,
                             actor=actor_of(session, by, DEFAULT_ACTOR))
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output is None:
        typer.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror})")
    typer.echo(f"written: {output}", err=True)


@person_app.command("forget")
def forget_cmd(ctx: typer.Context, author: AuthorArg, by: ByOpt = None,
               yes: Annotated[bool, typer.Option("--yes", help="Do not ask first")] = False,
               ) -> None:
    """Pseudonymise an author's profile and private messages; public mentions keep their text
    and link. Cannot be undone; the audit log records who asked, never the erased values."""
    key = settings_of(ctx).secret_key
    with store_session(ctx) as session:
        actor = actor_of(session, by, DEFAULT_ACTOR)
        found = find_author(session, author, key)  # an unknown author is refused before asking
        if not yes:
            typer.confirm(f"Forget {found.network}:{found.external_id} ({found.name or '—'}, "
                          f"store id {found.id})? Their profile and private messages are "
                          "replaced for good", abort=True)
        done = forget_person(session, author, secret_key=key, actor=actor)
    typer.echo(json.dumps({"author_id": done.author_id, "pseudonym": done.pseudonym,
                           "replaced": done.replaced}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")
