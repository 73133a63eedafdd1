"""Faults under the production stack (gunicorn, Celery worker, SMTP server; bench/stack.py).

* PostgreSQL restarted while people read: the site answers errors during the restart, then
  serves again by itself (persistent connections are health-checked: CONN_HEALTH_CHECKS).
* Redis stopped (a redis-server of the test's own): tickets are still filed, their emails wait in
  the outbox, and leave within a minute once Redis is back, queued again by the sweep beat runs.
* A Celery worker killed (SIGKILL) while the mail server is receiving an email: nothing is lost and
  nothing arrives twice; the emails leave within a minute of a new worker being ready.

The PostgreSQL restart stops every database of the server for a second or two: run these tests
on their own, never in parallel with the rest of the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \\
        .venv/bin/python -m pytest tests/reliability/test_faults.py -m faults -s
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest

from bench.stack import ProductionStack, wait_until
from tests.reliability import harness

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.smtp,
]

# After PostgreSQL is back, every request must succeed: at least this many in a row.
RECOVERED_REQUESTS = 30
# Seconds the SMTP server waits before accepting a message, so the worker is killed mid-send.
SLOW_SMTP_SECONDS = 6
# Once the broker, or a worker, is back, an email whose task was lost leaves within this many
# seconds (the sweep's schedule and NOTIFICATION_STALE_SECONDS in helpdesk/settings.py).
RECOVERY_SECONDS = 60


def seconds_until_outbox_is_empty(database_url: str) -> float:
    """Seconds until no outbox row is pending (or the limit of twice RECOVERY_SECONDS)."""
    start = time.monotonic()
    wait_until(lambda: harness.outbox(database_url)["pending"] == 0, 2 * RECOVERY_SECONDS, 0.5)
    return time.monotonic() - start


def assert_each_email_once(stack: ProductionStack, database_url: str) -> tuple[int, int]:
    """Every row sent, each Message-ID received once, as many messages as sent rows."""
    rows, _seconds = harness.wait_for_outbox(database_url, timeout=120)
    assert rows["pending"] == 0 and rows["failed"] == 0, dict(rows)
    sent = harness.sent_message_ids(database_url)
    # A message still being written by the sink would be missed: wait until the counts agree.
    wait_until(lambda: stack.mail_count() >= len(sent), 20)
    time.sleep(1)  # and a late duplicate would have time to arrive
    mailbox = harness.mailbox_message_ids(stack.mailbox)
    doubled = {message_id: n for message_id, n in mailbox.items() if n > 1}
    assert not doubled, f"emails received more than once: {doubled}"
    assert set(mailbox) == set(sent)
    return len(sent), sum(mailbox.values())


def start_people(stack: ProductionStack, requesters: int = 1) -> tuple[dict, list]:
    world = harness.seed(stack, services=1, agents_per_service=1, requesters=requesters)
    journal = harness.Journal()
    clients = [harness.WebClient(stack, email, journal) for email in world["requesters"]]
    for client in clients:
        client.login()
    return world, clients


# --- PostgreSQL ------------------------------------------------------------------------------


def test_postgresql_restart_gives_errors_then_the_site_recovers_by_itself():
    """While five people read their tickets, PostgreSQL restarts: requests made meanwhile get an
    error answer (500) or none, promptly; once it is back every request succeeds, from the same
    gunicorn and Celery processes, and a ticket filed then has its emails sent."""
    harness.postgresql_version()  # skip early where PostgreSQL cannot be restarted
    database_url = harness.stack_database_url("faults")
    redis_url = harness.stack_redis_url()
    with ProductionStack(database_url, redis_url=redis_url, extra_env=harness.stack_env()) as stack:
        world, clients = start_people(stack, requesters=5)
        category = world["services"][0]["category"]
        tickets = [harness.file_ticket(c, category, f"Avant {uuid.uuid4().hex}") for c in clients]
        assert all(tickets)
        processes = {name: stack.processes[name].pid for name in ("web", "worker")}
        journal = harness.Journal()
        stop = threading.Event()

        def read(client: harness.WebClient, pk: int) -> None:
            reader = harness.WebClient(stack, client.email, journal)
            reader.session = client.session
            pages = ["/tickets/", f"/tickets/{pk}/"]
            while not stop.is_set():
                reader.get("read", pages[len(journal.answers) % 2])
                time.sleep(0.05)

        threads = [
            threading.Thread(target=read, args=(c, pk))
            for c, pk in zip(clients, tickets, strict=True)
        ]
        for thread in threads:
            thread.start()
        time.sleep(3)
        restart_began = time.time()
        restart_seconds = harness.restart_postgresql()
        restart_ended = time.time()
        time.sleep(6)
        stop.set()
        for thread in threads:
            thread.join()

        # --- After: the same processes serve again, and the worker delivers again.
        after = harness.Journal()
        checker = harness.WebClient(stack, clients[0].email, after)
        checker.session = clients[0].session
        for _ in range(RECOVERED_REQUESTS):
            checker.get("after", "/tickets/")
        assert [a.status for a in after.answers] == [200] * RECOVERED_REQUESTS
        late = harness.file_ticket(clients[1], category, f"Après {uuid.uuid4().hex}")
        assert late is not None
        assert {name: stack.processes[name].pid for name in processes} == processes
        assert all(stack.running(name) for name in processes)
        sent, received = assert_each_email_once(stack, database_url)

    before = [a for a in journal.answers if a.at + a.seconds < restart_began]
    during = [a for a in journal.answers if restart_began <= a.at + a.seconds <= restart_ended + 1]
    recovered = [a for a in journal.answers if a.at > restart_ended + 1]
    errors = [a for a in during if a.status != 200]
    figures = {
        "restart_seconds": round(restart_seconds, 2),
        "requests_before": len(before),
        "requests_during": len(during),
        "errors_during": dict(Counter(str(a.status) for a in errors)),
        "slowest_error_ms": round(max((a.seconds for a in errors), default=0) * 1000),
        "requests_after": len(recovered),
        "emails_sent": sent,
        "emails_received": received,
    }
    harness.write_figures("faults-postgresql", figures)
    print(f"\nPostgreSQL restart: {figures}")
    assert before and all(a.status == 200 for a in before)
    assert errors, "no request met the restart: the test did not exercise it"
    # Errors are answers (a 500 page) or refused connections, never a hang.
    assert all(a.status in (0, 500, 502, 503) for a in errors)
    assert all(a.seconds < 15 for a in during)
    assert recovered and all(a.status == 200 for a in recovered), [
        (a.status, a.error) for a in recovered if a.status != 200
    ][:5]


# --- Redis -------------------------------------------------------------------------------------


def test_tickets_filed_while_redis_is_down_have_their_emails_sent_once_it_returns():
    """With Redis stopped, people still file tickets, comment, take and reply (the queueing error
    is logged and the outbox rows stay pending; the per-person limits, counted in Redis, let the
    request through); once Redis is back, beat's sweep queues the rows again and each email
    arrives once, within a minute."""
    database_url = harness.stack_database_url("faults")
    redis_server = harness.RedisServer()
    redis_server.start()
    try:
        with (
            ProductionStack(
                database_url, redis_url=redis_server.url, extra_env=harness.stack_env()
            ) as stack,
            harness.beat(stack),
        ):
            world, (client,) = start_people(stack)
            service = world["services"][0]
            agent = harness.WebClient(stack, world["agents"][str(service["id"])][0], client.journal)
            agent.login()

            redis_server.stop()
            filed = [
                harness.file_ticket(client, service["category"], f"Panne {n}") for n in range(3)
            ]
            page = client.get("read", f"/tickets/{filed[0]}/") if filed[0] else None
            comment = client.post(
                "requester: comment", f"/tickets/{filed[1]}/comment/", {"comment-text": "Précision"}
            )
            take = agent.post("agent: take", f"/desk/tickets/{filed[2]}/actions/take/")
            reply = agent.post(
                "agent: reply",
                f"/desk/tickets/{filed[2]}/actions/comment/",
                {"comment-text": "Vu."},
            )

            answers = [(a.kind, a.status) for a in client.journal.answers]
            assert all(filed), answers
            assert page is not None and page.status_code == 200, answers
            assert [r.status_code if r is not None else 0 for r in (comment, take, reply)] == [
                302,
                302,
                302,
            ], answers
            rows = harness.outbox(database_url)
            # Each ticket: the requester's acknowledgement and the agent's alert; the comment
            # tells the agent, the take and the reply tell the requester.
            assert rows["pending"] == 9 and rows["sent"] == 0, dict(rows)
            assert "Could not queue notification" in stack.tail("web", 200)
            assert stack.mail_count() == 0

            redis_server.start()  # same port, empty: the queue's messages are gone
            recovery = seconds_until_outbox_is_empty(database_url)
            sent, received = assert_each_email_once(stack, database_url)
            assert sent == received == 9
    finally:
        redis_server.stop()
    figures = {"recovery_seconds_after_redis_is_back": round(recovery, 1), "emails": sent}
    harness.write_figures("faults-redis", figures)
    print(f"\nRedis stopped: {figures}")
    assert recovery <= RECOVERY_SECONDS


# --- The Celery worker ---------------------------------------------------------------------


def test_a_worker_killed_mid_send_loses_no_email_and_sends_none_twice():
    """The worker is killed (SIGKILL, its whole process group) while the mail server is still
    receiving an email. The mail server never accepted it, the row's transaction is rolled back
    (pending again); once a new worker is ready, beat's sweep has every email sent exactly once
    within a minute."""
    database_url = harness.stack_database_url("faults")
    redis_url = harness.stack_redis_url()
    with (
        ProductionStack(
            database_url,
            redis_url=redis_url,
            smtp_delay=SLOW_SMTP_SECONDS,
            extra_env=harness.stack_env(),
        ) as stack,
        harness.beat(stack),
    ):
        world, (client,) = start_people(stack)
        category = world["services"][0]["category"]
        assert harness.file_ticket(client, category, "Écran noir") is not None

        receiving = wait_until(lambda: "delaying" in stack.tail("smtp", 50), 30)
        assert receiving, f"the worker never started sending:\n{stack.tail('worker')}"
        stack.kill("worker")
        time.sleep(SLOW_SMTP_SECONDS + 1)  # had the message been accepted, it would be here now
        assert stack.mail_count() == 0
        rows = harness.outbox(database_url)
        assert rows["pending"] == 2 and rows["sent"] == 0, dict(rows)
        in_flight = harness.query(
            database_url,
            "SELECT attempts, message_id FROM notifications_notification ORDER BY id",
        )
        # The killed attempt left no trace: its transaction was rolled back with the connection.
        assert [attempts for attempts, _id in in_flight] == [0, 0]

        stack.smtp_delay = 0
        stack.restart("smtp")
        stack.start("worker")
        recovery = seconds_until_outbox_is_empty(database_url)
        sent, received = assert_each_email_once(stack, database_url)
        assert sent == received == 2
    figures = {"recovery_seconds_after_a_new_worker_is_ready": round(recovery, 1), "emails": sent}
    harness.write_figures("faults-worker", figures)
    print(f"\nWorker killed: {figures}")
    assert recovery <= RECOVERY_SECONDS
