"""Control characters and bidi overrides never reach a one-line field (subjects, names, service
and category names, file names); multi-line fields keep their line breaks but lose the rest.

Every form where a person types such a value is filled with each character, in the middle of a
word and alone; a subject made only of them is refused with a message, what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.forms import ProfileForm
from accounts.models import User
from accounts.text import OneLineField, clean_line, clean_multiline
from categories.models import Category, Service
from tests.accounts.test_sso_settings import oidc_login, oidc_settings  # noqa: F401
from tests.factories import CategoryFactory, UserFactory
from tickets import forms, forms_agent, services
from tickets.models import Ticket

# C0 (line breaks included), DEL, C1 (NEL and CSI), bidi embeddings, overrides and isolates,
# the line and paragraph separators.
CONTROLS = [
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    *[chr(code) for code in range(0x202A, 0x202F)],
    *[chr(code) for code in range(0x2066, 0x206A)],
    "\u2028",
    "\u2029",
]
FORBIDDEN_ON_ONE_LINE = set(CONTROLS) | {"\r\n"}
# What a multi-line field must drop; line breaks and tabs stay.
FORBIDDEN_IN_TEXT = [ch for ch in CONTROLS if ch not in {"\r", "\n", "\r\n", "\t"}]


def _ids(value: str) -> str:
    return "U+" + "+".join(f"{ord(ch):04X}" for ch in value)


def _assert_one_line(value: str) -> None:
    assert value in {"Wi Fi", "WiFi"}, repr(value)


# --- The functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("control", CONTROLS, ids=_ids)
def test_clean_line_drops_every_control(control):
    """A one-line value keeps its visible characters only; a line break becomes a space."""
    _assert_one_line(clean_line(f" Wi{control}Fi{control} "))


@pytest.mark.parametrize("control", FORBIDDEN_IN_TEXT, ids=_ids)
def test_clean_multiline_keeps_line_breaks_only(control):
    """A multi-line value keeps newlines and tabs, never NUL, other controls or bidi overrides."""
    cleaned = clean_multiline(f"First line\r\n\tsecond{control} line")
    assert cleaned.startswith("First line\r\n\tsecond")
    assert not set(cleaned) & set(FORBIDDEN_IN_TEXT)


# --- Every form with a one-line field -----------------------------------------------------------


def _bound_model_form(form_class: type, instance: Any, field: str, value: str) -> Any:
    """The form bound to the instance's current values, with one field changed."""
    unbound = form_class(instance=instance)
    data: dict[str, Any] = {}
    for name, bound in ((name, unbound[name]) for name in unbound.fields):
        current = bound.value()
        if current is None or current is False:
            continue
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(current)):
                data[f"{name}_{index}"] = part
        else:
            data[name] = current
    data[field] = value
    return form_class(data=data, instance=instance)


def _admin_form(model: type, instance: Any, field: str, value: str) -> Any:
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    form_class = admin.site._registry[model].get_form(request, instance)
    return _bound_model_form(form_class, instance, field, value)


def _ticket_create(value: str) -> tuple[Any, str]:
    category = CategoryFactory()
    data = {"category": category.slug, "subject": value, "description": "Since Monday."}
    return forms.TicketCreateForm(data=data, service=category.service), "subject"


def _profile(value: str) -> tuple[Any, str]:
    user = UserFactory()
    return _bound_model_form(ProfileForm, user, "full_name", value), "full_name"


def _admin_user(value: str) -> tuple[Any, str]:
    return _admin_form(User, UserFactory(), "full_name", value), "full_name"


def _admin_service(value: str) -> tuple[Any, str]:
    return _admin_form(Service, CategoryFactory().service, "name", value), "name"


def _admin_category(value: str) -> tuple[Any, str]:
    return _admin_form(Category, CategoryFactory(), "name", value), "name"


ONE_LINE_FORMS: dict[str, Callable[[str], tuple[Any, str]]] = {
    "ticket-subject": _ticket_create,
    "profile-name": _profile,
    "admin-user-name": _admin_user,
    "admin-service-name": _admin_service,
    "admin-category-name": _admin_category,
}


