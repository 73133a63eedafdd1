"""The incident's banner on "Déposer un ticket", and the ticket filed from it.

Receivers of `tickets.filing_panels` (connected in `IncidentsConfig.ready`): once a person chose a
category that an ongoing public incident affects (or landed on its deep link), the banner tells
them what the service already knows, offers "Je suis concerné" instead of a ticket, and adds the
incident's id to the ticket form, so a ticket filed anyway is linked to it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from categories.models import Category
from incidents import selectors, services
from incidents.models import Incident
from tickets.models import Ticket

logger = logging.getLogger(__name__)

# The ticket form's field that carries the incidents the banner showed.
FIELD = "incident"


def panel(
    sender: Any, *, request: HttpRequest, category: Category, data: Any, **kwargs: Any
) -> SafeString | None:
    """The banner of the ongoing incidents of this category, or None."""
    incidents = selectors.ongoing_for_category(category)
    if not incidents:
        return None
    affected = selectors.affected_ids(request.user, incidents)
    html = render_to_string(
        "incidents/_filing_panel.html",
        {
            "incidents": incidents,
            "affected": affected,
            "next": request.get_full_path(),
            "field": FIELD,
        },
        request=request,
    )
    return SafeString(html)


def ticket_filed(sender: Any, *, request: HttpRequest, ticket: Ticket, **kwargs: Any) -> None:
    """Links the new ticket to the incidents whose banner the form carried (ignoring any that
    is not ongoing, public, or about this category)."""
    ids = []
    for value in request.POST.getlist(FIELD):
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    for incident in Incident.objects.filter(pk__in=ids[:5]).select_related("service"):
        services.link_filed_ticket(incident=incident, ticket=ticket, actor=request.user)
