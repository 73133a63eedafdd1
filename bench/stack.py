"""The production stack on 127.0.0.1, started from Python (the benchmark and the fault tests).

    with ProductionStack("postgres://postgres@127.0.0.1:5432/helpdesk_bench") as stack:
        session = requests.Session()
        stack.login(session, "agent@univ.example", "secret")
        session.get(stack.url("/desk/"))
        stack.stop("worker")      # mail piles up in the outbox...
        stack.start("worker")     # ...and leaves again

What runs, each in its own process group, with the settings production uses (DEBUG off, hashed
static files served by whitenoise, persistent database connections, tasks through Redis):

- web:    gunicorn helpdesk.wsgi (sync workers, see `DEFAULT_WEB_WORKERS`)
- worker: a Celery worker reading the broker (Redis database `redis_db`)
- smtp:   bench/smtp_sink.py, writing every accepted message to `stack.mailbox`

PostgreSQL and Redis are not started here (they are the machine's services); the database is
created if missing and migrated. Only http on loopback: the secure-cookie and HTTPS-redirect
defaults of production are switched off, everything else stays as deployed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.support import free_ports, wait_until

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SMTP_SINK = Path(__file__).with_name("smtp_sink.py")
COMPONENTS = ("smtp", "worker", "web")

# Sync workers, one per core: pages are CPU-bound in Python (ORM and templates), PostgreSQL runs
# on the same two cores, and more processes (3, 4) or threads (gthread 2x4) measured no more
# requests per second and a worse p99 (bench/README.md, "Choosing the gunicorn workers").
DEFAULT_WEB_WORKERS = 2
# Variables of this process that the children keep; everything the settings read is set explicitly.
_KEPT = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "PGPASSWORD"}


class StackError(RuntimeError):
    """A component did not start or did not answer in time (its log is in the message)."""


class LoginRefused(RuntimeError):
    """The login form did not sign the person in."""


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def with_database(url: str, name: str) -> str:
    """The same server URL, another database name (or Redis database number)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def ensure_database(database_url: str) -> None:
    """Creates the PostgreSQL database of `database_url` if it does not exist."""
    import psycopg2

    name = urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name: {name!r}")
    connection = psycopg2.connect(with_database(database_url, "postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def login(session, base_url: str, email: str, password: str) -> None:
    """Signs `session` (a requests.Session) in through the real login form: GET the form, read the
    CSRF token, POST it back like a browser. Raises AssertionError if the sign-in is refused."""
    login_url = f"{base_url}/accounts/login/"
    form = session.get(login_url, timeout=30)
    form.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if not match:
        raise LoginRefused("no CSRF token in the login form")
    response = session.post(
        login_url,
        data={"csrfmiddlewaretoken": match.group(1), "login": email, "password": password},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise LoginRefused(
            f"sign-in refused for {email}: HTTP {response.status_code}\n{response.text[:2000]}"
        )
    if "sessionid" not in session.cookies:
        raise LoginRefused("signed in but no session cookie was set")


class ProductionStack:
    """Starts web, worker and SMTP sink against a PostgreSQL database; stops them all on exit.

    Attributes once started: `base_url`, `mailbox` (folder of .eml files), `smtp_port`,
    `processes` (name -> Popen), `logs` (name -> log file), `env` (the environment of every
    process, also used by `manage()`).
    """

    def __init__(
        self,
        database_url: str,
        *,
        redis_url: str = "redis://127.0.0.1:6379/9",
        web_workers: int = DEFAULT_WEB_WORKERS,
        web_threads: int = 1,
        worker_concurrency: int = 1,
        worker_pool: str = "prefork",
        migrate: bool = True,
        static_root: Path | None = None,
        extra_env: dict[str, str] | None = None,
        startup_timeout: float = 90,
        smtp_delay: float = 0,
    ) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.worker_concurrency = worker_concurrency
        self.worker_pool = worker_pool
        self.migrate = migrate
        self.static_root = static_root
        self.extra_env = extra_env or {}
        self.startup_timeout = startup_timeout
        # Seconds the SMTP sink waits before accepting each message (read when it starts).
        self.smtp_delay = smtp_delay
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.workdir: Path | None = None
        self._own_workdir = False
        self.env: dict[str, str] = {}
        self.web_port = 0
        self.smtp_port = 0

    # --- Public API ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def mailbox(self) -> Path:
        return self._workdir() / "mailbox"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def login(self, session, email: str, password: str) -> None:
        """Signs a requests.Session in through the login form of this stack."""
        login(session, self.base_url, email, password)

    def mail_count(self) -> int:
        return sum(1 for _ in self.mailbox.glob("*.eml"))

    def clear_mailbox(self) -> None:
        for path in self.mailbox.glob("*.eml"):
            path.unlink()

    def manage(self, *args: str, timeout: float = 600, check: bool = True) -> str:
        """Runs `manage.py <args>` with the stack's environment; returns its standard output."""
        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            command = " ".join(args)
            raise StackError(f"manage.py {command} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def start(self, name: str | None = None) -> None:
        """Starts one component ("smtp", "worker", "web"), or the whole stack when `name` is None.
        A restarted component keeps its port and folders."""
        if name is None:
            self._start_all()
            return
        if name not in COMPONENTS:
            raise ValueError(f"unknown component {name!r}; one of {COMPONENTS}")
        if self.running(name):
            return
        getattr(self, f"_start_{name}")()

    def stop(self, name: str | None = None, *, timeout: float = 30) -> None:
        """Stops one component (gracefully, then killed after `timeout`), or everything."""
        if name is None:
            for component in reversed(COMPONENTS):
                self.stop(component, timeout=timeout)
            return
        process = self.processes.pop(name, None)
        if process is None:
            return
        _terminate_group(process, timeout)

    def kill(self, name: str) -> None:
        """Kills one component at once, as a crash would: SIGKILL to its whole process group
        (e.g. the Celery worker and its pool), no graceful shutdown, nothing acknowledged."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def close(self) -> None:
        """Stops every process and removes the temporary folder."""
        try:
            self.stop()
        finally:
            if self.workdir is not None and self._own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> ProductionStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def tail(self, name: str, lines: int = 40) -> str:
        """The end of a component's log (for error messages)."""
        path = self.logs.get(name)
        if path is None or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- Starting --------------------------------------------------------------------------------
    def _start_all(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="helpdesk-stack-"))
        self._own_workdir = True
        try:
            (self.workdir / "logs").mkdir()
            self.mailbox.mkdir()
            (self.workdir / "media").mkdir()
            self.web_port, self.smtp_port = free_ports(2)
            self.env = self._environment()
            _check_postgres(self.database_url)
            _check_redis(self.redis_url)
            ensure_database(self.database_url)
            if self.migrate:
                self.manage("migrate", "--noinput")
            self._collectstatic()
            for component in COMPONENTS:
                self.start(component)
        except BaseException:
            self.close()
            raise

    def _workdir(self) -> Path:
        if self.workdir is None:
            raise StackError("the stack is not started")
        return self.workdir

    def _environment(self) -> dict[str, str]:
        workdir = self._workdir()
        env = {key: value for key, value in os.environ.items() if key in _KEPT}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
                "DJANGO_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "SITE_URL": self.base_url,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                # Plain http on loopback: no redirect to https, cookies sent over http.
                "SECURE_SSL_REDIRECT": "false",
                "SESSION_COOKIE_SECURE": "false",
                "CSRF_COOKIE_SECURE": "false",
                "SECURE_HSTS_SECONDS": "0",
                "BEHIND_TLS_PROXY": "false",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "CELERY_BROKER_URL": self.redis_url,
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.smtp_port),
                "EMAIL_USE_TLS": "false",
                "EMAIL_TIMEOUT": "10",
                "DEFAULT_FROM_EMAIL": "Helpdesk <helpdesk@univ.example>",
                "STATIC_ROOT": str(self.static_root or workdir / "static"),
                "MEDIA_ROOT": str(workdir / "media"),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def _collectstatic(self) -> None:
        """Hashed, compressed static files as the image builds them; a shared `static_root`
        already collected is reused (the manifest is the sign it is complete)."""
        root = Path(self.env["STATIC_ROOT"])
        if self.static_root is not None and (root / "staticfiles.json").exists():
            return
        self.manage("collectstatic", "--noinput")

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = self._workdir() / "logs" / f"{name}.log"
        self.logs[name] = log
        with open(log, "a") as output:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        self.processes[name] = process
        return process

    def _wait(self, name: str, ready: Callable[[], object], what: str) -> None:
        process = self.processes[name]
        ok = wait_until(lambda: process.poll() is not None or ready(), self.startup_timeout)
        if process.poll() is not None or not ok or not ready():
            self.stop(name)
            raise StackError(f"{name} did not {what}:\n{self.tail(name)}")

    def _start_smtp(self) -> None:
        self._spawn(
            "smtp",
            [
                sys.executable,
                str(SMTP_SINK),
                "--port",
                str(self.smtp_port),
                "--folder",
                str(self.mailbox),
                *(["--delay", str(self.smtp_delay)] if self.smtp_delay else []),
            ],
        )
        self._wait("smtp", lambda: port_open(self.smtp_port), f"listen on {self.smtp_port}")

    def _start_worker(self) -> None:
        log_start = self.logs["worker"].stat().st_size if "worker" in self.logs else 0
        self._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "helpdesk",
                "worker",
                "--loglevel=INFO",
                f"--pool={self.worker_pool}",
                f"--concurrency={self.worker_concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=bench-{self.web_port}@%h",
            ],
        )

        def ready() -> bool:
            with open(self.logs["worker"], errors="replace") as log:
                log.seek(log_start)
                return "ready." in log.read()

        self._wait("worker", ready, "report ready")

    def _start_web(self) -> None:
        command = [
            str(BIN / "gunicorn"),
            "helpdesk.wsgi",
            f"--bind=127.0.0.1:{self.web_port}",
            f"--workers={self.web_workers}",
            "--timeout=60",
            "--graceful-timeout=10",
            "--log-level=warning",
        ]
        if self.web_threads > 1:
            command += ["--worker-class=gthread", f"--threads={self.web_threads}"]
        self._spawn("web", command)
        self._wait("web", self._web_answers, f"answer on {self.base_url}/healthz")

    def _web_answers(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False


def _terminate_group(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to the process group (gunicorn's and Celery's children included), then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Children that outlived their parent (e.g. a pool process) go with the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _check_postgres(database_url: str) -> None:
    import psycopg2

    try:
        psycopg2.connect(with_database(database_url, "postgres"), connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        raise StackError(f"PostgreSQL does not answer at {database_url}: {error}") from error


def _check_redis(redis_url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        raise StackError(f"Redis does not answer at {redis_url}: {error}") from error
