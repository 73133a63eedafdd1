"""Postponing a ticket until a date ("Reporter"): it leaves the working queues, the requester is
told the date, the helpdesk puts it back in progress on that day and tells its agent, and the
statistics keep the time it waited apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from categories.models import Service
from tests.tickets.lifecycle import Cast, make_cast, next_week, ticket_in
from tickets import tasks, workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket, TicketEvent
from tickets.selectors import queues
from tickets.selectors.stats import delays
from tickets.selectors.stats.periods import Period

S = Ticket.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db, fast_passwords) -> Cast:
    return make_cast()


def postponed(cast: Cast) -> Ticket:
    return workflow.postpone(
        ticket=ticket_in(S.IN_PROGRESS, cast),
        actor=cast.assigned,
        until=next_week(),
        reason="Le fournisseur livre la pièce la semaine prochaine.",
    )


def test_postponing_needs_a_reason_and_a_day_after_today(cast, notified):
    """No reason: 400 with the move's message; today or a past day: 400; nothing changes."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    with pytest.raises(TextRequired):
        workflow.postpone(ticket=ticket, actor=cast.assigned, until=next_week(), reason=" ")
    for day in (timezone.localdate(), timezone.localdate() - timedelta(days=1)):
        with pytest.raises(TransitionRefused) as refused:
            workflow.postpone(ticket=ticket, actor=cast.assigned, until=day, reason="Later.")
        assert refused.value.status_code == 400
    ticket.refresh_from_db()
    assert (ticket.status, ticket.postponed_until) == (S.IN_PROGRESS, None)


def test_a_postponed_ticket_keeps_its_agent_and_records_the_reason(cast, notified):
    ticket = postponed(cast)
    assert ticket.status == S.POSTPONED
    assert ticket.assignee == cast.assigned
    assert ticket.postponed_until == next_week()
    event = ticket.events.order_by("-pk").first()
    assert (event.action, event.before, event.after) == ("postpone", S.IN_PROGRESS, S.POSTPONED)
    assert event.text == "Le fournisseur livre la pièce la semaine prochaine."
    assert event.visibility == TicketEvent.Visibility.PUBLIC
    assert notified[-1] == event


def test_it_may_be_given_another_date(cast, notified):
    ticket = postponed(cast)
    later = next_week() + timedelta(days=7)
    ticket = workflow.postpone(ticket=ticket, actor=cast.assigned, until=later, reason="Encore.")
    assert (ticket.status, ticket.postponed_until) == (S.POSTPONED, later)


def test_it_leaves_to_handle_and_my_tickets_for_the_postponed_tab(cast, notified):
    ticket = postponed(cast)
    mine = queues.queue_filter("mine", cast.assigned)
    assert not Ticket.objects.filter(mine, pk=ticket.pk).exists()
    assert not Ticket.objects.filter(queues.queue_filter("todo", cast.assigned), pk=ticket.pk)
    assert Ticket.objects.filter(queues.queue_filter("postponed", cast.assigned), pk=ticket.pk)
    workflow.resume(ticket=ticket, actor=cast.assigned)
    assert Ticket.objects.filter(mine, pk=ticket.pk).exists()


def test_the_requester_is_told_the_date_in_their_language(
    cast, fast_passwords, django_capture_on_commit_callbacks
):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    mail.outbox.clear()
    until = next_week()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.postpone(ticket=ticket, actor=cast.assigned, until=until, reason="Pièce.")
    (message,) = mail.outbox
    assert message.to == [cast.requester.email]
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    assert f"{until.day} {months[until.month - 1]} {until.year}" in message.body
    assert "Pièce." in message.body
    assert "reporté" in message.subject or "reporté" in message.body


def test_on_its_date_the_helpdesk_resumes_it_and_tells_the_agent(
    cast, django_capture_on_commit_callbacks
):
    ticket = postponed(cast)
    assert workflow.resume_due(today=next_week() - timedelta(days=1)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.resume_due(today=next_week()) == 1
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.postponed_until) == (
        S.IN_PROGRESS,
        cast.assigned,
        None,
    )
    event = ticket.events.order_by("-pk").first()
    assert (event.action, event.actor) == ("resume", None)
    (message,) = mail.outbox
    assert message.to == [cast.assigned.email]
    assert workflow.resume_due(today=next_week()) == 0  # once