@pytest.mark.django_db
@pytest.mark.parametrize("control", CONTROLS, ids=_ids)
@pytest.mark.parametrize("build", ONE_LINE_FORMS.values(), ids=ONE_LINE_FORMS.keys())
def test_one_line_field_loses_controls(build, control):
    """Each form accepts the value and stores it without the character."""
    form, field = build(f"Wi{control}Fi")
    assert isinstance(form.fields[field], OneLineField)
    assert form.is_valid(), form.errors
    _assert_one_line(form.cleaned_data[field])


@pytest.mark.django_db
@pytest.mark.parametrize("build", ONE_LINE_FORMS.values(), ids=ONE_LINE_FORMS.keys())
def test_one_line_field_of_controls_only_is_refused(build):
    """A value made only of invisible characters is refused with a message saying so."""
    form, field = build("\x00\u202e\x1b\u2066")
    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors[field] == [
            "Type visible characters: line breaks and control characters are removed."
        ]


@pytest.mark.django_db
def test_subject_of_controls_only_is_refused_and_kept_in_the_form(client):
    """The requester's form answers 400 with the message; what was typed is still there."""
    category = CategoryFactory()
    requester = UserFactory(preferred_language="en")
    client.force_login(requester)
    response = client.post(
        reverse("tickets:create"),
        {"category": category.slug, "subject": "\u202e\x07\u2067", "description": "Since Monday."},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Type visible characters" in body
    assert 'value="\u202e\x07\u2067"' in body
    assert "Since Monday." in body
    assert not Ticket.objects.filter(requester=requester).exists()


# --- Names from the identity provider -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
@pytest.mark.parametrize("control", CONTROLS, ids=_ids)
def test_sso_name_loses_controls(rf, control):
    """A name sent by the identity provider is stored on one line, without controls."""
    _request, login = oidc_login(
        rf, {"sub": "u1", "name": f"Wi{control}Fi", "email": "wifi@u.example"}
    )
    _assert_one_line(login.user.full_name)
    _request, login = oidc_login(
        rf,
        {"sub": "u2", "given_name": f"Wi{control}", "family_name": "Fi", "email": "f@u.example"},
    )
    assert login.user.full_name == "Wi Fi"


# --- File names -----------------------------------------------------------------------------


@pytest.mark.parametrize("control", CONTROLS, ids=_ids)
def test_attachment_name_loses_controls(control):
    """The name kept in the attachment's row has no control character or bidi override."""
    name = services.sanitize_filename(f"report{control}gpj.exe{control}.png")
    assert not set(name) & FORBIDDEN_ON_ONE_LINE
    assert name.endswith(".png")


# --- Multi-line fields ---------------------------------------------------------------------------


MULTI_LINE_FORMS: dict[str, Callable[[str], tuple[Any, str]]] = {
    "ticket-description": lambda text: (
        forms.TicketCreateForm(
            data={"category": CategoryFactory().slug, "subject": "Wi-Fi", "description": text}
        ),
        "description",
    ),
    "requester-comment": lambda text: (forms.CommentForm(data={"comment-text": text}), "text"),
    "refuse-closure": lambda text: (
        forms.RefuseClosureForm(data={"refuse-reason": text}),
        "reason",
    ),
    "reopen": lambda text: (forms.ReopenForm(data={"reopen-reason": text}), "reason"),
    "agent-comment": lambda text: (
        forms_agent.CommentForm(data={"c-text": text}, prefix="c"),
        "text",
    ),
    "agent-resolution": lambda text: (
        forms_agent.ClosureForm(data={"c-resolution": text}, prefix="c"),
        "resolution",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("control", FORBIDDEN_IN_TEXT, ids=_ids)
@pytest.mark.parametrize("build", MULTI_LINE_FORMS.values(), ids=MULTI_LINE_FORMS.keys())
def test_multi_line_field_keeps_line_breaks_only(build, control):
    """Descriptions, comments and reasons keep their lines; NUL and bidi overrides go."""
    form, field = build(f"First line\r\nsecond{control} line")
    form.is_valid()
    assert field in form.cleaned_data, form.errors
    cleaned = form.cleaned_data[field]
    assert "First line" in cleaned and "\n" in cleaned
    assert not set(cleaned) & set(FORBIDDEN_IN_TEXT)
