"""What the load and fault tests share: their own database and Redis database, people to sign in,
web clients that record every answer, and readings of the outbox and of the SMTP sink's mailbox.

The stack under test is bench/stack.py's ProductionStack (gunicorn, Celery worker, SMTP sink);
these tests only drive it from outside, like users, and read the database afterwards.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.stack import ProductionStack, with_database
from helpdesk import numbers
from tests.conftest import require_service
from tests.support import free_port, wait_until

PASSWORD = "load-test-password-7"  # noqa: S105 - test people only
# The stack's own settings module: production settings with short delays (see stack_settings.py).
SETTINGS_MODULE = "tests.reliability.stack_settings"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
# Limits per person are part of production; under load each client files and comments far more
# often than a person would, so they are raised for these tests only.
HIGH_RATES = {"TICKET_CREATE_RATE": "100000/1m", "COMMENT_RATE": "100000/1m"}


# --- Services: a database and a Redis database of their own -------------------------------------


def stack_database_url(suffix: str) -> str:
    """A database beside DATABASE_URL's, named after it (`<name>_<suffix>`), recreated empty."""
    url = os.environ.get("DATABASE_URL", "")
    require_service(
        url.startswith(("postgres://", "postgresql://")),
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk",
    )
    name = urlsplit(url).path.lstrip("/") or "helpdesk"
    target = with_database(url, f"{name}_{suffix}")
    recreate_database(target)
    return target


