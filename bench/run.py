"""The helpdesk benchmark: pages and writes under load on the production stack, at several sizes.

    .venv/bin/python bench/run.py --sizes 10000,100000,1000000 --duration 10
    .venv/bin/python bench/run.py --sizes 2000 --duration 2          # the CI run

For each size: a PostgreSQL database `helpdesk_bench_<size>` filled by `generate_data` (kept and
reused when it already holds that size and seed), the production stack (bench/stack.py), an agent
and a requester signed in through the login form, then for every page: its SQL query count (one
in-process request under CaptureQueriesContext), wrk for reads, a Python driver (threads +
requests) for writes, and the email throughput of one worker. Prints one table; exits non-zero
when a page answers with an error or its query count differs from bench/query_counts.json.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import BASE_DIR, ProductionStack, with_database  # noqa: E402
from helpdesk import numbers  # noqa: E402
from tests.support import wait_until  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
PINNED = BENCH_DIR / "query_counts.json"
LUA = BENCH_DIR / "wrk_report.lua"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
COMMON_WORD = "connexion"
RARE_WORD = "sismographe"
# Rate limits are a policy against one person flooding the service, not a cost: off here, where
# one signed-in requester files every ticket of the load.
STACK_ENV = {"TICKET_CREATE_RATE": "", "COMMENT_RATE": ""}


@dataclass
class Page:
    name: str
    role: str  # "agent", "requester" or "" (anonymous)
    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)
    attachment: bool = False


@dataclass
class Result:
    page: str
    size: int
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    queries: int | None = None
    status: int | None = None
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    explain: str = ""


# --- Database ------------------------------------------------------------------------------------
def psql(database_url: str, sql: str, params: list | None = None) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def dataset(database_url: str) -> dict | None:
    """The marker generate_data left: size, seed and reference accounts (None: no data)."""
    rows = psql(
        database_url,
        "SELECT to_regclass('bench_dataset') IS NOT NULL",
    )
    if not rows[0][0]:
        return None
    rows = psql(database_url, "SELECT tickets, seed, info FROM bench_dataset ORDER BY 1 DESC")
    if not rows:
        return None
    tickets, seed, info = rows[0]
    return {"tickets": tickets, "seed": seed, **info}


def base_env() -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PGPASSWORD"}
    return {key: value for key, value in os.environ.items() if key in keep}


def manage(database_url: str, *args: str) -> None:
    env = {**base_env(), "DATABASE_URL": database_url, "DATABASE_CONN_MAX_AGE": "0"}
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def prepare(size: int, seed: int, log) -> str:
    """The database of this size, generated once per seed and kept; migrated to the code."""
    from bench.stack import ensure_database

    name = f"helpdesk_bench_{size}"
    url = with_database(SERVER, name)
    ensure_database(url)
    marker = dataset(url)
    from tickets.management.commands.generate_data import GENERATOR_VERSION

    if (
        marker
        and marker["tickets"] == size
        and marker["seed"] == seed
        and marker.get("generator") == GENERATOR_VERSION
    ):
        log(f"{name}: {size} tickets (seed {seed}) already generated")
        manage(url, "migrate", "--noinput", "-v0")
        return rolled_up(url)
    if marker or psql(url, "SELECT to_regclass('tickets_ticket') IS NOT NULL")[0][0]:
        log(f"{name}: other data, dropping it")
        psql(with_database(SERVER, "postgres"), f'DROP DATABASE "{name}" WITH (FORCE)')
        ensure_database(url)
    manage(url, "migrate", "--noinput", "-v0")
    log(f"{name}: generating {size} tickets (seed {seed})")
    started = time.monotonic()
    manage(url, "generate_data", "--tickets", str(size), "--seed", str(seed))
    log(f"{name}: generated in {time.monotonic() - started:.0f} s")
    return rolled_up(url)


def rolled_up(url: str) -> str:
    """The statistics' daily rollup filled up to yesterday, as beat keeps it in production (only
    the days missing: the whole history once, then the days since the previous run)."""
    manage(url, "rebuild_stats_rollup", "--missing", "-v0")
    return url


@dataclass
class Targets:
    agent: str
    requester: str
    password: str
    service_id: int
    agent_ticket: int
    requester_ticket: int
    category: str
    move_tickets: list[int]
    reply_tickets: list[int]


def pick_targets(url: str, marker: dict) -> Targets:
    """The accounts and tickets the pages show: the same choice at every size."""
    agent = marker["agent"]
    service_id = psql(
        url,
        "SELECT m.service_id FROM categories_servicemembership m JOIN accounts_user u "
        "ON u.id = m.user_id WHERE u.email = %s",
        [agent],
    )[0][0]
    # The requester with the most tickets: the longest "Mes tickets".
    requester_id = psql(
        url,
        "SELECT requester_id FROM tickets_ticket GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )[0][0]
    requester = psql(url, "SELECT email FROM accounts_user WHERE id = %s", [requester_id])[0][0]
    # A ticket in progress with a full timeline (10 events), the most recent such.
    agent_ticket = psql(
        url,
        "SELECT t.id FROM tickets_ticket t WHERE t.service_id = %s AND t.status = 'in_progress' "
        "AND (SELECT count(*) FROM tickets_ticketevent e WHERE e.ticket_id = t.id) = 10 "
        "ORDER BY t.id DESC LIMIT 1",
        [service_id],
    )
    if not agent_ticket:
        agent_ticket = psql(
            url,
            "SELECT id FROM tickets_ticket WHERE service_id = %s ORDER BY id DESC LIMIT 1",
            [service_id],
        )
    requester_ticket = psql(
        url,
        "SELECT id FROM tickets_ticket WHERE requester_id = %s ORDER BY updated_at DESC LIMIT 1",
        [requester_id],
    )[0][0]
    category = psql(
        url,
        "SELECT slug FROM categories_category c WHERE handling_service_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM categories_category k WHERE k.parent_id = c.id) ORDER BY id LIMIT 1",
        [service_id],
    )[0][0]
    move_tickets = [
        row[0]
        for row in psql(
            url,
            "SELECT id FROM tickets_ticket WHERE service_id = %s AND status = 'open' "
            "AND assignee_id IS NULL ORDER BY id DESC LIMIT 64",
            [service_id],
        )
    ]
    reply_tickets = [
        row[0]
        for row in psql(
            url,
            "SELECT id FROM tickets_ticket WHERE service_id = %s AND status = 'in_progress' "
            "ORDER BY id DESC LIMIT 64",
            [service_id],
        )
    ]
    return Targets(
        agent=agent,
        requester=requester,
        password=marker["password"],
        service_id=service_id,
        agent_ticket=agent_ticket[0][0],
        requester_ticket=requester_ticket,
        category=category,
        move_tickets=move_tickets,
        reply_tickets=reply_tickets,
    )


SNAPSHOT_COLUMNS = "id, status, assignee_id, updated_at, first_response_at"


def snapshot(url: str, targets: Targets) -> dict:
    """What the writes will change, to put it back afterwards: the benchmark leaves the data as
    generated, so that runs on the same database compare."""
    ids = [*targets.move_tickets, *targets.reply_tickets]
    return {
        "max": {
            table: psql(url, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]  # noqa: S608
            for table in (
                "tickets_ticket",
                "tickets_ticketevent",
                "tickets_attachment",
                "notifications_notification",
            )
        },
        "rows": psql(
            url,
            f"SELECT {SNAPSHOT_COLUMNS} FROM tickets_ticket WHERE id = ANY(%s)",  # noqa: S608
            [ids],
        ),
    }


def restore(url: str, saved: dict) -> None:
    highest = saved["max"]
    statements = [
        ("DELETE FROM notifications_notification WHERE id > %s", "notifications_notification"),
        ("DELETE FROM tickets_ticketevent WHERE id > %s", "tickets_ticketevent"),
        ("DELETE FROM tickets_attachment WHERE id > %s", "tickets_attachment"),
        ("DELETE FROM tickets_ticket WHERE id > %s", "tickets_ticket"),
    ]
    for sql, table in statements:
        psql(url, sql, [highest[table]])
    for row in saved["rows"]:
        psql(
            url,
            "UPDATE tickets_ticket SET status = %s, assignee_id = %s, updated_at = %s, "
            "first_response_at = %s WHERE id = %s",
            [row[1], row[2], row[3], row[4], row[0]],
        )


# --- Pages -------------------------------------------------------------------------------------
def read_pages(targets: Targets) -> list[Page]:
    queue = "/desk/queue/?tab="
    return [
        Page("ceiling: /healthz", "", "GET", "/healthz"),
        Page("agent dashboard", "agent", "GET", "/desk/"),
        Page("queue: to handle", "agent", "GET", f"{queue}todo"),
        Page("queue: mine", "agent", "GET", f"{queue}mine"),
        Page("queue: waiting", "agent", "GET", f"{queue}waiting"),
        Page("queue: all", "agent", "GET", f"{queue}all"),
        Page("queue: closed", "agent", "GET", f"{queue}closed"),
        Page("queue: closed, page 200", "agent", "GET", f"{queue}closed&page=200"),
        Page("agent ticket page", "agent", "GET", f"/desk/tickets/{targets.agent_ticket}/"),
        Page(f"search: common ({COMMON_WORD})", "agent", "GET", f"{queue}all&q={COMMON_WORD}"),
        Page(f"search: rare ({RARE_WORD})", "agent", "GET", f"{queue}all&q={RARE_WORD}"),
        Page("statistics (90 days)", "agent", "GET", "/desk/stats/?period=90"),
        Page("requester: Mes tickets", "requester", "GET", "/tickets/"),
        Page("requester ticket page", "requester", "GET", f"/tickets/{targets.requester_ticket}/"),
    ]


def write_pages(targets: Targets) -> list[Page]:
    """One example of each write, for the query count (the load itself is `drive_writes`)."""
    move = targets.move_tickets[-1]
    return [
        Page(
            "create ticket (POST + file)",
            "requester",
            "POST",
            "/tickets/new/",
            {
                "category": targets.category,
                "subject": "Impossible d'imprimer",
                "description": "L'imprimante du couloir affiche une erreur.",
            },
            attachment=True,
        ),
        Page(
            "comment (agent reply)",
            "agent",
            "POST",
            f"/desk/tickets/{targets.reply_tickets[-1]}/actions/reply/",
            {"reply-text": "Nous regardons cela."},
        ),
        Page("status move (take)", "agent", "POST", f"/desk/tickets/{move}/actions/take/"),
        Page("status move (release)", "agent", "POST", f"/desk/tickets/{move}/actions/release/"),
    ]


# The statistics page keeps its figures STATS_CACHE_SECONDS: under load it serves them from the
# cache. What computing them costs is measured in-process on this page, with the cache off.
COMPUTED_STATS = Page("statistics (90 days), computed", "agent", "GET", "/desk/stats/?period=90")


def pin_mismatch(pinned: dict[str, int], name: str, size: int, queries: int) -> list[str]:
    """The problem to report if a page's query count differs from its pinned one (none if it has
    no pin yet)."""
    pin = pinned.get(name)
    if pin is None or queries == pin:
        return []
    return [f"{name} at {size}: {queries} queries, pinned {pin}"]


def count_queries(stack: ProductionStack, pages: list[Page], targets: Targets, explain: bool):
    spec = [
        {
            "name": page.name,
            "user": {"agent": targets.agent, "requester": targets.requester}.get(page.role),
            "method": page.method,
            "path": page.path,
            "data": page.data,
            "attachment": page.attachment,
            "explain": explain and page.method == "GET" and page.role != "",
            "settings": {"STATS_CACHE_SECONDS": 0} if page is COMPUTED_STATS else {},
        }
        for page in [*pages, COMPUTED_STATS]
    ]
    env = {**stack.env, "ALLOWED_HOSTS": "testserver,127.0.0.1"}
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(BENCH_DIR / "querycount.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        env=env,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"query count failed:\n{result.stderr[-5000:]}")
    return json.loads(result.stdout)


# --- Load --------------------------------------------------------------------------------------
def cookie_header(session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def run_wrk(url: str, cookie: str, duration: float, threads: int, connections: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout=10s",
        "-s",
        str(LUA),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    output = subprocess.run(  # noqa: S603 - wrk with our arguments
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    report = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = report["duration_us"] / 1e6
    errors = sum(report[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": report["requests"] / seconds,
        "p50_ms": report["p50_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "requests": report["requests"],
        "errors": errors,
    }


def drive(cookies: str, duration: float, workers: int, make_request) -> dict[str, float]:
    """`workers` threads call `make_request(session, worker, n)` for `duration` seconds; an
    answer other than a redirect (302) counts as an error."""
    import requests

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def work(worker: int) -> None:
        nonlocal errors
        session = requests.Session()
        session.headers["Cookie"] = cookies
        n = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = make_request(session, worker, n)
                ok = response.status_code == 302
            except requests.RequestException:
                ok = False
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors += not ok
            n += 1

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    elapsed = time.monotonic() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": (numbers.percentile(latencies, 0.99) or 0.0) * 1000,
        "requests": len(latencies),
        "errors": errors,
    }


def drive_writes(stack: ProductionStack, sessions: dict, targets: Targets, duration, workers):
    base = stack.base_url
    requester_cookies = cookie_header(sessions["requester"])
    agent_cookies = cookie_header(sessions["agent"])
    requester_csrf = sessions["requester"].cookies["csrftoken"]
    agent_csrf = sessions["agent"].cookies["csrftoken"]

    def create(session, worker, n):
        return session.post(
            f"{base}/tickets/new/",
            data={
                "csrfmiddlewaretoken": requester_csrf,
                "category": targets.category,
                "subject": f"Écran noir au démarrage {worker}-{n}",
                "description": "Depuis ce matin, l'ordinateur reste sur un écran noir.",
            },
            files={"attachments": ("capture.png", PNG, "image/png")},
            allow_redirects=False,
            timeout=30,
        )

    def reply(session, worker, n):
        tickets = targets.reply_tickets
        ticket = tickets[(worker + n * workers) % len(tickets)]
        return session.post(
            f"{base}/desk/tickets/{ticket}/actions/reply/",
            data={"csrfmiddlewaretoken": agent_csrf, "reply-text": f"Réponse {worker}-{n}."},
            allow_redirects=False,
            timeout=30,
        )

    def move(session, worker, n):
        # Each worker takes then releases its own tickets: no two workers race for one.
        mine = targets.move_tickets[worker::workers]
        ticket = mine[(n // 2) % len(mine)]
        action = "take" if n % 2 == 0 else "release"
        return session.post(
            f"{base}/desk/tickets/{ticket}/actions/{action}/",
            data={"csrfmiddlewaretoken": agent_csrf},
            allow_redirects=False,
            timeout=30,
        )

    return {
        "create ticket (POST + file)": drive(requester_cookies, duration, workers, create),
        "comment (agent reply)": drive(agent_cookies, duration, workers, reply),
        "status move (take/release)": drive(agent_cookies, duration, workers, move),
    }


def drop_queued_emails(stack: ProductionStack) -> None:
    """Stops the worker and empties its queue: the writes queued thousands of emails (every
    agent of the service hears of each new ticket) that would take minutes to send; their outbox
    rows are removed with the rest of the benchmark's writes."""
    import redis

    stack.stop("worker")
    redis.Redis.from_url(stack.redis_url).delete("celery")


