"""The agent's day, walked in Chromium: queues, taking a ticket, asking, replying, closing.

An agent logs in, finds a new ticket in "À traiter", takes it, asks the requester for information,
sees the answer come back to "Mes tickets en cours", replies (starting from a canned response),
writes an internal note the requester never sees, and requests the closure. Two agents who opened
the same new ticket both press "Prendre en charge": the second is told who was first. The
requester's side is played through `tickets.services`. axe checks every page visited.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from categories.models import CannedResponse
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Ticket.Status


def french(text: object) -> str:
    """The interface's French for a text owned elsewhere (status labels, refusals)."""
    from django.utils import translation

    with translation.override("fr"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


@pytest.fixture
def desk(db):
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    CannedResponse.objects.create(
        service=service,
        title="Vider la corbeille",
        body="Merci de vider la corbeille de votre messagerie puis de réessayer.",
    )
    alice = agent_of(service, user=UserFactory(full_name="Alice Martin", preferred_language="fr"))
    bob = agent_of(service, user=UserFactory(full_name="Bruno Petit", preferred_language="fr"))
    requester = UserFactory(full_name="Camille Durand", email="camille.durand@univ.example")
    ticket = services.ticket_create(
        requester=requester,
        category=category,
        subject="Boîte mail pleine",
        description="Je ne reçois plus de messages depuis ce matin.",
    )
    return {"alice": alice, "bob": bob, "requester": requester, "ticket": ticket}


def test_agent_handles_a_ticket_from_queue_to_closure(
    page, new_context, live_server, desk, artifacts_dir: Path
):
    """The queue, the ticket page and each move, with htmx, in French."""
    base = live_server.url
    ticket = desk["ticket"]
    log_in(page, base, desk["alice"].email, "/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guichet")
    check_accessibility(page, "desk home")

    # "À traiter" lists the new ticket.
    page.get_by_role("link", name=re.compile(r"^\s*À traiter")).first.click()
    expect(page).to_have_url(re.compile(r"/desk/queue/\?tab=todo"))
    row = page.get_by_role("row").filter(has_text="Boîte mail pleine")
    expect(row).to_contain_text("Camille Durand")
    expect(row).to_contain_text(french(Status.OPEN.label))
    check_accessibility(page, "queue: to handle")
    page.screenshot(path=str(artifacts_dir / "desk-queue.png"), full_page=True)

    # Search by reference finds it too.
    page.get_by_role("searchbox", name="Rechercher").fill(f"#{ticket.pk}")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("row").filter(has_text="Boîte mail pleine")).to_have_count(1)

    # Take it.
    page.get_by_role("link", name="Boîte mail pleine").click()
    expect(page).to_have_url(re.compile(rf"/desk/tickets/{ticket.pk}/$"))
    check_accessibility(page, "ticket page, new")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("[data-feedback]")).to_have_text("Vous avez pris en charge le ticket.")
    expect(page.get_by_test_id("assignee")).to_have_text("Alice Martin")

    # Ask for information, from the ACTIONS menu: the question is required.
    page.locator("#move-menu-button").click()
    page.get_by_role("link", name="Demander des informations").click()
    page.get_by_role("button", name="Demander des informations").click()
    expect(page.get_by_label("Votre question au demandeur")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_label("Votre question au demandeur").fill("Quelle est votre adresse ?")
    page.get_by_role("button", name="Demander des informations").click()
    expect(page.locator("[data-feedback]")).to_have_text(
        "Votre question a été envoyée au demandeur."
    )
    expect(page.get_by_test_id("status")).to_have_text(french(Status.INFO_REQUESTED.label))

    # The requester answers; the ticket is back in "Mes tickets en cours".
    services.comment_add(
        ticket=Ticket.objects.get(pk=ticket.pk),
        author=desk["requester"],
        text="camille.durand@univ.example",
    )
    page.goto(f"{base}/desk/queue/?tab=mine")
    row = page.get_by_role("row").filter(has_text="Boîte mail pleine")
    expect(row).to_contain_text(french(Status.IN_PROGRESS.label))
    check_accessibility(page, "queue: mine")
    row.get_by_role("link", name="Boîte mail pleine").click()
    expect(page.get_by_text("camille.durand@univ.example").first).to_be_visible()

    # Reply, starting from the canned response.
    page.get_by_label("Réponse type").select_option(label="Vider la corbeille")
    page.get_by_role("button", name="Insérer").click()
    message = page.get_by_label("Message")
    expect(message).to_have_value(re.compile("vider la corbeille"))
    page.get_by_role("button", name="Envoyer la réponse", exact=True).click()
    expect(page.locator("[data-feedback]")).to_have_text(
        "Votre réponse a été envoyée au demandeur."
    )

    # An internal note, labelled as such: the reply box is switched to "Note interne" first.
    page.locator("#composer label", has_text="Note interne").click()
    page.get_by_label("Message").fill("Quota relevé à 5 Go côté serveur.")
    page.get_by_role("button", name="Ajouter la note interne", exact=True).click()
    expect(page.locator("[data-feedback]")).to_have_text("Votre note interne a été ajoutée.")
    note = page.locator("li.timeline-internal").filter(has_text="Quota relevé")
    expect(note).to_contain_text("Note interne")
    check_accessibility(page, "ticket page, in progress")
    page.screenshot(path=str(artifacts_dir / "desk-ticket.png"), full_page=True)

    # The requester, in another browser context, does not see the note.
    other = new_context(locale="fr-FR")
    try:
        requester_page = other.new_page()
        log_in(requester_page, base, desk["requester"].email, f"/tickets/{ticket.pk}/")
        expect(requester_page.get_by_text("vider la corbeille", exact=False).first).to_be_visible()
        expect(requester_page.get_by_text("Quota relevé")).to_have_count(0)
    finally:
        other.close()

    # Request the closure: the resolution is required.
    page.locator("#move-menu-button").click()
    page.get_by_role("link", name="Demander la clôture").click()
    page.get_by_label("Résolution (envoyée au demandeur)").fill("Corbeille vidée, quota relevé.")
    page.get_by_role("button", name="Demander la clôture").click()
    expect(page.locator("[data-feedback]")).to_have_text(
        "La demande de clôture a été envoyée au demandeur pour approbation."
    )
    expect(page.get_by_test_id("status")).to_have_text(french(Status.CLOSURE_PENDING.label))
    check_accessibility(page, "ticket page, closure requested")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSURE_PENDING


def test_second_agent_taking_the_same_ticket_is_told_who_was_first(
    page, new_context, live_server, desk
):
    """Both agents opened the ticket; the one who clicks second gets a clear refusal."""
    base = live_server.url
    ticket = desk["ticket"]
    url = f"/desk/tickets/{ticket.pk}/"
    log_in(page, base, desk["alice"].email, url)
    other = new_context(locale="fr-FR")
    try:
        bob_page = other.new_page()
        log_in(bob_page, base, desk["bob"].email, url)
        page.get_by_role("button", name="Prendre en charge").click()
        expect(page.locator("[data-feedback]")).to_have_text("Vous avez pris en charge le ticket.")
        bob_page.get_by_role("button", name="Prendre en charge").click()
        feedback = bob_page.get_by_role("alert")
        expect(feedback).to_contain_text(
            french("This ticket was already taken by %(name)s.") % {"name": "Alice Martin"}
        )
        expect(bob_page.get_by_test_id("assignee")).to_have_text("Alice Martin")
        check_accessibility(bob_page, "refused take")
    finally:
        other.close()
    assert Ticket.objects.get(pk=ticket.pk).assignee == desk["alice"]


def test_workspace_works_without_javascript(new_context, live_server, desk):
    """Every move is a plain form: with JavaScript off, taking redirects back with a message."""
    context = new_context(locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        ticket = desk["ticket"]
        log_in(page, live_server.url, desk["alice"].email, f"/desk/tickets/{ticket.pk}/")
        page.get_by_role("button", name="Prendre en charge").click()
        expect(page.get_by_role("status")).to_contain_text("Vous avez pris en charge le ticket.")
        page.get_by_label("Réponse type").select_option(label="Vider la corbeille")
        page.get_by_role("button", name="Insérer").click()
        expect(page.get_by_label("Message")).to_have_value(re.compile("vider la corbeille"))
    finally:
        context.close()


def test_agent_workspace_in_english(new_context, live_server, desk):
    """An agent who reads English gets the same workspace in English."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=desk["bob"].pk).update(preferred_language="en")
    context = new_context(locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, live_server.url, desk["bob"].email, "/desk/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Desk")
        check_accessibility(page, "desk home (en)")
        page.get_by_role("link", name=re.compile(r"^\s*To handle")).first.click()
        page.get_by_role("link", name="Boîte mail pleine").click()
        page.get_by_role("button", name="Take charge").click()
        expect(page.locator("[data-feedback]")).to_have_text("You took the ticket.")
        page.locator("#composer label", has_text="Internal note").click()
        page.get_by_label("Message").fill("Checked the quota.")
        page.get_by_role("button", name="Add the internal note", exact=True).click()
        note = page.locator("li.timeline-internal").filter(has_text="Checked the quota.")
        expect(note).to_contain_text("Internal note")
        check_accessibility(page, "ticket page (en)")
    finally:
        context.close()


def test_pages_are_checked_without_animations(page, live_server):
    """axe measures the colours a reader sees once the page is still: the browser asks for reduced
    motion, so Bootstrap's buttons change colour at once on hover and focus."""
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    button = page.locator("main form button[type='submit']").last
    assert button.evaluate("b => getComputedStyle(b).transitionDuration") == "0s"
