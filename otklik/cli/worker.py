"""`otklik worker`, `otklik beat`, `otklik deadletters`: the distributed mode's processes and
the tasks that kept failing."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from otklik.actions.unit import transaction
from otklik.cli._common import fail, settings_of
from otklik.db.engine import open_store
from otklik.runtime.worker import DEFAULT_QUEUE

dead_app = typer.Typer(help="Tasks that kept failing after their retries.", no_args_is_help=True)

Queue = Annotated[str, typer.Option(help="Queue name (one per installation on a broker)")]
Visibility = Annotated[float, typer.Option(
    help="Redis: seconds before an unacknowledged task goes to another worker")]


def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(help="Worker processes", min=1)] = 2,
    pool: Annotated[str, typer.Option(help="prefork, solo or threads")] = "prefork",
    queue: Queue = DEFAULT_QUEUE,
    visibility_timeout: Visibility = 3600.0,
    loglevel: Annotated[str, typer.Option(help="Log level")] = "INFO",
    sentiment: Annotated[bool, typer.Option(
        help="Run the sentiment model (off: cases open for questions only)")] = True,
) -> None:
    """Run Celery worker processes: polling, ingest, detection, sends (needs OTKLIK_BROKER_URL)."""
    from otklik.flow.wiring import Enrichment
    from otklik.runtime.process import Runtime
    from otklik.runtime.worker import make_app
    from otklik.settings import Settings

    if pool not in ("prefork", "solo", "threads"):
        fail(f"--pool {pool!r}: one of prefork, solo, threads")

    # a process runs one task at a time (threads: `concurrency`), each needing a session and
    # the connection holding its advisory lock: the pool is sized to that, not to the default
    per_process = 2 * (concurrency if pool == "threads" else 1)

    def runtime(settings: Settings) -> Runtime:
        sized = settings.model_copy(update={"db_pool_size": per_process})
        return Runtime.from_settings(sized, enrichment=Enrichment(sentiment=sentiment))

    try:
        app = make_app(settings_of(ctx), queue=queue, visibility_timeout=visibility_timeout,
                       runtime_factory=runtime)
    except ValueError as exc:
        fail(str(exc))
    # a node name of its own: on RabbitMQ two workers named alike on one host (more workers on
    # a machine, or installations sharing a broker) fight over one exclusive control queue, and
    # the loser stopped taking tasks
    app.worker_main(["worker", f"--pool={pool}", f"--concurrency={concurrency}",
                     f"--queues={queue}", f"--loglevel={loglevel}", "--without-gossip",
                     "--without-mingle", "--without-heartbeat",
                     f"--hostname=otklik-{queue}-{os.getpid()}@%h"])


def beat(
    ctx: typer.Context,
    queue: Queue = DEFAULT_QUEUE,
    schedule_file: Annotated[str | None, typer.Option(
        help="Where beat keeps its last-run times (default: DATA_DIR/celerybeat-schedule)")] = None,
    loglevel: Annotated[str, typer.Option(help="Log level")] = "INFO",
) -> None:
    """Run Celery beat: the periodic desk, detection and publishing ticks, and due polls.
    Run exactly one beat per installation."""
    from otklik.runtime.worker import make_app

    settings = settings_of(ctx)
    try:
        app = make_app(settings, queue=queue)
    except ValueError as exc:
        fail(str(exc))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = schedule_file or str(settings.data_dir / "celerybeat-schedule")
    app.start(["beat", f"--schedule={path}", f"--loglevel={loglevel}"])


@dead_app.command("list")
def dead_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also those already replayed")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Dead letters, newest first."""
    from otklik.actions.dead_letters import dead_letters

    _, sessions = open_store(settings_of(ctx))
    with transaction(sessions) as session:
        rows = dead_letters(session, include_replayed=all_, limit=10_000)
        for r in rows:
            if as_json:
                typer.echo(json.dumps({
                    "id": r.id, "task": r.task, "args": r.args, "error": r.error,
                    "attempts": r.attempts, "created_at": r.created_at.isoformat(),
                    "replayed_at": r.replayed_at.isoformat() if r.replayed_at else None},
                    ensure_ascii=False))
            else:
                typer.echo(f"{r.id}\t{r.created_at:%Y-%m-%d %H:%M}\t{r.task}\t"
                           f"attempts={r.attempts}\t{r.error[:120]}")
        if not rows and not as_json:
            typer.echo("no dead letters")


@dead_app.command("replay")
def dead_replay(
    ctx: typer.Context,
    letter_id: int,
    queue: Queue = DEFAULT_QUEUE,
) -> None:
    """Queue a dead letter's task again (tasks are idempotent) and mark it replayed."""
    from otklik.actions.dead_letters import replay_dead_letter
    from otklik.runtime.worker import producer

    settings = settings_of(ctx)
    _, sessions = open_store(settings)

    def resend(task: str, args: list[Any], kwargs: dict[str, Any]) -> object:
        return producer(settings, queue).send_task(task, args=args, kwargs=kwargs)

    with transaction(sessions) as session:
        try:
            letter = replay_dead_letter(session, letter_id, resend)
        except (LookupError, ValueError) as exc:
            fail(str(exc))
        task = letter.task
    typer.echo(f"dead letter {letter_id} queued again ({task})")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("beat")(beat)
    app.add_typer(dead_app, name="deadletters")
