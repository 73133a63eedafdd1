"""Merging a duplicate into another ticket of the same service: its messages, files and people
move there, its requester follows the other ticket as an invitee and is told, and its pages lead
there."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import TicketFactory, UserFactory
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import services, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Invitation, Ticket, Watcher

S = Ticket.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db, fast_passwords) -> Cast:
    return make_cast()


def duplicate_and_original(cast: Cast) -> tuple[Ticket, Ticket]:
    """Two requests about the same broken projector: the other requester's came first."""
    original = TicketFactory(
        requester=cast.other_requester, category=cast.category, subject="Vidéoprojecteur HS"
    )
    original = workflow.take(ticket=original, actor=cast.assigned)
    duplicate = TicketFactory(
        requester=cast.requester,
        category=cast.category,
        subject="Projecteur amphi B en panne",
        description="Le projecteur de l'amphi B ne s'allume plus.",
    )
    return duplicate, original


def test_merge_moves_the_thread_and_the_people(cast, notified):
    duplicate, original = duplicate_and_original(cast)
    colleague = UserFactory(full_name="Coline Collègue")
    Invitation.objects.create(ticket=duplicate, user=colleague, invited_by=cast.requester)
    Watcher.objects.create(ticket=duplicate, agent=cast.agent)
    comment = services.comment_add(ticket=duplicate, author=cast.requester, text="Toujours HS.")
    services.attachment_add(
        ticket=duplicate, uploader=cast.requester, file=SimpleUploadedFile("photo.txt", b"x")
    )

    duplicate = workflow.merge(ticket=duplicate, actor=cast.agent, into=original)

    assert duplicate.status == S.MERGED
    assert duplicate.merged_into == original
    assert duplicate.closed_at is not None
    comment.refresh_from_db()
    assert comment.ticket_id == original.pk
    assert [a.original_name for a in original.attachments.all()] == ["photo.txt"]
    assert not duplicate.attachments.exists()
    invited = set(original.invitations.values_list("user_id", flat=True))
    assert {cast.requester.pk, colleague.pk} <= invited
    assert original.watchers.filter(agent=cast.agent).exists()
    received = original.events.get(action="merged_in")
    assert received.text == "Le projecteur de l'amphi B ne s'allume plus."
    assert duplicate.reference in received.before
    merged = duplicate.events.get(action="merge")
    assert (merged.before, merged.after, merged.actor) == (S.OPEN, S.MERGED, cast.agent)


def test_a_requester_who_already_follows_is_not_invited_twice(cast, notified):
    """The same person's two tickets merged: they stay the requester, with no invitation."""
    duplicate, original = duplicate_and_original(cast)
    Ticket.objects.filter(pk=original.pk).update(requester=cast.requester)
    original.refresh_from_db()
    workflow.merge(ticket=duplicate, actor=cast.agent, into=original)
    assert not original.invitations.filter(user=cast.requester).exists()


@pytest.mark.parametrize("case", ["itself", "other service", "closed", "merged"])
def test_a_merge_needs_another_active_ticket_of_the_service(cast, notified, case):
    duplicate, original = duplicate_and_original(cast)
    if case == "itself":
        original = duplicate
    elif case == "other service":
        original = workflow.transfer(
            ticket=original, actor=cast.assigned, category=cast.other_category
        )
    elif case == "closed":
        original = ticket_in(S.CLOSED, cast)
    else:
        original = ticket_in(S.MERGED, cast)
    actor = cast.superuser if case == "other service" else cast.agent
    with pytest.raises(TransitionRefused) as refused:
        workflow.merge(ticket=duplicate, actor=actor, into=original)
    assert refused.value.status_code == 400  # the form comes back with the message
    duplicate.refresh_from_db()
    assert duplicate.status == S.OPEN