def test_the_beat_task_resumes_the_tickets_of_the_day_and_those_missed(cast, notified):
    ticket = postponed(cast)
    Ticket.objects.filter(pk=ticket.pk).update(
        postponed_until=timezone.localdate() - timedelta(days=2)
    )
    assert tasks.resume_postponed() == 1
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_the_agent_may_resume_it_early_and_the_time_counts_apart(cast, notified):
    ticket = postponed(cast)
    Ticket.objects.filter(pk=ticket.pk).update(postponed_at=timezone.now() - timedelta(days=3))
    ticket = workflow.resume(ticket=ticket, actor=cast.assigned)
    assert ticket.status == S.IN_PROGRESS
    assert timedelta(days=3) <= ticket.postponed_for < timedelta(days=3, minutes=1)
    assert ticket.postponed_at is None


def test_time_to_closure_leaves_the_postponed_time_out(cast, notified):
    """A ticket open 10 days of which 4 postponed took 6 days to handle; the 4 are reported."""
    ticket = postponed(cast)
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(postponed_at=now - timedelta(days=4))
    workflow.resume(ticket=ticket, actor=cast.assigned)
    ticket = workflow.request_closure(ticket=ticket, actor=cast.assigned, resolution="Fait.")
    workflow.approve_closure(ticket=ticket, actor=cast.requester)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=10))
    service = Service.objects.get(pk=cast.service.pk)
    _, resolution, waited = delays.durations(
        Ticket.objects.filter(service=service), Period.last_days(7)
    )
    assert resolution.count == 1
    assert timedelta(days=5, hours=23) < resolution.median < timedelta(days=6, minutes=1)
    assert waited.count == 1
    assert timedelta(days=4) <= waited.median < timedelta(days=4, minutes=1)


# --- The agent's page ------------------------------------------------------------------------


def test_the_agent_postpones_from_the_ticket_page(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    client.force_login(cast.assigned)
    url = reverse("desk:action", kwargs={"pk": ticket.pk, "action": "postpone"})
    past = {"postpone-until": timezone.localdate().isoformat(), "postpone-reason": "Attente"}
    response = client.post(url, past)
    assert response.status_code == 400
    assert b"Attente" in response.content  # what was typed comes back
    future = {"postpone-until": next_week().isoformat(), "postpone-reason": "Attente"}
    response = client.post(url, future)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == S.POSTPONED
    page = client.get(reverse("desk:detail", kwargs={"pk": ticket.pk}))
    assert b'data-testid="postponed-until"' in page.content
    form = client.get(reverse("desk:move", kwargs={"pk": ticket.pk, "action": "resume"}))
    assert form.status_code == 200


def test_the_requester_reads_the_date_on_their_page(client, cast, notified):
    ticket = postponed(cast)
    client.force_login(cast.requester)
    page = client.get(reverse("tickets:detail", kwargs={"pk": ticket.pk}))
    assert page.status_code == 200
    assert b'data-testid="postponed-until"' in page.content


def test_the_postponed_tab_shows_each_tickets_return_date(client, cast, notified):
    ticket = postponed(cast)
    client.force_login(cast.assigned)
    page = client.get(reverse("desk:queue"), {"tab": "postponed"})
    assert ticket.subject.encode() in page.content
    with translation.override("fr"):
        day = formats.date_format(next_week(), "SHORT_DATE_FORMAT")
    assert f"jusqu’au {day}".encode() in page.content
    page = client.get(reverse("desk:queue"), {"tab": "mine"})
    assert ticket.subject.encode() not in page.content


def test_the_tickets_invitees_hear_of_the_postponement(cast, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory
    from tickets.models import Invitation

    ticket = ticket_in(S.IN_PROGRESS, cast)
    tutor = UserFactory(full_name="Thomas Tuteur")
    Invitation.objects.create(ticket=ticket, user=tutor, invited_by=cast.requester)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.postpone(ticket=ticket, actor=cast.assigned, until=next_week(), reason="Pièce.")
    assert {m.to[0] for m in mail.outbox} == {cast.requester.email, tutor.email}
