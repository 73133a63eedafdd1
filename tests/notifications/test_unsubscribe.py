"""Optional emails can be switched off from the email itself (RFC 2369 List-Unsubscribe, RFC 8058
one click): the link names the person and the preference, signed; essential emails have none."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications import emails, preferences, unsubscribe
from notifications.models import Notification, NotificationPreference
from tests.notifications.conftest import ALERT
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

SITE = "https://helpdesk.univ.example"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.INBOUND_REPLY_ADDRESS = ""


def link_in(message) -> str:
    """The https target of List-Unsubscribe."""
    (url,) = re.findall(r"<(https://[^>]+)>", message.extra_headers["List-Unsubscribe"])
    return url.removeprefix(SITE)


def row_of_kind(ticket, recipient, kind: str) -> Notification:
    event = TicketEvent.objects.create(ticket=ticket, kind="comment", action="comment", text=".")
    return Notification.objects.create(
        recipient=recipient,
        email=recipient.email,
        event=event,
        kind=kind,
        language="fr",
        dedup_key=f"event-{event.pk}",
    )


# --- The headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", sorted(k for k in preferences.KIND_PREFERENCE if k != "new_tickets_digest")
)
def test_only_optional_emails_carry_the_headers(world, ticket, kind):
    message = emails.build_message(row_of_kind(ticket, world.requester, kind))
    if preferences.KIND_PREFERENCE[kind] is None:
        assert "List-Unsubscribe" not in message.extra_headers
        assert "List-Unsubscribe-Post" not in message.extra_headers
        return
    field = preferences.KIND_PREFERENCE[kind]
    token = unsubscribe.token_for(world.requester.pk, field)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{SITE}/notifications/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_with_replies_on_a_mailto_too(settings, world, ticket):
    settings.INBOUND_REPLY_ADDRESS = "helpdesk@univ.example"
    message = emails.build_message(row_of_kind(ticket, world.requester, "agent_reply"))
    header = message.extra_headers["List-Unsubscribe"]
    https, mailto = re.findall(r"<([^>]+)>", header)
    assert https.startswith(f"{SITE}/notifications/unsubscribe/")
    assert mailto.startswith("mailto:helpdesk@univ.example?subject=unsubscribe%20")
    token = unsubscribe.token_in_subject("Re: unsubscribe " + https.split("/")[-2])
    assert unsubscribe.read_token(token) == unsubscribe.Unsubscription(
        world.requester.pk, "agent_replies"
    )


def test_the_alert_address_and_the_digest(world, django_capture_on_commit_callbacks):
    """An alert address is nobody's preference: no link. The digest is optional: a link."""
    from notifications import services

    NotificationPreference.objects.create(user=world.agent2, new_ticket_delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_create(
            requester=world.requester, category=world.category, subject="Wi-Fi", description="."
        )
    (alert,) = [m for m in mail.outbox if m.to == [ALERT]]
    assert "List-Unsubscribe" not in alert.extra_headers
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_digests()
    (digest,) = mail.outbox
    assert link_in(digest) == reverse(
        "notifications:unsubscribe",
        kwargs={"token": unsubscribe.token_for(world.agent2.pk, "new_ticket_delivery")},
    )


# --- The page ---------------------------------------------------------------------------------


def test_one_click_post_switches_the_email_off_without_signing_in(
    world, ticket, django_capture_on_commit_callbacks
):
    """What a mail client does on "Unsubscribe": a POST with no cookie and no CSRF token."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        ticket_services.comment_add(ticket=ticket, author=world.assignee, text="Je regarde.")
    reply = mail.outbox[-1]
    client = Client(enforce_csrf_checks=True)
    response = client.post(link_in(reply), ONE_CLICK)
    assert response.status_code == 200
    assert "vous ne recevrez plus les courriels « Réponses du service »" in (
        response.content.decode()
    )
    assert NotificationPreference.objects.get(user=world.requester).agent_replies is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.comment_add(ticket=ticket, author=world.assignee, text="Encore moi.")
    assert [m.to for m in mail.outbox] == []
    # Other choices are left alone; a second click changes nothing.
    assert NotificationPreference.objects.get(user=world.requester).ticket_outcome is True
    assert client.post(link_in(reply), ONE_CLICK).status_code == 200


def test_get_asks_to_confirm_and_changes_nothing(world):
    """A mail scanner that opens links must not unsubscribe anyone."""
    token = unsubscribe.token_for(world.requester.pk, "ticket_progress")
    response = Client().get(reverse("notifications:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post">' in page and 'type="submit"' in page
    assert not NotificationPreference.objects.filter(user=world.requester).exists()


def test_new_tickets_are_switched_to_none(world):
    token = unsubscribe.token_for(world.agent2.pk, "new_ticket_delivery")
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    assert Client().post(url, ONE_CLICK).status_code == 200
    assert NotificationPreference.objects.get(user=world.agent2).new_ticket_delivery == "none"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsImFnZW50X3JlcGxpZXMiXQ:forged",
        unsubscribe.token_for(1, "agent_replies").replace("WzE", "WzI"),
        # Signed, but names no preference (another field of the model).
        unsubscribe.signing.Signer(salt=unsubscribe._SALT).sign_object([1, "user"]),
        # Signed by another part of the helpdesk.
        unsubscribe.signing.Signer(salt="other").sign_object([1, "agent_replies"]),
    ],
)
def test_a_bad_link_answers_400_with_a_message(world, token):
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    for method in ("get", "post"):
        response = getattr(Client(), method)(url, ONE_CLICK if method == "post" else None)
        assert response.status_code == 400
        assert "Ce lien de désinscription n'est pas valide." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_link_of_a_removed_person_answers_400(world):
    token = unsubscribe.token_for(world.requester.pk, "agent_replies")
    world.requester.is_active = False
    world.requester.save()
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    assert Client().post(url, ONE_CLICK).status_code == 400


def test_the_page_is_in_french_and_in_english(world):
    token = unsubscribe.token_for(world.requester.pk, "agent_replies")
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    french = Client(headers={"accept-language": "fr"}).get(url).content.decode()
    english = Client(headers={"accept-language": "en"}).get(url).content.decode()
    assert "Vous ne recevrez plus les courriels « Réponses du service »." in french
    assert "You will no longer receive the emails “Replies from the service”." in english
