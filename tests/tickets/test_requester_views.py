"""The requester's pages: filing a ticket, "Mes tickets", the ticket page and its actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.factories import (
    CategoryFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
    agent_of,
)
from tickets import services, workflow
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

Status = Ticket.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "capture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def tree():
    """Two services and a two-level category tree like the university's."""
    numerique = ServiceFactory(name="Direction du numérique", slug="dn")
    scolarite = ServiceFactory(name="Scolarité", slug="scol", requester_can_set_priority=True)
    apps = CategoryFactory(
        name="Applications", slug="applications", service=numerique, help_text="Logiciels"
    )
    apogee = CategoryFactory(
        name="Applications de scolarité (Apogée)",
        slug="apogee",
        parent=apps,
        help_text="Support technique pour les applications de scolarité",
    )
    wifi = CategoryFactory(name="Wi-Fi", slug="wifi", parent=apps)
    retired = CategoryFactory(name="Minitel", slug="minitel", parent=apps, is_active=False)
    inscriptions = CategoryFactory(name="Inscriptions", slug="inscriptions", service=scolarite)
    return {
        "numerique": numerique,
        "scolarite": scolarite,
        "apps": apps,
        "apogee": apogee,
        "wifi": wifi,
        "retired": retired,
        "inscriptions": inscriptions,
    }


@pytest.fixture
def requester():
    return UserFactory(full_name="Camille Étudiante")


@pytest.fixture
def logged_in(client, requester):
    client.force_login(requester)
    return client


def file_ticket(requester, category, **kwargs) -> Ticket:
    return services.ticket_create(
        requester=requester,
        category=category,
        subject=kwargs.pop("subject", "Apogée refuse ma note"),
        description=kwargs.pop("description", "Message d'erreur à la saisie."),
        **kwargs,
    )


def taken(ticket: Ticket) -> tuple[Ticket, object]:
    agent = agent_of(ticket.service, user__full_name="Alice Agent")
    return workflow.take(ticket=ticket, actor=agent), agent


# --- Filing a ticket -------------------------------------------------------------------------


def test_filing_needs_login_and_comes_back_to_the_form(client, tree):
    """A logged-out visitor following the portal's deep link logs in, then lands on the form."""
    url = reverse("tickets:create") + "?category=apogee"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/tickets/new/%3Fcategory%3Dapogee" in response["Location"]


