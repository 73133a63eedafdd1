"""Personal data (RGPD): what the helpdesk holds about one person, and forgetting a person who left.

* `export(user)` gathers, in one JSON-ready dictionary, everything stored about the person: the
  profile, the tickets they filed (with their timeline and the files' metadata), what they wrote or
  did on other people's tickets, their service memberships, email preferences and the emails sent to
  them, their sign-in identities (provider and identifier, never tokens) and email addresses.
* `anonymize(user)` replaces who they were by a pseudonym and removes what only served to reach
  them or sign them in, while keeping every ticket, every timeline event and so every statistic.

What anonymization keeps, and why: a ticket is the service's record of a request and its handling.
Its subject, description, comments and files were written *for the ticket* and other people rely on
them (the agents who answered, the statistics, the history of a recurring problem); they stay,
attributed to the pseudonym. Names recorded as labels of an event (the agent an assignment went to)
are the person's identity rather than their words: they are replaced by the pseudonym. Personal
details the person typed inside a text (a phone number in a description) are not searched for; an
administrator edits such a text by hand if the person asks.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import User
from categories.models import ServiceMembership
from notifications.models import Notification, NotificationPreference
from tickets.models import Attachment, Ticket, TicketEvent

# The version of the export's layout, for whoever reads the file later.
EXPORT_FORMAT = "helpdesk-personal-data"
EXPORT_VERSION = 1
# Anonymized addresses end in a reserved top-level domain (RFC 2606): no mail can ever reach them.
ANONYMIZED_DOMAIN = "anonymized.invalid"


# --- Export ----------------------------------------------------------------------------------


def export(user: User) -> dict[str, Any]:
    """Everything the helpdesk holds about the person, as a dictionary of JSON-ready values
    (dates as ISO 8601 strings once encoded with DjangoJSONEncoder); a fixed number of queries."""
    events = Prefetch(
        "events", queryset=TicketEvent.objects.select_related("actor", "attachment").order_by()
    )
    attachments = Prefetch(
        "attachments", queryset=Attachment.objects.select_related("uploaded_by").order_by()
    )
    filed = (
        Ticket.objects.filter(requester=user)
        .select_related("category", "service", "assignee")
        .prefetch_related(events, attachments)
        .order_by("created_at", "pk")
    )
    elsewhere = (
        TicketEvent.objects.filter(actor=user)
        .exclude(ticket__requester=user)
        .select_related("ticket", "attachment")
        .order_by("created_at", "pk")
    )
    uploads_elsewhere = (
        Attachment.objects.filter(uploaded_by=user)
        .exclude(ticket__requester=user)
        .order_by("created_at", "pk")
    )
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
        "profile": _profile(user),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "social_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": account.date_joined,
                "last_login": account.last_login,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "service_memberships": [
            {
                "service": membership.service.name,
                "role": membership.role,
                "is_available": membership.is_available,
                "last_auto_assigned_at": membership.last_auto_assigned_at,
            }
            for membership in ServiceMembership.objects.filter(user=user)
            .select_related("service")
            .order_by("service__name")
        ],
        "notification_preferences": _preference(preference),
        "tickets_filed": [_ticket(ticket) for ticket in filed],
        "events_on_other_tickets": [
            {"ticket": _ticket_reference(event.ticket), **_event(event)} for event in elsewhere
        ],
        "attachments_on_other_tickets": [
            {"ticket_id": attachment.ticket_id, **_attachment(attachment)}
            for attachment in uploads_elsewhere
        ],
        "tickets_assigned": list(
            Ticket.objects.filter(assignee=user).order_by("pk").values_list("pk", flat=True)
        ),
        "notifications": [
            {
                "id": row.pk,
                "kind": row.kind,
                "email": row.email,
                "language": row.language,
                "status": row.status,
                "attempts": row.attempts,
                "created_at": row.created_at,
                "sent_at": row.sent_at,
                "message_id": row.message_id,
                "ticket_id": row.event.ticket_id if row.event_id else None,
            }
            for row in Notification.objects.filter(recipient=user)
            .select_related("event")
            .order_by("created_at", "pk")
        ],
    }


def export_filename(user: User) -> str:
    """The name of the downloaded file: the person's number, never their name."""
    return f"personal-data-{user.pk}-{timezone.localdate():%Y%m%d}.json"


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _preference(preference: NotificationPreference | None) -> dict[str, Any] | None:
    """The saved choices, or None while the person has never saved any (defaults apply)."""
    if preference is None:
        return None
    return {
        field.name: getattr(preference, field.name)
        for field in NotificationPreference._meta.concrete_fields
        if field.name not in {"id", "user"}
    }


