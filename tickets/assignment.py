"""Automatic assignment of new tickets, as each category asks (Category.assignment_mode).

- none: the ticket waits in the service's "To handle" queue;
- fixed: the category's agent receives it, if they are still an available member of the service;
- round-robin: the available member of the service who has waited longest since their last
  automatic assignment receives it (new members first).

The assignment itself is `workflow.auto_assign`, so it is checked, recorded on the timeline (as
made by the helpdesk, actor None) and notified to the chosen agent like any other assignment.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from categories.models import Category, ServiceMembership
from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

logger = logging.getLogger(__name__)


def choose_agent(ticket: Ticket) -> Any | None:
    """The agent the ticket's category designates now, or None.

    Round-robin marks the chosen member at once, under a row lock, so two tickets created at the
    same moment go to two different people.
    """
    category = ticket.category
    mode = category.assignment_mode
    members = ServiceMembership.objects.filter(
        service_id=ticket.service_id, is_available=True, user__is_active=True
    )
    if category.confidential_scope_id is not None:
        # A confidential category's tickets go to the agents named for it only.
        members = members.filter(user__confidential_categories=category.confidential_scope_id)
    if mode == Category.AssignmentMode.FIXED:
        if category.assignment_agent_id is None:
            return None
        membership = members.filter(user_id=category.assignment_agent_id).first()
        return membership.user if membership else None
    if mode == Category.AssignmentMode.ROUND_ROBIN:
        membership = (
            members.select_for_update()
            .select_related("user")
            .order_by(F("last_auto_assigned_at").asc(nulls_first=True), "pk")
            .first()
        )
        if membership is None:
            return None
        membership.last_auto_assigned_at = timezone.now()
        membership.save(update_fields=["last_auto_assigned_at"])
        return membership.user
    return None


@transaction.atomic
def auto_assign(ticket: Ticket) -> Any | None:
    """Assigns a newly created ticket as its category asks; returns the agent, or None.

    A refusal (the agent left the service meanwhile, the ticket was already taken) leaves the
    ticket in the queue: creating a ticket never fails because of automatic assignment.
    """
    agent = choose_agent(ticket)
    if agent is None:
        return None
    try:
        with transaction.atomic():
            workflow.auto_assign(ticket=ticket, agent=agent)
    except TransitionRefused as refusal:
        logger.info("Ticket %s not assigned automatically: %s", ticket.pk, refusal)
        return None
    return agent
