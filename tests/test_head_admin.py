"""Heads of service run their service in the admin without superuser rights, and only theirs.

Two services, each with a head, an agent, a category, a canned response and a mailbox: the head
of the first manages its members, availability, categories (create, move, deactivate, audiences,
confidentiality, automatic assignment), canned responses and mailbox, and can neither read nor
change anything of the second, whatever address or form data they send.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.forms import BaseForm
from django.test import Client
from django.urls import reverse

from categories.models import CannedResponse, Category, ServiceMembership
from mailgateway.models import Mailbox
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of

pytestmark = pytest.mark.django_db


class Side:
    """One service with everything a head runs."""

    def __init__(self, name: str) -> None:
        self.service = ServiceFactory(name=f"Service {name}")
        self.head = head_of(self.service, user__full_name=f"Head {name}")
        self.agent = agent_of(self.service, user__full_name=f"Agent {name}")
        self.category = CategoryFactory(name=f"Category {name}", service=self.service)
        self.canned = CannedResponse.objects.create(
            service=self.service, title=f"Answer {name}", body="Bonjour,"
        )
        self.mailbox = Mailbox.objects.create(
            service=self.service,
            name=f"Mailbox {name}",
            host="imap.univ.example",
            username=f"support-{name}",
            password_env=f"MAILBOX_{name.upper()}_PASSWORD",
            category=self.category,
        )


@pytest.fixture
def ours() -> Side:
    return Side("ours")


@pytest.fixture
def theirs() -> Side:
    return Side("theirs")


@pytest.fixture
def head(client: Client, ours: Side) -> Client:
    """The head of "ours", signed in, reading the admin in English."""
    ours.head.preferred_language = "en"
    ours.head.save()
    client.force_login(ours.head)
    return client


def _value(bound: Any) -> Any:
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


def _form_data(form: BaseForm) -> dict[str, Any]:
    data = {}
    for name in form.fields:
        value = _value(form[name])
        if value != "" or not isinstance(form[name].value(), bool):
            data[form.add_prefix(name)] = value
    return {key: value for key, value in data.items() if value != ""} | {
        key: "" for key, value in data.items() if value == ""
    }


def page_data(response) -> dict[str, Any]:
    """What the admin's change page would post back unchanged (its form and inlines)."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.initial_forms:
            data.update(_form_data(form))
    return {key: value for key, value in data.items() if value not in ("", [])}


# --- Who enters, what they see -------------------------------------------------------------------


def test_a_head_enters_the_admin_and_sees_their_pages_only(head, ours):
    response = head.get(reverse("admin:index"))
    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models == {"Service", "Category", "Mailbox"}
    assert b"outbox-panel" not in response.content


def test_an_agent_who_is_not_a_head_does_not_enter(client, ours):
    client.force_login(ours.agent)
    assert client.get(reverse("admin:index")).status_code in {302, 403}
    assert client.get(reverse("admin:categories_category_changelist")).status_code in {302, 403}


def test_a_head_reaches_no_other_model(head):
    for name in ("accounts_user_changelist", "tickets_ticket_changelist"):
        assert head.get(reverse(f"admin:{name}")).status_code == 403
    autocomplete = reverse("admin:autocomplete")
    query = {"app_label": "categories", "model_name": "category", "field_name": "assignment_agent"}
    assert head.get(autocomplete, query).status_code == 403


@pytest.mark.parametrize("model", ["service", "category", "mailbox"])
def test_lists_hold_the_heads_services_only(head, ours, theirs, model):
    app = "mailgateway" if model == "mailbox" else "categories"
    response = head.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{model.capitalize()} ours" in page or ours.service.name in page
    assert "theirs" not in page


@pytest.mark.parametrize(
    ("app", "model", "attr"),
    [
        ("categories", "service", "service"),
        ("categories", "category", "category"),
        ("mailgateway", "mailbox", "mailbox"),
    ],
)
def test_another_services_rows_are_unreachable(head, theirs, app, model, attr):
    """Their pages answer as for a row that does not exist; a posted change changes nothing."""
    obj = getattr(theirs, attr)
    for view in ("change", "history"):
        url = reverse(f"admin:{app}_{model}_{view}", args=[obj.pk])
        response = head.get(url)
        assert response.status_code in {302, 403, 404}
        assert "theirs" not in response.content.decode()
    url = reverse(f"admin:{app}_{model}_change", args=[obj.pk])
    head.post(url, {"name": "Taken over"})
    obj.refresh_from_db()
    assert obj.name != "Taken over"


