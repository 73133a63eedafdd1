"""Webhook deliveries: written with the event (same transaction), sent after commit, signed.

A delivery is an HTTP POST of a small JSON document: the event's move, the ticket's id, status,
service and addresses. It never carries a text or an internal event: a receiver that needs more
reads the ticket through the API with a service token, under that token's permissions.

Signature: `X-Helpdesk-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` with the
webhook's secret, `<timestamp>` being `X-Helpdesk-Timestamp` (Unix seconds): a receiver checks the
HMAC and refuses an old timestamp. `X-Helpdesk-Delivery` is the row's id, the same on each retry,
for a receiver to ignore a repeat. A 2xx answer is sent; a network error, a timeout, 408, 429
or 5xx is tried again later (the delay doubles); any other answer, or the last attempt, fails
the row, visibly in the admin.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tickets.models import TicketEvent
from webhooks.models import Delivery, Webhook

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8))


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: the base delay doubled after each failed attempt."""
    return int(getattr(settings, "WEBHOOK_RETRY_DELAY", 30)) * 2 ** max(attempts - 1, 0)


def timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", 10))


# --- Writing the outbox -----------------------------------------------------------------------


def payload_for(event: TicketEvent) -> dict:
    """What a receiver is told of the event."""
    ticket = event.ticket
    return {
        "event": event.action or event.kind,
        "event_id": event.pk,
        "occurred_at": event.created_at.isoformat(),
        "ticket": {
            "id": ticket.pk,
            "reference": ticket.reference,
            "status": ticket.status,
            "service": ticket.service.slug,
            "url": settings.SITE_URL + ticket.get_absolute_url(),
            "api_url": settings.SITE_URL + reverse("api:desk_ticket", kwargs={"pk": ticket.pk}),
        },
    }


SERVICES_KEY = "webhooks:service-ids:v1"


def services_with_webhooks() -> frozenset[int]:
    """Ids of the services with an active webhook, from the cache: a move on a ticket of a
    service without webhooks costs no query (the set is dropped whenever a webhook changes)."""
    try:
        ids = cache.get(SERVICES_KEY)
    except Exception:  # noqa: BLE001 - the cache (Redis) is down: read the database instead
        ids, cache_up = None, False
    else:
        cache_up = True
    if ids is None:
        active = Webhook.objects.filter(is_active=True).order_by()
        ids = frozenset(active.values_list("service_id", flat=True))
        if cache_up:
            # A move never fails for want of a cache.
            with contextlib.suppress(Exception):
                cache.set(SERVICES_KEY, ids, timeout=300)
    return ids


def forget_services() -> None:
    try:
        cache.delete(SERVICES_KEY)
    except Exception:  # noqa: BLE001 - down: its entry expires with it
        logger.warning("webhooks: the cache could not forget the services with webhooks")


def record(event: TicketEvent) -> list[Delivery]:
    """One pending row per active webhook of the ticket's service that hears this event, in the
    event's transaction; the rows are queued once it commits. Internal events are not sent."""
    if event.visibility != TicketEvent.Visibility.PUBLIC:
        return []
    if event.ticket.service_id not in services_with_webhooks():
        return []
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(service_id=event.ticket.service_id, is_active=True)
        if webhook.hears(event.action or event.kind)
    ]
    if not webhooks:
        return []
    payload = payload_for(event)
    rows = Delivery.objects.bulk_create(
        [Delivery(webhook=webhook, event=event, payload=payload) for webhook in webhooks],
        ignore_conflicts=True,
    )
    ids = list(
        Delivery.objects.filter(
            event=event, webhook__in=webhooks, status=Delivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(partial(enqueue, ids))
    return rows


def enqueue(ids: list[int]) -> None:
    """Hands rows to the workers; an unreachable broker leaves them to the sweep."""
    from webhooks import tasks

    for delivery_id in ids:
        try:
            tasks.deliver_webhook.delay(delivery_id)
        except Exception:
            logger.exception("Could not queue webhook delivery %s; the sweep will", delivery_id)


# --- Sending ------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this body."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@dataclass(frozen=True)
class Result:
    outcome: str  # "sent", "retry", "failed", "skipped"
    retry_in: int = 0
    error: str = ""


def deliver(delivery_id: int) -> Result:
    """Posts the row once: it stays locked from claim to its new state, so two workers never
    send it together and a sent row is never sent again."""
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if row is None:
            return Result("skipped")
        row.attempts += 1
        body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = int(time.time())
        request = urllib.request.Request(  # noqa: S310 (an administrator's http(s) URL)
            row.webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Helpdesk-Webhooks/1",
                "X-Helpdesk-Event": row.payload.get("event", ""),
                "X-Helpdesk-Delivery": str(row.pk),
                "X-Helpdesk-Timestamp": str(timestamp),
                "X-Helpdesk-Signature": sign(row.webhook.secret, timestamp, body),
            },
        )
        retryable = True
        try:
            with urllib.request.urlopen(request, timeout=timeout()) as response:  # noqa: S310
                row.response_status = response.status
        except urllib.error.HTTPError as error:
            row.response_status = error.code
            retryable = error.code in RETRYABLE_STATUSES
            return _failed(row, f"HTTP {error.code}", retryable)
        except (OSError, ValueError) as error:
            row.response_status = None
            retryable = not isinstance(error, ValueError)
            return _failed(row, f"{type(error).__name__}: {error}"[:2000], retryable)
        row.status = Delivery.Status.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "attempts", "last_error", "response_status"])
        return Result("sent")


def _failed(row: Delivery, error: str, retryable: bool) -> Result:
    row.last_error = error
    if retryable and row.attempts < max_attempts():
        delay = retry_delay(row.attempts)
        row.due_at = timezone.now() + datetime.timedelta(seconds=delay)
        row.save(update_fields=["attempts", "last_error", "response_status", "due_at"])
        return Result("retry", retry_in=delay, error=error)
    row.status = Delivery.Status.FAILED
    row.save(update_fields=["status", "attempts", "last_error", "response_status"])
    logger.warning("Webhook delivery %s failed: %s", row.pk, error)
    return Result("failed", error=error)


# --- Recovering -----------------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Queues again the pending rows well past their due time (a lost message, a dead worker)."""
    now = now or timezone.now()
    stale = datetime.timedelta(seconds=int(getattr(settings, "WEBHOOK_STALE_SECONDS", 120)))
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, due_at__lt=now - stale)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(due_at=now)
        transaction.on_commit(partial(enqueue, ids))
    return len(ids)


def resend(ids: list[int]) -> int:
    """Puts failed rows back in the outbox (the admin's action)."""
    with transaction.atomic():
        count = Delivery.objects.filter(pk__in=ids, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, attempts=0, due_at=timezone.now()
        )
        transaction.on_commit(partial(enqueue, list(ids)))
    return count
