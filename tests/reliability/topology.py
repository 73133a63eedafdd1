"""The production topology on loopback, from Debian's packages: HAProxy in front of two gunicorn
nodes, PgBouncer (transaction mode) in front of a PostgreSQL primary, and a streaming replica made
with pg_basebackup that serves the read-only pages.

    clients ──> HAProxy ──> gunicorn a ─┬─> PgBouncer ──> PostgreSQL primary ──(WAL)──> replica
                        └─> gunicorn b ─┘                                                  ^
                              └──────────── read-only pages (statistics, exports, search) ─┘

Every server is private: its own data folder and port under a temporary folder, started and stopped
by its own PID or its tool's stop command; the machine's PostgreSQL cluster is never touched. The
web nodes, the Celery worker and the SMTP sink are bench/stack.py's ProductionStack (node a) plus a
second gunicorn with the same environment (node b).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from bench.stack import BASE_DIR, BIN, ProductionStack, login, port_open
from tests.conftest import require_service
from tests.reliability import harness
from tests.support import free_ports, wait_until

DATABASE = "helpdesk"
POSTGRES_USER = "postgres"


def postgresql_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed (initdb, pg_ctl, pg_basebackup)."""
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    versions = sorted(
        (path for path in root.iterdir() if (path / "bin" / "initdb").exists()),
        key=lambda path: float(path.name),
    )
    return versions[-1] / "bin" if versions else None


def require_private_postgresql() -> Path:
    """PostgreSQL's server binaries (and, as root, runuser to run them as the postgres user)."""
    binaries = postgresql_bin()
    require_service(
        binaries is not None and (os.geteuid() != 0 or shutil.which("runuser") is not None),
        "needs PostgreSQL's server binaries (apt install postgresql) to start a private primary "
        "and replica",
    )
    return binaries


