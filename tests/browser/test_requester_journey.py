"""The requester's journey of the user guide, walked in Chromium, in French and in English.

A student logs in, files a ticket ("Déposer un ticket") in a category and sub-category with a
screenshot attached, reads the recap, answers the service's question through "ACTIONS" >
"Ajouter commentaire" (with the keyboard only), refuses a first closure with a reason (an empty
refusal is blocked), then approves the second one from the page the closure email links to.
The agent's side is played through `tickets.workflow`. axe checks every page visited.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility
from tests.factories import DEFAULT_PASSWORD, CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import workflow
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Ticket.Status


@dataclass(frozen=True)
class Labels:
    """The words of the interface a person reads and clicks, in one language."""

    language: str
    file_ticket: str
    continue_: str
    handled_by: str
    subject: str
    description: str
    create: str
    created: str
    next_steps: str
    see_ticket: str
    info_banner: str
    actions: str
    add_comment: str
    send: str
    answer_sent: str
    refuse: str
    refusal_sent: str
    refusal_required: str
    approve: str
    closed: str
    my_tickets: str
    log_in: str


FRENCH = Labels(
    language="fr",
    file_ticket="Déposer un ticket",
    continue_="Continuer",
    handled_by="Votre demande sera traitée par : Direction du numérique",
    subject="Sujet",
    description="Description",
    create="Créer le ticket",
    created="a été créé",
    next_steps="Vous serez averti par mail de l'état d'avancement de votre demande",
    see_ticket="Voir mon ticket",
    info_banner="Le service vous demande un complément d'information",
    actions="ACTIONS",
    add_comment="Ajouter commentaire",
    send="Envoyer",
    answer_sent="Votre réponse a été transmise au service.",
    refuse="Refuser la clôture",
    refusal_sent="Votre refus a été transmis au service.",
    refusal_required="Veuillez expliquer pourquoi vous refusez la clôture.",
    approve="Approuver la clôture",
    closed="Clôturé",
    my_tickets="Mes tickets",
    log_in="Connexion",
)

ENGLISH = Labels(
    language="en",
    file_ticket="File a ticket",
    continue_="Continue",
    handled_by="Your request will be handled by: Direction du numérique",
    subject="Subject",
    description="Description",
    create="Create the ticket",
    created="has been created",
    next_steps="You will be told by email how your request progresses",
    see_ticket="See my ticket",
    info_banner="The service asks you for more information",
    actions="ACTIONS",
    add_comment="Add a comment",
    send="Send",
    answer_sent="Your answer has been sent to the service.",
    refuse="Refuse the closure",
    refusal_sent="Your refusal has been sent to the service.",
    refusal_required="Please explain why you refuse the closure.",
    approve="Approve the closure",
    closed="Closed",
    my_tickets="My tickets",
    log_in="Log in",
)


def small_png() -> bytes:
    """A valid 2x2 red PNG, as a screenshot of an error message would be (but smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _row in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def tab_to(page: Page, element_id: str, limit: int = 40) -> None:
    """Presses Tab until the element has the focus, as a keyboard user would."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} was not reached with the Tab key")


@pytest.fixture
def university(db):
    """The service, its agent, and the category tree of the guide's example."""
    service = ServiceFactory(name="Direction du numérique", slug="dn")
    root = CategoryFactory(
        name="Informatique et numérique",
        slug="numerique",
        service=service,
        help_text="Problèmes d'ordinateur, de réseau ou d'application.",
    )
    CategoryFactory(
        name="Applications de scolarité (Apogée)",
        slug="apogee",
        parent=root,
        help_text="Support technique pour les applications de scolarité",
    )
    CategoryFactory(name="Wi-Fi et réseau", slug="wifi", parent=root)
    agent = agent_of(service, user__full_name="Alice Durand")
    return {"service": service, "agent": agent}


def walk_the_guide(
    page: Page, base_url: str, labels: Labels, agent, requester, shots: Path
) -> None:
    lang = labels.language

    # Home page -> "Déposer un ticket" -> login -> back to the form.
    page.goto(base_url + "/")
    check_accessibility(page, "home")
    page.get_by_role("link", name=labels.file_ticket).first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    check_accessibility(page, "login")
    page.fill("input[name='login']", requester.email)
    page.fill("input[name='password']", DEFAULT_PASSWORD)
    page.locator("main form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/tickets/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(labels.file_ticket)
    check_accessibility(page, "category choice")

    # Category, then sub-category (htmx swaps each step in place), then the form.
    page.get_by_label("Informatique et numérique").check()
    with page.expect_request(re.compile(r"category=numerique")) as step_request:
        page.get_by_role("button", name=labels.continue_).click()
    assert step_request.value.headers.get("hx-request") == "true"  # swapped in place by htmx
    apogee = page.get_by_label("Applications de scolarité (Apogée)")
    expect(apogee).to_be_visible()
    expect(page.get_by_text("Support technique pour les applications de scolarité")).to_be_visible()
    check_accessibility(page, "sub-category choice")
    apogee.check()
    page.get_by_role("button", name=labels.continue_).click()
    expect(page.locator("#handling-service")).to_have_text(labels.handled_by)

    page.get_by_label(labels.subject).fill("Impossible de saisir une note")
    page.get_by_label(labels.description).fill(
        "Dans Apogée, en saisissant 12,5 pour l'étudiant 2024001, le message « Valeur invalide » "
        "apparaît."
    )
    page.locator("input[name='attachments']").set_input_files(
        {"name": "erreur.png", "mimeType": "image/png", "buffer": small_png()}
    )
    check_accessibility(page, "ticket form")
    page.screenshot(path=str(shots / f"requester-create-form-{lang}.png"), full_page=True)
    page.get_by_role("button", name=labels.create).click()

    # The recap.
    expect(page.get_by_role("heading", level=1)).to_contain_text(labels.created)
    expect(page.locator("main")).to_contain_text(labels.next_steps)
    expect(page.locator("main")).to_contain_text("erreur.png")
    check_accessibility(page, "recap")
    page.screenshot(path=str(shots / f"requester-recap-{lang}.png"), full_page=True)
    ticket = Ticket.objects.get(requester=requester)
    assert ticket.attachments.filter(original_name="erreur.png").exists()

    # The agent takes the ticket and asks a question.
    workflow.take(ticket=ticket, actor=agent)
    workflow.request_info(ticket=ticket, actor=agent, question="Quel navigateur utilisez-vous ?")
    page.get_by_role("link", name=labels.see_ticket).click()
    expect(page.locator("main")).to_contain_text(labels.info_banner)
    expect(page.locator("main")).to_contain_text("Quel navigateur utilisez-vous ?")
    check_accessibility(page, "ticket page, information requested")

    # Keyboard only: Tab to ACTIONS, open it, choose "Ajouter commentaire", type, send.
    tab_to(page, "actions-menu")
    page.keyboard.press("Enter")
    menu = page.locator(".dropdown-menu")
    expect(menu).to_be_visible()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == labels.add_comment
    check_accessibility(page, "ticket page, ACTIONS menu open")
    page.screenshot(path=str(shots / f"requester-ticket-actions-{lang}.png"), full_page=True)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "comment-text"
    page.keyboard.type("Firefox 128 sous Windows 11.")
    tab_to(page, "comment-submit")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(labels.answer_sent)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS

    # The agent proposes a resolution; the requester refuses it, with a reason.
    workflow.request_closure(ticket=ticket, actor=agent, resolution="Cache du navigateur vidé.")
    page.reload()
    expect(page.locator("main")).to_contain_text("Cache du navigateur vidé.")
    check_accessibility(page, "ticket page, closure pending")
    page.screenshot(
        path=str(shots / f"requester-ticket-closure-pending-{lang}.png"), full_page=True
    )
    refuse = page.get_by_role("button", name=labels.refuse)
    refuse.click()
    reason = page.locator("#id_refuse-reason")
    assert reason.evaluate("el => el.validity.valueMissing")  # the browser blocks it
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSURE_PENDING
    # Without the browser's check, the server refuses an empty reason too.
    reason.evaluate("el => el.removeAttribute('required')")
    reason.fill("   ")
    refuse.click()
    expect(page.locator("main")).to_contain_text(labels.refusal_required)
    check_accessibility(page, "closure page, empty refusal")
    page.locator("#id_refuse-reason").fill("Le message apparaît toujours.")
    page.get_by_role("button", name=labels.refuse).click()
    expect(page.locator("main")).to_contain_text(labels.refusal_sent)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS

    # Second resolution: the requester follows the email's link and approves.
    workflow.request_closure(ticket=ticket, actor=agent, resolution="Correctif installé.")
    page.goto(f"{base_url}/tickets/{ticket.pk}/closure/")
    expect(page.locator("main")).to_contain_text("Correctif installé.")
    check_accessibility(page, "closure page")
    page.screenshot(path=str(shots / f"requester-closure-{lang}.png"), full_page=True)
    page.get_by_role("button", name=labels.approve).click()
    expect(page.locator("aside")).to_contain_text(labels.closed)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    check_accessibility(page, "ticket page, closed")

    # Mes tickets.
    page.get_by_role("navigation", name=re.compile(".")).get_by_role(
        "link", name=labels.my_tickets
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(labels.my_tickets)
    expect(page.locator("tbody")).to_contain_text("Impossible de saisir une note")
    check_accessibility(page, "my tickets")
    page.screenshot(path=str(shots / f"requester-my-tickets-{lang}.png"), full_page=True)


def test_requester_journey_in_french(page, live_server, university, artifacts_dir):
    """The guide's journey, in French (the default language)."""
    requester = UserFactory(email="etudiant@univ.example", full_name="Camille Martin")
    walk_the_guide(page, live_server.url, FRENCH, university["agent"], requester, artifacts_dir)


def test_requester_journey_in_english(new_context, live_server, university, artifacts_dir):
    """The same journey for a person whose browser and profile speak English."""
    context = new_context(locale="en-US")
    page = context.new_page()
    requester = UserFactory(
        email="student@univ.example", full_name="Sam Taylor", preferred_language="en"
    )
    try:
        walk_the_guide(
            page, live_server.url, ENGLISH, university["agent"], requester, artifacts_dir
        )
    finally:
        context.close()


def test_filing_and_answering_without_javascript(
    new_context, live_server, university, artifacts_dir
):
    """With JavaScript off, each category step is a plain page and the actions are plain links
    to the forms on the ticket's page. (axe needs JavaScript: these pages are checked with it on
    in the journeys above.)"""
    context = new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    requester = UserFactory(email="sans-js@univ.example", full_name="Dominique Sans")
    try:
        page.goto(f"{live_server.url}/tickets/new/?category=numerique")
        page.fill("input[name='login']", requester.email)
        page.fill("input[name='password']", DEFAULT_PASSWORD)
        page.locator("main form button[type='submit']").last.click()
        expect(page).to_have_url(re.compile(r"/tickets/new/\?category=numerique$"))
        page.get_by_label("Wi-Fi et réseau").check()
        page.get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(re.compile(r"category=wifi"))
        expect(page.locator("#handling-service")).to_contain_text("Direction du numérique")
        page.get_by_label("Sujet").fill("Pas de Wi-Fi")
        page.get_by_label("Description").fill("eduroam refuse mon mot de passe en salle B12.")
        page.get_by_role("button", name="Créer le ticket").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("a été créé")
        ticket = Ticket.objects.get(requester=requester)
        workflow.take(ticket=ticket, actor=university["agent"])
        workflow.request_info(ticket=ticket, actor=university["agent"], question="Quelle salle ?")
        page.get_by_role("link", name="Voir mon ticket").click()
        page.get_by_role("navigation", name="ACTIONS").get_by_role(
            "link", name="Ajouter commentaire"
        ).click()
        expect(page).to_have_url(re.compile(r"#action-comment$"))
        page.get_by_label("Votre commentaire").fill("Salle B12, bâtiment A.")
        page.get_by_role("button", name="Envoyer").click()
        expect(page.locator("main")).to_contain_text("Votre réponse a été transmise au service.")
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
    finally:
        context.close()