def test_a_ticket_the_agent_cannot_see_is_no_target(cast, notified):
    """Another service's ticket is refused without saying it exists (400, as for a typo)."""
    duplicate, _original = duplicate_and_original(cast)
    elsewhere = TicketFactory(category=cast.other_category)
    with pytest.raises(TransitionRefused) as refused:
        workflow.merge(ticket=duplicate, actor=cast.agent, into=elsewhere)
    assert refused.value.status_code == 400


def test_the_requester_of_the_duplicate_is_told_where_it_went(
    cast, django_capture_on_commit_callbacks
):
    duplicate, original = duplicate_and_original(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.merge(ticket=duplicate, actor=cast.agent, into=original)
    to_requester = [m for m in mail.outbox if m.to == [cast.requester.email]]
    (message,) = to_requester
    assert "fusionné" in message.body
    assert original.reference in message.body
    assert f"/tickets/{original.pk}/" in message.body
    # The original's requester never reads the duplicate's internal bookkeeping by email.
    assert not [m for m in mail.outbox if m.to == [cast.other_requester.email]]


def test_the_duplicates_pages_lead_to_the_other_ticket(client, cast, notified):
    duplicate, original = duplicate_and_original(cast)
    workflow.merge(ticket=duplicate, actor=cast.agent, into=original)
    client.force_login(cast.requester)
    response = client.get(reverse("tickets:detail", kwargs={"pk": duplicate.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", kwargs={"pk": original.pk})
    # The requester, now invited, reads the other ticket.
    assert client.get(response["Location"]).status_code == 200
    client.force_login(cast.agent)
    response = client.get(reverse("desk:detail", kwargs={"pk": duplicate.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:detail", kwargs={"pk": original.pk})


def test_the_agent_merges_from_the_ticket_page(client, cast, notified):
    """ "Mark as duplicate" opens the merge form with the other ticket's number filled in; a
    number the agent cannot see is a form error (400) and nothing moves."""
    duplicate, original = duplicate_and_original(cast)
    client.force_login(cast.agent)
    move_url = reverse("desk:move", kwargs={"pk": duplicate.pk, "action": "merge"})
    form = client.get(move_url, {"into": original.pk})
    assert form.status_code == 200
    assert f'value="{original.pk}"'.encode() in form.content
    url = reverse("desk:action", kwargs={"pk": duplicate.pk, "action": "merge"})
    elsewhere = TicketFactory(category=cast.other_category)
    response = client.post(url, {"merge-into": elsewhere.pk})
    assert response.status_code == 400
    duplicate.refresh_from_db()
    assert duplicate.status == S.OPEN
    response = client.post(url, {"merge-into": original.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:detail", kwargs={"pk": original.pk})
    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED


def test_similar_tickets_offer_to_mark_this_one_as_a_duplicate(cast, notified):
    """Each active similar ticket links to the merge form, the number filled in; only for an
    agent who may merge, and never towards an ended ticket."""
    from django.template.loader import render_to_string

    duplicate, original = duplicate_and_original(cast)
    ended = ticket_in(S.CLOSED, cast)
    context = {"similar": [original, ended], "ticket": duplicate, "can_merge": True}
    html = render_to_string("tickets/stats/similar.html", context)
    merge_url = reverse("desk:move", kwargs={"pk": duplicate.pk, "action": "merge"})
    assert f"{merge_url}?into={original.pk}" in html
    assert f"?into={ended.pk}" not in html
    html = render_to_string("tickets/stats/similar.html", context | {"can_merge": False})
    assert "?into=" not in html


def test_a_reply_by_email_to_the_duplicate_reaches_the_other_ticket(cast, notified):
    """The mail gateway reads a reply to a merged duplicate as a reply to the ticket it went
    into, where the duplicate's requester may write as an invitee."""
    from mailgateway import routing
    from tickets import permissions

    duplicate, original = duplicate_and_original(cast)
    workflow.merge(ticket=duplicate, actor=cast.agent, into=original)
    assert routing._ticket(duplicate.pk) == original
    assert permissions.can_comment(original, cast.requester)
