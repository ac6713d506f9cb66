"""PostgreSQL's part of backup and restore: pg_dump and psql, reached with libpq's own connection terms."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Iterable, Optional
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL

# A restore waits this long for the app's own locks before giving up (stop the app first).
LOCK_TIMEOUT = "60s"
_TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


class ToolFailed(RuntimeError):
    """pg_dump, pg_restore or psql is missing or failed; the message says which and why."""


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for SQLAlchemy's ``url`` (postgresql+psycopg://… is no libpq URI) and the environment
    that carries the password, which never goes on a command line (``ps`` shows those to every user)."""
    netloc = quote(url.username, safe="") + "@" if url.username else ""
    if url.host:
        netloc += f"[{url.host}]" if ":" in url.host else quote(url.host, safe="")
    if url.port:
        netloc += f":{url.port}"
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    query = sorted((key, value) for key, values in url.query.items()
                   for value in (values if isinstance(values, tuple) else (values,)))
    if query:
        uri += "?" + urlencode(query)
    return uri, ({"PGPASSWORD": url.password} if url.password else {})


def _run(tool: str, arguments: list[str], extra_env: dict[str, str]) -> str:
    program = shutil.which(tool)
    if program is None:
        raise ToolFailed(f"{tool} is not installed; install PostgreSQL's client programs "
                         "(Debian: apt-get install postgresql-client) in the same major version as the server")
    result = subprocess.run([program, *arguments], capture_output=True, text=True,
                            env={**os.environ, **extra_env, "PGCONNECT_TIMEOUT": "10"})
    if result.returncode != 0:
        raise ToolFailed(f"{tool} failed: {result.stderr.strip()[-2000:] or f'exit status {result.returncode}'}")
    return result.stdout


def dump(url: URL, path: str, snapshot: Optional[str]) -> None:
    """pg_dump in its custom format, from ``snapshot`` (pg_export_snapshot) when given."""
    uri, env = libpq_connection(url)
    arguments = ["--format=custom", "--no-password", f"--file={path}", f"--dbname={uri}"]
    if snapshot:
        arguments.append(f"--snapshot={snapshot}")
    _run("pg_dump", arguments, env)


def dumped_tables(path: str) -> set[tuple[str, str]]:
    """(schema, table) of every table in a custom-format dump."""
    listing = _run("pg_restore", ["--list", path], {})
    return {(m.group(1), m.group(2)) for m in map(_TABLE_ENTRY.match, listing.splitlines()) if m}


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def restore(url: URL, path: str, work_dir: str, drop_tables: Iterable[tuple[str, str]], then_sql: str) -> None:
    """Replace the database's objects with the dump's in one transaction, ``then_sql`` included: on any
    error psql rolls everything back and the database is as it was.

    ``drop_tables`` are tables the dump does not have (added by a later migration): they go first, since
    their foreign keys would stop the dump's tables from being dropped."""
    script = os.path.join(work_dir, "restore.sql")
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", f"--file={script}", path], {})
    before = os.path.join(work_dir, "before.sql")
    after = os.path.join(work_dir, "after.sql")
    with open(before, "w", encoding="utf-8") as out:
        out.write(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n")
        for schema, table in sorted(drop_tables):
            out.write(f"DROP TABLE IF EXISTS {_identifier(schema)}.{_identifier(table)} CASCADE;\n")
    with open(after, "w", encoding="utf-8") as out:
        out.write(then_sql + "\n")
    uri, env = libpq_connection(url)
    _run("psql", ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--no-password",
                  f"--dbname={uri}", f"--file={before}", f"--file={script}", f"--file={after}"], env)


def quoted_table(schema: str, table: str) -> str:
    return f"{_identifier(schema)}.{_identifier(table)}"
