"""Writes that are not status changes: filing a ticket and adding messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CategoryFactory
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import services
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Attachment, Ticket, TicketEvent

S = Ticket.Status


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def test_ticket_create_files_in_the_categorys_service(cast, notified):
    """The category decides the service; the ticket is new, with a created event notified."""
    sub = CategoryFactory(parent=cast.category, name="Wi-Fi")
    ticket = services.ticket_create(
        requester=cast.requester, category=sub, subject=" No Wi-Fi ", description="Room B12"
    )
    assert (ticket.status, ticket.service, ticket.category) == (S.OPEN, cast.service, sub)
    assert ticket.subject == "No Wi-Fi"
    assert ticket.reference == f"#{ticket.pk}"
    event = ticket.events.get()
    assert (event.kind, event.actor) == ("created", cast.requester)
    assert notified == [event]


def test_requesters_choose_the_priority_only_where_the_service_allows(cast):
    """A requester's priority is ignored unless the service lets requesters choose it."""
    ticket = services.ticket_create(
        requester=cast.requester, category=cast.category, subject="S", description="D", priority=4
    )
    assert ticket.priority == Ticket.Priority.NORMAL
    cast.service.requester_can_set_priority = True
    cast.service.save()
    ticket = services.ticket_create(
        requester=cast.requester, category=cast.category, subject="S", description="D", priority=4
    )
    assert ticket.priority == Ticket.Priority.URGENT


def test_no_ticket_in_an_inactive_category_or_service(cast):
    """Deactivated categories and services take no new tickets."""
    inactive = CategoryFactory(is_active=False)
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=cast.requester, category=inactive, subject="S", description="D"
        )
    cast.other_service.is_active = False
    cast.other_service.save()
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=cast.requester, category=cast.other_category, subject="S", description="D"
        )
    assert not Ticket.objects.exists()


def test_subject_and_description_are_required(cast):
    """A ticket without subject or description is refused."""
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=cast.requester, category=cast.category, subject=" ", description="D"
        )


def test_files_of_a_new_ticket_are_checked_before_anything_is_written(cast):
    """One bad file and nothing is created."""
    good = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    bad = SimpleUploadedFile("virus.exe", b"MZ....")
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=cast.requester,
            category=cast.category,
            subject="S",
            description="D",
            files=[good, bad],
        )
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_ticket_create_with_files(cast):
    """Files given at creation are attached, each with its event."""
    ticket = services.ticket_create(
        requester=cast.requester,
        category=cast.category,
        subject="S",
        description="D",
        files=[SimpleUploadedFile("trace.txt", b"error 42")],
    )
    attachment = ticket.attachments.get()
    assert attachment.original_name == "trace.txt"
    assert ticket.events.filter(kind="attachment", attachment=attachment).exists()


def test_comment_visibility(cast):
    """Public messages are public; internal notes are internal and only agents write them."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    public = services.comment_add(ticket=ticket, author=cast.requester, text="Hello")
    assert (public.action, public.visibility) == ("comment", TicketEvent.Visibility.PUBLIC)
    note = services.comment_add(ticket=ticket, author=cast.agent, text="Hm", internal=True)
    assert (note.action, note.visibility) == ("internal_note", TicketEvent.Visibility.INTERNAL)
    with pytest.raises(TransitionRefused) as refused:
        services.comment_add(ticket=ticket, author=cast.requester, text="Hi", internal=True)
    assert refused.value.status_code == 403


def test_strangers_cannot_comment(cast):
    """Another requester or another service's agent gets 403."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for person in (cast.other_requester, cast.other_agent):
        with pytest.raises(TransitionRefused) as refused:
            services.comment_add(ticket=ticket, author=person, text="Hi")
        assert refused.value.status_code == 403


def test_no_public_messages_on_a_finished_ticket(cast):
    """A closed ticket takes no more messages (409: reopen it); agents may still note."""
    ticket = ticket_in(S.CLOSED, cast)
    with pytest.raises(TransitionRefused) as refused:
        services.comment_add(ticket=ticket, author=cast.requester, text="Hi")
    assert refused.value.status_code == 409
    services.comment_add(ticket=ticket, author=cast.agent, text="For the record", internal=True)


def test_a_message_needs_text_or_files(cast):
    """An empty message is refused; a file alone is a message."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    with pytest.raises(TextRequired):
        services.comment_add(ticket=ticket, author=cast.requester, text="  ")
    event = services.comment_add(
        ticket=ticket,
        author=cast.requester,
        text="",
        files=[SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\nrest")],
    )
    assert event.text == ""
    assert ticket.attachments.count() == 1


def test_files_of_an_internal_note_are_internal(cast):
    """Files sent with an internal note are internal too."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(
        ticket=ticket,
        author=cast.agent,
        text="Config",
        internal=True,
        files=[SimpleUploadedFile("conf.txt", b"ssid=x")],
    )
    attachment = ticket.attachments.get()
    assert attachment.visibility == TicketEvent.Visibility.INTERNAL
    assert ticket.events.get(kind="attachment").visibility == TicketEvent.Visibility.INTERNAL