def test_first_step_lists_active_root_categories_with_help(logged_in, tree):
    """Root categories are radio buttons with their help text; inactive ones are not offered."""
    response = logged_in.get(reverse("tickets:create"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="radio" name="category"' in body
    assert "Applications" in body and "Logiciels" in body
    assert "Inscriptions" in body
    assert "Minitel" not in body
    assert "Déposer un ticket" in body


def test_choosing_a_category_with_children_lists_them(logged_in, tree):
    """The sub-categories of the chosen category are offered, with their help text."""
    response = logged_in.get(reverse("tickets:create"), {"category": "applications"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Applications de scolarité (Apogée)" in body
    assert "Support technique pour les applications de scolarité" in body
    assert 'aria-describedby="category-apogee-help"' in body
    assert "Minitel" not in body
    # The parent itself can be confirmed.
    assert 'name="parent" value="applications"' in body
    assert "Créer le ticket" not in body


def test_leaf_category_shows_form_and_handling_service(logged_in, tree):
    """A leaf leads to the form, which names the service that will handle the ticket."""
    response = logged_in.get(reverse("tickets:create"), {"category": "apogee"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Votre demande sera traitée par" in body
    assert "Direction du numérique" in body
    assert "Changer de catégorie" in body
    assert "Créer le ticket" in body
    assert 'type="file"' in body and "multiple" in body
    assert 'name="priority"' not in body


def test_confirming_a_parent_category_shows_the_form(logged_in, tree):
    """A requester may file in a category that has sub-categories by confirming it."""
    response = logged_in.get(
        reverse("tickets:create"), {"category": "applications", "parent": "applications"}
    )
    assert "Créer le ticket" in response.content.decode()


def test_priority_only_where_the_service_allows_it(logged_in, tree):
    response = logged_in.get(reverse("tickets:create"), {"category": "inscriptions"})
    assert 'name="priority"' in response.content.decode()


def test_unknown_or_inactive_category_goes_back_to_the_choice(logged_in, tree):
    response = logged_in.get(reverse("tickets:create"), {"category": "minitel"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Créer le ticket" not in body
    assert 'name="category"' in body


def test_htmx_step_returns_a_partial(logged_in, tree):
    """With htmx, the next step comes back alone and replaces the previous one in place."""
    response = logged_in.get(
        reverse("tickets:create"), {"category": "applications"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Applications de scolarité (Apogée)" in body
    assert 'hx-get="/tickets/new/"' in body


def test_creating_a_ticket_with_attachments(logged_in, requester, tree):
    """The form files the ticket in the chosen category with every attached file."""
    response = logged_in.post(
        reverse("tickets:create"),
        {
            "category": "apogee",
            "subject": "Note refusée",
            "description": "En saisissant 12,5 dans Apogée, une erreur apparaît.",
            "attachments": [png("erreur.png"), png("ecran.png")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:created", kwargs={"pk": ticket.pk})
    assert ticket.requester == requester
    assert ticket.category == tree["apogee"]
    assert ticket.service == tree["numerique"]
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == [
        "ecran.png",
        "erreur.png",
    ]


def test_form_with_errors_keeps_input_and_asks_for_files_again(logged_in, tree):
    """Errors come back next to their field, typed text is kept, and the person is told to
    select their files again."""
    response = logged_in.post(
        reverse("tickets:create"),
        {"category": "apogee", "subject": "", "description": "Texte saisi", "attachments": png()},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert 'id="id_subject_error"' in body
    assert 'aria-describedby="id_subject_error"' in body
    assert 'aria-invalid="true"' in body
    assert "Texte saisi" in body
    assert "Veuillez sélectionner à nouveau vos pièces jointes" in body
    assert 'aria-describedby="id_attachments_reselect' in body


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_oversized_upload_is_refused_with_the_limit(logged_in, tree):
    """A file over the limit is refused next to the file field, naming the limit; the rest of
    the form is kept."""
    big = SimpleUploadedFile("gros.png", PNG + b"\x00" * 200, content_type="image/png")
    response = logged_in.post(
        reverse("tickets:create"),
        {"category": "apogee", "subject": "Sujet gardé", "description": "D", "attachments": big},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert 'id="id_attachments_error"' in body
    with translation.override("fr"):
        limit = services.human_size(100)
    error = body[body.index('id="id_attachments_error"') :]
    assert limit in error[: error.index("</ul>")]
    assert "Sujet gardé" in body


def test_forbidden_file_type_is_refused(logged_in, tree):
    bad = SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 20)
    response = logged_in.post(
        reverse("tickets:create"),
        {"category": "apogee", "subject": "S", "description": "D", "attachments": bad},
    )
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_priority_is_kept_where_allowed(logged_in, tree):
    logged_in.post(
        reverse("tickets:create"),
        {"category": "inscriptions", "subject": "S", "description": "D", "priority": "4"},
    )
    assert Ticket.objects.get().priority == Ticket.Priority.URGENT


def test_recap_tells_what_happens_next(logged_in, requester, tree):
    """The recap shows the reference, category, service, status and what comes next."""
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.get(reverse("tickets:created", kwargs={"pk": ticket.pk}))
    body = response.content.decode()
    assert ticket.reference in body
    assert "Applications de scolarité (Apogée)" in body
    assert "Direction du numérique" in body
    assert "En attente de prise en charge" in body
    assert "Vous serez averti par mail" in body
    assert reverse("tickets:mine") in body
    assert ticket.get_absolute_url() in body


# --- Mes tickets -----------------------------------------------------------------------------


def test_my_tickets_lists_open_first_and_marks_waiting(logged_in, requester, tree):
    """Active tickets come before closed ones; waiting ones carry a text badge."""
    closed = file_ticket(requester, tree["apogee"], subject="Ancien ticket")
    workflow.cancel(ticket=closed, actor=requester)
    waiting, agent = taken(file_ticket(requester, tree["apogee"], subject="Question posée"))
    workflow.request_info(ticket=waiting, actor=agent, question="Quel navigateur ?")
    file_ticket(UserFactory(), tree["apogee"], subject="Pas à moi")
    body = logged_in.get(reverse("tickets:mine")).content.decode()
    assert body.index("Question posée") < body.index("Ancien ticket")
    assert "Pas à moi" not in body
    assert "Votre réponse est attendue" in body
    open_only = logged_in.get(reverse("tickets:mine"), {"state": "open"}).content.decode()
    assert "Ancien ticket" not in open_only and "Question posée" in open_only
    closed_only = logged_in.get(reverse("tickets:mine"), {"state": "closed"}).content.decode()
    assert "Ancien ticket" in closed_only and "Question posée" not in closed_only


def test_my_tickets_is_paginated(logged_in, requester, tree):
    for _n in range(27):
        TicketFactory(requester=requester, category=tree["wifi"])
    first = logged_in.get(reverse("tickets:mine"))
    assert len(first.context["page"].object_list) == 25
    second = logged_in.get(reverse("tickets:mine"), {"page": 2})
    assert len(second.context["page"].object_list) == 2


@pytest.mark.parametrize("count", [1, 30])
def test_my_tickets_query_count_is_fixed(client, requester, tree, django_assert_num_queries, count):
    """The list costs the same number of queries for 1 ticket or 30."""
    for _n in range(count):
        TicketFactory(requester=requester, category=tree["wifi"])
    client.force_login(requester)
    # session, user, count, page of tickets, the tickets they are invited to
    with django_assert_num_queries(5):
        response = client.get(reverse("tickets:mine"))
    assert response.status_code == 200


# --- The ticket page -------------------------------------------------------------------------


def test_ticket_page_shows_public_timeline_and_no_internal_note(logged_in, requester, tree):
    """The requester sees comments, status changes and files, never internal notes."""
    ticket = file_ticket(requester, tree["apogee"], files=[png("erreur.png")])
    ticket, agent = taken(ticket)
    services.comment_add(ticket=ticket, author=agent, text="Note secrète", internal=True)
    services.comment_add(ticket=ticket, author=agent, text="Nous regardons.")
    body = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert "Note secrète" not in body
    assert "Nous regardons." in body
    assert "erreur.png" in body
    attachment = ticket.attachments.get()
    assert attachment.get_absolute_url() in body
    assert "Alice Agent" in body
    assert "Direction du numérique" in body
    assert "En cours de traitement" in body
    assert body.index("Nous regardons.") > body.index("erreur.png")


@pytest.mark.parametrize("comments", [1, 20])
def test_ticket_page_query_count_is_fixed(
    client, requester, tree, django_assert_num_queries, comments
):
    """The ticket page costs the same number of queries whatever the length of its timeline."""
    ticket, agent = taken(file_ticket(requester, tree["apogee"], files=[png()]))
    for number in range(comments):
        services.comment_add(ticket=ticket, author=agent, text=f"Message {number}")
    client.force_login(requester)
    # session, user, memberships, ticket, events, attachments, invitees
    with django_assert_num_queries(7):
        response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200


def test_ticket_page_offers_only_allowed_actions(logged_in, requester, tree):
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.get(ticket.get_absolute_url())
    assert response.context["actions"] == [
        "comment",
        "attachment",
        "mark_solved",
        "cancel",
    ]
    body = response.content.decode()
    assert "ACTIONS" in body
    assert 'href="#action-cancel"' in body
    assert "Approuver la clôture" not in body


def test_info_requested_banner_shows_the_question(logged_in, requester, tree):
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    workflow.request_info(ticket=ticket, actor=agent, question="Quel est votre numéro ?")
    body = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert "Le service vous demande un complément d&#x27;information" in body or (
        "Le service vous demande un complément d'information" in body
    )
    assert "Quel est votre numéro ?" in body


def test_closure_banner_shows_resolution_and_buttons(logged_in, requester, tree):
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    workflow.request_closure(ticket=ticket, actor=agent, resolution="Cache vidé.")
    body = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert "Cache vidé." in body
    assert "Approuver la clôture" in body
    assert "Refuser la clôture" in body


def test_agent_of_the_service_is_sent_to_the_desk(client, requester, tree):
    ticket = file_ticket(requester, tree["apogee"])
    agent = agent_of(tree["numerique"])
    client.force_login(agent)
    response = client.get(ticket.get_absolute_url())
    try:
        desk_url = reverse("desk:detail", kwargs={"pk": ticket.pk})
    except NoReverseMatch:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == desk_url


# --- Someone else's ticket -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("tickets:detail", "get"),
        ("tickets:created", "get"),
        ("tickets:closure", "get"),
        ("tickets:comment", "post"),
        ("tickets:add_attachment", "post"),
        ("tickets:approve_closure", "post"),
        ("tickets:refuse_closure", "post"),
        ("tickets:cancel", "post"),
        ("tickets:reopen", "post"),
        ("tickets:mark_solved", "post"),
    ],
)
def test_another_persons_ticket_is_not_found(logged_in, tree, name, method):
    """A requester sees only their own tickets: any other ticket's URL answers 404."""
    ticket = file_ticket(UserFactory(), tree["apogee"], files=[png()])
    url = reverse(name, kwargs={"pk": ticket.pk})
    response = getattr(logged_in, method)(url, {"comment-text": "x", "refuse-reason": "x"})
    assert response.status_code == 404
    assert Ticket.objects.get().status == Status.OPEN


def test_another_persons_attachment_is_not_found(logged_in, tree):
    ticket = file_ticket(UserFactory(), tree["apogee"], files=[png()])
    response = logged_in.get(ticket.attachments.get().get_absolute_url())
    assert response.status_code == 404


# --- Actions ---------------------------------------------------------------------------------


def test_comment_answers_the_question_and_returns_the_ticket(logged_in, requester, tree):
    """Commenting while information is requested sends the ticket back to the agent."""
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    workflow.request_info(ticket=ticket, actor=agent, question="Quel navigateur ?")
    response = logged_in.post(
        reverse("tickets:comment", kwargs={"pk": ticket.pk}),
        {"comment-text": "Firefox 128", "comment-files": png("firefox.png")},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(action="comment", text="Firefox 128").exists()
    assert ticket.attachments.filter(original_name="firefox.png").exists()


def test_empty_comment_comes_back_with_error(logged_in, requester, tree):
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.post(reverse("tickets:comment", kwargs={"pk": ticket.pk}), {})
    assert response.status_code == 400
    assert 'id="id_comment-text_error"' in response.content.decode()


def test_add_attachment_adds_files(logged_in, requester, tree):
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.post(
        reverse("tickets:add_attachment", kwargs={"pk": ticket.pk}),
        {"attachment-files": [png("a.png"), png("b.png")]},
    )
    assert response.status_code == 302
    assert ticket.attachments.count() == 2


def test_add_attachment_without_a_file_asks_for_one(logged_in, requester, tree):
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.post(reverse("tickets:add_attachment", kwargs={"pk": ticket.pk}), {})
    assert response.status_code == 400
    assert 'id="id_attachment-files_error"' in response.content.decode()


def test_the_former_attach_address_still_adds_files(logged_in, requester, tree):
    """A page opened before the form was renamed posts to /attach/ with its former field names."""
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.post(
        reverse("tickets:former_attach", kwargs={"pk": ticket.pk}),
        {"attach-files": [png("a.png")]},
    )
    assert response.status_code == 302
    assert ticket.attachments.count() == 1


def test_refusal_needs_a_reason(logged_in, requester, tree):
    """An empty refusal is refused with a message; the closure stays pending."""
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    workflow.request_closure(ticket=ticket, actor=agent, resolution="Réglé.")
    url = reverse("tickets:refuse_closure", kwargs={"pk": ticket.pk})
    response = logged_in.post(url, {"refuse-reason": "   "})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Veuillez expliquer pourquoi vous refusez la clôture" in body
    assert "required" in body
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSURE_PENDING
    response = logged_in.post(url, {"refuse-reason": "Toujours en erreur"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(action="refuse_closure", text="Toujours en erreur").exists()


def test_closure_page_decides_nothing_on_get(logged_in, requester, tree):
    """The page an email links to shows the resolution and buttons; only a POST decides."""
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    workflow.request_closure(ticket=ticket, actor=agent, resolution="Mot de passe réinitialisé.")
    response = logged_in.get(reverse("tickets:closure", kwargs={"pk": ticket.pk}))
    body = response.content.decode()
    assert "Mot de passe réinitialisé." in body
    assert "Approuver la clôture" in body and "Refuser la clôture" in body
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSURE_PENDING
    response = logged_in.post(reverse("tickets:approve_closure", kwargs={"pk": ticket.pk}))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_approving_when_not_pending_is_a_conflict(logged_in, requester, tree):
    """A move the ticket's status does not allow shows a message and a 409 page."""
    ticket = file_ticket(requester, tree["apogee"])
    response = logged_in.post(reverse("tickets:approve_closure", kwargs={"pk": ticket.pk}))
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_cancel_mark_solved_and_reopen(logged_in, requester, tree):
    first = file_ticket(requester, tree["apogee"])
    logged_in.post(reverse("tickets:cancel", kwargs={"pk": first.pk}), {"cancel-reason": ""})
    first.refresh_from_db()
    assert first.status == Status.CANCELLED

    second = file_ticket(requester, tree["apogee"])
    logged_in.post(reverse("tickets:mark_solved", kwargs={"pk": second.pk}))
    second.refresh_from_db()
    assert second.status == Status.CLOSED

    url = reverse("tickets:reopen", kwargs={"pk": second.pk})
    assert logged_in.post(url, {"reopen-reason": ""}).status_code == 400
    assert logged_in.post(url, {"reopen-reason": "Le problème revient"}).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.REOPENED


def test_requester_page_in_english(client, tree):
    """A person whose language is English reads the page in English."""
    english = UserFactory(preferred_language="en")
    ticket = file_ticket(english, tree["apogee"])
    client.force_login(english)
    body = client.get(ticket.get_absolute_url()).content.decode()
    assert "Add a comment" in body
    assert "Waiting to be taken in charge" in body


def test_internal_attachment_is_not_listed(logged_in, requester, tree):
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    services.attachment_add(ticket=ticket, uploader=agent, file=png("interne.png"), internal=True)
    body = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert "interne.png" not in body
    assert TicketEvent.objects.filter(visibility=TicketEvent.Visibility.INTERNAL).exists()


def test_ticket_page_reads_as_a_conversation_without_notes(logged_in, requester, tree):
    """Messages carry who wrote them and their role; status changes are compact lines; an
    internal note never appears, not even as an empty entry."""
    ticket, agent = taken(file_ticket(requester, tree["apogee"]))
    services.comment_add(ticket=ticket, author=agent, text="Note secrète", internal=True)
    services.comment_add(ticket=ticket, author=agent, text="Nous regardons.")
    body = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert "thread-note" not in body
    assert "internal-label" not in body
    assert "Note interne" not in body
    message = body[body.rindex("thread-from-agent") :]
    assert message.index("Alice Agent") < message.index("Nous regardons.")
    assert "thread-line" in body  # "Alice Agent a pris en charge le ticket"
    assert body.index('id="action-comment"') < body.index("Nous regardons.")


@override_settings(ATTACHMENT_MAX_BYTES=2 * 1024 * 1024, ATTACHMENT_ALLOWED_EXTENSIONS=["png"])
def test_upload_fields_say_their_limits_first(logged_in, requester, tree):
    """The filing form and the ticket page's file fields state the size limit and the types,
    and point at that text."""
    create = logged_in.get(reverse("tickets:create"), {"category": "apogee"}).content.decode()
    assert "Jusqu’à 2 Mo par fichier. Types acceptés : png." in create
    assert 'id="id_attachments_limits"' in create
    assert 'accept=".png"' in create
    ticket = file_ticket(requester, tree["apogee"])
    page = logged_in.get(ticket.get_absolute_url()).content.decode()
    assert 'aria-describedby="id_comment-files_limits"' in page
    assert 'aria-describedby="id_attachment-files_limits"' in page