EMAIL_SCRIPT = """
from notifications import notify
from notifications.models import Notification
from tickets.models import TicketEvent
before = Notification.objects.count()
events = TicketEvent.objects.filter(action="comment", visibility="public", actor__isnull=False,
    notifications__isnull=True).exclude(actor=models.F("ticket__requester")).order_by("-id")[:{n}]
for event in events:
    notify(event)
print(Notification.objects.count() - before)
"""


def email_throughput(stack: ProductionStack, count: int) -> dict[str, float]:
    """Emails delivered per second by one worker: with the worker stopped, agents' replies are
    notified (outbox rows and queued tasks), then the worker starts; the rate is measured from
    the first message to reach the SMTP sink to the last."""
    stack.stop("worker")
    stack.clear_mailbox()
    script = "from django.db import models\n" + EMAIL_SCRIPT.replace("{n}", str(count))
    queued = int(stack.manage("shell", "-c", script).strip().splitlines()[-1])
    started = time.monotonic()
    stack.start("worker")
    wait_until(lambda: stack.mail_count() >= queued, timeout=max(60, queued))
    total = time.monotonic() - started
    times = sorted(path.stat().st_mtime for path in stack.mailbox.glob("*.eml"))
    delivered = len(times)
    span = times[-1] - times[0] if delivered > 1 else 0
    return {
        "queued": queued,
        "delivered": delivered,
        "per_second": (delivered - 1) / span if span > 0 else 0.0,
        "seconds_with_startup": total,
    }


