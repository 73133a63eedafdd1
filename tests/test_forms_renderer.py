"""helpdesk/forms_renderer.py writes drop-down lists in Python: the markup must be exactly what
Django's own templates write, for every kind of choice, value and attribute."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from categories.models import Category
from helpdesk.forms_renderer import FormRenderer, render_select
from tests.factories import CategoryFactory
from tickets.forms_agent import QueueFilterForm
from tickets.models import Ticket


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", "B & <b>")])
    grouped = forms.ChoiceField(
        choices=[
            ("", "---"),
            ("Fruits", [("apple", "Apple"), ("pear", "Pear")]),
            ("Légumes « frais »", [("leek", 'Leek "long"')]),
            ("other", "Other"),
        ]
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2.5)], coerce=int)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
    safe = forms.ChoiceField(choices=[("s", mark_safe("<em>safe</em>"))])
    attributes = forms.ChoiceField(
        choices=[("1", "One")],
        widget=forms.Select(
            attrs={"class": "form-select", "disabled": True, "hidden": False, "data-x": '"q"'}
        ),
    )
    status = forms.ChoiceField(choices=Ticket.Status.choices)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "b", "grouped": "leek", "numbers": "2", "many": ["x", "y"], "status": "closed"},
        {"plain": "<script>", "grouped": "other", "numbers": "x", "many": ["y"]},
    ],
)
def test_every_select_is_written_as_django_writes_it(data):
    django_form = Everything(data, renderer=DjangoTemplates())
    our_form = Everything(data, renderer=FormRenderer())
    for name in django_form.fields:
        assert str(our_form[name]) == str(django_form[name]), name


@pytest.mark.django_db
def test_model_choices_are_written_as_django_writes_them(rf):
    from tests.factories import UserFactory

    CategoryFactory(name="Réseau & Wi-Fi <5 GHz>")
    user = UserFactory(is_superuser=True)
    request = rf.get("/", {"category": str(Category.objects.first().pk)})
    django_form = QueueFilterForm(request.GET, user=user, renderer=DjangoTemplates())
    our_form = QueueFilterForm(request.GET, user=user, renderer=FormRenderer())
    for name in ("service", "category", "assignee", "status", "priority"):
        assert str(our_form[name]) == str(django_form[name]), name
    assert "Réseau &amp; Wi-Fi &lt;5 GHz&gt;" in str(our_form["category"])


def test_an_option_with_a_template_of_its_own_goes_through_the_templates():
    widget = {
        "name": "x",
        "attrs": {},
        "optgroups": [(None, [{"template_name": "mine.html", "value": "1"}], 0)],
    }
    assert render_select(widget) is None


def test_the_project_uses_it(settings):
    assert settings.FORM_RENDERER == "helpdesk.forms_renderer.FormRenderer"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_status_and_priority_labels_are_the_choices_labels(language):
    from django.utils import translation

    with translation.override(language):
        for value, label in Ticket.Status.choices:
            assert Ticket(status=value).get_status_display() == str(label)
        for value, label in Ticket.Priority.choices:
            assert Ticket(priority=value).get_priority_display() == str(label)
        assert Ticket(priority=9).get_priority_display() == "9"


class Inputs(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "x", "data-q": '"<q>"'}))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.IntegerField(required=False)
    email = forms.EmailField(widget=forms.EmailInput(attrs={"disabled": False}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(assume_scheme="https")


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": "a & <b>",
            "search": "« é »",
            "day": "2026-12-02",
            "number": "12",
            "email": "x@y",
            "hidden": '"',
            "secret": "s<",
            "url": "http://a?b=1&c=2",
        },
        {"day": "not a date", "number": "1.5"},
    ],
)
def test_every_plain_input_is_written_as_django_writes_it(data):
    django_form = Inputs(data, renderer=DjangoTemplates())
    our_form = Inputs(data, renderer=FormRenderer())
    for name in django_form.fields:
        assert str(our_form[name]) == str(django_form[name]), name