def require_tool(name: str, package: str) -> str:
    """A Debian tool's path; under CI its absence fails the test, elsewhere skips it."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
    require_service(bool(path), f"needs {name} (apt install {package})")
    return path


def _as_postgres(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs a PostgreSQL or PgBouncer command: as the postgres user when we are root (both refuse
    to run as root), else as ourselves."""
    prefix = ["runuser", "-u", POSTGRES_USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run(  # noqa: S603 - our own command
        [*prefix, *command],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _own_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _give(path)
    return path


def _give(path: Path) -> None:
    """As root, the file goes to the postgres user, who runs the servers."""
    if os.geteuid() == 0:
        shutil.chown(path, POSTGRES_USER, POSTGRES_USER)


class PostgresServer:
    """A PostgreSQL cluster of the test's own: `init()` makes a primary, `clone(primary)` a
    streaming replica of it; `start()`, `stop(mode)` through pg_ctl."""

    def __init__(self, workdir: Path, name: str, port: int, binaries: Path) -> None:
        self.name = name
        self.port = port
        self.binaries = binaries
        self.datadir = workdir / name
        self.socketdir = _own_folder(workdir / f"{name}-socket")
        self.log = workdir / f"{name}.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        _own_folder(self.datadir)
        _as_postgres(
            str(self.binaries / "initdb"),
            *("-D", str(self.datadir), "-A", "trust", "-U", POSTGRES_USER, "--no-sync"),
        )
        with open(self.datadir / "postgresql.conf", "a") as conf:
            # A test cluster: durability against power loss is not what is tested here.
            conf.write("fsync = off\nfull_page_writes = off\nmax_connections = 100\n")

    def clone(self, primary: PostgresServer) -> None:
        """A copy of the running primary that keeps streaming from it (standby.signal and
        primary_conninfo written by -R)."""
        _own_folder(self.datadir)
        os.chmod(self.datadir, 0o700)
        _as_postgres(
            str(self.binaries / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", POSTGRES_USER),
            *("-D", str(self.datadir), "-R", "-X", "stream", "-c", "fast"),
        )

    def start(self) -> None:
        self.log.touch()
        _give(self.log)
        options = f"-p {self.port} -k {self.socketdir} -c listen_addresses=127.0.0.1"
        _as_postgres(
            str(self.binaries / "pg_ctl"),
            *("-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        """Stops the server; `immediate` is a crash (no checkpoint, clients cut at once)."""
        if not (self.datadir / "postmaster.pid").exists():
            return
        _as_postgres(str(self.binaries / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "stop")

    def running(self) -> bool:
        return port_open(self.port)


class PgBouncer:
    """PgBouncer in transaction mode in front of `primary` (every database name is passed on)."""

    def __init__(self, workdir: Path, port: int, primary: PostgresServer) -> None:
        self.port = port
        self.folder = _own_folder(workdir / "pgbouncer")
        self.ini = self.folder / "pgbouncer.ini"
        self.primary = primary

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        binary = require_tool("pgbouncer", "pgbouncer")
        (self.folder / "userlist.txt").write_text(f'"{POSTGRES_USER}" ""\n')
        self.ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.primary.port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.folder / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 200\n"
            "default_pool_size = 10\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"admin_users = {POSTGRES_USER}\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\n"
            f"pidfile = {self.folder / 'pgbouncer.pid'}\n"
        )
        for path in self.folder.iterdir():
            _give(path)
        _as_postgres(binary, "-d", str(self.ini))
        if not wait_until(lambda: port_open(self.port), 20):
            raise RuntimeError(f"pgbouncer did not listen on {self.port}")

    def transactions(self, database: str = DATABASE) -> int:
        """Transactions PgBouncer has passed on to `database` (its admin console's SHOW STATS)."""
        with harness.database(self.url("pgbouncer")) as cursor:
            cursor.execute("SHOW STATS")
            columns = [column.name for column in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return sum(int(row["total_xact_count"]) for row in rows if row["database"] == database)

    def stop(self) -> None:
        pidfile = self.folder / "pgbouncer.pid"
        if not pidfile.exists():
            return
        pid = int(pidfile.read_text().strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        wait_until(lambda: not _alive(pid), 10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class HAProxy:
    """HAProxy in front of the web nodes: /healthz checked every 500 ms, a node out after two
    failed checks and back after one, a request whose connection fails retried on another node,
    and no server connection kept between requests."""

    def __init__(self, workdir: Path, port: int, backends: dict[str, int]) -> None:
        self.port = port
        self.backends = backends
        self.config = workdir / "haproxy.cfg"
        self.log = workdir / "haproxy.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = require_tool("haproxy", "haproxy")
        servers = "".join(
            f"    server {name} 127.0.0.1:{port} check inter 500ms fall 2 rise 1\n"
            for name, port in self.backends.items()
        )
        self.config.write_text(
            "global\n"
            "    maxconn 1000\n"
            "defaults\n"
            "    mode http\n"
            "    timeout connect 1s\n"
            "    timeout client 60s\n"
            "    timeout server 60s\n"
            # A busy node answers its health check late, not never: only a node that refuses or
            # stays silent this long is out (a dead one refuses at once).
            "    timeout check 3s\n"
            "    retries 2\n"
            "    option redispatch\n"
            # A new server connection per request: a request is never sent on an idle connection
            # to a node that has just died (it could not be retried), only refused and redispatched.
            "    option http-server-close\n"
            "frontend web\n"
            f"    bind 127.0.0.1:{self.port}\n"
            "    default_backend nodes\n"
            "backend nodes\n"
            "    balance roundrobin\n"
            "    option httpchk\n"
            "    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1\n"
            f"{servers}"
        )
        with open(self.log, "a") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [binary, "-db", "-f", str(self.config)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(lambda: port_open(self.port), 20):
            raise RuntimeError(f"haproxy did not listen on {self.port}:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class GunicornNode:
    """A second web node: gunicorn with the stack's environment on a port of its own."""

    def __init__(self, stack: ProductionStack, port: int, workers: int) -> None:
        self.stack = stack
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.log = stack.logs["web"].with_name("web-b.log")

    def start(self) -> None:
        with open(self.log, "a") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [
                    str(BIN / "gunicorn"),
                    "helpdesk.wsgi",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={self.workers}",
                    "--timeout=60",
                    "--log-level=warning",
                ],
                cwd=BASE_DIR,
                env=self.stack.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(lambda: _answers(f"http://127.0.0.1:{self.port}/healthz"), 90):
            self.kill()
            raise RuntimeError(f"web node b did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the node's process group (arbiter and workers), as a crashed machine; returns
        once its port refuses connections."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None
        wait_until(lambda: not port_open(self.port), 10, interval=0.01)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Topology:
    """Starts everything in dependency order; `close()` stops it all in reverse.

    Clients talk to HAProxy: `url(path)` and `login(session, email, password)` (what
    harness.WebClient expects of a stack)."""

    def __init__(self, *, web_workers: int = 2, extra_env: dict[str, str] | None = None) -> None:
        self.web_workers = web_workers
        self.extra_env = extra_env or {}
        self.workdir: Path | None = None
        self.primary: PostgresServer | None = None
        self.replica: PostgresServer | None = None
        self.pgbouncer: PgBouncer | None = None
        self.redis: harness.RedisServer | None = None
        self.stack: ProductionStack | None = None
        self.node_b: GunicornNode | None = None
        self.haproxy: HAProxy | None = None

    # --- What clients see ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.haproxy.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def login(self, session: requests.Session, email: str, password: str) -> None:
        login(session, self.base_url, email, password)

    # --- Starting and stopping -----------------------------------------------------------------
    def start(self) -> None:
        binaries = require_private_postgresql()
        require_tool("pgbouncer", "pgbouncer")
        require_tool("haproxy", "haproxy")
        self.workdir = Path(tempfile.mkdtemp(prefix="helpdesk-topology-"))
        os.chmod(self.workdir, 0o711)  # noqa: S103 - the postgres user reaches its folders
        try:
            self._start(binaries)
        except BaseException:
            self.close()
            raise

    def _start(self, binaries: Path) -> None:
        primary_port, replica_port, bouncer_port, node_b_port, front_port = free_ports(5)
        self.primary = PostgresServer(self.workdir, "primary", primary_port, binaries)
        self.primary.init()
        self.primary.start()
        with harness.database(self.primary.url("postgres")) as cursor:
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
            # PgBouncer passes on no startup option: the database carries the server setting.
            cursor.execute(f'ALTER DATABASE "{DATABASE}" SET jit = off')
            cursor.execute(f"ALTER DATABASE \"{DATABASE}\" SET timezone = 'UTC'")
        self.replica = PostgresServer(self.workdir, "replica", replica_port, binaries)
        self.replica.clone(self.primary)
        self.replica.start()
        self.pgbouncer = PgBouncer(self.workdir, bouncer_port, self.primary)
        self.pgbouncer.start()
        self.redis = harness.RedisServer()
        self.redis.start()
        self.stack = ProductionStack(
            self.pgbouncer.url(),
            redis_url=self.redis.url,
            web_workers=self.web_workers,
            extra_env=harness.stack_env(
                DATABASE_POOLER="pgbouncer",
                DATABASE_REPLICA_URL=self.replica.url(),
                **self.extra_env,
            ),
        )
        self.stack.start()
        self.node_b = GunicornNode(self.stack, node_b_port, self.web_workers)
        self.node_b.start()
        self.haproxy = HAProxy(
            self.workdir, front_port, {"a": self.stack.web_port, "b": node_b_port}
        )
        self.haproxy.start()
        if not wait_until(lambda: _answers(self.url("/healthz")), 20):
            raise RuntimeError(f"haproxy does not answer:\n{self.haproxy.log.read_text()}")

    def close(self) -> None:
        steps = [
            lambda: self.haproxy and self.haproxy.stop(),
            lambda: self.node_b and self.node_b.kill(),
            lambda: self.stack and self.stack.close(),
            lambda: self.redis and self.redis.stop(),
            lambda: self.pgbouncer and self.pgbouncer.stop(),
            lambda: self.replica and self.replica.stop("immediate"),
            lambda: self.primary and self.primary.stop("immediate"),
        ]
        for step in steps:
            with contextlib.suppress(Exception):
                step()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Topology:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Reading the servers -------------------------------------------------------------------
    def replica_ticket_reads(self) -> int:
        """Table scans of the tickets the replica served (its own statistics: the lag probe reads
        no table, so these are the pages' reads)."""
        rows = harness.query(
            self.replica.url(),
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
            "WHERE relname = 'tickets_ticket'",
        )
        return int(rows[0][0]) if rows else 0

    def replica_caught_up(self) -> bool:
        """The replica has replayed every change the primary had when asked."""
        (lsn,) = harness.query(self.primary.url(), "SELECT pg_current_wal_lsn()::text")[0]
        rows = harness.query(
            self.replica.url(), "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)
        )
        return bool(rows[0][0])


def logs_tail(topology: Topology, lines: int = 30) -> str:
    """The end of every log, for a failed assertion's message."""
    parts = []
    if topology.stack is not None:
        for name in topology.stack.logs:
            parts.append(f"--- {name}\n{topology.stack.tail(name, lines)}")
    if topology.node_b is not None and topology.node_b.log.exists():
        text = topology.node_b.log.read_text(errors="replace").splitlines()[-lines:]
        parts.append("--- web-b\n" + "\n".join(text))
    return "\n".join(parts)


def wait_seconds(condition, timeout: float) -> float:
    """Seconds until `condition()` holds (or `timeout`)."""
    start = time.monotonic()
    wait_until(condition, timeout, interval=0.1)
    return time.monotonic() - start
