"""Account pages: form fields rendered with their label, input, help and errors together.

Used by the login page and by the allauth element templates, so every account page shows errors
next to the field they concern and announces them to screen readers (aria-invalid and
aria-describedby).
"""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()

CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.inclusion_tag("account/snippets/form_field.html")
def form_field(field: forms.BoundField) -> dict:
    """A Bootstrap form group for one bound field."""
    is_check = isinstance(field.field.widget, CHECK_WIDGETS)
    css = "form-check-input" if is_check else "form-control"
    attrs: dict[str, str] = {}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        css += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.auto_id}_errors")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    existing = field.field.widget.attrs.get("class", "")
    attrs["class"] = f"{existing} {css}".strip()
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "is_check": is_check,
    }


@register.simple_tag(takes_context=True)
def signup_open(context: template.Context) -> bool:
    """Whether this deployment lets people create a local account (see ACCOUNT_ALLOW_SIGNUP)."""
    from allauth.account.adapter import get_adapter

    return get_adapter().is_open_for_signup(context.get("request"))


@register.simple_tag
def sso_label(provider: Any) -> str:
    """An OIDC or SAML button's text in the page's language (SSO_OIDC_LABEL_EN...)."""
    from django.utils import translation
    from django.utils.translation import gettext

    labels = (getattr(provider.app, "settings", None) or {}).get("labels") or {}
    language = (translation.get_language() or "fr")[:2]
    return labels.get(language) or gettext("University sign-in")


@register.simple_tag(takes_context=True)
def cas_sign_in(context: template.Context) -> dict[str, str] | None:
    """The CAS button's text and address, or None when no CAS server is configured."""
    from accounts import cas

    if not cas.enabled():
        return None
    return {"label": cas.button_label(), "url": cas.login_url()}