def _ticket_reference(ticket: Ticket) -> dict[str, Any]:
    return {"id": ticket.pk, "subject": ticket.subject}


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "description": ticket.description,
        "category": ticket.category.name,
        "service": ticket.service.name,
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee.display_name if ticket.assignee else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "closure_requested_at": ticket.closure_requested_at,
        "closed_at": ticket.closed_at,
        "resolution": ticket.resolution,
        "events": [
            _event(event)
            for event in sorted(ticket.events.all(), key=lambda e: (e.created_at, e.pk))
        ],
        "attachments": [
            _attachment(attachment)
            for attachment in sorted(ticket.attachments.all(), key=lambda a: (a.created_at, a.pk))
        ],
    }


def _event(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "created_at": event.created_at,
        "kind": event.kind,
        "action": event.action,
        "actor": event.actor.display_name if event.actor else None,
        "visibility": event.visibility,
        "before": event.before,
        "after": event.after,
        "text": event.text,
        "attachment_id": event.attachment_id,
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    """A file's metadata; the file itself is downloaded from the ticket's page if asked for."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "visibility": attachment.visibility,
        "created_at": attachment.created_at,
        "uploaded_by_id": attachment.uploaded_by_id,
    }


# --- Anonymization ---------------------------------------------------------------------------


def pseudonym(user: User) -> tuple[str, str]:
    """The name and address that replace the person's: their number, and nothing else."""
    with override(settings.LANGUAGE_CODE):
        name = gettext("Anonymized person %(number)s") % {"number": user.pk}
    return name, f"anonymized-{user.pk}@{ANONYMIZED_DOMAIN}"


def is_anonymized(user: User) -> bool:
    return user.email == pseudonym(user)[1]


def active_assigned_tickets(user: User) -> int:
    """Tickets still being handled by the person: an administrator reassigns them first."""
    return Ticket.objects.filter(assignee=user, status__in=Ticket.ACTIVE_STATUSES).count()


@transaction.atomic
def anonymize(user: User) -> User:
    """Forgets who the person was, keeping their tickets, events and attachments.

    Name and email become a pseudonym; the password is made unusable and the account inactive
    (which also ends their open sessions: inactive people are not authenticated); sign-in
    identities, email addresses, email preferences and emails not yet sent are deleted; emails
    already sent keep their record under the pseudonymous address. Running it twice is harmless.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    old_names = {user.display_name, user.email, user.full_name} - {""}
    name, address = pseudonym(user)

    user.full_name = name
    user.email = address
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    SocialAccount.objects.filter(user=user).delete()  # their tokens go with them
    EmailAddress.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).delete()
    _readdress_sent_notifications(user, address)

    # Assignment events record the agent's name as it was; the pseudonym replaces it.
    assigned = TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED)
    assigned.filter(before__in=old_names).update(before=name)
    assigned.filter(after__in=old_names).update(after=name)
    # The admin's history of changes names the person too.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=name)
    return user


def _readdress_sent_notifications(user: User, address: str) -> None:
    """Emails already sent (or given up) stay counted, addressed to the pseudonym.

    An address holds one row per event (`notification_once`); rows the person received under two
    successive addresses for the same event would collide once readdressed: the extra ones go.
    """
    rows = Notification.objects.filter(recipient=user).exclude(email=address)
    seen = set(Notification.objects.filter(email=address).values_list("dedup_key", flat=True))
    duplicates = []
    for pk, dedup_key in rows.order_by("pk").values_list("pk", "dedup_key"):
        if dedup_key in seen:
            duplicates.append(pk)
        seen.add(dedup_key)
    Notification.objects.filter(pk__in=duplicates).delete()
    rows.exclude(pk__in=duplicates).update(email=address)
