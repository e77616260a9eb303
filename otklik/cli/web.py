"""`otklik serve`, `otklik user add`, `otklik token create`: the web desk and its accounts."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import getpass
import ipaddress
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import typer

from otklik.cli._common import fail, settings_of
from otklik.settings import Settings

user_app = typer.Typer(help="Accounts of the web desk.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Bearer) for the REST API.", no_args_is_help=True)
log = logging.getLogger("otklik.serve")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
    scheduler: Annotated[bool, typer.Option(help="Poll sources in-process (embedded mode)")] = True,
) -> None:
    """Run the web desk and the REST API on the store named by OTKLIK_DATABASE_URL."""
    import uvicorn

    from otklik.runtime.worker import one_blas_thread
    from otklik.web import create_app

    settings = settings_of(ctx)
    problem = default_key_problem(settings)
    if problem is not None and not _is_loopback(host):
        fail(f"{problem}; refusing to serve on {host}, which others can reach")
    if problem is not None:
        typer.echo(f"warning: {problem} (serving on loopback only, so allowed)", err=True)
    embedded = settings.broker_url is None
    if embedded:  # this process enriches what the API and the polls bring, next to the pages
        one_blas_thread()
    app = create_app(settings)
    if scheduler and embedded:
        app.router.lifespan_context = _with_scheduler(app, settings)
    typer.echo(f"otklik: http://{host}:{port}/ (store: {_safe_url(settings.database_url)})")
    uvicorn.run(app, host=host, port=port, proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips, log_level="info")


def default_key_problem(settings: Settings) -> str | None:
    """The public default secret key lets anyone forge a session cookie (and read the sealed
    source credentials): say so, or None when a key of the installation's own is set."""
    default = Settings.model_fields["secret_key"].default
    if settings.secret_key == default:
        return ("OTKLIK_SECRET_KEY is the public default; set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return None


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def _safe_url(url: str) -> str:
    """The store URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url

    with contextlib.suppress(Exception):
        return make_url(url).render_as_string(hide_password=True)
    return url.split("@")[-1]


def _with_scheduler(app, settings):  # type: ignore[no-untyped-def]
    """A lifespan that runs the embedded scheduler next to the web app: source polls and the
    periodic tasks (desk tick, detection, publishing) of `otklik.runtime.tasks.PERIODIC`."""
    from otklik.runtime.process import Runtime
    from otklik.runtime.scheduler import Scheduler
    from otklik.runtime.tasks import PERIODIC

    async def run(rt: Runtime) -> Scheduler | None:
        try:
            await asyncio.to_thread(rt.enrichers)  # loads the models once, before any poll
        except Exception as exc:  # the desk still serves; polling waits for working enrichment
            log.error("scheduler not started: enrichment unavailable: %s", exc)
            typer.echo(f"otklik: source polling is off (enrichment unavailable: {exc})",
                       err=True)
            return None
        jobs = [(name, functools.partial(fn, rt), secs) for name, (fn, secs) in PERIODIC.items()]
        sched = Scheduler(rt.sessions, settings, enrichers_for=rt.enrichers, jobs=jobs)
        app.state.scheduler = sched
        await sched.run()
        return sched

    @contextlib.asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:  # type: ignore[no-untyped-def]
        rt = Runtime(settings=settings, engine=app.state.engine, sessions=app.state.sessions)
        task = asyncio.create_task(run(rt))  # the desk answers while the models load
        try:
            yield
        finally:
            sched = getattr(app.state, "scheduler", None)
            if sched is not None:
                sched.stop()
            else:
                task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=30)

    return lifespan


def user_add(
    ctx: typer.Context,
    email: str,
    role: Annotated[str, typer.Option(help="admin, analyst, responder or viewer")] = "viewer",
    password: Annotated[str | None, typer.Option(help="Asked for when omitted")] = None,
    name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user (the first one is usually an admin)."""
    from otklik.actions.unit import transaction
    from otklik.actions.users import UserError, create_user
    from otklik.db.engine import make_engine, make_sessionmaker

    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            fail("the passwords differ")
    settings = settings_of(ctx)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            user = create_user(session, email, password, role, name=name, actor="cli")
            typer.echo(f"user {user.email} ({user.role}) id {user.id}")
    except UserError as exc:
        fail(str(exc))
    finally:
        engine.dispose()


def token_create(
    ctx: typer.Context,
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Create an API token for a user; it is printed once and stored only as a hash."""
    from otklik.actions.unit import transaction
    from otklik.actions.users import create_token, find_user
    from otklik.db.engine import make_engine, make_sessionmaker

    settings = settings_of(ctx)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            user = find_user(session, email)
            if user is None:
                fail(f"no user {email}")
            token = create_token(session, user, name, actor="cli")
        typer.echo(token.token)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    user_app.command("add")(user_add)
    token_app.command("create")(token_create)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
