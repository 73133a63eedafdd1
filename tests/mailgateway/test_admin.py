"""The admin of the mail gateway: mailboxes show whether their password is set (never the
password), test their connection, and held messages are filed for a chosen person or discarded."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from mailgateway.models import InboundMessage, Mailbox
from tests.factories import UserFactory
from tests.mailgateway.conftest import PASSWORD_ENV, message, receive
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(email="root@univ.example", is_staff=True, is_superuser=True))
    return client


def held(world) -> InboundMessage:
    Mailbox.objects.filter(pk=world.mailbox.pk).update(
        unknown_sender_policy=Mailbox.UnknownSenderPolicy.HOLD
    )
    world.mailbox.refresh_from_db()
    return receive(world.mailbox, message(sender="dominique@univ.example", subject="Wifi"))


def test_the_mailbox_list_says_whether_the_password_variable_is_set_never_its_value(
    world, admin_client, monkeypatch
):
    monkeypatch.setenv(PASSWORD_ENV, "s3cret-value-never-shown")

    response = admin_client.get(
        reverse("admin:mailgateway_mailbox_change", args=[world.mailbox.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert PASSWORD_ENV in page
    assert "s3cret-value-never-shown" not in page
    assert admin_client.get(reverse("admin:mailgateway_mailbox_changelist")).status_code == 200


def test_a_mailbox_category_must_belong_to_its_service(world, admin_client):
    from tests.factories import CategoryFactory

    other = CategoryFactory()
    data = {
        "service": world.service.pk,
        "name": "Support",
        "is_active": "on",
        "host": "imap.univ.example",
        "port": 993,
        "security": "ssl",
        "username": "support",
        "password_env": PASSWORD_ENV,
        "folder": "INBOX",
        "category": other.pk,
        "unknown_sender_policy": "explain",
    }

    response = admin_client.post(reverse("admin:mailgateway_mailbox_add"), data)

    assert response.status_code == 200
    assert Mailbox.objects.count() == 1


def test_testing_the_connection_reports_the_folder(world, imap_mailbox, admin_client):
    response = admin_client.post(
        reverse("admin:mailgateway_mailbox_changelist"),
        {"action": "check_connection", ACTION_CHECKBOX_NAME: [imap_mailbox.pk]},
        follow=True,
    )

    assert "0 message(s)" in response.content.decode()


def test_a_held_message_is_filed_for_the_person_the_agent_chooses(world, admin_client):
    message_held = held(world)
    url = reverse("admin:mailgateway_inboundmessage_changelist")

    form = admin_client.post(url, {"action": "release", ACTION_CHECKBOX_NAME: [message_held.pk]})
    assert form.status_code == 200
    assert "dominique@univ.example" in form.content.decode()

    admin_client.post(
        url,
        {
            "action": "release",
            ACTION_CHECKBOX_NAME: [message_held.pk],
            "requester": world.requester.email,
        },
    )

    message_held.refresh_from_db()
    assert message_held.status == InboundMessage.Status.PROCESSED
    ticket = Ticket.objects.get(subject="Wifi")
    assert ticket.requester == world.requester and ticket.origin == Ticket.Origin.EMAIL


def test_a_held_message_can_be_discarded_from_the_list(world, admin_client):
    message_held = held(world)

    admin_client.post(
        reverse("admin:mailgateway_inboundmessage_changelist"),
        {"action": "discard", ACTION_CHECKBOX_NAME: [message_held.pk]},
    )

    message_held.refresh_from_db()
    assert message_held.status == InboundMessage.Status.IGNORED and message_held.raw is None
    assert (
        admin_client.get(reverse("admin:mailgateway_failingaddress_changelist")).status_code == 200
    )
