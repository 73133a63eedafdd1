"""Every read an incident page needs, with a fixed number of queries.

Public reads (the status page, its feed, the banner while filing, an incident's public page)
never return an incident of a confidential category (`permissions.is_public`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from categories.models import Category, Service
from incidents import permissions
from incidents.models import AffectedPerson, Incident, IncidentLink, IncidentUpdate
from tickets import permissions as ticket_permissions
from tickets.models import Ticket
from tickets.selectors import queues
from tickets.selectors.stats.words import words_of

# How long a resolved incident stays on the status page and in its feed.
RECENT_DAYS = 7
# How many tickets the desk page proposes to link.
PROPOSED_LIMIT = 20

Status = Incident.Status


def public_incidents() -> QuerySet[Incident]:
    """Incidents none of whose categories is confidential."""
    incidents = Incident.objects.all()
    if permissions.confidentiality_known():
        secret = Category.objects.filter(permissions.confidential_categories())
        incidents = incidents.exclude(categories__in=secret)
    return incidents


def _lineage(category: Category) -> list[int]:
    ids = [category.pk]
    for segment in (category.tree_path or "").strip("/").split("/"):
        if "." in segment:
            ids.append(int(segment.split(".", 1)[1]))
    return ids


def ongoing_for_category(category: Category) -> list[Incident]:
    """The public ongoing incidents that affect this category or a category above it, the
    latest first (one query)."""
    return list(
        public_incidents()
        .filter(status=Status.ONGOING, categories__in=_lineage(category))
        .select_related("service")
        .distinct()
        .order_by("-started_at", "-pk")
    )


def affected_ids(user: Any, incidents: list[Incident]) -> set[int]:
    """Which of these incidents the person already said affect them (one query)."""
    if not user.is_authenticated or not incidents:
        return set()
    return set(
        AffectedPerson.objects.filter(user=user, incident__in=incidents).values_list(
            "incident_id", flat=True
        )
    )


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    ongoing: list[Incident]
    recent: list[Incident]


def status_page(now: datetime | None = None) -> list[ServiceStatus]:
    """Ongoing incidents and those resolved in the last RECENT_DAYS days, per service (services
    with an ongoing incident first), with their updates: two queries."""
    now = now or timezone.now()
    incidents = list(
        public_incidents()
        .filter(Q(status=Status.ONGOING) | Q(resolved_at__gte=now - timedelta(days=RECENT_DAYS)))
        .select_related("service")
        .prefetch_related(Prefetch("updates", IncidentUpdate.objects.order_by("-created_at")))
        .order_by("service__name", "-started_at", "-pk")
    )
    by_service: dict[int, ServiceStatus] = {}
    for incident in incidents:
        entry = by_service.setdefault(incident.service_id, ServiceStatus(incident.service, [], []))
        (entry.ongoing if incident.is_ongoing else entry.recent).append(incident)
    return sorted(by_service.values(), key=lambda s: (not s.ongoing, s.service.name))


def feed_items(now: datetime | None = None) -> list[Incident]:
    """The feed: the same incidents as the status page, the most recently changed first."""
    items = [i for entry in status_page(now) for i in entry.ongoing + entry.recent]
    return sorted(items, key=lambda i: i.resolved_at or i.declared_at, reverse=True)


def public_incident(pk: int) -> Incident:
    """One public incident with its updates and categories, or 404."""
    incident = (
        public_incidents()
        .select_related("service")
        .prefetch_related(
            Prefetch("updates", IncidentUpdate.objects.order_by("-created_at")), "categories"
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


# --- The desk ----------------------------------------------------------------------------------


def desk_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents of the person's services (every one for a superuser), ongoing first, with
    how many tickets are linked and people affected."""
    incidents = Incident.objects.all()
    if not user.is_superuser:
        incidents = incidents.filter(service_id__in=ticket_permissions.agent_service_ids(user))
    return (
        incidents.select_related("service")
        .annotate(
            linked_count=Count("links", distinct=True),
            affected_count=Count("affected", distinct=True),
        )
        .order_by("status", "-started_at", "-pk")
    )


