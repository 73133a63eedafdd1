"""The demo university's incidents: one past (the ENT, resolved) and one ongoing (eduroam).

Written as history, like the demo's tickets: rows and timeline events as they would have been,
without sending the emails of the time. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from categories.models import Category, Service
from incidents.models import AffectedPerson, Incident, IncidentLink, IncidentUpdate
from tickets import events
from tickets.models import Ticket
from tickets.moves import Move

DOMAIN = "demo.univ.example"

ONGOING = {
    "title": "eduroam indisponible sur le campus Cité",
    "message": (
        "Le Wi-Fi eduroam ne fonctionne plus dans les bâtiments du campus Cité depuis ce matin. "
        "Le réseau filaire et le Wi-Fi des autres campus fonctionnent. Inutile de déposer un "
        "ticket : cliquez sur « Je suis concerné » pour être prévenu du retour du service."
    ),
    "category": "wifi",
    "hours_ago": 3,
    "update": "Un contrôleur Wi-Fi est en panne ; son remplacement est en cours.",
}
PAST = {
    "title": "ENT inaccessible",
    "message": "La connexion à l'ENT échoue pour tous les usagers. Le service y travaille.",
    "category": "messagerie-ent",
    "hours_ago": 24 * 20,
    "update": "La cause est identifiée : le certificat du serveur d'authentification a expiré.",
    "resolution": "Le certificat est renouvelé : l'ENT est de nouveau accessible.",
}


def load() -> int:
    """Writes the missing demo incidents; returns how many were written."""
    service = Service.objects.filter(slug="numerique").first()
    agent = User.objects.filter(email=f"agent@{DOMAIN}").first()
    if service is None or agent is None:
        return 0
    written = 0
    with transaction.atomic():
        for story, resolved in ((PAST, True), (ONGOING, False)):
            if Incident.objects.filter(title=story["title"]).exists():
                continue
            _write(story, resolved, service, agent)
            written += 1
    return written


def _write(story: dict, resolved: bool, service: Service, agent: User) -> None:
    category = Category.objects.filter(slug=story["category"]).first()
    if category is None:
        return
    now = timezone.now()
    started = now - timedelta(hours=story["hours_ago"])
    declared = started + timedelta(minutes=40)
    incident = Incident.objects.create(
        service=service,
        title=story["title"],
        message=story["message"],
        started_at=started,
        declared_at=declared,
        declared_by=agent,
    )
    incident.categories.set([category])
    # The tickets of the category filed around the start, some before the declaration.
    tickets = list(
        Ticket.objects.filter(category=category, created_at__lte=now)
        .order_by("-created_at")
        .select_related("requester")[:4]
    )
    for ticket in tickets:
        IncidentLink.objects.create(
            incident=incident, ticket=ticket, linked_by=agent, linked_at=declared
        )
        event = events.incident_event(
            ticket=ticket, actor=agent, action=Move.LINK_INCIDENT, incident=incident.label
        )
        type(event).objects.filter(pk=event.pk).update(created_at=max(declared, ticket.created_at))
    IncidentUpdate.objects.create(
        incident=incident, author=agent, text=story["update"], created_at=declared
    )
    for person in (
        User.objects.filter(email__endswith=f"@{DOMAIN}")
        .exclude(pk__in=[t.requester_id for t in tickets])
        .exclude(service_memberships__isnull=False)[:3]
    ):
        AffectedPerson.objects.create(incident=incident, user=person, created_at=declared)
    if resolved:
        end = started + timedelta(hours=3)
        IncidentUpdate.objects.create(
            incident=incident,
            author=agent,
            text=story["resolution"],
            is_resolution=True,
            created_at=end,
        )
        Incident.objects.filter(pk=incident.pk).update(
            status=Incident.Status.RESOLVED, resolved_at=end, resolution=story["resolution"]
        )
