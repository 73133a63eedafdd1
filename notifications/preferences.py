"""Which emails a person may switch off, and reading their choices without writing rows.

Every kind of email is listed in KIND_PREFERENCE. Kinds mapped to None are essential: they are
always sent, and the preferences form does not offer them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from notifications.models import NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User

# Email kind (template name) -> the NotificationPreference field that switches it off.
KIND_PREFERENCE: dict[str, str | None] = {
    # To the requester
    "ticket_created": "ticket_acknowledgement",
    "ticket_taken": "ticket_progress",
    "info_requested": None,  # essential: the service cannot go on without an answer
    "agent_reply": "agent_replies",
    "closure_requested": None,  # essential: the requester approves or refuses the closure
    "ticket_closed": "ticket_outcome",
    "ticket_reopened": "ticket_progress",
    "ticket_transferred": "ticket_progress",
    "ticket_rejected": "ticket_outcome",
    "ticket_cancelled": "ticket_outcome",
    # Postponed until a date, merged into another ticket (whose news they then follow).
    "ticket_postponed": "ticket_progress",
    "ticket_merged": "ticket_progress",
    # A known incident's news on a linked ticket. Announcements to people who said they are
    # affected (no ticket) are sent whatever these say: "I am no longer affected" stops them.
    "incident_linked": "ticket_progress",
    "incident_update": "agent_replies",
    "incident_resolved": "ticket_outcome",
    # To agents
    "new_ticket": "new_ticket_delivery",
    "new_tickets_digest": "new_ticket_delivery",
    "ticket_transferred_in": "transferred_in",
    "agent_ticket_reopened": "reopened",
    "ticket_assigned": "assigned_to_me",
    "requester_comment": "requester_activity",
    "requester_answer": "requester_activity",
    "attachment_added": "requester_activity",
    "closure_refused": "closure_decisions",
    "closure_approved": "closure_decisions",
    # A postponed ticket is back on its date: the agent who set it aside needs to know.
    "ticket_resumed": None,
    # People around a ticket: an invitation is essential (it is how the person learns they may
    # read the ticket); a followed ticket's news go with the requester's or the agents' choices.
    "ticket_invitation": None,
    "invitee_comment": "agent_replies",
    "followed_ticket_message": "agent_replies",
    "followed_ticket_update": "ticket_progress",
}

ESSENTIAL_KINDS = frozenset(kind for kind, field in KIND_PREFERENCE.items() if field is None)

REQUESTER_FIELDS = ("ticket_acknowledgement", "ticket_progress", "agent_replies", "ticket_outcome")
AGENT_FIELDS = (
    "new_ticket_delivery",
    "transferred_in",
    "reopened",
    "assigned_to_me",
    "requester_activity",
    "closure_decisions",
)


def get_preference(user: User) -> NotificationPreference:
    """The person's saved choices, or the defaults (not saved: the row is written the first time
    the person saves the form)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def preferences_for(users: Iterable[User]) -> dict[int, NotificationPreference]:
    """Choices of several people in one query; people who never saved any get the defaults.

    Nothing is written: a row exists only for people who saved the form.
    """
    ids = {user.pk for user in users}
    saved = saved_preferences(ids)
    return {pk: saved.get(pk) or NotificationPreference(user_id=pk) for pk in ids}


def saved_preferences(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """The saved choices of several people, by person, in one query; people who never saved the
    form are absent (the defaults, `NotificationPreference()`, apply to them)."""
    return {
        preference.user_id: preference
        for preference in NotificationPreference.objects.filter(user_id__in=set(user_ids))
    }


def wants(preference: NotificationPreference | None, kind: str) -> bool:
    """Whether an email of this kind goes out now to someone with these choices.

    `None` stands for an address that is not a person (a service's alert address): it hears all.
    New tickets are sent one by one only to agents who chose immediate emails; the others get the
    daily digest or nothing.
    """
    field = KIND_PREFERENCE[kind]
    if field is None or preference is None:
        return True
    if kind == "new_ticket":
        return preference.new_ticket_delivery == NotificationPreference.NewTicketDelivery.IMMEDIATE
    if kind == "new_tickets_digest":
        return preference.new_ticket_delivery == NotificationPreference.NewTicketDelivery.DIGEST
    return bool(getattr(preference, field))