def recreate_database(database_url: str) -> None:
    """Drops and creates the database, so every run counts rows from zero."""
    import psycopg2

    name = urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name: {name!r}")
    connection = psycopg2.connect(with_database(database_url, "postgres"), connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def stack_redis_url(default_db: int = 11) -> str:
    """RELIABILITY_REDIS_URL, or database 11 of REDIS_URL's server, emptied."""
    import redis

    url = os.environ.get("RELIABILITY_REDIS_URL")
    if not url:
        base = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        url = urlunsplit(base._replace(path=f"/{default_db}"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
        available = True
    except redis.RedisError:
        available = False
    require_service(available, f"needs a Redis server at {url}")
    return url


def stack_env(**extra: str) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, **HIGH_RATES, **extra}


# --- People --------------------------------------------------------------------------------

SEED = """
import json
from django.contrib.auth.hashers import make_password
from accounts.models import User
from categories.models import Category, Service, ServiceMembership

spec = json.loads(%(spec)r)
password = make_password(%(password)r)  # hashed once: every test person shares it
world = {"services": [], "requesters": [], "agents": {}}
for index in range(spec["services"]):
    service = Service.objects.create(name=f"Service {index}", slug=f"service-{index}")
    category = Category.objects.create(name=f"Problème {index}", slug=f"probleme-{index}",
                                       service=service)
    agents = [
        User.objects.create(email=f"agent{index}-{n}@univ.example", full_name=f"Agent {index}-{n}",
                            password=password)
        for n in range(spec["agents_per_service"])
    ]
    ServiceMembership.objects.bulk_create(
        ServiceMembership(service=service, user=agent) for agent in agents
    )
    world["services"].append({"id": service.pk, "category": category.slug})
    world["agents"][str(service.pk)] = [agent.email for agent in agents]
for n in range(spec["requesters"]):
    user = User.objects.create(email=f"person{n}@univ.example", full_name=f"Personne {n}",
                               password=password)
    world["requesters"].append(user.email)
print("WORLD " + json.dumps(world))
"""


def seed(stack: ProductionStack, *, services: int, agents_per_service: int, requesters: int):
    """Services with a category and agents each, and requesters; returns their names and ids."""
    spec = json.dumps(
        {"services": services, "agents_per_service": agents_per_service, "requesters": requesters}
    )
    output = stack.manage("shell", "-c", SEED % {"spec": spec, "password": PASSWORD})
    line = next(line for line in output.splitlines() if line.startswith("WORLD "))
    return json.loads(line.removeprefix("WORLD "))


# --- Clients that record every answer ----------------------------------------------------------


@dataclass
class Answer:
    kind: str
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    seconds: float
    at: float
    error: str = ""


@dataclass
class Journal:
    """Every answer of every client, safe to append to from many threads."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def failures(self) -> list[Answer]:
        return [a for a in self.answers if a.status == 0 or a.status >= 500]

    def summary(self) -> dict:
        """Counts and latencies per kind of request (milliseconds)."""
        kinds: dict[str, list[Answer]] = {}
        for answer in self.answers:
            kinds.setdefault(answer.kind, []).append(answer)
        result = {}
        for kind, answers in sorted(kinds.items()):
            times = sorted(a.seconds * 1000 for a in answers)
            result[kind] = {
                "count": len(answers),
                "statuses": dict(Counter(str(a.status) for a in answers)),
                "p50_ms": round(statistics.median(times)),
                "p95_ms": round(numbers.percentile(times, 0.95)),
                "max_ms": round(times[-1]),
            }
        return result


class WebClient:
    """One person's browser: a requests.Session signed in through the login form."""

    def __init__(self, stack: ProductionStack, email: str, journal: Journal) -> None:
        self.stack = stack
        self.email = email
        self.journal = journal
        self.session = requests.Session()

    def login(self) -> None:
        start = time.monotonic()
        self.stack.login(self.session, self.email, PASSWORD)
        self.journal.add(Answer("login", 302, time.monotonic() - start, time.time()))

    def get(self, kind: str, path: str) -> requests.Response | None:
        return self._send(kind, "GET", path)

    def post(self, kind: str, path: str, data: dict | None = None) -> requests.Response | None:
        """A form POST with the CSRF token, as a browser sends it; redirects are not followed."""
        data = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **(data or {})}
        return self._send(kind, "POST", path, data=data, headers={"Referer": self.stack.url(path)})

    def _send(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        start = time.monotonic()
        try:
            response = self.session.request(
                method, self.stack.url(path), allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as error:
            self.journal.add(Answer(kind, 0, time.monotonic() - start, time.time(), repr(error)))
            return None
        self.journal.add(Answer(kind, response.status_code, time.monotonic() - start, time.time()))
        return response


def created_ticket_id(response: requests.Response | None) -> int | None:
    """The ticket number from the redirect to its recap page (/tickets/<pk>/created/)."""
    if response is None or response.status_code != 302:
        return None
    match = re.search(r"/tickets/(\d+)/created/", response.headers.get("Location", ""))
    return int(match.group(1)) if match else None


def file_ticket(client: WebClient, category: str, subject: str) -> int | None:
    """Files a ticket through the form ("Créer le ticket"); its number if the site accepted it."""
    answer = client.post(
        "requester: file ticket",
        "/tickets/new/",
        {
            "category": category,
            "subject": subject,
            "description": "Mon poste ne démarre plus depuis ce matin.",
        },
    )
    return created_ticket_id(answer)


def pause(low: float = 0.05, high: float = 0.4) -> None:
    """A person's short pause between two clicks."""
    time.sleep(random.uniform(low, high))  # noqa: S311 - not cryptographic


# --- Services the fault tests break -------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: stopping it loses
    its queue, as a crashed Redis would. Nobody else's Redis is touched."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        binary = shutil.which("redis-server")
        require_service(binary is not None, "needs redis-server (apt install redis-server)")
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        if not wait_until(answers, 20):
            self.stop()
            raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def beat(stack: ProductionStack) -> Iterator[subprocess.Popen]:
    """Celery beat beside the stack, with the production schedule (the outbox sweep every few
    seconds), as `celery -A helpdesk beat` runs in production; stopped on exit."""
    log = stack.logs["worker"].with_name("beat.log")
    stack.logs["beat"] = log
    with open(log, "a") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "helpdesk",
                "beat",
                "--loglevel=INFO",
                f"--schedule={log.with_name('celerybeat-schedule')}",
            ],
            env=stack.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def postgresql_version() -> str:
    """The cluster to restart: PG_CLUSTER_VERSION, or the newest in /etc/postgresql."""
    version = os.environ.get("PG_CLUSTER_VERSION", "")
    if not version and Path("/etc/postgresql").is_dir():
        versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: float(p.name))
        version = versions[-1].name if versions else ""
    return version


def restart_postgresql() -> float:
    """Restarts the machine's PostgreSQL cluster (every database on it); returns the seconds the
    command took. Needs root and Debian's pg_ctlcluster."""
    version = postgresql_version()
    require_service(
        os.geteuid() == 0 and shutil.which("pg_ctlcluster") is not None and bool(version),
        "restarting PostgreSQL needs root and pg_ctlcluster (Debian's postgresql-common)",
    )
    start = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        check=True,
        timeout=120,
        capture_output=True,
    )
    return time.monotonic() - start


# --- Reading the database and the mailbox -----------------------------------------------------


@contextmanager
def database(database_url: str) -> Iterator:
    import psycopg2

    connection = psycopg2.connect(database_url, connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def query(database_url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with database(database_url) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def outbox(database_url: str) -> Counter:
    """Outbox rows per status."""
    rows = query(
        database_url, "SELECT status, count(*) FROM notifications_notification GROUP BY status"
    )
    return Counter(dict(rows))


def wait_for_outbox(database_url: str, timeout: float) -> tuple[Counter, float]:
    """Waits until no row is pending; returns the rows per status and the seconds it took."""
    start = time.monotonic()
    wait_until(lambda: outbox(database_url)["pending"] == 0, timeout, interval=1)
    return outbox(database_url), time.monotonic() - start


def sent_message_ids(database_url: str) -> list[str]:
    rows = query(
        database_url, "SELECT message_id FROM notifications_notification WHERE status = 'sent'"
    )
    return [row[0] for row in rows]


def mailbox_message_ids(folder: Path) -> Counter:
    """How many times each Message-ID arrived at the SMTP sink."""
    ids: Counter = Counter()
    for path in folder.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        ids[str(message["Message-ID"]).strip()] += 1
    return ids


def write_figures(name: str, figures: dict) -> Path:
    """Keeps a run's figures for the closing note (test-artifacts/ is not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return path
