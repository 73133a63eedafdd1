"""The incident's own writes: declare, link tickets, say one is affected, post updates, resolve.

Each checks `incidents.permissions` first. What a linked ticket sees of the incident goes through
that ticket's own moves in `tickets.workflow` (link_incident, post_incident_update,
announce_incident_resolved, and request_closure when resolving closes them), one ticket at a
time in its own transaction: a ticket the agent may not touch, or whose status refuses the move,
is refused alone and named in the results, and the others go on.

People who said they are affected without filing a ticket hear the updates through the outbox
(`notifications.services.queue_announcement`), in their own language, after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from categories.models import Category, Service
from incidents import permissions, urls_absolute
from incidents.models import AffectedPerson, Incident, IncidentLink, IncidentUpdate
from incidents.permissions import Action
from notifications import services as outbox
from tickets import bulk, workflow
from tickets.bulk import BulkResult
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

logger = logging.getLogger(__name__)

Via = IncidentLink.Via


class IncidentRefused(TransitionRefused):
    """The person may not do this with this incident (403), or not now (409): the pages answer
    it like a refused move on a ticket."""

    def __init__(self, message: str, status_code: int = TransitionRefused.FORBIDDEN) -> None:
        super().__init__(message, status_code)


def _require(action: Action, actor: Any, incident: Incident | None = None, **kwargs: Any) -> None:
    if permissions.may(action, actor, incident, **kwargs):
        return
    if incident is not None and not incident.is_ongoing and permissions.TABLE[action][1]:
        raise IncidentRefused(_("This incident is already resolved."), 409)
    raise IncidentRefused(_("You are not allowed to do this with this incident."))


# --- Declaring ---------------------------------------------------------------------------------


@transaction.atomic
def declare(
    *,
    actor: Any,
    service: Service,
    title: str,
    message: str,
    categories: Iterable[Category],
    started_at: datetime | None = None,
    from_ticket: Ticket | None = None,
) -> Incident:
    """An agent of the service declares a known incident on some of the service's categories;
    declared from a ticket ("Tickets similaires"), that ticket is its first link."""
    _require(Action.DECLARE, actor, service=service.pk)
    categories = list(categories)
    title, message = (title or "").strip(), (message or "").strip()
    if not title or not message:
        raise ValidationError(_("Give the incident a public title and message."))
    if not categories:
        raise ValidationError(_("Choose the categories the incident affects."))
    if any(category.handling_service_id != service.pk for category in categories):
        raise ValidationError(_("Choose categories handled by the service."))
    now = timezone.now()
    incident = Incident.objects.create(
        service=service,
        title=title,
        message=message,
        started_at=min(started_at or now, now),
        declared_at=now,
        declared_by=actor,
    )
    incident.categories.set(categories)
    if from_ticket is not None:
        link_one(incident=incident, ticket=from_ticket, actor=actor, via=Via.DECLARATION)
    return incident


# --- Links -------------------------------------------------------------------------------------


@transaction.atomic
def link_one(*, incident: Incident, ticket: Ticket, actor: Any, via: str = Via.DESK) -> Ticket:
    """Links one ticket: the link row and the ticket's own move, together or not at all."""
    if IncidentLink.objects.filter(incident=incident, ticket_id=ticket.pk).exists():
        raise TransitionRefused(
            _("This ticket is already linked to the incident."), TransitionRefused.CONFLICT
        )
    ticket = workflow.link_incident(ticket=ticket, actor=actor, incident=incident.label)
    IncidentLink.objects.create(incident=incident, ticket=ticket, linked_by=actor, via=via)
    return ticket


def link_tickets(
    *, incident: Incident, actor: Any, ticket_ids: list[int], via: str = Via.DESK
) -> list[BulkResult]:
    """Links tickets of the agent's services (by hand, from a queue, or among the proposed
    ones), each in its own transaction; one result per ticket (`tickets.bulk.apply_each`)."""
    _require(Action.LINK, actor, incident)

    def perform(ticket: Ticket) -> str:
        link_one(incident=incident, ticket=ticket, actor=actor, via=via)
        return _("Linked to %(incident)s.") % {"incident": incident.reference}

    return bulk.apply_each(actor, ticket_ids, perform)


