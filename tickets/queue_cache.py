"""The queues' tab counts, kept in the cache until a ticket of the agent's services changes.

Every queue page and its tab bar (refreshed every minute) shows how many tickets each tab
holds: three aggregate queries over the person's services, the same figures for every page of
every tab until something changes. So the counts of a person's unfiltered tabs are kept under a
key made of the services' *generations*: a generation is a token replaced whenever a ticket of
the service is saved, moved or deleted, so the next page computes the counts afresh. A busy
service renews its counts at the pace of its own moves; another service's moves leave them
alone. A change that bypasses the model (a bulk import) is seen within COUNTS_SECONDS at most,
the tab bar's own refresh period. Filtered or searched counts are always computed.

An unreachable cache only costs the queries: every cache call fails open.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from helpdesk import caching

# Longest a count may lag a change the model did not see (the tab bar refreshes every minute).
COUNTS_SECONDS = 60
_GENERATION = "desk-queues:{}"
# Superusers see every service: their counts follow this generation, renewed by every change.
EVERY_SERVICE = "all"


def changed(*service_ids: int | None) -> None:
    """A ticket of these services changed: their counts are computed again.

    Renewed now (this request's next page) and again once the transaction commits, so that a
    page computed from the data before the commit never stays cached. A move saves its ticket
    and writes its event, each reporting the change: a transaction renews its services once at
    commit, however many times they were reported.
    """
    ids = {sid for sid in service_ids if sid is not None}
    _renew(ids)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _pending_renewal(connection).service_ids |= ids


class _PendingRenewal:
    """The services a transaction changed, renewed together when it commits."""

    def __init__(self) -> None:
        self.service_ids: set[int] = set()

    def __call__(self) -> None:
        _renew(self.service_ids)


def _pending_renewal(connection) -> _PendingRenewal:
    """This transaction's pending renewal: one commit callback per transaction, found among the
    connection's callbacks (a rolled-back transaction drops it with the others)."""
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _PendingRenewal):
            return entry[1]
    pending = _PendingRenewal()
    transaction.on_commit(pending)
    return pending


def _renew(service_ids: Iterable[int]) -> None:
    token = uuid.uuid4().hex[:12]
    keys = {_GENERATION.format(sid): token for sid in service_ids}
    keys[_GENERATION.format(EVERY_SERVICE)] = token
    with contextlib.suppress(Exception):  # the cache is an optimisation, never a failure
        cache.set_many(keys, timeout=None)


def cached_counts(
    user_id: int, service_ids: Iterable[int] | None, compute: Callable[[], dict]
) -> dict:
    """`compute()`, or what it returned for this person while their services did not change.

    `service_ids` None means every service (a superuser)."""
    scopes = [EVERY_SERVICE] if service_ids is None else sorted(service_ids)

    def key() -> str:
        generations = cache.get_many([_GENERATION.format(scope) for scope in scopes])
        versions = ",".join(
            f"{scope}={generations.get(_GENERATION.format(scope), '-')}" for scope in scopes
        )
        return f"desk-counts:{user_id}:{versions}"

    return caching.kept(key, compute, COUNTS_SECONDS)


def _ticket_saved(sender, instance, **kwargs) -> None:
    changed(instance.service_id)


def register() -> None:
    """Saving or deleting a ticket renews its service's counts (`TicketsConfig.ready`); the
    timeline's events renew them too (`tickets.events`), for moves written as updates."""
    from tickets.models import Ticket

    post_save.connect(_ticket_saved, sender=Ticket, dispatch_uid="queue-counts-saved")
    post_delete.connect(_ticket_saved, sender=Ticket, dispatch_uid="queue-counts-deleted")
