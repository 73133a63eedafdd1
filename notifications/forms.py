from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from notifications import preferences
from notifications.models import NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User


class NotificationPreferenceForm(forms.ModelForm):
    """The optional emails a person can switch off; agents also see their service emails.

    Essential messages (a question from the service, a closure to approve) are not fields here:
    they are always sent.
    """

    prefix = "notifications"

    class Meta:
        model = NotificationPreference
        fields = [*preferences.REQUESTER_FIELDS, *preferences.AGENT_FIELDS]
        widgets = {"new_ticket_delivery": forms.RadioSelect(attrs={"class": "form-check-input"})}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.is_agent = user.service_memberships.exists()
        if not self.is_agent:
            for name in preferences.AGENT_FIELDS:
                del self.fields[name]

    def requester_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in preferences.REQUESTER_FIELDS]

    def agent_fields(self) -> list[forms.BoundField]:
        if not self.is_agent:
            return []
        return [self[name] for name in preferences.AGENT_FIELDS]


def preferences_form(user: User, data: dict | None = None) -> NotificationPreferenceForm:
    """The person's email preferences on their profile page, bound to `data` when posted."""
    return NotificationPreferenceForm(data, instance=preferences.get_preference(user), user=user)