def link_filed_ticket(*, incident: Incident, ticket: Ticket, actor: Any) -> bool:
    """The person filed a ticket anyway from the incident's banner: it is linked (their own
    move); a resolved or non-public incident, or one of another category, is ignored."""
    if not permissions.may(Action.SUBSCRIBE, actor, incident):
        return False
    affected = incident.categories.filter(pk__in=_lineage(ticket.category)).exists()
    if not affected:
        return False
    try:
        link_one(incident=incident, ticket=ticket, actor=actor, via=Via.FILING)
    except TransitionRefused:
        return False
    return True


def _lineage(category: Category) -> list[int]:
    """The category's id and its ancestors' (an incident on "Réseau" affects "Réseau › Wi-Fi")."""
    ids = [category.pk]
    for segment in (category.tree_path or "").strip("/").split("/"):
        if "." in segment:
            ids.append(int(segment.split(".", 1)[1]))
    return ids


# --- People affected without a ticket ----------------------------------------------------------


def subscribe(*, incident: Incident, user: Any) -> bool:
    """ "Je suis concerné": the person hears the incident's updates and resolution without
    filing a ticket; True when they were not yet recorded."""
    _require(Action.SUBSCRIBE, user, incident)
    _row, created = AffectedPerson.objects.get_or_create(incident=incident, user=user)
    return created


def unsubscribe(*, incident: Incident, user: Any) -> bool:
    """The person is no longer affected (or no longer wants the emails)."""
    deleted, _rows = AffectedPerson.objects.filter(incident=incident, user=user).delete()
    return bool(deleted)


# --- Updates and resolution --------------------------------------------------------------------


def _linked_ids(incident: Incident) -> list[int]:
    return list(incident.links.order_by("linked_at", "pk").values_list("ticket_id", flat=True))


def _announce(incident: Incident, update: IncidentUpdate, kind: str) -> int:
    """Emails the people affected without a linked ticket of theirs (those with one hear it on
    their ticket); returns how many rows were written."""
    requesters = set(incident.links.values_list("ticket__requester_id", flat=True))
    people = (
        AffectedPerson.objects.filter(incident=incident)
        .exclude(user_id__in=requesters)
        .select_related("user", "incident__service")
    )
    written = 0
    context = {
        "subject": incident.title,
        "incident_label": incident.label,
        "service": incident.service.name,
        "text": update.text,
        "incident_url": urls_absolute.public_url(incident),
    }
    for person in people:
        row = outbox.queue_announcement(
            user=person.user, kind=kind, context=context, dedup=f"incident-update-{update.pk}"
        )
        written += row is not None
    return written


def post_update(*, incident: Incident, actor: Any, text: str) -> IncidentUpdate:
    """A public update: on the incident's page and feed at once, by email to everyone affected
    without a ticket, and, after the commit, on every linked ticket's timeline (and so to its
    requester: `reach_linked_tickets`, run by a task)."""
    _require(Action.POST_UPDATE, actor, incident)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Please write the update."))
    with transaction.atomic():
        update = IncidentUpdate.objects.create(incident=incident, author=actor, text=text)
        _announce(incident, update, "incident_update")
        _reach_after_commit(update)
    return update


def resolve(
    *, incident: Incident, actor: Any, text: str, request_closure: bool = False
) -> IncidentUpdate:
    """The incident is resolved: its resolution reaches every affected person and, after the
    commit, every linked ticket; with `request_closure`, each linked ticket is also proposed for
    closure with that resolution, through the workflow (an untaken ticket is taken first): a
    ticket whose status or handler does not allow it keeps its status and says why."""
    _require(Action.RESOLVE, actor, incident)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Please describe the resolution."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_ongoing:
            raise IncidentRefused(_("This incident is already resolved."), 409)
        incident.status = Incident.Status.RESOLVED
        incident.resolved_at = timezone.now()
        incident.resolution = text
        incident.save(update_fields=["status", "resolved_at", "resolution"])
        update = IncidentUpdate.objects.create(
            incident=incident,
            author=actor,
            text=text,
            is_resolution=True,
            request_closure=request_closure,
        )
        _announce(incident, update, "incident_resolved")
        _reach_after_commit(update)
    return update


