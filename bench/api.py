"""The API's figures on the production stack: "my tickets" read through the API and through the
ENT widget (wrk), and tickets filed through the API per second (threads + requests).

    .venv/bin/python bench/api.py --sizes 10000 --duration 10
    .venv/bin/python bench/api.py --sizes 1000000 --duration 10   # after bench/run.py made it

Uses bench/run.py's databases (`helpdesk_bench_<size>`, generated once and kept), its production
stack (gunicorn, 2 workers, Redis cache) and its reference requester (the one with the most
tickets). A write token of that requester is written straight into the database (and deleted
afterwards, with everything the run filed). The API's own rate limits and the filing limit are
off, as in bench/run.py: they are a policy against one person flooding the service, not a cost.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    LUA,
    REDIS,
    STACK_ENV,
    cookie_header,
    dataset,
    pick_targets,
    prepare,
    psql,
    restore,
    snapshot,
)
from bench.stack import ProductionStack  # noqa: E402
from helpdesk import numbers  # noqa: E402

API_ENV = {**STACK_ENV, "API_RATE_ANON": "", "API_RATE_USER": "", "API_RATE_WRITE": ""}


def wrk(url: str, header: str, duration: float, threads: int, connections: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout=10s",
        "-s",
        str(LUA),
        "-H",
        header,
        url,
    ]
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
        "errors": errors,
    }


def file_tickets(
    base: str, token: str, category: str, duration: float, workers: int, *, page_cookie: str = ""
) -> dict:
    """`workers` threads file tickets through the API for `duration` seconds (an answer other
    than 201 is an error), or through the filing page with `page_cookie` (other than 302)."""
    import requests

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def work(worker: int) -> None:
        nonlocal errors
        session = requests.Session()
        if page_cookie:
            session.headers["Cookie"] = page_cookie
        else:
            session.headers["Authorization"] = f"Bearer {token}"
        n = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            fields = {
                "category": category,
                "subject": f"Écran noir au démarrage {worker}-{n}",
                "description": "Depuis ce matin, l'ordinateur reste sur un écran noir.",
            }
            try:
                if page_cookie:
                    csrf = page_cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
                    response = session.post(
                        f"{base}/tickets/new/",
                        data={**fields, "csrfmiddlewaretoken": csrf},
                        allow_redirects=False,
                        timeout=30,
                    )
                    ok = response.status_code == 302
                else:
                    response = session.post(f"{base}/api/v1/tickets/", json=fields, timeout=30)
                    ok = response.status_code == 201
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
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
        "errors": errors,
    }


def pending_emails(url: str) -> int:
    return psql(url, "SELECT count(*) FROM notifications_notification WHERE status = 'pending'")[0][
        0
    ]


def drain(url: str, stack: ProductionStack, timeout: float = 900) -> tuple[int, float]:
    """Waits until the outbox has nothing left to send; returns how many emails the stack's
    mailbox received meanwhile and how long it took."""
    started = time.monotonic()
    received = stack.mail_count()
    while pending_emails(url) and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return stack.mail_count() - received, time.monotonic() - started


def insert_token(url: str, email: str) -> tuple[str, int]:
    """A write token of `email`, made as `api.services.token_create` makes one."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    django.setup()
    from api.models import new_token, token_digest

    secret = new_token()
    now = datetime.now(UTC)
    row = psql(
        url,
        "INSERT INTO api_apitoken (user_id, name, kind, scope, digest, hint, created_at, "
        "expires_at) SELECT id, 'bench', 'personal', 'write', %s, %s, %s, %s "
        "FROM accounts_user WHERE email = %s RETURNING id",
        [token_digest(secret), secret[:10], now, now + timedelta(days=1), email],
    )
    return secret, row[0][0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    rows = []
    loads = []
    drains = []
    for size in [int(size) for size in args.sizes.split(",")]:
        url = prepare(size, args.seed, lambda message: print(message, file=sys.stderr))
        # Every figure depends on what else the machine runs: the load is kept with them.
        loads.append((size, "start", os.getloadavg()))
        targets = pick_targets(url, dataset(url))
        saved = snapshot(url, targets)
        secret, token_id = insert_token(url, targets.requester)
        try:
            with ProductionStack(url, redis_url=REDIS, extra_env=API_ENV) as stack:
                import requests

                session = requests.Session()
                stack.login(session, targets.requester, targets.password)
                bearer = f"Authorization: Bearer {secret}"
                cookie = f"Cookie: {cookie_header(session)}"
                # The ceiling of the stack and the page the API stands beside, measured in the
                # same run: a busy machine lowers every figure alike.
                for name, path, header in (
                    ("ceiling: /healthz", "/healthz", cookie),
                    ("page: Mes tickets", "/tickets/", cookie),
                    ("API: my tickets (open)", "/api/v1/tickets/?state=open", bearer),
                    ("API: my tickets (all)", "/api/v1/tickets/", bearer),
                    ("ENT widget (HTML)", "/ent/mine/", cookie),
                    ("ENT widget (JSON)", "/api/v1/ent/mine/", bearer),
                ):
                    measured = wrk(
                        stack.url(path), header, args.duration, args.threads, args.connections
                    )
                    rows.append((size, name, measured))
                    print(size, name, measured, file=sys.stderr)
                # Filing: each ticket queues an email to each of the service's agents, which the
                # Celery worker renders and sends. Each way of filing is measured twice from an
                # empty outbox: with the worker sending on the same two cores as the web, and with
                # the worker stopped during the run (as where workers have their own cores), its
                # queue then drained and timed: the emails per second one worker sends.
                for label, page_cookie in (
                    ("API: file a ticket (POST, JSON)", ""),
                    ("page: file a ticket (POST, no file)", cookie_header(session)),
                ):
                    for worker_running in (True, False):
                        drain(url, stack)
                        if not worker_running:
                            stack.stop("worker")
                        measured = file_tickets(
                            stack.base_url,
                            secret,
                            targets.category,
                            args.duration,
                            args.connections,
                            page_cookie=page_cookie,
                        )
                        name = label + (
                            ", email worker on the same cores"
                            if worker_running
                            else ", email worker stopped during the run"
                        )
                        if not worker_running:
                            stack.start("worker")
                            emails = drain(url, stack)
                            drains.append((size, label, emails))
                        rows.append((size, name, measured))
                        print(size, name, measured, file=sys.stderr)
        finally:
            loads.append((size, "end", os.getloadavg()))
            psql(url, "DELETE FROM api_apitoken WHERE id = %s", [token_id])
            restore(url, saved)
    print("| Size | Request | req/s | p50 ms | p99 ms | errors |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for size, name, m in rows:
        print(
            f"| {size:,} | {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} "
            f"| {m['errors']} |"
        )
    for size, label, (count, seconds) in drains:
        print(
            f"{label} at {size:,}: the worker then sent the run's {count:,} emails in "
            f"{seconds:.1f} s ({count / seconds if seconds else 0:.0f} emails/s)"
        )
    for size, moment, load in loads:
        print(f"Load average at the {moment} of {size:,}: " + " ".join(f"{x:.2f}" for x in load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
