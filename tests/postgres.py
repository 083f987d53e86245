"""A real PostgreSQL server for the tests: a cluster of its own in a temporary folder.

``PostgresServer`` runs ``initdb`` and ``pg_ctl`` from PostgreSQL's server binaries
(``/usr/lib/postgresql/<version>/bin`` on Debian, else ``pg_config --bindir``, else
``PATH``) as an unprivileged user (the ``postgres`` or ``nobody`` user when the tests
run as root: the server refuses to run as root), listening on a unix socket and on a
loopback port. Local socket connections are trusted; TCP connections need a password
(SCRAM), so the tests can show that one never appears in output. ``missing()`` says
what is not there, for the tests' skip reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.helpers import free_port

SUPERUSER = "report"
DATABASE = "lter"
# The raw LTER layout as a typed table, with a whole-number primary key.
TYPED_COLUMNS = (
    '"studyName" text, "Sample Number" integer, "Species" text, "Region" text, "Island" text, "Stage" text, '
    '"Individual ID" text, "Clutch Completion" text, "Date Egg" date, "Culmen Length (mm)" double precision, '
    '"Culmen Depth (mm)" double precision, "Flipper Length (mm)" integer, "Body Mass (g)" integer, "Sex" text, '
    '"Delta 15 N (o/oo)" double precision, "Delta 13 C (o/oo)" double precision, "Comments" text'
)
RAW_HEADER = (
    '"studyName", "Sample Number", "Species", "Region", "Island", "Stage", "Individual ID", "Clutch Completion", '
    '"Date Egg", "Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex", '
    '"Delta 15 N (o/oo)", "Delta 13 C (o/oo)", "Comments"'
)


def server_bin() -> Path | None:
    """The folder of PostgreSQL's server binaries (``initdb``, ``pg_ctl``), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def missing() -> str | None:
    """Why a server cannot be started here, or None."""
    if server_bin() is None:
        return "needs PostgreSQL's server binaries (initdb, pg_ctl: Debian's postgresql package)"
    if psql() is None:
        return "needs psql (Debian's postgresql-client package)"
    if os.geteuid() == 0 and _unprivileged_user() is None:
        return "runs as root and finds no unprivileged user (postgres or nobody) to run the server as"
    return None


def psql() -> str | None:
    folder = server_bin()
    if folder and (folder / "psql").exists():
        return str(folder / "psql")
    return shutil.which("psql")


def _unprivileged_user() -> str | None:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


class PostgresServer:
    """A running cluster: ``socket_dir``, ``port``, ``run_sql``; ``stop`` and ``start`` again."""

    def __init__(self, options: str = ""):
        self.bin = server_bin()
        self.options = options  # more of the server's settings, ``-c name=value …``
        self.root = Path(tempfile.mkdtemp(prefix="penguins-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.port = free_port()
        self.user = _unprivileged_user() if os.geteuid() == 0 else None
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        password = self.root / "superuser-password"
        password.write_text("not-used-by-tests\n")
        if self.user:
            os.chown(password, pwd.getpwnam(self.user).pw_uid, -1)
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth-local=trust"]
        self._as_server([*initdb, "--auth-host=scram-sha-256", f"--pwfile={password}", "--encoding=UTF8", "--locale=C"])
        self.start()
        self.run_sql(f"CREATE DATABASE {DATABASE}", database="postgres")

    def _as_server(self, command: list[str]) -> subprocess.CompletedProcess:
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
        return done

    def start(self) -> None:
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off {self.options}"
        log = str(self.root / "log")
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def env(self) -> dict[str, str]:
        """libpq's variables for the superuser over the local socket."""
        return {"PGHOST": str(self.socket_dir), "PGPORT": str(self.port), "PGUSER": SUPERUSER}

    def source(self, table: str) -> str:
        """The ``REPORT_SOURCE`` of a table over the local socket (the rest from ``env``)."""
        return f"postgresql:///{DATABASE}?table={table}"

    def run_sql(self, sql: str, database: str = DATABASE) -> str:
        done = subprocess.run(
            [psql(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
        )
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout.strip()

    def load_csv(self, table: str, csv: Path | str, *, columns: str = TYPED_COLUMNS, key: bool = True) -> None:
        """Create ``table`` with the raw layout's ``columns`` (and an ``id`` primary key, in the
        file's order, when ``key``) and load the CSV file into it with COPY, NA as NULL."""
        first = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, " if key else ""
        self.run_sql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({first}{columns})")
        self.run_sql(f"\\copy {table} ({RAW_HEADER}) FROM '{csv}' WITH (FORMAT csv, HEADER true, NULL 'NA')")