def _reach_after_commit(update: IncidentUpdate) -> None:
    """Queues the task that takes the update to the linked tickets, once the update is saved:
    hundreds of tickets, each its own move, take longer than a page should."""
    from incidents import tasks

    def queue() -> None:
        try:
            tasks.reach_linked_tickets.delay(update.pk)
        except Exception:
            logger.exception("Could not queue incident update %s; run it again later.", update.pk)

    transaction.on_commit(queue)


def reach_linked_tickets(update_id: int) -> list[BulkResult]:
    """Takes an update (or the resolution, with its closure requests) to every ticket linked to
    its incident, each in its own transaction through its own move, and stores what became of
    each. Safe to run twice: an update that reached its tickets is not sent again."""
    with transaction.atomic():
        update = (
            IncidentUpdate.objects.select_for_update(of=("self",))
            .select_related("incident", "author")
            .filter(pk=update_id, reached_at__isnull=True)
            .first()
        )
        if update is None:
            return []
        IncidentUpdate.objects.filter(pk=update.pk).update(reached_at=timezone.now())
    incident, actor, text = update.incident, update.author, update.text

    def perform(pk: int) -> str:
        if not update.is_resolution:
            workflow.post_incident_update(
                ticket=pk, actor=actor, incident=incident.label, text=text
            )
            return _("Update posted.")
        workflow.announce_incident_resolved(
            ticket=pk, actor=actor, incident=incident.label, text=text
        )
        if not update.request_closure:
            return _("Resolution posted.")
        try:
            _close(pk, actor, text)
        except TransitionRefused as refusal:
            message = _("Resolution posted; closure not requested: %(reason)s") % {
                "reason": refusal.message
            }
            raise TransitionRefused(message, refusal.status_code) from refusal
        return _("Resolution posted; closure requested.")

    results = []
    for pk in _linked_ids(incident):
        reference = Ticket(pk=pk).reference
        try:
            message = perform(pk)
        except TransitionRefused as refusal:
            results.append(BulkResult(pk, reference, False, str(refusal.message)))
        except Exception:
            logger.exception("Incident update %s could not reach ticket %s", update.pk, pk)
            results.append(BulkResult(pk, reference, False, _("Not reached: an error occurred.")))
        else:
            results.append(BulkResult(pk, reference, True, message))
    IncidentUpdate.objects.filter(pk=update.pk).update(
        results=[result.as_dict() for result in results]
    )
    return results


def requeue_stranded_updates(now: datetime | None = None, after_seconds: int = 60) -> int:
    """Queues again the updates that never started reaching their tickets a while after they
    were written (a broker that was down when the agent posted); returns how many."""
    now = now or timezone.now()
    ids = list(
        IncidentUpdate.objects.filter(
            reached_at__isnull=True, created_at__lt=now - timedelta(seconds=after_seconds)
        ).values_list("pk", flat=True)[:100]
    )
    from incidents import tasks

    for pk in ids:
        try:
            tasks.reach_linked_tickets.delay(pk)
        except Exception:
            logger.exception("Could not queue incident update %s again.", pk)
    return len(ids)


@transaction.atomic
def _close(pk: int, actor: Any, resolution: str) -> None:
    """Takes the ticket if nobody has, then requests its closure: both or neither."""
    ticket = Ticket.objects.get(pk=pk)
    if ticket.status in Ticket.UNTAKEN_STATUSES and ticket.assignee_id is None:
        ticket = workflow.take(ticket=ticket, actor=actor)
    workflow.request_closure(ticket=ticket, actor=actor, resolution=resolution)
