"""One-click unsubscription (RFC 8058): a link in an optional email that switches that kind of
email off for its reader, without signing in.

The token names the person and the preference (a NotificationPreference field) and is signed by
the helpdesk, so the link works only for what it was written for. It does not expire: an old
email's link still works, and switching an email off again is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.core import signing
from django.db import transaction
from django.urls import reverse

from notifications import preferences, reply_address
from notifications.models import NotificationPreference

_SALT = "helpdesk.notifications.unsubscribe"
# The subject of an unsubscription request sent by email: "unsubscribe <token>".
MAILTO_SUBJECT = "unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    person_id: int
    field: str

    @property
    def label(self) -> str:
        """The preference as the profile page names it."""
        return str(NotificationPreference._meta.get_field(self.field).verbose_name)


def token_for(person_id: int, field: str) -> str:
    return signing.Signer(salt=_SALT).sign_object([person_id, field])


def read_token(token: str) -> Unsubscription | None:
    """What a token asks for, or None when it is not one of ours or names no preference now."""
    try:
        person_id, field = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or field not in _switchable_fields():
        return None
    return Unsubscription(person_id=person_id, field=field)


def _switchable_fields() -> set[str]:
    return {field for field in preferences.KIND_PREFERENCE.values() if field is not None}


def url_for(token: str) -> str:
    from notifications.emails import absolute_url

    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": token}))


def mailto_for(token: str) -> str:
    """An email to the helpdesk's mailbox asking for the same thing ("" when replies are off:
    nobody reads that mailbox then)."""
    if not reply_address.replies_enabled():
        return ""
    from django.conf import settings

    subject = quote(f"{MAILTO_SUBJECT} {token}")
    return f"mailto:{settings.INBOUND_REPLY_ADDRESS}?subject={subject}"


def token_in_subject(subject: str) -> str:
    """The token of an unsubscription request sent by email ("" when the subject is not one)."""
    words = (subject or "").split()
    if len(words) >= 2 and words[-2].lower() == MAILTO_SUBJECT:
        return words[-1]
    return ""


def switch_off(unsubscription: Unsubscription) -> bool:
    """Switches the preference off; False when the person is gone or no longer active."""
    from accounts.models import User

    with transaction.atomic():
        user = User.objects.filter(pk=unsubscription.person_id, is_active=True).first()
        if user is None:
            return False
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if unsubscription.field == "new_ticket_delivery":
            value: object = NotificationPreference.NewTicketDelivery.NONE
        else:
            value = False
        setattr(preference, unsubscription.field, value)
        preference.save(update_fields=[unsubscription.field])
    return True
