"""Invitations: the requester or an agent invites someone to follow a ticket.

An invitee sees the ticket's public part, comments, adds files, gets its emails (never an internal
note) and may leave; only the requester decides on the closure. An agent of another service
invited for advice also reads the internal notes, and the ticket stays out of their queues.
Permanent invitees of a category or a service join every new ticket there. Every invitation and
departure is on the timeline.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts import pending
from notifications import recipients
from tests.accounts.test_sso_settings import oidc_settings  # noqa: F401 - fixture
from tests.factories import UserFactory, agent_of
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import events, permissions, services, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Invitation, PermanentInvitee, Ticket, TicketEvent
from tickets.moves import Move
from tickets.selectors import queues, ticket_pages

pytestmark = pytest.mark.django_db
S = Ticket.Status


@pytest.fixture
def cast(fast_passwords) -> Cast:
    return make_cast()


@pytest.fixture
def colleague() -> object:
    return UserFactory(
        email="claire.collegue@univ.example", full_name="Claire Collègue", preferred_language="en"
    )


@pytest.fixture
def adviser(cast: Cast) -> object:
    """An agent of another service, asked for advice."""
    return cast.other_agent


@pytest.fixture
def emails(settings) -> Iterator[list]:
    """Emails sent for real (outbox rows, then the message), tasks run in this process."""
    from helpdesk.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield mail.outbox
    app.conf.task_always_eager = saved


def addressed_to(outbox: list, address: str) -> list:
    return [message for message in outbox if address in message.to]


# --- The move ---------------------------------------------------------------------------------


def test_the_requester_invites_a_colleague_who_sees_the_public_part(cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(ticket=ticket, author=cast.assigned, text="Internal", internal=True)
    invitation = workflow.invite(ticket, cast.requester, colleague)

    assert invitation.invited_by == cast.requester
    assert permissions.can_view(ticket, colleague)
    assert not permissions.can_view_internal(ticket, colleague)
    assert ticket_pages.tickets_visible_to(colleague).filter(pk=ticket.pk).exists()
    page_ticket = ticket_pages.ticket_for_page(ticket.pk, colleague)
    assert all(not e.is_internal for e in ticket_pages.timeline(page_ticket, colleague))
    event = ticket.events.get(action=Move.INVITE)
    with translation.override("en"):
        sentence = events.describe(event)
    assert sentence == "Rita Requester invited Claire Collègue to follow the ticket"
    assert event.visibility == TicketEvent.Visibility.PUBLIC
    assert notified[-1] == event


def test_an_invitee_comments_adds_files_and_never_decides_the_closure(cast, colleague, notified):
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    workflow.invite(ticket, cast.requester, colleague)
    ticket = Ticket.objects.get(pk=ticket.pk)
    allowed = permissions.available_actions(ticket, colleague)
    assert {Move.COMMENT, Move.ATTACHMENT} <= allowed
    assert not {Move.APPROVE_CLOSURE, Move.REFUSE_CLOSURE, Move.INTERNAL_NOTE} & allowed
    with pytest.raises(TransitionRefused) as refused:
        workflow.approve_closure(ticket=ticket, actor=colleague)
    assert refused.value.status_code == 403
    services.comment_add(ticket=ticket, author=colleague, text="Still broken for me too")
    with pytest.raises(TransitionRefused):
        services.comment_add(ticket=ticket, author=colleague, text="Secret", internal=True)


def test_an_invitee_leaves_and_no_longer_sees_the_ticket(cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.invite(ticket, cast.agent, colleague)
    workflow.leave(ticket=ticket, actor=colleague)
    assert not Invitation.objects.filter(ticket=ticket).exists()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert not permissions.can_view(fresh, colleague)
    left = fresh.events.get(action=Move.LEAVE)
    with translation.override("en"):
        assert events.describe(left) == "Claire Collègue stopped following the ticket"
    # Nobody else may "leave" for them, nor the requester.
    with pytest.raises(TransitionRefused) as refused:
        workflow.leave(ticket=fresh, actor=cast.requester)
    assert refused.value.status_code == 403


def test_an_invitation_is_refused_for_who_already_sees_the_ticket(cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for person in (cast.requester, cast.agent, cast.superuser):
        with pytest.raises(TransitionRefused) as refused:
            workflow.invite(ticket, cast.requester, person)
        assert refused.value.status_code == 409
    workflow.invite(ticket, cast.requester, colleague)
    with pytest.raises(TransitionRefused) as refused:
        workflow.invite(ticket, cast.agent, colleague)
    assert refused.value.status_code == 409
    assert Invitation.objects.filter(ticket=ticket).count() == 1


def test_invitations_need_an_active_ticket_and_the_right_person(cast, colleague, notified):
    closed = ticket_in(S.CLOSED, cast)
    with pytest.raises(TransitionRefused) as refused:
        workflow.invite(closed, cast.requester, colleague)
    assert refused.value.status_code == 409
    ticket = ticket_in(S.OPEN, cast)
    for stranger in (cast.other_requester, cast.other_agent):
        with pytest.raises(TransitionRefused) as refused:
            workflow.invite(ticket, stranger, colleague)
        assert refused.value.status_code == 403
    # An invitee does not invite in turn.
    workflow.invite(ticket, cast.requester, colleague)
    with pytest.raises(TransitionRefused) as refused:
        workflow.invite(ticket, colleague, "third@univ.example")
    assert refused.value.status_code == 403


def test_an_unknown_address_gets_a_pending_account(cast, notified):
    ticket = ticket_in(S.OPEN, cast)
    invitation = workflow.invite(ticket, cast.requester, "  Nouveau.Venu@Univ.Example ")
    person = invitation.user
    assert person.email == "nouveau.venu@univ.example"
    assert person.is_active and not person.has_usable_password()
    assert pending.is_pending(person)
    # The same address, whatever its case, is the same account.
    assert pending.pending_account("NOUVEAU.VENU@univ.example") == person
    with translation.override("en"), pytest.raises(ValidationError, match="not a valid email"):
        pending.pending_account("not an address")


@pytest.mark.usefixtures("oidc_settings")
def test_the_pending_account_becomes_theirs_at_their_first_sso_sign_in(
    cast, notified, rf, settings
):
    """The university's SSO finds the account by its address (SSO_TRUST_EMAIL), and their name
    comes with it."""
    from allauth.core import context

    from accounts.adapters import SocialAccountAdapter
    from tests.accounts.test_sso_settings import oidc_login

    settings.SSO_TRUST_EMAIL = True
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    ticket = ticket_in(S.OPEN, cast)
    person = workflow.invite(ticket, cast.requester, "invitee.sso@univ.example").user
    claims = {"sub": "u-inv", "name": "Inès Invitée", "email": "Invitee.SSO@univ.example"}
    request, login = oidc_login(rf, claims)
    with context.request_context(request):
        login.lookup()
        SocialAccountAdapter().pre_social_login(request, login)
    assert login.user == person
    person.refresh_from_db()
    assert person.full_name == "Inès Invitée"


def test_an_agent_of_another_service_invited_for_advice(cast, adviser, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(ticket=ticket, author=cast.assigned, text="Call them", internal=True)
    workflow.invite(ticket, cast.assigned, adviser)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert permissions.can_view_internal(ticket, adviser)
    assert Move.INTERNAL_NOTE in permissions.available_actions(ticket, adviser)
    assert not {Move.TAKE, Move.ASSIGN, Move.REQUEST_CLOSURE} & permissions.available_actions(
        ticket, adviser
    )
    services.comment_add(ticket=ticket, author=adviser, text="Try the other port", internal=True)
    # The ticket stays out of their queues.
    assert not queues.desk_tickets(adviser).filter(pk=ticket.pk).exists()
    assert all(count == 0 for count in queues.queue_counts(adviser).values())


# --- Emails -----------------------------------------------------------------------------------


def test_who_hears_of_what_with_an_invitee_and_an_invited_agent(cast, colleague, adviser):
    """The recipients matrix with people invited: an internal note never reaches an invitee."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.invite(ticket, cast.requester, colleague)
    workflow.invite(ticket, cast.assigned, adviser)

    def heard(action: str, actor, visibility=TicketEvent.Visibility.PUBLIC) -> dict[str, str]:
        event = TicketEvent.objects.create(
            ticket=ticket, kind="comment", action=action, actor=actor, visibility=visibility
        )
        return {d.email: d.kind for d in recipients.recipients_for(event)}

    public = heard("comment", cast.assigned)
    assert public[colleague.email] == "followed_ticket_message"
    assert public[adviser.email] == "followed_ticket_message"
    assert public[cast.requester.email] == "agent_reply"

    note = heard("internal_note", cast.assigned, TicketEvent.Visibility.INTERNAL)
    assert colleague.email not in note
    assert note == {adviser.email: "followed_ticket_message"}

    by_invitee = heard("comment", colleague)
    assert by_invitee[cast.requester.email] == "invitee_comment"
    assert by_invitee[cast.assigned.email] == "invitee_comment"
    assert by_invitee[adviser.email] == "followed_ticket_message"
    assert colleague.email not in by_invitee

    closure = heard("request_closure", cast.assigned)
    assert closure[colleague.email] == "followed_ticket_update"
    assert closure[cast.requester.email] == "closure_requested"


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("fr", "Vous êtes invité(e) à suivre un ticket"),
        ("en", "You are invited to follow a ticket"),
    ],
)
def test_the_invitation_email_in_the_invitees_language(
    cast, emails, django_capture_on_commit_callbacks, language, headline
):
    person = UserFactory(email=f"guest.{language}@univ.example", preferred_language=language)
    ticket = ticket_in(S.IN_PROGRESS, cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.invite(ticket, cast.requester, person)
    (message,) = addressed_to(emails, person.email)
    assert headline in message.body
    assert "Rita Requester" in message.body
    assert f"/tickets/{ticket.pk}/" in message.body


def test_an_invitee_never_receives_an_internal_note_by_email(
    cast, colleague, emails, django_capture_on_commit_callbacks
):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.invite(ticket, cast.requester, colleague)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=cast.assigned, text="SECRET-NOTE", internal=True)
        services.comment_add(ticket=ticket, author=cast.assigned, text="Public answer")
    to_colleague = addressed_to(emails, colleague.email)
    assert len(to_colleague) == 1
    assert "Public answer" in to_colleague[0].body
    assert all("SECRET-NOTE" not in m.body for m in to_colleague)


