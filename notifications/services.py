"""The outbox: rows written with the ticket move, delivered after commit by Celery tasks.

* `notify(event)` runs inside the move's transaction: it writes one Notification per recipient and
  queues tasks for them (a batch of rows each) once, and only if, the transaction commits.
* `deliver(id)` is what the task does: it claims the row under a row lock, sends one email and
  marks it sent in the same transaction, so two runs for one row send one email.
* `sweep()` (every few seconds, from beat) re-queues rows still pending some seconds after they
  were due and not claimed (lost broker message, dead worker); `deliver` makes that harmless for
  rows whose first message is merely late.
* `queue_digests()` writes the daily summary of new tickets for agents who chose it.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications import emails, preferences, recipients
from notifications.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from accounts.models import User
    from tickets.models import TicketEvent

logger = logging.getLogger(__name__)

# Errors after which trying again later may work: the mail server or the network is unwell.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPException,
    OSError,
    ConnectionError,
)


def max_attempts() -> int:
    """How many times an email is tried before its row is marked failed."""
    return getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 6)


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: the base delay doubled after each failed attempt."""
    base = getattr(settings, "NOTIFICATION_RETRY_DELAY", 60)
    return base * 2 ** max(attempts - 1, 0)


def stale_after() -> datetime.timedelta:
    """How long past its due time a pending row waits before the sweep queues it again."""
    return datetime.timedelta(seconds=getattr(settings, "NOTIFICATION_STALE_SECONDS", 30))


# --- Writing the outbox ---------------------------------------------------------------------------


