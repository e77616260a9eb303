"""`otklik case …`: the response desk from the command line (thin).

Every command calls `otklik.actions.cases` / `otklik.care`; bad input (unknown case, illegal
transition, broken template) exits with code 2 and a message on stderr, never a traceback.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk
from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.brands import get_brand
from otklik.actions.desk_tick import desk_tick
from otklik.actions.send import approve_action, confirm_not_sent, mark_sent
from otklik.cli._common import (
    DEFAULT_ACTOR,
    ActorOpt,
    fail,
    iso,
    parse_when,
    settings_of,
    store_session,
)
from otklik.db.models import (
    Action,
    AuditEvent,
    Case,
    CaseMention,
    Mention,
    User,
)
from otklik.domain.cases import STATES
from otklik.figures.desk_metrics import desk_metrics
from otklik.sources.outbound import registry_source_factory

console = Console()
case_app = typer.Typer(help="Cases: negative mentions being handled.", no_args_is_help=True)


def _case_dict(session: Session, case: Case, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id, "brand_id": case.brand_id, "state": case.state,
        "customer_name": case.customer_name, "priority": case.priority, "tags": case.tags,
        "assignee_id": case.assignee_id, "due": iso(case.first_response_due_at),
        "first_response_at": iso(case.first_response_at),
        "sla_breached_at": iso(case.sla_breached_at), "outcome": case.outcome,
        "removed_at_source": iso(case.removed_at_source), "created_at": iso(case.created_at),
    }
    if full:
        rows = session.execute(select(Mention, CaseMention.role).join(
            CaseMention, CaseMention.mention_id == Mention.id).where(
            CaseMention.case_id == case.id).order_by(Mention.created_at))
        data["mentions"] = [{"id": m.id, "role": role, "url": m.url, "text": m.text,
                             "removed_at_source": iso(m.removed_at_source)} for m, role in rows]
        data["actions"] = [{"id": a.id, "kind": a.kind, "status": a.status, "text": a.text,
                            "external_id": a.external_id, "last_error": a.last_error}
                           for a in session.scalars(select(Action).where(
                               Action.case_id == case.id).order_by(Action.id))]
        data["notes"] = case.notes
        data["audit"] = [{"at": iso(e.at), "actor": e.actor, "action": e.action, "data": e.data}
                         for e in session.scalars(select(AuditEvent).where(
                             AuditEvent.entity == "case", AuditEvent.entity_id == str(case.id))
                             .order_by(AuditEvent.id))]
    return data


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(help="Brand slug or id")] = None,
    state: Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATES)}")] = None,
    limit: int = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output")] = False,
) -> None:
    """Cases, most urgent (earliest due) first."""
    if state is not None and state not in STATES:
        fail(f"--state {state!r}: one of {', '.join(STATES)}")
    with store_session(ctx) as s:
        stmt = select(Case).order_by(Case.first_response_due_at, Case.id).limit(limit)
        if brand is not None:
            stmt = stmt.where(Case.brand_id == get_brand(s, brand).id)
        if state is not None:
            stmt = stmt.where(Case.state == state)
        found = s.scalars(stmt).all()
        if as_json:
            for case in found:
                typer.echo(json.dumps(_case_dict(s, case), ensure_ascii=False))
            return
        table = Table("id", "state", "customer", "priority", "due", "breached", "outcome")
        for c in found:
            table.add_row(str(c.id), c.state, c.customer_name or "—", f"{c.priority:.2f}",
                          iso(c.first_response_due_at) or "—",
                          "yes" if c.sla_breached_at else "", c.outcome or "")
        console.print(table)


@case_app.command("show")
def case_show(ctx: typer.Context, case_id: int) -> None:
    """One case with its mentions, actions, notes and audit trail (JSON)."""
    with store_session(ctx) as s:
        typer.echo(json.dumps(_case_dict(s, desk.get_case(s, case_id), full=True),
                              ensure_ascii=False, indent=1))


@case_app.command("open")
def case_open(ctx: typer.Context, mention_id: int,
              brand: Annotated[str, typer.Option(help="Brand slug or id")],
              actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Open a case by hand for a stored mention."""
    with store_session(ctx) as s:
        case = desk.open_case(s, mention_id, get_brand(s, brand).id, actor=actor)
        typer.echo(f"case {case.id} ({case.state})")