# --- Permanent invitees -----------------------------------------------------------------------


def test_permanent_invitees_join_every_new_ticket_of_their_category_or_service(cast, notified):
    secretariat = UserFactory(full_name="Secrétariat du labo")
    director = UserFactory(full_name="Directrice du labo")
    PermanentInvitee.objects.create(category=cast.category, user=secretariat)
    PermanentInvitee.objects.create(service=cast.service, user=director)
    PermanentInvitee.objects.create(category=cast.other_category, user=cast.requester)
    # An agent of the service sees the ticket anyway: never invited.
    PermanentInvitee.objects.create(service=cast.service, user=cast.agent)

    ticket = services.ticket_create(
        requester=cast.requester, category=cast.category, subject="Printer", description="Jam"
    )
    invited = set(Invitation.objects.filter(ticket=ticket).values_list("user_id", flat=True))
    assert invited == {secretariat.pk, director.pk}
    with translation.override("en"):
        lines = [events.describe(e) for e in ticket.events.filter(action=Move.INVITE)]
    assert "Secrétariat du labo was invited to follow the ticket" in lines
    assert all(e.actor is None for e in ticket.events.filter(action=Move.INVITE))


def test_a_permanent_invitee_is_a_service_or_a_category_never_both(cast):
    from django.db import IntegrityError, transaction

    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PermanentInvitee.objects.create(service=cast.service, category=cast.category, user=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        PermanentInvitee.objects.create(user=person)


def test_permanent_invitees_in_the_admin(admin_client, cast):
    response = admin_client.get(reverse("admin:tickets_permanentinvitee_add"))
    assert response.status_code == 200
    person = UserFactory(email="labo@univ.example")
    response = admin_client.post(
        reverse("admin:tickets_permanentinvitee_add"),
        {"category": cast.category.pk, "service": "", "user": person.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PermanentInvitee.objects.filter(category=cast.category, user=person).exists()
    response = admin_client.post(
        reverse("admin:tickets_permanentinvitee_add"),
        {"category": cast.category.pk, "service": cast.service.pk, "user": person.pk},
    )
    assert response.status_code == 200
    assert "Choisissez soit un service, soit une catégorie" in response.content.decode()


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_requester_invites_from_the_ticket_page(client, cast, colleague, notified, language):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    client.force_login(cast.requester)
    client.cookies["django_language"] = language
    page = client.get(ticket.get_absolute_url())
    assert reverse("tickets:invite", args=[ticket.pk]) in page.content.decode()
    form = client.get(reverse("tickets:invite", args=[ticket.pk]))
    assert form.status_code == 200
    response = client.post(reverse("tickets:invite", args=[ticket.pk]), {"who": "Claire Coll"})
    assert response.status_code == 302
    assert Invitation.objects.filter(ticket=ticket, user=colleague).exists()
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Claire Collègue" in page


def test_a_name_found_several_times_is_chosen_from_a_list(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    first = UserFactory(full_name="Jean Dupont", email="jean.dupont@univ.example")
    UserFactory(full_name="Jean Dupont", email="jean.dupont2@univ.example")
    client.force_login(cast.requester)
    url = reverse("tickets:invite", args=[ticket.pk])
    response = client.post(url, {"who": "Jean Dupont"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "jean.dupont2@univ.example" in body and 'name="person"' in body
    response = client.post(url, {"who": "Jean Dupont", "person": first.email})
    assert response.status_code == 302
    assert Invitation.objects.filter(ticket=ticket, user=first).exists()


def test_bad_input_is_a_clear_400_keeping_what_was_typed(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    client.force_login(cast.requester)
    url = reverse("tickets:invite", args=[ticket.pk])
    response = client.post(url, {"who": "Zorglub Nobody"})
    assert response.status_code == 400
    assert "Zorglub Nobody" in response.content.decode()
    assert "Personne n’a été trouvé avec ce nom" in response.content.decode()
    response = client.post(url, {"who": "bad@address@"})
    assert response.status_code == 400
    assert "n’est pas une adresse électronique valide" in response.content.decode()
    assert client.post(url, {"who": ""}).status_code == 400
    assert not Invitation.objects.filter(ticket=ticket).exists()


def test_an_invitee_reads_comments_and_leaves_from_the_pages(client, cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(ticket=ticket, author=cast.assigned, text="NOTE-XYZ", internal=True)
    workflow.invite(ticket, cast.requester, colleague)
    client.force_login(colleague)
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "NOTE-XYZ" not in body
    assert reverse("tickets:leave", args=[ticket.pk]) in body
    assert reverse("tickets:invite", args=[ticket.pk]) not in body
    mine = client.get(reverse("tickets:mine")).content.decode()
    assert ticket.subject in mine
    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"comment-text": "Same here"}
    )
    assert response.status_code == 302
    # Their words are an invited person's, not the service's, on every page.
    client.force_login(cast.requester)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Personne invitée" in page
    client.force_login(colleague)
    assert client.get(reverse("tickets:invite", args=[ticket.pk])).status_code == 403
    response = client.post(reverse("tickets:leave", args=[ticket.pk]))
    assert response.status_code == 302
    assert client.get(ticket.get_absolute_url()).status_code == 404


def test_an_invited_agent_reads_the_internal_notes_on_the_desk_page(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(ticket=ticket, author=cast.assigned, text="NOTE-XYZ", internal=True)
    workflow.invite(ticket, cast.assigned, cast.other_agent)
    client.force_login(cast.other_agent)
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:detail", args=[ticket.pk])
    body = client.get(response["Location"]).content.decode()
    assert "NOTE-XYZ" in body


def test_strangers_reach_no_invitation_page(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    stranger = agent_of(cast.other_service)
    client.force_login(stranger)
    assert client.get(reverse("tickets:invite", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("tickets:leave", args=[ticket.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("tickets:invite", args=[ticket.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_language_of_the_timeline_sentence(cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.invite(ticket, cast.requester, colleague)
    event = ticket.events.get(action=Move.INVITE)
    with translation.override("fr"):
        assert (
            events.describe(event) == "Rita Requester a invité Claire Collègue à suivre le ticket"
        )


# --- Personal data ----------------------------------------------------------------------------


def test_the_persons_export_and_anonymization(cast, colleague, notified):
    from accounts import personal_data

    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.invite(ticket, cast.requester, colleague)
    PermanentInvitee.objects.create(category=cast.category, user=colleague)
    exported = personal_data.export(colleague)["tickets_followed"]
    assert exported["invited_to"] == [ticket.pk]
    assert exported["permanently_invited_to"] == [str(cast.category)]
    forgotten = personal_data.Forgotten(
        user=colleague,
        old_names=frozenset({"Claire Collègue", colleague.email}),
        name="Personne anonyme 1",
        address="anonyme-1@invalid",
    )
    from tickets.personal_data import rename_in_people_events

    rename_in_people_events(forgotten)
    assert ticket.events.get(action=Move.INVITE).after == "Personne anonyme 1"


def test_the_requester_or_an_agent_removes_an_invitee(client, cast, colleague, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.invite(ticket, cast.requester, colleague)
    other = UserFactory(full_name="Oscar Outsider")
    with pytest.raises(TransitionRefused) as refused:
        workflow.uninvite(ticket=ticket, actor=cast.agent, person=other)
    assert refused.value.status_code == 409
    with pytest.raises(TransitionRefused) as refused:
        workflow.uninvite(ticket=ticket, actor=colleague, person=colleague)
    assert refused.value.status_code == 403

    client.force_login(cast.requester)
    url = reverse("tickets:uninvite", args=[ticket.pk, colleague.pk])
    assert url in client.get(ticket.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Invitation.objects.filter(ticket=ticket).exists()
    assert not permissions.can_view(Ticket.objects.get(pk=ticket.pk), colleague)
    removed = ticket.events.get(action=Move.UNINVITE)
    with translation.override("en"):
        assert events.describe(removed) == "Rita Requester removed Claire Collègue from the ticket"
    # Gone already: nothing to remove.
    assert client.post(url).status_code == 404
