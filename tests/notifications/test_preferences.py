"""The email preferences on the profile page: defaults, what is offered, saving."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import preferences
from notifications.models import NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_defaults_send_everything_and_write_nothing(world):
    """Without a saved choice every email is wanted, and reading the choices writes no row."""
    choices = preferences.preferences_for([world.requester, world.assignee])
    assert NotificationPreference.objects.count() == 0
    for kind in preferences.KIND_PREFERENCE:
        expected = kind != "new_tickets_digest"  # new tickets come one by one by default
        assert preferences.wants(choices[world.assignee.pk], kind) is expected, kind


def test_essential_kinds_are_always_wanted():
    """A question from the service, a closure to approve, an invitation to follow a ticket and
    a postponed ticket's return (to its agent) cannot be switched off."""
    essential = {"info_requested", "closure_requested", "ticket_invitation", "ticket_resumed"}
    assert essential == preferences.ESSENTIAL_KINDS
    everything_off = NotificationPreference(
        ticket_acknowledgement=False,
        ticket_progress=False,
        agent_replies=False,
        ticket_outcome=False,
        new_ticket_delivery="none",
        transferred_in=False,
        reopened=False,
        assigned_to_me=False,
        requester_activity=False,
        closure_decisions=False,
    )
    for kind in preferences.KIND_PREFERENCE:
        assert preferences.wants(everything_off, kind) is (kind in preferences.ESSENTIAL_KINDS)


def test_requester_sees_requester_choices_only(client, world):
    """A requester is offered the emails about their tickets, checked by default, and no
    switch for the essential messages."""
    client.force_login(world.requester)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert not NotificationPreference.objects.exists()  # showing the defaults writes nothing
    assert 'id="notifications"' in page
    assert 'name="notifications-ticket_progress"' in page
    assert 'name="notifications-new_ticket_delivery"' not in page
    assert "checked" in page
    assert "info_requested" not in page and "closure_requested" not in page


def test_agent_chooses_the_digest(client, world):
    """An agent saves their choices; they are kept and used."""
    client.force_login(world.agent2)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="notifications-new_ticket_delivery"' in page
    response = client.post(
        reverse("accounts:profile"),
        {
            "form": "notifications",
            "notifications-ticket_acknowledgement": "on",
            "notifications-new_ticket_delivery": "digest",
            "notifications-requester_activity": "on",
        },
    )
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=world.agent2)
    assert saved.new_ticket_delivery == "digest"
    assert saved.ticket_acknowledgement and saved.requester_activity
    assert not saved.ticket_progress and not saved.closure_decisions
    assert not preferences.wants(saved, "new_ticket")
    assert preferences.wants(saved, "new_tickets_digest")


def test_saving_preferences_leaves_the_profile_alone(client, world):
    """The preferences form does not touch the name or the language."""
    client.force_login(world.requester)
    client.post(reverse("accounts:profile"), {"form": "notifications"})
    world.requester.refresh_from_db()
    assert world.requester.full_name == "Camille Martin"
    assert NotificationPreference.objects.get(user=world.requester).ticket_progress is False


def test_invalid_choice_is_shown_again(client, world):
    """An unknown delivery choice is refused with the form shown again."""
    client.force_login(world.agent2)
    response = client.post(
        reverse("accounts:profile"),
        {"form": "notifications", "notifications-new_ticket_delivery": "hourly"},
    )
    assert response.status_code == 400
    assert 'id="notifications"' in response.content.decode()


def test_saved_choices_are_read_for_those_who_saved_them(world):
    """`saved_preferences` names only the people who saved the form: the others have the
    defaults, which `notify` applies to them."""
    NotificationPreference.objects.create(user=world.assignee, requester_activity=False)
    saved = preferences.saved_preferences([world.requester.pk, world.assignee.pk])
    assert list(saved) == [world.assignee.pk]
    assert saved[world.assignee.pk].requester_activity is False
