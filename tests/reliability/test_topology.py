"""Losing a node: HAProxy in front of two gunicorn nodes, PgBouncer (transaction mode) in front of
the PostgreSQL primary, a streaming replica serving the read-only pages (tests/reliability/
topology.py, every part from Debian's packages on private loopback ports).

Under a bounded load (requesters filing tickets and commenting, agents reading the statistics, its
CSV exports and the search), one web node is killed (SIGKILL to gunicorn and its workers), then the
replica is stopped (immediate shutdown: a crash). What must hold:

* no request fails except those in flight while the node died (from the signal until its port
  closed);
* every ticket and comment the site accepted is in the primary;
* the read-only pages kept answering after the replica stopped (from the primary);
* while it was up, the replica really served those pages (its own table statistics), and the
  app's transactions went through PgBouncer (its admin console's statistics).

The figures (requests, failures, p50/p99, time to recover) are printed and written to
test-artifacts/topology.json; bench/README.md ("Losing a node") keeps them.

    .venv/bin/python -m pytest tests/reliability/test_topology.py -m faults -s
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest

from helpdesk import numbers
from tests.conftest import ARTIFACTS_DIR
from tests.reliability import harness
from tests.reliability.topology import Topology, logs_tail

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery]

LOAD_SECONDS = float(os.environ.get("TOPOLOGY_LOAD_SECONDS", "20"))
# When, in the load, a web node dies and when the replica stops (fractions of LOAD_SECONDS).
KILL_AT = 0.3
REPLICA_STOP_AT = 0.6
REQUESTERS = 3
AGENTS = 2
# A request slower than this after a fault counts as the site not yet recovered.
SLOW_SECONDS = 1.0
READ_KINDS = ("agent: statistics", "agent: search", "agent: export")


@dataclass
class Ledger:
    """What the site accepted: the tickets (pk, subject) and comments (pk, text)."""

    tickets: list[tuple[int, str]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def filed(self, pk: int, subject: str) -> None:
        with self.lock:
            self.tickets.append((pk, subject))

    def commented(self, pk: int, text: str) -> None:
        with self.lock:
            self.comments.append((pk, text))


def requester_visits(client: harness.WebClient, category: str, ledger: Ledger, stop: float):
    """Files a ticket, then comments on it, again and again."""
    while time.monotonic() < stop:
        subject = f"Topologie {uuid.uuid4().hex}"
        pk = harness.file_ticket(client, category, subject)
        if pk is not None:
            ledger.filed(pk, subject)
            text = f"Précision {uuid.uuid4().hex}"
            answer = client.post(
                "requester: comment", f"/tickets/{pk}/comment/", {"comment-text": text}
            )
            if answer is not None and answer.status_code == 302:
                ledger.commented(pk, text)
        harness.pause(0.05, 0.3)


def agent_visits(client: harness.WebClient, stop: float) -> None:
    """Reads the read-only pages: statistics, the search, a CSV export."""
    turn = 0
    while time.monotonic() < stop:
        if turn % 3 == 0:
            client.get("agent: statistics", "/desk/stats/?period=30")
        elif turn % 3 == 1:
            client.get("agent: search", "/desk/queue/?tab=all&q=poste")
        else:
            client.get("agent: export", "/desk/stats/export/?period=30&table=categories")
        turn += 1
        harness.pause(0.05, 0.3)


def started(answer: harness.Answer) -> float:
    return answer.at - answer.seconds


def percentiles(answers: list[harness.Answer]) -> dict[str, float]:
    times = sorted(answer.seconds * 1000 for answer in answers)
    if not times:
        return {"count": 0}
    return {
        "count": len(times),
        "p50_ms": round(numbers.percentile(times, 0.5)),
        "p99_ms": round(numbers.percentile(times, 0.99)),
        "max_ms": round(times[-1]),
    }


def seconds_to_recover(answers: list[harness.Answer], fault_at: float) -> float:
    """From the fault to the end of the last request started after it that failed or was slow."""
    late = [
        answer.at - fault_at
        for answer in answers
        if started(answer) >= fault_at
        and (answer.status == 0 or answer.status >= 500 or answer.seconds > SLOW_SECONDS)
    ]
    return round(max(late, default=0.0), 2)


def test_the_site_survives_losing_a_web_node_and_the_replica():
    """Under load, a killed web node fails only the requests it was serving, a stopped replica
    fails none, and no accepted write is lost."""
    with Topology(extra_env={"STATS_CACHE_SECONDS": "0"}) as topology:
        world = harness.seed(
            topology.stack, services=1, agents_per_service=AGENTS, requesters=REQUESTERS
        )
        category = world["services"][0]["category"]
        agents = world["agents"][str(world["services"][0]["id"])]
        journal = harness.Journal()
        requesters = [harness.WebClient(topology, email, journal) for email in world["requesters"]]
        readers = [harness.WebClient(topology, email, journal) for email in agents]
        for client in requesters + readers:
            client.login()
        journal.answers.clear()
        reads_before = topology.replica_ticket_reads()

        ledger = Ledger()
        start = time.monotonic()
        stop = start + LOAD_SECONDS
        threads = [
            threading.Thread(target=requester_visits, args=(client, category, ledger, stop))
            for client in requesters
        ] + [threading.Thread(target=agent_visits, args=(client, stop)) for client in readers]
        for thread in threads:
            thread.start()

        time.sleep(LOAD_SECONDS * KILL_AT)
        killed_at = time.time()
        topology.node_b.kill()
        dead_at = time.time()  # its processes gone and its port closed

        time.sleep(LOAD_SECONDS * (REPLICA_STOP_AT - KILL_AT))
        reads_on_replica = topology.replica_ticket_reads() - reads_before
        replica_stopped_at = time.time()
        topology.replica.stop("immediate")

        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 120)
        answers = list(journal.answers)

        failures = journal.failures()
        in_flight = [a for a in answers if started(a) <= dead_at and a.at >= killed_at]
        reads_after = [
            a for a in answers if a.kind in READ_KINDS and started(a) > replica_stopped_at
        ]
        tickets_in_primary = dict(
            harness.query(
                topology.primary.url(),
                "SELECT id, subject FROM tickets_ticket WHERE subject LIKE 'Topologie %%'",
            )
        )
        comments_in_primary = set(
            harness.query(
                topology.primary.url(),
                "SELECT ticket_id, text FROM tickets_ticketevent WHERE action = 'comment'",
            )
        )
        figures = {
            "load_seconds": LOAD_SECONDS,
            "clients": {"requesters": REQUESTERS, "agents": AGENTS},
            "requests": len(answers),
            "failures": len(failures),
            "failed": [
                {
                    "kind": a.kind,
                    "status": a.status,
                    "started_after_kill_s": round(started(a) - killed_at, 3),
                    "ended_after_kill_s": round(a.at - killed_at, 3),
                    "error": a.error[:200],
                }
                for a in failures
            ],
            "in_flight_at_kill": len(in_flight),
            "kill_seconds": round(dead_at - killed_at, 3),
            "latency": percentiles(answers),
            "reads_latency": percentiles([a for a in answers if a.kind in READ_KINDS]),
            "writes_latency": percentiles([a for a in answers if a.kind not in READ_KINDS]),
            "recovery_after_kill_s": seconds_to_recover(answers, killed_at),
            "recovery_after_replica_stop_s": seconds_to_recover(answers, replica_stopped_at),
            "reads_after_replica_stop": len(reads_after),
            "replica_ticket_scans": reads_on_replica,
            "pgbouncer_transactions": topology.pgbouncer.transactions(),
            "tickets_accepted": len(ledger.tickets),
            "comments_accepted": len(ledger.comments),
            "tickets_in_primary": len(tickets_in_primary),
            "per_kind": journal.summary(),
        }
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS_DIR / "topology.json").write_text(json.dumps(figures, indent=2))
        print("\nlosing a node:", json.dumps(figures, indent=2))

        context = logs_tail(topology)
        late = [a for a in failures if a not in in_flight]
        assert not late, f"requests failed beyond those in flight at the kill: {late}\n{context}"
        assert len(failures) <= REQUESTERS + AGENTS
        assert ledger.tickets and ledger.comments, "the load filed no ticket or no comment"
        lost = [t for t in ledger.tickets if tickets_in_primary.get(t[0]) != t[1]]
        assert not lost, f"accepted tickets missing from the primary: {lost}"
        lost_comments = [c for c in ledger.comments if c not in comments_in_primary]
        assert not lost_comments, f"accepted comments missing from the primary: {lost_comments}"
        assert reads_after, "no read-only page was asked for after the replica stopped"
        assert all(a.status == 200 for a in reads_after), {a.status for a in reads_after}
        assert reads_on_replica > 0, "the read-only pages never read from the replica"
        assert figures["pgbouncer_transactions"] > len(answers), "the app bypassed PgBouncer"