# --- Report ------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        memory_kb = int(info.readline().split()[1])
    return {
        "cpus": str(os.cpu_count()),
        "cpu_model": cpu,
        "memory_gb": f"{memory_kb / 1024 / 1024:.1f}",
        "python": platform.python_version(),
        "postgresql": psql(with_database(SERVER, "postgres"), "SHOW server_version")[0][0],
        "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def table(results: list[Result], sizes: list[int]) -> str:
    header = f"{'page':<34} {'tickets':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    header += f"{'errors':>6} {'queries':>7}"
    lines = [header, "-" * len(header)]
    pages = list(dict.fromkeys(result.page for result in results))
    by_key = {(result.page, result.size): result for result in results}
    for page in pages:
        for size in sizes:
            result = by_key.get((page, size))
            if result is None:
                continue
            queries = "-" if result.queries is None else str(result.queries)
            lines.append(
                f"{page:<34} {size:>9} {result.rps:>8.1f} {result.p50_ms:>8.1f} "
                f"{result.p99_ms:>8.1f} {result.errors:>6} {queries:>7}"
            )
    return "\n".join(lines)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # Unwinds like Ctrl+C, so that the stack stops and the data is restored.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per page")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections / writers")
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--web-threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--emails", type=int, default=500, help="emails for the throughput run")
    parser.add_argument(
        "--explain-from", type=int, default=1_000_000, help="EXPLAIN pages from this size"
    )
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--pin", action="store_true", help="write the query counts to the pin")
    parser.add_argument("--only", default="", help="comma-separated page name prefixes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt install wrk", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    sizes = [int(size) for size in args.sizes.split(",")]
    results: list[Result] = []
    emails: dict[int, dict] = {}
    computed_stats: dict[int, dict] = {}
    problems: list[str] = []
    pinned = json.loads(PINNED.read_text()) if PINNED.exists() else {}
    counts_seen: dict[str, int] = {}
    options: dict[str, Any] = {"web_threads": args.web_threads}
    if args.web_workers:
        options["web_workers"] = args.web_workers
    only = [prefix.strip() for prefix in args.only.split(",") if prefix.strip()]
    host = machine()
    for size in sizes:
        url = prepare(size, args.seed, log)
        marker = dataset(url)
        targets = pick_targets(url, marker)
        saved = snapshot(url, targets)
        reads = read_pages(targets)
        writes = write_pages(targets)
        if only:
            reads = [page for page in reads if page.name.startswith(tuple(only))]
        try:
            with ProductionStack(url, redis_url=REDIS, extra_env=STACK_ENV, **options) as stack:
                log(f"{size}: stack up at {stack.base_url}")
                counted = count_queries(
                    stack, reads + writes, targets, explain=size >= args.explain_from
                )
                computed_stats[size] = counted[COMPUTED_STATS.name]
                counts_seen[COMPUTED_STATS.name] = computed_stats[size]["queries"]
                problems += pin_mismatch(
                    pinned, COMPUTED_STATS.name, size, computed_stats[size]["queries"]
                )
                log(
                    f"{size} {COMPUTED_STATS.name}: {computed_stats[size]['elapsed_ms']:.0f} ms "
                    f"in-process, {computed_stats[size]['queries']} queries"
                )
                sessions = {}
                import requests

                for role, email in (("agent", targets.agent), ("requester", targets.requester)):
                    sessions[role] = requests.Session()
                    stack.login(sessions[role], email, targets.password)
                for page in reads:
                    cookies = cookie_header(sessions[page.role]) if page.role else ""
                    measured = run_wrk(
                        stack.url(page.path),
                        cookies,
                        args.duration,
                        args.threads,
                        args.connections,
                    )
                    info = counted[page.name]
                    result = Result(page=page.name, size=size, **measured)
                    result.queries = info["queries"] if page.role else None
                    result.status = info["status"]
                    result.slowest_sql = info.get("slowest_sql", "")
                    result.slowest_ms = info.get("slowest_ms", 0.0)
                    result.explain = info.get("explain", "")
                    results.append(result)
                    log(
                        f"{size} {page.name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms,"
                        f" p99 {result.p99_ms:.1f} ms, {result.errors} errors, "
                        f"{result.queries} queries"
                    )
                if not only:
                    write_results = drive_writes(
                        stack, sessions, targets, args.duration, args.connections
                    )
                    write_counts = {
                        "create ticket (POST + file)": counted["create ticket (POST + file)"],
                        "comment (agent reply)": counted["comment (agent reply)"],
                        "status move (take/release)": counted["status move (take)"],
                    }
                    for name, measured in write_results.items():
                        result = Result(page=name, size=size, **measured)
                        result.queries = write_counts[name]["queries"]
                        result.status = write_counts[name]["status"]
                        results.append(result)
                        log(
                            f"{size} {name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms,"
                            f" p99 {result.p99_ms:.1f} ms, {result.errors} errors"
                        )
                    counts_seen["status move (release)"] = counted["status move (release)"][
                        "queries"
                    ]
                    drop_queued_emails(stack)
                    emails[size] = email_throughput(stack, args.emails)
                    log(f"{size} emails: {emails[size]}")
        finally:
            restore(url, saved)
        for result in results:
            if result.size != size:
                continue
            if result.queries is not None:
                counts_seen[result.page] = result.queries
            expected_status = 302 if result.page in WRITE_NAMES else 200
            if result.status != expected_status:
                problems.append(f"{result.page} at {size}: HTTP {result.status}")
            if result.errors:
                problems.append(f"{result.page} at {size}: {result.errors} errors under load")
            if result.queries is not None:
                problems += pin_mismatch(pinned, result.page, size, result.queries)
    print()
    print(
        f"Machine: {host['cpus']} CPUs ({host['cpu_model']}), {host['memory_gb']} GB RAM, "
        f"PostgreSQL {host['postgresql']}, Python {host['python']}; load average at start "
        f"{host['load_average']}, at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s per page\n")
    print(table(results, sizes))
    for size, email in emails.items():
        print(
            f"\nEmails at {size}: {email['delivered']}/{email['queued']} delivered, "
            f"{email['per_second']:.1f}/s by one worker "
            f"({email['seconds_with_startup']:.1f} s including the worker's start)"
        )
    for size, computed in computed_stats.items():
        print(
            f"\nStatistics computed (cache off) at {size}: {computed['elapsed_ms']:.0f} ms "
            f"in-process, {computed['queries']} queries"
        )
    if args.pin:
        PINNED.write_text(json.dumps(counts_seen, indent=2, ensure_ascii=False) + "\n")
        print(f"\nQuery counts written to {PINNED}")
    if args.output:
        args.output.write_text(
            json.dumps(
                {
                    "machine": host,
                    "arguments": vars(args) | {"output": str(args.output)},
                    "results": [result.__dict__ for result in results],
                    "emails": emails,
                    "computed_stats": computed_stats,
                    "problems": problems,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
    if problems:
        print("\nProblems:\n  " + "\n  ".join(problems))
        return 1
    return 0


WRITE_NAMES = {"create ticket (POST + file)", "comment (agent reply)", "status move (take/release)"}

if __name__ == "__main__":
    sys.exit(main())
