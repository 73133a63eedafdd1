"""The form of the profile page's "API tokens" section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken

if TYPE_CHECKING:
    from accounts.models import User

LIFETIMES = (
    (7, _("7 days")),
    (30, _("30 days")),
    (90, _("90 days")),
    (365, _("1 year")),
)


class TokenForm(forms.Form):
    """A new personal token: its name, its scope and how long it lives. The person's tokens are
    listed beside the form (`tokens`)."""

    prefix = "token"

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “my script”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), choices=LIFETIMES, coerce=int, initial=30)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].widget.attrs.update(
            {"class": "form-control", "aria-describedby": "id_token-name_help"}
        )
        self.fields["days"].widget.attrs["class"] = "form-select"

    def save(self, commit: bool = True) -> ApiToken:
        """Creates the token through `services.token_create` (its secret is then not shown:
        the profile's form posts to `api_tokens:create`, which shows it)."""
        from api import services

        token, _secret = services.token_create(
            user=self.user,
            name=self.cleaned_data["name"],
            scope=self.cleaned_data["scope"],
            days=self.cleaned_data["days"],
        )
        return token

    def tokens(self) -> list[ApiToken]:
        """The person's own tokens, newest first (service tokens are the administrators')."""
        return list(ApiToken.objects.filter(user=self.user, kind=ApiToken.Kind.PERSONAL))


def token_form(user: User, data: dict | None = None) -> TokenForm:
    return TokenForm(data, user=user)
