"""How long one incident update and one resolution with closure requests take for the service's
agent, as the number of linked tickets grows: each linked ticket goes through its own workflow
move (lock, check, timeline event, outbox rows), in the request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_bench_incidents \\
        .venv/bin/python bench/incident_broadcast.py [--sizes 50 200]

Creates the database's tables if needed (migrate), writes its own service, people and tickets,
and prints one Markdown row per size: wall-clock seconds for the update and for the resolution,
and the queries each ran. Emails are written to the outbox only (no worker runs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import services
    from notifications import services as outbox
    from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    # The outbox's tasks would need a broker: the rows are what this measures.
    outbox.enqueue = lambda ids: None
    print(
        "| linked tickets | database | update (s) | queries | resolution + closure (s) | queries |"
    )
    print("|---|---|---|---|---|---|")
    for size in arguments.sizes:
        tag = uuid.uuid4().hex[:8]
        category = CategoryFactory(name=f"Wi-Fi {tag}", slug=f"wifi-{tag}")
        agent = agent_of(category.handling_service, user__email=f"agent-{tag}@univ.example")
        requesters = [UserFactory(email=f"p{n}-{tag}@univ.example") for n in range(size)]
        tickets = [TicketFactory(requester=r, category=category) for r in requesters]
        incident = services.declare(
            actor=agent,
            service=category.handling_service,
            title="eduroam indisponible",
            message="Coupure.",
            categories=[category],
        )
        for start in range(0, size, 50):
            batch = [t.pk for t in tickets[start : start + 50]]
            services.link_tickets(incident=incident, actor=agent, ticket_ids=batch)
        with CaptureQueriesContext(connection) as update_queries:
            began = time.perf_counter()
            services.post_update(incident=incident, actor=agent, text="Retour prévu à 14 h.")
            update = time.perf_counter() - began
        with CaptureQueriesContext(connection) as resolve_queries:
            began = time.perf_counter()
            services.resolve(incident=incident, actor=agent, text="Réparé.", request_closure=True)
            resolution = time.perf_counter() - began
        print(
            f"| {size} | {connection.vendor} | {update:.2f} | {len(update_queries)} "
            f"| {resolution:.2f} | {len(resolve_queries)} |"
        )


if __name__ == "__main__":
    main()
