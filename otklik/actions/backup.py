"""Backup and restore of the whole store, audit log included.

SQLite: the online backup API, so a backup taken while the desk writes is still a consistent
copy (a plain file copy of a WAL database is not). PostgreSQL: `pg_dump --format=custom`, restored
with `pg_restore` in one transaction. A restore goes only into an empty store (nothing is ever
overwritten) and then brings the schema to this version's migrations; the audit log's guards
are part of the schema, so the restored log is append-only as the original was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL, make_url

from otklik.db.engine import make_engine
from otklik.db.migrate import upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in words."""


def backup(database_url: str, dest: Path) -> None:
    """Write a backup of the store to `dest` (which must not exist yet)."""
    if dest.exists():
        raise BackupError(f"{dest}: already exists; choose a new file name")
    url = make_url(database_url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"{source}: no such store; run otklik init")
        with _sqlite(source, readonly=True) as src, _sqlite(partial) as out:
            src.backup(out)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}",
              f"--dbname={_libpq(url)}"], url)
    partial.rename(dest)  # a backup file that exists is a whole one


def restore(database_url: str, source: Path) -> None:
    """Restore a backup into the (empty) store, then migrate it to this version's head."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    with source.open("rb") as fh:
        head = fh.read(16)
    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    if head.startswith(SQLITE_MAGIC) != sqlite or not head.startswith((SQLITE_MAGIC, PG_MAGIC)):
        kind = ("an SQLite backup" if head.startswith(SQLITE_MAGIC) else
                "a pg_dump custom-format backup" if head.startswith(PG_MAGIC) else
                "not an otklik backup")
        raise BackupError(f"{source}: {kind}, and the store is {url.get_backend_name()}")
    engine = make_engine(database_url)
    try:
        if not _empty(engine):
            raise BackupError("the store is not empty: restore only into a new, empty store")
        if sqlite:
            _restore_sqlite(source, _sqlite_path(url))
        else:
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", f"--dbname={_libpq(url)}", str(source)], url)
        upgrade(engine)
    finally:
        engine.dispose()


def _restore_sqlite(source: Path, target: Path) -> None:
    with _sqlite(source, readonly=True) as src:
        if src.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{source}: the backup is damaged (integrity check failed)")
        tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source}: an SQLite file, but not an otklik store")
        target.parent.mkdir(parents=True, exist_ok=True)
        with _sqlite(target) as out:
            src.backup(out)


def _empty(engine: Engine) -> bool:
    return not [t for t in inspect(engine).get_table_names() if t != "sqlite_sequence"]


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite store cannot be backed up or restored")
    return Path(url.database)


def _sqlite(path: Path, *, readonly: bool = False) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection, closed (not merely committed) when the block ends."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    return closing(sqlite3.connect(uri, uri=True))


def _libpq(url: URL) -> str:
    """The store URL as libpq takes it: no driver suffix, no password (that goes by env)."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client tools")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:1000]}")
