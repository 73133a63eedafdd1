"""Tickets imported by several processes at once, each its own range of esup-helpdesk ticket ids.

Python builds the rows while PostgreSQL writes them: one process keeps about one core busy, so
on a machine with two cores or more, two processes each reading, mapping and copying their own
range of tickets (with their actions and files) bring the import closer to what the machine can
do. What they share (people, services, categories) is imported first, once, by the main process,
and the rows two workers could both make (the account of someone a ticket names but `h_user`
lacks, a service's hidden category for deleted categories) are made before they start. Each
worker commits a batch at a time, so an interrupted run resumes as the serial import does.

PostgreSQL helpdesks only: the workers are forked, each opens its own connections.
"""

from __future__ import annotations

import multiprocessing
import traceback
from queue import Empty
from typing import TYPE_CHECKING, Any

from django.db import connections

from esupimport.source import SourceError

if TYPE_CHECKING:
    from esupimport.importer import Importer


# What a worker inherited from its parent and must never close (`_work`).
_INHERITED: list[Any] = []


class WorkerFailed(Exception):
    """A worker stopped on an error other than the source's; its message says which."""


def import_tickets(importer: Importer, total: int) -> None:
    """The tickets of `importer.source`, split by id between `importer.workers` processes."""
    ranges = importer.source.split("h_tick", importer.workers)
    importer.prepare_shared_rows()
    # A forked process must not use its parent's connections: each worker opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    workers = [
        context.Process(
            target=_work,
            args=(importer, index, after, upto, len(ranges), messages),
            daemon=True,
        )
        for index, (after, upto) in enumerate(ranges)
    ]
    for worker in workers:
        worker.start()
    done = 0
    finished = 0
    failure: tuple[str, str] | None = None
    try:
        while finished < len(workers):
            try:
                what, value = messages.get(timeout=1)
            except Empty:
                if any(w.exitcode not in (None, 0) for w in workers) and failure is None:
                    failure = ("crash", "a worker process stopped without a report")
                    break
                continue
            if what == "batch":
                done += value
                importer.progress("tickets", done, total)
            elif what == "report":
                importer.report.add(value)
                finished += 1
            else:
                failure = failure or (what, value)
                finished += 1
    finally:
        for worker in workers:
            worker.join(timeout=None if failure is None else 60)
            if worker.is_alive():
                worker.terminate()
    if failure is not None:
        kind, message = failure
        if kind == "source":
            raise SourceError(message)
        raise WorkerFailed(message)


def _work(
    importer: Importer,
    index: int,
    after: Any,
    upto: Any,
    share: int,
    messages: multiprocessing.Queue,
) -> None:
    """One worker: its range of tickets, then its report (or its error) to the main process."""
    from esupimport.importer import Report

    # What the parent held when it forked (its source connection, its database wrappers and
    # whatever state they keep) is the parent's: never closed here (closing a connection ends
    # its session on the server, the parent's session) and kept referenced until the process
    # ends. The worker reads and writes through wrappers and connections of its own.
    _INHERITED.append(importer.source)
    for alias in connections:
        _INHERITED.append(connections[alias])
        connections[alias] = connections.create_connection(alias)
    importer.report = Report()
    try:
        importer.source = importer.source.reopen()
        importer.import_ticket_range(
            after,
            upto,
            lambda rows: messages.put(("batch", rows)),
            share=share,
            analyze=index == 0,
        )
        importer.source.close()
        messages.put(("report", importer.report))
    except SourceError as error:
        messages.put(("source", str(error)))
    except BaseException:  # noqa: BLE001 - told to the main process, which raises it
        messages.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()
        messages.close()
        messages.join_thread()
