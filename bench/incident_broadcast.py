"""How long one incident update and one resolution with closure requests take, as the number of
linked tickets grows: the agent's request writes the update, then a task takes it to each linked
ticket through that ticket's own workflow move (lock, check, timeline event, outbox rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_bench_incidents \\
        .venv/bin/python bench/incident_broadcast.py [--sizes 50 200]

Creates the database's tables if needed (migrate), writes its own service, people and tickets,
and prints one Markdown row per size: the agent's request for an update, then the task that takes
it to the linked tickets, and the task of a resolution that also requests every closure
(wall-clock seconds, queries). Emails are written to the outbox only (no worker sends them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")


def timed(work: Callable[[], object]) -> tuple[float, int]:
    """Seconds and queries `work` takes."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        work()
        return time.perf_counter() - began, queries


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from incidents import services
    from notifications import services as outbox
    from tests.factories import (
        CategoryFactory,
        ServiceFactory,
        TicketFactory,
        UserFactory,
        agent_of,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    # The outbox rows are measured, not their delivery; the incident's task is run here, timed
    # apart from the agent's request.
    outbox.enqueue = lambda ids: None
    services._reach_after_commit = lambda update: None
    print(
        "| linked tickets | database | update: request (s) | update: task (s) | queries "
        "| resolution + closures: task (s) | queries |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in arguments.sizes:
        tag = uuid.uuid4().hex[:8]
        service = ServiceFactory(name=f"Réseau {tag}", slug=f"reseau-{tag}")
        category = CategoryFactory(name=f"Wi-Fi {tag}", slug=f"wifi-{tag}", service=service)
        agent = agent_of(service, user__email=f"agent-{tag}@univ.example")
        requesters = [UserFactory(email=f"p{n}-{tag}@univ.example") for n in range(size)]
        tickets = [TicketFactory(requester=r, category=category) for r in requesters]
        incident = services.declare(
            actor=agent,
            service=service,
            title="eduroam indisponible",
            message="Coupure.",
            categories=[category],
        )
        for start in range(0, size, 50):
            batch = [t.pk for t in tickets[start : start + 50]]
            services.link_tickets(incident=incident, actor=agent, ticket_ids=batch)
        began = time.perf_counter()
        update = services.post_update(incident=incident, actor=agent, text="Retour à 14 h.")
        request = time.perf_counter() - began
        update_task, update_queries = timed(partial(services.reach_linked_tickets, update.pk))
        resolution = services.resolve(
            incident=incident, actor=agent, text="Réparé.", request_closure=True
        )
        resolve_task, resolve_queries = timed(partial(services.reach_linked_tickets, resolution.pk))
        print(
            f"| {size} | {connection.vendor} | {request:.2f} | {update_task:.2f} "
            f"| {update_queries} | {resolve_task:.2f} | {resolve_queries} |"
        )


if __name__ == "__main__":
    main()