@case_app.command("assign")
def case_assign(ctx: typer.Context, case_id: int,
                user: Annotated[str, typer.Argument(help="User e-mail or id; 'none' unassigns")],
                actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Give the case to a responder (or take it back with 'none')."""
    with store_session(ctx) as s:
        user_id = None
        if user != "none":
            row = s.get(User, int(user)) if user.isdigit() else s.scalar(
                select(User).where(User.email == user))
            if row is None:
                raise LookupError(f"no user {user!r}")
            user_id = row.id
        desk.assign(s, case_id, user_id, actor=actor)
        typer.echo(f"case {case_id} assigned to {user}")


@case_app.command("tag")
def case_tag(ctx: typer.Context, case_id: int,
             add: Annotated[list[str] | None, typer.Option("--add")] = None,
             remove: Annotated[list[str] | None, typer.Option("--remove")] = None,
             actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Add or remove tags."""
    with store_session(ctx) as s:
        case = desk.tag(s, case_id, add=add or [], remove=remove or [], actor=actor)
        typer.echo(", ".join(case.tags) or "(no tags)")


@case_app.command("note")
def case_note(ctx: typer.Context, case_id: int, text: str,
              actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Add an internal note (never sent)."""
    with store_session(ctx) as s:
        desk.add_note(s, case_id, text, actor=actor)


@case_app.command("transition")
def case_transition(ctx: typer.Context, case_id: int, state: str,
                    reason: str | None = None, outcome: str | None = None,
                    actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Move a case to another state (the state machine refuses illegal moves)."""
    with store_session(ctx) as s:
        case = desk.transition(s, case_id, state, actor=actor, reason=reason, outcome=outcome)
        typer.echo(f"case {case.id}: {case.state}")


@case_app.command("answer")
def case_answer(
    ctx: typer.Context, case_id: int,
    public: Annotated[str | None, typer.Option(help="Public reply (default: template)")] = None,
    private: Annotated[str | None, typer.Option(help="Private message (default: template)")] = None,
    approval: Annotated[bool | None, typer.Option(
        "--approval/--no-approval", help="Hold for approval (default: brand setting)")] = None,
    public_only: Annotated[bool, typer.Option(
        "--public-only", help="Only the public reply (needs --public)")] = False,
    again: Annotated[bool, typer.Option(help="Answer a case that was answered already")] = False,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Answer publicly and move to private: a DM to the author, then the public note."""
    if public_only and not public:
        fail("--public-only needs the reply's text in --public")
    with store_session(ctx) as s:
        factory = registry_source_factory(s, settings_of(ctx))
        if public_only:
            assert public is not None
            sent = [answers.answer_publicly(s, case_id, actor=actor, source_factory=factory,
                                         text=public, needs_approval=approval, again=again)]
        else:
            pub, priv = answers.answer_and_move_to_private(
                s, case_id, actor=actor, source_factory=factory, public_text=public,
                private_text=private, needs_approval=approval, again=again)
            sent = [priv, pub]
        for a in sent:
            typer.echo(f"action {a.id} {a.kind}: {a.status}"
                       + (f" ({a.external_id})" if a.external_id else "")
                       + (f" — {a.last_error}" if a.last_error else ""))
        unsent = any(a.status != "sent" for a in sent)  # failed, under review or held
    if unsent:  # exit 1 after the session committed what did happen
        raise typer.Exit(1)


@case_app.command("approve")
def case_approve(ctx: typer.Context, action_id: int, actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Approve an action held for approval (send it with `case send`)."""
    with store_session(ctx) as s:
        approve_action(s, action_id, actor=actor)


@case_app.command("review")
def case_review(
    ctx: typer.Context, action_id: int,
    sent_as: Annotated[str | None, typer.Option(
        help="It is on the network: record its network id")] = None,
    not_sent: Annotated[bool, typer.Option(
        "--not-sent", help="It is not on the network: allow a retry")] = False,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Settle an action under review (an attempt that may or may not have reached the network)."""
    if (sent_as is None) == (not not_sent):
        fail("give exactly one of --sent-as ID or --not-sent")
    with store_session(ctx) as s:
        if sent_as is not None:
            action = mark_sent(s, action_id, sent_as, actor=actor)
        else:
            action = confirm_not_sent(s, action_id, actor=actor)
        typer.echo(f"action {action.id}: {action.status}")


@case_app.command("send")
def case_send(ctx: typer.Context, case_id: int, actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Send the case's approved actions and retry failed ones."""
    with store_session(ctx) as s:
        factory = registry_source_factory(s, settings_of(ctx))
        done = answers.send_case_actions(s, case_id, source_factory=factory, actor=actor)
        for a in done:
            typer.echo(f"action {a.id} {a.kind}: {a.status}"
                       + (f" — {a.last_error}" if a.last_error else ""))
        unsent = any(a.status != "sent" for a in done)
    if unsent:  # exit 1 after the session committed what did happen
        raise typer.Exit(1)


@case_app.command("resolve")
def case_resolve(ctx: typer.Context, case_id: int, reason: str | None = None,
                 confirm_unsent: Annotated[bool, typer.Option(
                     help="Solved although no answer was sent online")] = False,
                 actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Mark solved; the public follow-up is scheduled after the brand's delay."""
    with store_session(ctx) as s:
        try:
            case = desk.resolve(s, case_id, actor=actor, reason=reason,
                                confirm_unsent=confirm_unsent)
        except desk.UnsentAnswer as exc:
            fail(f"{exc} (--confirm-unsent)", 1)
        typer.echo(f"case {case.id}: resolved; follow-up due {iso(case.follow_up_due_at)}")


@case_app.command("follow-up-due")
def case_follow_up_due(
    ctx: typer.Context,
    send: Annotated[bool, typer.Option("--send", help="Draft and send them now")] = False,
    now: Annotated[str | None, typer.Option(help="ISO time instead of now")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """List the follow-ups that are due (and send them with --send)."""
    at = parse_when(now, "now") or datetime.now(UTC)
    with store_session(ctx) as s:
        if not send:
            from otklik.actions.case_queries import due_follow_ups
            for case in due_follow_ups(s, at):
                typer.echo(f"case {case.id}: follow-up due {iso(case.follow_up_due_at)}")
            return
        factory = registry_source_factory(s, settings_of(ctx))
        for a in answers.run_due_follow_ups(s, at, source_factory=factory, actor=actor):
            typer.echo(f"case {a.case_id}: follow-up action {a.id} {a.status}")


@case_app.command("metrics")
def case_metrics(
    ctx: typer.Context, brand: Annotated[str, typer.Option(help="Brand slug or id")],
    since: Annotated[str | None, typer.Option(help="ISO start (default: 30 days ago)")] = None,
    until: Annotated[str | None, typer.Option(help="ISO end (default: now)")] = None,
) -> None:
    """Desk metrics for a brand and period (JSON)."""
    end = parse_when(until, "until") or datetime.now(UTC)
    start = parse_when(since, "since") or end - timedelta(days=30)
    with store_session(ctx) as s:
        m = desk_metrics(s, get_brand(s, brand).id, start, end)
        typer.echo(json.dumps({"since": start.isoformat(), "until": end.isoformat(),
                               **m.as_dict()}, ensure_ascii=False, indent=1))


@case_app.command("tick")
def case_tick(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(help="ISO time instead of now")] = None,
) -> None:
    """One desk step (SLA, removed comments, due follow-ups, silent closes) with its alerts."""
    at = parse_when(now, "now") or datetime.now(UTC)
    with store_session(ctx) as s:
        dispatcher = AlertDispatcher()
        report = desk_tick(s, source_factory=registry_source_factory(s, settings_of(ctx)),
                           dispatcher=dispatcher, now=at)
        if dispatcher.held(s):  # a one-shot run: what the window held goes out now, grouped
            dispatcher.flush(s, at, force=True)
        for event in report.alerts:
            typer.echo(event.line())
        delivery = report.delivery
        typer.echo(f"{len(report.alerts)} alert(s), {len(report.follow_ups)} follow-up(s), "
                   f"{len(report.closed_silent)} closed without answer"
                   + (f", {len(delivery.failed)} alert channel(s) failed" if delivery and
                      delivery.failed else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