def linkable_incidents(user: Any) -> list[Incident]:
    """Ongoing incidents of the person's services: what a queue's tickets may be linked to."""
    return list(desk_incidents(user).filter(status=Status.ONGOING))


def desk_incident(pk: int, user: Any) -> Incident:
    """One incident of the person's services, with its categories, updates and linked tickets,
    or 404 (never 403: it would confirm the incident exists)."""
    incident = (
        desk_incidents(user)
        .prefetch_related(
            "categories",
            Prefetch("updates", IncidentUpdate.objects.select_related("author")),
            # Only the linked tickets this person may see: a confidential ticket stays with the
            # agents named for its category (the count still includes it).
            Prefetch(
                "links",
                IncidentLink.objects.filter(
                    ticket__in=queues.desk_tickets(user).values("pk")
                ).select_related("ticket__requester", "ticket__category"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def proposed_tickets(incident: Incident, user: Any, limit: int = PROPOSED_LIMIT) -> list[Ticket]:
    """Active tickets of the affected categories (and below them), filed since shortly before the
    incident started, not yet linked, whose subject shares a word with the incident's title or
    with a linked ticket's subject; the most recent first (one query)."""
    subjects = [incident.title] + [link.ticket.subject for link in incident.links.all()]
    words = list(dict.fromkeys(w for subject in subjects for w in words_of(subject)))[:12]
    if not words:
        return []
    paths = [c.tree_path for c in incident.categories.all()]
    in_categories = Q()
    for path in paths:
        in_categories |= Q(category__tree_path__startswith=path)
    match = Q()
    for word in words:
        match |= Q(subject__icontains=word)
    since = incident.started_at - timedelta(days=1)
    return list(
        queues.desk_tickets(user)
        .filter(in_categories, match, status__in=Ticket.ACTIVE_STATUSES, created_at__gte=since)
        .exclude(incident_links__incident=incident)
        .select_related("requester", "category")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Statistics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFigures:
    """What one incident spared the service: `avoided` people said they were affected instead of
    filing; `to_declaration` is the time from the first linked ticket to the declaration (None
    when it was declared before any ticket came)."""

    incident: Incident
    linked: int
    avoided: int
    first_ticket_at: datetime | None
    to_declaration: timedelta | None


def figures(service: Service | int, start: datetime, end: datetime) -> list[IncidentFigures]:
    """The incidents of a service that started within [start, end), oldest first (three
    queries)."""
    service_id = service if isinstance(service, int) else service.pk
    incidents = list(
        Incident.objects.filter(
            service_id=service_id, started_at__gte=start, started_at__lt=end
        ).order_by("started_at", "pk")
    )
    ids = [incident.pk for incident in incidents]
    linked: dict[int, int] = defaultdict(int)
    first: dict[int, datetime] = {}
    requesters: dict[int, set[int]] = defaultdict(set)
    for incident_id, requester_id, created_at in IncidentLink.objects.filter(
        incident_id__in=ids
    ).values_list("incident_id", "ticket__requester_id", "ticket__created_at"):
        linked[incident_id] += 1
        requesters[incident_id].add(requester_id)
        if incident_id not in first or created_at < first[incident_id]:
            first[incident_id] = created_at
    avoided: dict[int, int] = defaultdict(int)
    for incident_id, user_id in AffectedPerson.objects.filter(incident_id__in=ids).values_list(
        "incident_id", "user_id"
    ):
        if user_id not in requesters[incident_id]:
            avoided[incident_id] += 1
    rows = []
    for incident in incidents:
        first_at = first.get(incident.pk)
        delay = incident.declared_at - first_at if first_at else None
        rows.append(
            IncidentFigures(
                incident=incident,
                linked=linked[incident.pk],
                avoided=avoided[incident.pk],
                first_ticket_at=first_at,
                to_declaration=delay if delay is not None and delay > timedelta(0) else None,
            )
        )
    return rows
