"""`manage.py generate_data --tickets N --seed S`: a university's helpdesk history, for benchmarks.

Fills an empty database with 60,000 requesters, 200 agents in 15 services, a tree of about 150
categories and N tickets with 3 to 10 timeline events each (comments, moves, internal notes, a few
files), in French and English (`tickets.generation`). The same seed gives the same data (relative
to the moment of generation).

On PostgreSQL rows are written with COPY, in chunks made by `--jobs` processes, then the tables
are vacuumed and analysed, and a row in `bench_dataset` records what was generated and the
reference accounts (`tickets.generation.pgcopy`). Other databases get the same rows through
Django's bulk_create (`tickets.generation.portable`), in this process.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

# bench/run.py reads GENERATOR_VERSION from here before Django is set up: no model at import time.
from tickets.generation import pgcopy
from tickets.generation.world import (  # noqa: F401 - read from here by bench/run.py and tests
    GENERATOR_VERSION,
    PASSWORD,
    REFERENCE_SERVICE,
    World,
    build_world,
)


class Command(BaseCommand):
    help = "Fills an empty database with a realistic helpdesk history (benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, required=True, help="number of tickets")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument("--requesters", type=int, default=60_000)
        parser.add_argument("--agents", type=int, default=200)
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="PostgreSQL: processes generating and copying tickets (1: in this process and "
            "transaction)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from categories.models import Service
        from tickets.generation import portable
        from tickets.models import Ticket

        started = time.monotonic()
        if Ticket.objects.exists() or Service.objects.exists():
            raise CommandError(
                "The database already holds tickets or services: generate_data fills an empty one."
            )
        world = build_world(
            seed=options["seed"],
            tickets=options["tickets"],
            requesters=options["requesters"],
            agents=options["agents"],
            offsets=portable.offsets(),
            now=float(int(time.time()) // 60 * 60),
        )
        if connection.vendor != "postgresql":
            tickets, events = portable.write(world, progress=self.stdout.write)
            seconds = time.monotonic() - started
            self._report(world, tickets, events, f"{seconds:.0f} s")
            return
        tickets, events = pgcopy.write(world, jobs=options["jobs"], progress=self.stdout.write)
        seconds = time.monotonic() - started
        marker = {key: options[key] for key in ("seed", "requesters", "agents")}
        vacuum_seconds = pgcopy.finish(
            world, marker={**marker, "tickets": tickets}, events=events, seconds=seconds
        )
        self._report(
            world,
            tickets,
            events,
            f"{seconds:.0f} s (+ {vacuum_seconds:.0f} s vacuum and analyse)",
        )

    def _report(self, world: World, tickets: int, events: int, duration: str) -> None:
        self.stdout.write(
            f"{tickets} tickets, {events} events in {duration}. Accounts (password {PASSWORD}): "
            f"agent {world.accounts['agent']}, head {world.accounts['head']}, "
            f"requester {world.accounts['requester']}"
        )