def notify(event: TicketEvent) -> list[Notification]:
    """Writes one outbox row per recipient of the event and queues them for after the commit."""
    deliveries = recipients.recipients_for(event)
    if not deliveries:
        return []
    saved = preferences.saved_preferences(d.user.pk for d in deliveries if d.user is not None)
    # Everyone who never saved the form shares the defaults, which `wants` only reads.
    defaults = NotificationPreference()
    wanted = [
        delivery
        for delivery in deliveries
        if preferences.wants(
            saved.get(delivery.user.pk, defaults) if delivery.user is not None else None,
            delivery.kind,
        )
    ]
    if not wanted:
        return []
    now = timezone.now()
    dedup_key = f"event-{event.pk}"
    rows = [
        Notification(
            recipient=delivery.user,
            email=delivery.email,
            event=event,
            kind=delivery.kind,
            language=delivery.language,
            dedup_key=dedup_key,
            created_at=now,
            due_at=now,
        )
        for delivery in wanted
    ]
    if connection.vendor == "postgresql":
        ids = _insert_event_rows(event.pk, dedup_key, now, wanted)
        for row, pk in zip(rows, ids, strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = connection.alias
    else:
        Notification.objects.bulk_create(rows)
    queue_after_commit(rows)
    return rows


def _insert_event_rows(
    event_id: int, dedup_key: str, now: datetime.datetime, deliveries: list[recipients.Delivery]
) -> list[int]:
    """Writes an event's outbox rows in one INSERT and returns their ids in the same order.

    Written out: a new ticket writes a row per agent of its service, and `bulk_create` prepares
    every column of every row (the same event, key, status and dates each time), which cost the
    filing request more than the insert itself. Only what differs from row to row is sent as
    arrays; PostgreSQL returns the ids in the order of `unnest`, as `bulk_create` relies on."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    sql = (
        f"INSERT INTO {table} (recipient_id, email, kind, language, event_id, dedup_key, "  # noqa: S608
        "payload, status, attempts, last_error, created_at, due_at, sent_at, message_id) "
        "SELECT r, e, k, l, %s, %s, '{}'::jsonb, %s, 0, '', %s, %s, NULL, '' "
        "FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::varchar[]) "
        "WITH ORDINALITY AS x(r, e, k, l, n) ORDER BY n RETURNING id"
    )
    params = [
        event_id,
        dedup_key,
        Notification.Status.PENDING.value,
        now,
        now,
        [delivery.user.pk if delivery.user is not None else None for delivery in deliveries],
        [delivery.email for delivery in deliveries],
        [delivery.kind for delivery in deliveries],
        [delivery.language for delivery in deliveries],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def queue_automatic_answer(
    *,
    email: str,
    language: str,
    kind: str,
    context: dict,
    in_reply_to: str = "",
    dedup: str,
) -> Notification | None:
    """Writes the outbox row of an answer to an incoming email (templates `emails/<kind>.*`) and
    queues it for after the commit; returns None when this address already has the row `dedup`
    names, so that one incoming message is answered once however often it is read.

    The row has no recipient and no event: the sender may have no account, and the answer is
    about a message, not a ticket's move. `context` must be JSON (it is stored in the row).
    """
    dedup_key = _dedup_key(dedup)
    row = Notification(
        recipient=None,
        email=email,
        event=None,
        kind=kind,
        language=language,
        dedup_key=dedup_key,
        payload={"context": context, "in_reply_to": in_reply_to},
    )
    try:
        # A savepoint: a duplicate must not break the caller's transaction.
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(email=email, dedup_key=dedup_key).exists():
            return None
        raise
    queue_after_commit([row])
    return row


def queue_announcement(*, user: User, kind: str, context: dict, dedup: str) -> Notification | None:
    """Writes the outbox row of an announcement to a person about no ticket of theirs (a known
    incident's update to someone who said they are affected), in their language, and queues it
    for after the commit; None when they already have the row `dedup` names, or no address.

    `context` must be JSON (it is stored in the row); the templates are `emails/<kind>.*`.
    """
    if not user.is_active or not user.email:
        return None
    dedup_key = _dedup_key(dedup)
    row = Notification(
        recipient=user,
        email=user.email,
        event=None,
        kind=kind,
        language=user.language,
        dedup_key=dedup_key,
        payload={"context": context, "announcement": True},
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(email=user.email, dedup_key=dedup_key).exists():
            return None
        raise
    queue_after_commit([row])
    return row


def _dedup_key(dedup: str) -> str:
    """The key as given when it fits the column, else a digest of it (a Message-ID may be long)."""
    max_length = Notification._meta.get_field("dedup_key").max_length
    if len(dedup) <= max_length:
        return dedup
    return "auto-" + hashlib.sha256(dedup.encode()).hexdigest()[: max_length - len("auto-")]


# Rows per task. A new ticket in a large service notifies every agent: one task (one broker
# message, one SMTP connection) per row cost the request a round trip to the broker per agent
# and the worker a connection per agent; batches keep both to a few while several workers still
# share the load.
BATCH_SIZE = 20


def queue_after_commit(rows: list[Notification]) -> None:
    """Tasks for the rows, queued only if (and once) the surrounding transaction commits."""
    queue_ids_after_commit([row.pk for row in rows])


def queue_ids_after_commit(ids: list[int]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        transaction.on_commit(partial(enqueue, ids[start : start + BATCH_SIZE]))


def enqueue(notification_ids: list[int]) -> None:
    """Hands rows to the workers; if the broker is unreachable the sweep will try again later.

    A move that committed must not fail because mail is slow, so errors are logged, not raised.
    """
    from notifications import tasks

    try:
        tasks.send_notifications.delay(notification_ids)
    except Exception:
        logger.exception(
            "Could not queue notifications %s; the sweep will retry.", notification_ids
        )


# --- Delivering one row ---------------------------------------------------------------------------


class Outcome(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed, being sent by another worker, or gone
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_in: int = 0
    error: str = ""


# What an email about a ticket shows, read with its row: one query instead of one per relation.
EMAIL_RELATIONS = (
    "recipient",
    "event__actor",
    "event__attachment",
    "event__ticket__service",
    "event__ticket__category",
    "event__ticket__requester",
)


def rows_to_send(notification_ids: list[int]) -> dict[int, Notification | None]:
    """The batch's rows still pending, each with what its email shows, read in one query without
    locks; `deliver` then claims each, reading its attempts again under the lock (nothing else in
    a row changes once written).

    A batch of one maps its row to None, for its claim to read: PostgreSQL plans the seven-table
    read in longer than the claim's own small queries take.
    """
    if len(notification_ids) == 1:
        return {notification_ids[0]: None}
    return (
        Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.PENDING)
        .select_related(*EMAIL_RELATIONS)
        .in_bulk()
    )


def deliver(
    notification_id: int,
    connection: BaseEmailBackend | None = None,
    prepared: Notification | None = None,
) -> Result:
    """Sends the row's email once: the row stays locked from claim to 'sent'.

    A second run for the same row finds it locked (and skips) or sent (and skips). If the worker
    dies mid-way, the transaction rolls back and the row is pending again for the sweep.
    `connection` is an open mail connection to reuse (a batch sends through one); `prepared` is
    the row as `rows_to_send` read it, so that the claim reads only what may have changed.
    """
    with transaction.atomic():
        claim = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk=notification_id, status=Notification.Status.PENDING
        )
        if prepared is None:
            row = claim.select_related("recipient", "event__ticket").first()
        elif state := claim.values_list("attempts", "message_id").first():
            row = prepared
            row.attempts, row.message_id = state
        else:
            row = None
        if row is None:
            return Result(Outcome.SKIPPED)
        now = timezone.now()
        row.attempts += 1
        if not row.message_id:
            row.message_id = emails.message_id_for(row)
        try:
            message = emails.build_message(row)
        except Exception as exc:
            # A template or data error will not heal by itself: fail now, visibly, in the admin.
            logger.exception("Could not render notification %s", row.pk)
            return _fail(row, exc)
        if connection is not None:
            message.connection = connection
        try:
            message.send()
        except TRANSIENT_ERRORS as exc:
            if row.attempts >= max_attempts():
                logger.warning("Notification %s failed after %s attempts", row.pk, row.attempts)
                return _fail(row, exc)
            delay = retry_delay(row.attempts)
            row.last_error = _describe(exc)
            row.due_at = now + datetime.timedelta(seconds=delay)
            row.save(update_fields=["attempts", "last_error", "due_at", "message_id"])
            return Result(Outcome.RETRY, retry_in=delay, error=row.last_error)
        except Exception as exc:
            logger.exception("Could not send notification %s", row.pk)
            return _fail(row, exc)
        row.status = Notification.Status.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "attempts", "last_error", "message_id"])
        return Result(Outcome.SENT)


def _fail(row: Notification, exc: BaseException) -> Result:
    row.status = Notification.Status.FAILED
    row.last_error = _describe(exc)
    row.save(update_fields=["status", "attempts", "last_error", "message_id"])
    return Result(Outcome.FAILED, error=row.last_error)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


# --- Recovering --------------------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Re-queues pending rows overdue by more than `stale_after()` and not claimed; returns how
    many were queued.

    A row being sent is locked by `deliver` (its claim) and skipped; the lock ends with the
    sender's transaction or its database connection, so a dead worker's row is picked by the
    first sweep after its connection closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, due_at__lt=now - stale_after())
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        # Not picked again by the next sweep unless this attempt is lost too.
        Notification.objects.filter(pk__in=ids).update(due_at=now)
        queue_ids_after_commit(ids)
    if ids:
        logger.info("Re-queued %s overdue notifications", len(ids))
    return len(ids)


def resend(queryset: QuerySet[Notification]) -> int:
    """Puts failed rows back in the outbox (the admin's "re-send" action)."""
    ids = list(queryset.filter(status=Notification.Status.FAILED).values_list("pk", flat=True))
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids).update(
            status=Notification.Status.PENDING, attempts=0, due_at=timezone.now()
        )
        queue_ids_after_commit(ids)
    return len(ids)


# --- The daily digest of new tickets -----------------------------------------------------------


def queue_digests(now: datetime.datetime | None = None) -> list[Notification]:
    """One email per agent who chose the digest, listing the tickets filed in their services
    during the last 24 hours; returns today's digest rows still to be sent, queued again.

    Running it twice the same day writes no second digest (one row per address and day).
    """
    from tickets import permissions
    from tickets.models import Ticket

    now = now or timezone.now()
    since = now - datetime.timedelta(days=1)
    day = timezone.localdate(now).isoformat()
    agents = (
        NotificationPreference.objects.filter(
            new_ticket_delivery=NotificationPreference.NewTicketDelivery.DIGEST,
            user__is_active=True,
            user__service_memberships__isnull=False,
        )
        .select_related("user")
        .distinct()
    )
    rows: list[Notification] = []
    with transaction.atomic():
        for preference in agents:
            user = preference.user
            new_tickets = [
                ticket
                for ticket in Ticket.objects.filter(
                    Q(service__memberships__user=user),
                    created_at__gte=since,
                    created_at__lt=now,
                )
                .exclude(requester=user)
                .select_related("service", "category")  # can_view reads the category
                .order_by("created_at")
                if permissions.can_view(ticket, user)
            ]
            if not new_tickets:
                continue
            rows.append(
                Notification(
                    recipient=user,
                    email=user.email,
                    kind="new_tickets_digest",
                    language=user.language,
                    dedup_key=f"digest-{day}",
                    payload={"ticket_ids": [t.pk for t in new_tickets], "day": day},
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # With ignore_conflicts the primary keys are not returned: read back today's new rows.
        created = list(
            Notification.objects.filter(
                kind="new_tickets_digest",
                dedup_key=f"digest-{day}",
                status=Notification.Status.PENDING,
                attempts=0,
            )
        )
        queue_after_commit(created)
    return created