# --- Members, roles, availability, canned responses -----------------------------------------


def test_a_head_adds_a_member_by_address_and_sets_availability(head, ours):
    newcomer = UserFactory(email="nouvelle.recrue@univ.example")
    url = reverse("admin:categories_service_change", args=[ours.service.pk])
    data = page_data(head.get(url))
    agent_row = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("memberships-")
        and key.endswith("-id")
        and ServiceMembership.objects.get(pk=value).user == ours.agent
    )
    data.pop(f"{agent_row}-is_available", None)
    total = int(data["memberships-INITIAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": total + 1,
            f"memberships-{total}-user": "Nouvelle.Recrue@univ.example",
            f"memberships-{total}-role": "agent",
            f"memberships-{total}-is_available": "on",
            "canned_responses-0-body": "Bonjour, voici la marche à suivre.",
        }
    )
    response = head.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ours.service.memberships.filter(user=newcomer).exists()
    assert not ours.service.memberships.get(user=ours.agent).is_available
    ours.canned.refresh_from_db()
    assert ours.canned.body == "Bonjour, voici la marche à suivre."


def test_an_unknown_address_is_explained(head, ours):
    url = reverse("admin:categories_service_change", args=[ours.service.pk])
    data = page_data(head.get(url))
    total = int(data["memberships-INITIAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": total + 1,
            f"memberships-{total}-user": "personne@ailleurs.example",
            f"memberships-{total}-role": "agent",
        }
    )
    response = head.post(url, data)
    assert response.status_code == 200
    assert "No account has this address" in response.content.decode()


def test_a_head_cannot_remove_their_own_head_role(head, ours):
    url = reverse("admin:categories_service_change", args=[ours.service.pk])
    data = page_data(head.get(url))
    own = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("memberships-")
        and key.endswith("-id")
        and ServiceMembership.objects.get(pk=value).user == ours.head
    )
    data[f"{own}-role"] = "agent"
    response = head.post(url, data)
    assert response.status_code == 200
    assert "You cannot remove your own head role" in response.content.decode()
    assert ours.service.memberships.get(user=ours.head).role == ServiceMembership.Role.HEAD


def test_a_head_cannot_rename_or_close_the_service(head, ours):
    url = reverse("admin:categories_service_change", args=[ours.service.pk])
    data = page_data(head.get(url))
    data.update({"name": "Renamed", "is_active": ""})
    head.post(url, data)
    ours.service.refresh_from_db()
    assert ours.service.name == "Service ours"
    assert ours.service.is_active
    assert head.get(reverse("admin:categories_service_add")).status_code == 403


# --- Categories ------------------------------------------------------------------------------


def _category_form(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Nouvelle catégorie",
        "slug": "nouvelle",
        "help_text": "",
        "ordering": 0,
        "is_active": "on",
        "assignment_mode": "none",
        **fields,
    }


