"""Load: 32 people at once on the production stack (gunicorn, PostgreSQL, Redis, Celery worker,
SMTP server) on 127.0.0.1, for LOAD_SECONDS seconds (60 unless set).

Requesters read "Mes tickets" and their tickets' pages, file tickets, comment, answer the
service's questions and approve closures; agents read the desk and its queue, take tickets, ask
for information, reply and request closure. Every one signed in through the login form.

What must hold: no answer is a server error (5xx) or missing; every ticket and comment the site
accepted (302) is in the database; once the outbox is empty, every notification row is sent and
the mail server received each Message-ID exactly once, as many messages as sent rows.

    LOAD_SECONDS=20 DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \\
        .venv/bin/python -m pytest tests/reliability/test_load.py -m load -s
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest

from bench.stack import ProductionStack
from tests.reliability import harness

pytestmark = [
    pytest.mark.load,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.smtp,
]

CLIENTS = 32
SERVICES = 2
AGENTS_PER_SERVICE = 4
REQUESTERS = CLIENTS - SERVICES * AGENTS_PER_SERVICE


def load_seconds() -> float:
    return float(os.environ.get("LOAD_SECONDS", "60"))


@dataclass
class Ledger:
    """What the clients know they did, to compare with the database afterwards.

    `status` is each ticket's status as the clients last saw it change (their own successful
    moves); a move refused because someone acted first simply leaves it as it was.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    tickets: dict[int, str] = field(default_factory=dict)  # pk -> subject
    requester_of: dict[int, str] = field(default_factory=dict)
    service_of: dict[int, int] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)
    agent_of: dict[int, str] = field(default_factory=dict)
    comments: list[tuple[int, str]] = field(default_factory=list)  # (ticket pk, text)
    moves: list[tuple[int, str]] = field(default_factory=list)

    def filed(self, pk: int, subject: str, requester: str, service: int) -> None:
        with self.lock:
            self.tickets[pk] = subject
            self.requester_of[pk] = requester
            self.service_of[pk] = service
            self.status[pk] = "open"

    def pick(self, condition) -> int | None:
        with self.lock:
            choices = [pk for pk in self.tickets if condition(pk)]
        return random.choice(choices) if choices else None  # noqa: S311

    def of_requester(self, requester: str, *statuses: str) -> int | None:
        """One of the requester's tickets in one of these statuses (any status if none given)."""
        return self.pick(
            lambda pk: (
                self.requester_of[pk] == requester and (not statuses or self.status[pk] in statuses)
            )
        )

    def claim(self, service: int, agent: str) -> int | None:
        """An open ticket of the service, reserved for this agent until the move is answered."""
        with self.lock:
            choices = [
                pk
                for pk, status in self.status.items()
                if status == "open" and self.service_of[pk] == service
            ]
            if not choices:
                return None
            pk = random.choice(choices)  # noqa: S311
            self.status[pk] = "taking"
            self.agent_of[pk] = agent
            return pk

    def moved(self, pk: int, action: str, status: str) -> None:
        with self.lock:
            self.status[pk] = status
            self.moves.append((pk, action))

    def commented(self, pk: int, text: str) -> None:
        with self.lock:
            self.comments.append((pk, text))


def requester_day(client: harness.WebClient, world: dict, ledger: Ledger, stop: float) -> None:
    """A requester's visits: reads, new tickets, comments, answers and approvals."""
    me = client.email
    services = world["services"]
    while time.monotonic() < stop:
        question = ledger.of_requester(me, "info_requested")
        closure = ledger.of_requester(me, "closure_pending")
        roll = random.random()  # noqa: S311
        if question is not None and roll < 0.5:
            text = f"Réponse {uuid.uuid4().hex}"
            answer = client.post(
                "requester: answer", f"/tickets/{question}/comment/", {"comment-text": text}
            )
            if answer is not None and answer.status_code == 302:
                ledger.commented(question, text)
                ledger.moved(question, "receive_info", "in_progress")
        elif closure is not None and roll < 0.5:
            answer = client.post("requester: approve", f"/tickets/{closure}/closure/approve/")
            if answer is not None and answer.status_code == 302:
                ledger.moved(closure, "approve_closure", "closed")
        elif roll < 0.35:
            client.get("requester: Mes tickets", "/tickets/")
        elif roll < 0.6:
            pk = ledger.of_requester(me)
            client.get("requester: ticket page", f"/tickets/{pk}/" if pk else "/tickets/")
        elif roll < 0.8:
            service = random.choice(services)  # noqa: S311
            client.get("requester: form", f"/tickets/new/?category={service['category']}")
            subject = f"Charge {uuid.uuid4().hex}"
            pk = harness.file_ticket(client, service["category"], subject)
            if pk is not None:
                ledger.filed(pk, subject, me, service["id"])
        else:
            pk = ledger.of_requester(me, "open", "in_progress")
            if pk is not None:
                text = f"Précision {uuid.uuid4().hex}"
                answer = client.post(
                    "requester: comment", f"/tickets/{pk}/comment/", {"comment-text": text}
                )
                if answer is not None and answer.status_code == 302:
                    ledger.commented(pk, text)
        harness.pause()


