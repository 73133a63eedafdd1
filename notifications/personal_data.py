"""The notifications' part of a person's data (see accounts.personal_data): their email
preferences and every email written for them.

Anonymizing deletes the preferences and the emails not yet sent; emails already sent (or given up)
stay counted, addressed to the pseudonym.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import personal_data
from notifications.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    # The person's own choices read best beside their profile, before the tickets.
    personal_data.register(
        "notification_preferences", preferences, forget_preferences, before="tickets_filed"
    )
    personal_data.register("notifications", notifications, forget_notifications)


def preferences(user: User) -> dict[str, Any] | None:
    """The saved choices, or None while the person has never saved any (defaults apply)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return None
    return {
        field.name: getattr(preference, field.name)
        for field in NotificationPreference._meta.concrete_fields
        if field.name not in {"id", "user"}
    }


def notifications(user: User) -> list[dict[str, Any]]:
    return [
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
    ]


def forget_preferences(forgotten: personal_data.Forgotten) -> None:
    NotificationPreference.objects.filter(user=forgotten.user).delete()


def forget_notifications(forgotten: personal_data.Forgotten) -> None:
    """Emails not yet sent go; emails already sent (or given up) stay counted, addressed to the
    pseudonym.

    An address holds one row per event (`notification_once`); rows the person received under two
    successive addresses for the same event would collide once readdressed: the extra ones go.
    """
    user, address = forgotten.user, forgotten.address
    Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).delete()
    rows = Notification.objects.filter(recipient=user).exclude(email=address)
    seen = set(Notification.objects.filter(email=address).values_list("dedup_key", flat=True))
    duplicates = []
    for pk, dedup_key in rows.order_by("pk").values_list("pk", "dedup_key"):
        if dedup_key in seen:
            duplicates.append(pk)
        seen.add(dedup_key)
    Notification.objects.filter(pk__in=duplicates).delete()
    rows.exclude(pk__in=duplicates).update(email=address)