def test_a_head_creates_a_category_in_their_service(head, ours):
    response = head.post(
        reverse("admin:categories_category_add"), _category_form(service=ours.service.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Category.objects.get(slug="nouvelle").handling_service == ours.service


@pytest.mark.parametrize("field", ["service", "parent"])
def test_a_head_cannot_create_in_another_service(head, theirs, field):
    value = theirs.service.pk if field == "service" else theirs.category.pk
    response = head.post(reverse("admin:categories_category_add"), _category_form(**{field: value}))
    assert response.status_code == 200
    assert not Category.objects.filter(slug="nouvelle").exists()


def test_a_head_must_give_a_top_level_category_a_service(head):
    response = head.post(reverse("admin:categories_category_add"), _category_form())
    assert response.status_code == 200
    assert not Category.objects.filter(slug="nouvelle").exists()


def test_a_head_moves_a_category_within_their_service(head, ours):
    child = CategoryFactory(name="Sous-catégorie", parent=None, service=ours.service)
    url = reverse("admin:categories_category_change", args=[child.pk])
    data = page_data(head.get(url))
    data["parent"] = ours.category.pk
    response = head.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    child.refresh_from_db()
    assert child.parent == ours.category
    assert child.depth == 1


def test_a_head_sets_audiences_confidentiality_and_assignment(head, ours):
    url = reverse("admin:categories_category_change", args=[ours.category.pk])
    data = page_data(head.get(url))
    data.update(
        {
            "audience_affiliations": ["staff", "faculty"],
            "audience_groups": "cn=rh\r\ncn=direction\r\n",
            "is_confidential": "on",
            "confidential_agents": [ours.agent.pk],
            "assignment_mode": "fixed",
            "assignment_agent": ours.agent.pk,
        }
    )
    response = head.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    category = Category.objects.get(pk=ours.category.pk)
    assert category.audience_affiliations == ["staff", "faculty"]
    assert category.audience_groups == ["cn=rh", "cn=direction"]
    assert category.confidential_scope_id == category.pk
    assert list(category.confidential_agents.all()) == [ours.agent]
    assert category.assignment_agent == ours.agent


def test_a_confidential_category_names_members_of_its_service(head, ours, theirs):
    url = reverse("admin:categories_category_change", args=[ours.category.pk])
    data = page_data(head.get(url))
    data.update({"is_confidential": "on", "confidential_agents": [theirs.agent.pk]})
    assert head.post(url, data).status_code == 200
    data["confidential_agents"] = []
    response = head.post(url, data)
    assert response.status_code == 200
    assert "Name the agents who handle these tickets" in response.content.decode()
    assert Category.objects.get(pk=ours.category.pk).confidential_scope_id is None


def test_a_head_deactivates_their_categories_only(head, ours, theirs):
    response = head.post(
        reverse("admin:categories_category_changelist"),
        {"action": "deactivate", "_selected_action": [ours.category.pk, theirs.category.pk]},
    )
    assert response.status_code == 302
    assert not Category.objects.get(pk=ours.category.pk).is_active
    assert Category.objects.get(pk=theirs.category.pk).is_active


def test_a_head_never_deletes_a_category(head, ours):
    url = reverse("admin:categories_category_delete", args=[ours.category.pk])
    assert head.post(url, {"post": "yes"}).status_code == 403
    assert Category.objects.filter(pk=ours.category.pk).exists()


# --- Mailboxes -------------------------------------------------------------------------------


def test_a_head_runs_their_mailbox_but_not_its_connection(head, ours):
    """Folder and unknown senders are theirs; the server and the password variable are not: a
    head must never send a secret of the server's environment to a server of their choice."""
    url = reverse("admin:mailgateway_mailbox_change", args=[ours.mailbox.pk])
    data = page_data(head.get(url))
    data.update(
        {
            "folder": "Support",
            "host": "imap.attacker.example",
            "password_env": "SECRET_KEY",
        }
    )
    response = head.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ours.mailbox.refresh_from_db()
    assert ours.mailbox.folder == "Support"
    assert ours.mailbox.host == "imap.univ.example"
    assert ours.mailbox.password_env == "MAILBOX_OURS_PASSWORD"
    assert head.get(reverse("admin:mailgateway_mailbox_add")).status_code == 403


def test_a_mailbox_category_stays_in_the_heads_services(head, ours, theirs):
    url = reverse("admin:mailgateway_mailbox_change", args=[ours.mailbox.pk])
    data = page_data(head.get(url))
    data["category"] = theirs.category.pk
    assert head.post(url, data).status_code == 200
    ours.mailbox.refresh_from_db()
    assert ours.mailbox.category == ours.category


def test_superusers_keep_every_row(admin_client, ours, theirs):
    page = admin_client.get(reverse("admin:categories_category_changelist")).content.decode()
    assert "Category ours" in page and "Category theirs" in page
    response = admin_client.get(reverse("admin:index"))
    assert b"outbox-panel" in response.content
    assert not list(get_messages(response.wsgi_request))


def test_a_category_leading_to_another_services_stays_where_it_is(head, ours, theirs):
    """Below "Category ours" lies a category of the other service: its head neither deactivates
    nor moves it (that would hide or move the other service's category too)."""
    CategoryFactory(name="Sub theirs", parent=ours.category, service=theirs.service)
    response = head.post(
        reverse("admin:categories_category_changelist"),
        {"action": "deactivate", "_selected_action": [ours.category.pk]},
        follow=True,
    )
    assert "Categories of other services lie below this one" in response.content.decode()
    assert Category.objects.get(pk=ours.category.pk).is_active
    other_root = CategoryFactory(name="Other root", service=ours.service)
    url = reverse("admin:categories_category_change", args=[ours.category.pk])
    data = page_data(head.get(url))
    data["parent"] = other_root.pk
    response = head.post(url, data)
    assert response.status_code == 200
    assert Category.objects.get(pk=ours.category.pk).parent_id is None