def agent_day(client: harness.WebClient, service: int, ledger: Ledger, stop: float) -> None:
    """An agent's visits: the desk, the queue, ticket pages, takes, questions, replies, closures."""
    me = client.email
    while time.monotonic() < stop:
        roll = random.random()  # noqa: S311
        handling = ledger.pick(
            lambda pk: ledger.agent_of.get(pk) == me and ledger.status[pk] == "in_progress"
        )
        if roll < 0.2:
            client.get("agent: queue", "/desk/queue/")
        elif roll < 0.3:
            client.get("agent: desk", "/desk/")
        elif roll < 0.45:
            pk = ledger.pick(lambda pk: ledger.service_of[pk] == service)
            if pk is not None:
                client.get("agent: ticket page", f"/desk/tickets/{pk}/")
        elif roll < 0.65:
            pk = ledger.claim(service, me)
            if pk is not None:
                answer = client.post("agent: take", f"/desk/tickets/{pk}/actions/take/")
                taken = answer is not None and answer.status_code == 302
                ledger.moved(pk, "take", "in_progress" if taken else "open")
        elif handling is not None and roll < 0.8:
            text = f"Réponse de l'agent {uuid.uuid4().hex}"
            answer = client.post(
                "agent: reply", f"/desk/tickets/{handling}/actions/comment/", {"comment-text": text}
            )
            if answer is not None and answer.status_code == 302:
                ledger.commented(handling, text)
        elif handling is not None and roll < 0.9:
            answer = client.post(
                "agent: request info",
                f"/desk/tickets/{handling}/actions/request_info/",
                {"request_info-question": "Pouvez-vous redémarrer et réessayer ?"},
            )
            if answer is not None and answer.status_code == 302:
                ledger.moved(handling, "request_info", "info_requested")
        elif handling is not None:
            answer = client.post(
                "agent: request closure",
                f"/desk/tickets/{handling}/actions/request_closure/",
                {"request_closure-resolution": "Poste réinstallé."},
            )
            if answer is not None and answer.status_code == 302:
                ledger.moved(handling, "request_closure", "closure_pending")
        harness.pause()


def test_thirty_two_people_at_once_lose_nothing_and_get_each_email_once():
    """Zero 5xx and zero unanswered requests; every accepted ticket and comment is in the
    database; every notification is sent, and received exactly once by the mail server."""
    database_url = harness.stack_database_url("load")
    redis_url = harness.stack_redis_url()
    seconds = load_seconds()
    journal = harness.Journal()
    ledger = Ledger()
    with ProductionStack(
        database_url,
        redis_url=redis_url,
        worker_concurrency=2,
        extra_env=harness.stack_env(),
    ) as stack:
        world = harness.seed(
            stack,
            services=SERVICES,
            agents_per_service=AGENTS_PER_SERVICE,
            requesters=REQUESTERS,
        )
        clients = []
        for service in world["services"]:
            for email in world["agents"][str(service["id"])]:
                clients.append((harness.WebClient(stack, email, journal), service["id"]))
        for email in world["requesters"]:
            clients.append((harness.WebClient(stack, email, journal), None))
        assert len(clients) == CLIENTS
        for client, _service in clients:
            client.login()

        stop = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=agent_day if service else requester_day,
                args=(client, service, ledger, stop) if service else (client, world, ledger, stop),
                name=client.email,
            )
            for client, service in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        rows, drain_seconds = harness.wait_for_outbox(database_url, timeout=300)
        mailbox = harness.mailbox_message_ids(stack.mailbox)
        web_log = stack.tail("web", 30)

    # --- The answers
    failures = journal.failures()
    figures = {
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "requests": len(journal.answers),
        "requests_per_second": round(len(journal.answers) / elapsed, 1),
        "tickets_filed": len(ledger.tickets),
        "comments": len(ledger.comments),
        "moves": dict(sorted(Counter(action for _pk, action in ledger.moves).items())),
        "notifications": dict(rows),
        "emails_received": sum(mailbox.values()),
        "outbox_drained_after_s": round(drain_seconds, 1),
        "by_request": journal.summary(),
        "failures": [f"{f.kind}: {f.status} {f.error}" for f in failures[:20]],
    }
    path = harness.write_figures("load", figures)
    print(f"\nLoad test figures ({path}):")
    for key, value in figures.items():
        print(f"  {key}: {value}")

    assert not failures, f"{len(failures)} failed requests; web log:\n{web_log}"
    assert ledger.tickets and ledger.comments, "the load filed no ticket or no comment"

    # --- The database holds everything that was accepted
    filed = dict(
        harness.query(
            database_url, "SELECT id, subject FROM tickets_ticket WHERE subject LIKE 'Charge %%'"
        )
    )
    assert filed == ledger.tickets
    texts = {
        (pk, text)
        for pk, text in harness.query(
            database_url,
            "SELECT ticket_id, text FROM tickets_ticketevent WHERE action = 'comment'",
        )
    }
    missing = [comment for comment in ledger.comments if comment not in texts]
    assert not missing, f"{len(missing)} accepted comments are not in the database"
    assert len(texts) == len(ledger.comments)
    # Every accepted move left its event (a requester's comment may also have answered a question
    # the client had not seen yet: the database may hold more receive_info than the ledger).
    events = Counter(
        harness.query(
            database_url,
            "SELECT ticket_id, action FROM tickets_ticketevent WHERE action = ANY(%s)",
            (sorted({action for _pk, action in ledger.moves}),),
        )
    )
    short = {move: n for move, n in Counter(ledger.moves).items() if events[move] < n}
    assert not short, f"accepted moves without their event: {short}"

    # --- Every email once
    assert rows["pending"] == 0, f"the outbox did not drain: {dict(rows)}"
    assert rows["failed"] == 0
    sent = harness.sent_message_ids(database_url)
    assert sent, "no notification was sent"
    doubled = {message_id: n for message_id, n in mailbox.items() if n > 1}
    assert not doubled, f"{len(doubled)} emails arrived more than once"
    assert set(mailbox) == set(sent)
    assert sum(mailbox.values()) == len(sent)
