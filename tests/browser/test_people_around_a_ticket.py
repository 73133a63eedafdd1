"""People around a ticket, walked in Chromium in French and in English, axe on every page.

A requester invites a colleague from their ticket's page (searching her by name), the colleague
signs in, finds the ticket under "My tickets" and comments; an agent files a ticket for a caller
from the desk (an address the helpdesk does not know yet, the phone as origin, an internal note)
and lands on the ticket, which says who filed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Invitation, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Labels:
    language: str
    invite_someone: str
    name_or_email: str
    invite: str
    invited: str
    invited_to: str
    your_comment: str
    send: str
    comment_added: str
    file_for_someone: str
    person: str
    category: str
    origin: str
    phone: str
    subject: str
    description: str
    internal_note: str
    file: str
    filed: str
    filed_by: str


FRENCH = Labels(
    language="fr",
    invite_someone="Inviter quelqu’un",
    name_or_email="Nom ou adresse électronique",
    invite="Inviter",
    invited="est invité(e)",
    invited_to="Tickets auxquels je suis invité(e)",
    your_comment="Votre commentaire",
    send="Envoyer",
    comment_added="Votre commentaire a été ajouté.",
    file_for_someone="Saisir un ticket pour quelqu’un",
    person="Personne pour qui est le ticket",
    category="Catégorie",
    origin="Comment la demande vous est parvenue",
    phone="Téléphone",
    subject="Sujet",
    description="Description",
    internal_note="Note interne (facultative)",
    file="Saisir le ticket",
    filed="saisi pour",
    filed_by="Saisi par Alice Martin (Téléphone)",
)
ENGLISH = Labels(
    language="en",
    invite_someone="Invite someone",
    name_or_email="Name or email address",
    invite="Invite",
    invited="is invited",
    invited_to="Tickets I am invited to",
    your_comment="Your comment",
    send="Send",
    comment_added="Your comment has been added.",
    file_for_someone="File a ticket for someone",
    person="Person the ticket is for",
    category="Category",
    origin="How the request reached you",
    phone="Phone",
    subject="Subject",
    description="Description",
    internal_note="Internal note (optional)",
    file="File the ticket",
    filed="filed for",
    filed_by="Filed by Alice Martin (Phone)",
)


@pytest.fixture
def world(db):
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    agent = agent_of(service, user=UserFactory(full_name="Alice Martin"))
    return {"service": service, "category": category, "agent": agent}


def speaking(page: Page, base_url: str, user, language: str) -> None:
    """The person reads the helpdesk in `language` (their preference and the switcher's cookie)."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def sign_out(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{reverse('account_logout')}")
    page.locator("main form button[type='submit']").click()


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_requester_invites_a_colleague_who_comments(new_context, live_server, world, labels):
    base = live_server.url
    requester = UserFactory(full_name="Camille Durand")
    colleague = UserFactory(full_name="Dominique Secrétariat", email="secretariat@univ.example")
    ticket = services.ticket_create(
        requester=requester,
        category=world["category"],
        subject="Boîte mail du labo pleine",
        description="Plus aucun message depuis ce matin.",
    )
    workflow.take(ticket=ticket, actor=world["agent"])
    context = new_context()
    page = context.new_page()
    try:
        speaking(page, base, requester, labels.language)
        log_in(page, base, requester.email, reverse("tickets:detail", args=[ticket.pk]))
        check_accessibility(page, f"ticket page ({labels.language})")
        page.get_by_role("link", name=labels.invite_someone).click()
        expect(page).to_have_url(f"{base}{reverse('tickets:invite', args=[ticket.pk])}")
        check_accessibility(page, f"invitation page ({labels.language})")
        page.get_by_label(labels.name_or_email).fill("Dominique Secr")
        page.get_by_role("button", name=labels.invite, exact=True).click()
        expect(page).to_have_url(f"{base}{reverse('tickets:detail', args=[ticket.pk])}")
        expect(page.get_by_role("status")).to_contain_text(labels.invited)
        expect(page.get_by_test_id("invitee")).to_contain_text("Dominique Secrétariat")
        check_accessibility(page, f"ticket page with an invitee ({labels.language})")
        assert Invitation.objects.filter(ticket=ticket, user=colleague).exists()
        sign_out(page, base)

        speaking(page, base, colleague, labels.language)
        log_in(page, base, colleague.email, reverse("tickets:mine"))
        expect(page.get_by_role("heading", name=labels.invited_to)).to_be_visible()
        check_accessibility(page, f"my tickets with an invitation ({labels.language})")
        page.get_by_role("link", name=f"{ticket.reference} {ticket.subject}").click()
        page.get_by_label(labels.your_comment).fill("Le secrétariat confirme : rien depuis 8 h.")
        page.get_by_role("button", name=labels.send).click()
        expect(page.get_by_role("status")).to_contain_text(labels.comment_added)
        expect(page.locator("main")).to_contain_text("Le secrétariat confirme")
        check_accessibility(page, f"ticket page of the invitee ({labels.language})")
        comment = ticket.events.get(action="comment")
        assert comment.actor == colleague
    finally:
        context.close()


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_an_agent_files_for_a_caller(new_context, live_server, world, labels):
    base = live_server.url
    agent = world["agent"]
    context = new_context()
    page = context.new_page()
    try:
        speaking(page, base, agent, labels.language)
        log_in(page, base, agent.email, reverse("desk:home"))
        page.get_by_role("link", name=labels.file_for_someone).click()
        expect(page).to_have_url(f"{base}{reverse('desk:file_for')}")
        check_accessibility(page, f"filing for someone ({labels.language})")
        page.get_by_label(labels.person).fill(f"appelant.{labels.language}@univ.example")
        page.get_by_label(labels.category).select_option(
            label="Messagerie (Direction du numérique)"
        )
        page.get_by_label(labels.origin).select_option(label=labels.phone)
        page.get_by_label(labels.subject).fill("Mot de passe expiré")
        page.get_by_label(labels.description).fill(
            "L’appelant ne peut plus se connecter à sa messagerie."
        )
        page.get_by_label(labels.internal_note).fill("Rappeler au 03 83 00 00 00.")
        page.get_by_role("button", name=labels.file).click()
        ticket = Ticket.objects.get()
        expect(page).to_have_url(f"{base}{reverse('desk:detail', args=[ticket.pk])}")
        expect(page.get_by_role("status")).to_contain_text(labels.filed)
        expect(page.get_by_test_id("filed-by")).to_have_text(labels.filed_by)
        expect(page.locator("main")).to_contain_text("Rappeler au 03 83 00 00 00.")
        check_accessibility(page, f"the ticket filed for a caller ({labels.language})")
        assert ticket.requester.email == f"appelant.{labels.language}@univ.example"
        assert ticket.filed_by == agent
        assert ticket.origin == Ticket.Origin.PHONE
    finally:
        context.close()
