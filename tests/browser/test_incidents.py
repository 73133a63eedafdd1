"""Known incidents, walked in Chromium in French and in English: an agent declares eduroam's
outage, a student choosing the Wi-Fi category sees its banner first and says "Je suis concerné"
instead of filing, the agent links a similar ticket and resolves the incident with a closure
request, which reaches the linked ticket's timeline; the public status page shows it resolved.
axe checks every page visited; the last walk does it all without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from incidents.models import AffectedPerson, Incident
from notifications.models import Notification
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, UserFactory, agent_of
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Labels:
    language: str
    locale: str
    declare: str
    title: str
    message: str
    submit_declaration: str
    declared: str
    banner: str
    affected: str
    recorded: str
    link: str
    done: str
    resolution: str
    request_closure: str
    resolve: str
    resolved: str
    status_page: str
    recently_resolved: str


FRENCH = Labels(
    language="fr",
    locale="fr-FR",
    declare="Déclarer un incident",
    title="Titre public",
    message="Message public",
    submit_declaration="Déclarer l’incident",
    declared="est déclaré",
    banner="Incident connu : eduroam indisponible",
    affected="Je suis concerné·e",
    recorded="Vous êtes enregistré·e comme concerné·e",
    link="Rattacher",
    done="Fait",
    resolution="Résolution",
    request_closure="Demander aussi la clôture de chaque ticket rattaché avec cette résolution",
    resolve="Résoudre",
    resolved="L’incident est résolu.",
    status_page="État des services",
    recently_resolved="Résolus récemment",
)
ENGLISH = Labels(
    language="en",
    locale="en-US",
    declare="Declare an incident",
    title="Public title",
    message="Public message",
    submit_declaration="Declare the incident",
    declared="is declared",
    banner="Known incident: eduroam indisponible",
    affected="I am affected",
    recorded="You are recorded as affected",
    link="Link",
    done="Done",
    resolution="Resolution",
    request_closure="Also request the closure of every linked ticket with this resolution",
    resolve="Resolve",
    resolved="The incident is resolved.",
    status_page="Service status",
    recently_resolved="Recently resolved",
)


@pytest.fixture
def campus(db):
    service = ServiceFactory(name="Direction du numérique", slug="dn")
    root = CategoryFactory(name="Informatique et numérique", slug="numerique", service=service)
    wifi = CategoryFactory(name="Wi-Fi et réseau", slug="wifi", parent=root)
    return {"service": service, "root": root, "wifi": wifi}


def walk(page: Page, base: str, labels: Labels, campus: dict, shots) -> None:
    lang = labels.language
    agent = agent_of(
        campus["service"],
        user__email=f"agent-{lang}@univ.example",
        user__full_name="Alice Durand",
        user__preferred_language=lang,
    )
    student = UserFactory(
        email=f"etudiant-{lang}@univ.example", full_name="Camille Martin", preferred_language=lang
    )
    reporter = UserFactory(email=f"deja-{lang}@univ.example", preferred_language=lang)
    earlier = TicketFactory(
        requester=reporter, category=campus["wifi"], subject="eduroam ne répond plus en B12"
    )

    # The agent declares the incident.
    log_in(page, base, agent.email, "/desk/incidents/")
    check_accessibility(page, "incidents desk")
    page.get_by_role("link", name=labels.declare).first.click()
    check_accessibility(page, "declaration form")
    page.get_by_label(labels.title).fill("eduroam indisponible")
    page.get_by_label(labels.message).fill("Le Wi-Fi eduroam est coupé sur le campus Cité.")
    page.get_by_label(re.compile("Wi-Fi et réseau")).check()
    page.get_by_role("button", name=labels.submit_declaration).click()
    expect(page.locator(".messages")).to_contain_text(labels.declared)
    incident = Incident.objects.get(title="eduroam indisponible", service=campus["service"])
    check_accessibility(page, "incident desk page")
    page.screenshot(path=str(shots / f"incident-desk-{lang}.png"), full_page=True)
    page.context.clear_cookies()

    # The student sees the banner first and says they are affected, without filing.
    log_in(page, base, student.email, "/tickets/new/?category=wifi")
    banner = page.locator(".incident-banner")
    expect(banner).to_contain_text(labels.banner)
    check_accessibility(page, "filing page with the incident's banner")
    page.screenshot(path=str(shots / f"incident-banner-{lang}.png"), full_page=True)
    banner.get_by_role("button", name=labels.affected).click()
    expect(page.locator(".messages")).to_contain_text(labels.recorded)
    check_accessibility(page, "filing page, affected")
    assert AffectedPerson.objects.filter(incident=incident, user=student).exists()
    assert not Ticket.objects.filter(requester=student).exists()
    page.context.clear_cookies()

    # The agent links the similar ticket and resolves, requesting closure.
    log_in(page, base, agent.email, incident.get_absolute_url())
    page.get_by_label(re.compile("eduroam ne répond plus")).check()
    page.get_by_role("button", name=labels.link, exact=True).click()
    results = page.locator(".bulk-results")
    expect(results).to_contain_text(labels.done)
    expect(results).to_contain_text(earlier.reference)
    check_accessibility(page, "incident page, link results")
    page.get_by_role("textbox", name=re.compile("^" + labels.resolution)).fill(
        "Le contrôleur Wi-Fi est remplacé."
    )
    page.get_by_label(labels.request_closure).check()
    page.get_by_role("button", name=labels.resolve, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(labels.resolved)
    expect(page.locator(".bulk-results")).to_contain_text(earlier.reference)
    check_accessibility(page, "incident page, resolved")
    page.screenshot(path=str(shots / f"incident-resolved-{lang}.png"), full_page=True)
    earlier.refresh_from_db()
    assert earlier.status == Ticket.Status.CLOSURE_PENDING
    assert Notification.objects.filter(email=student.email, kind="incident_resolved").exists()
    page.context.clear_cookies()

    # The resolution reached the linked ticket's timeline.
    log_in(page, base, reporter.email, earlier.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Le contrôleur Wi-Fi est remplacé.")
    check_accessibility(page, "linked ticket's page")
    page.context.clear_cookies()

    # The public status page, signed out.
    page.goto(base + "/")
    page.locator("footer").get_by_role("link", name=labels.status_page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(labels.status_page)
    expect(page.locator("main")).to_contain_text(labels.recently_resolved)
    expect(page.locator("main")).to_contain_text("eduroam indisponible")
    check_accessibility(page, "status page")
    page.screenshot(path=str(shots / f"incident-status-{lang}.png"), full_page=True)


def test_incident_walk_in_french(new_context, live_server, campus, artifacts_dir):
    context = new_context(locale=FRENCH.locale)
    try:
        walk(context.new_page(), live_server.url, FRENCH, campus, artifacts_dir)
    finally:
        context.close()


def test_incident_walk_in_english(new_context, live_server, campus, artifacts_dir):
    context = new_context(locale=ENGLISH.locale)
    try:
        walk(context.new_page(), live_server.url, ENGLISH, campus, artifacts_dir)
    finally:
        context.close()


def test_the_banner_and_the_desk_work_without_javascript(new_context, live_server, campus):
    """Without scripts: the banner's button, filing anyway (linked), and a queue's batch link."""
    context = new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    agent = agent_of(campus["service"], user__email="agent-sans-js@univ.example")
    student = UserFactory(email="sans-js@univ.example")
    incident = Incident.objects.create(
        service=campus["service"], title="eduroam indisponible", message="Coupure."
    )
    incident.categories.set([campus["wifi"]])
    base = live_server.url
    try:
        log_in(page, base, student.email, "/tickets/new/?category=wifi")
        expect(page.locator(".incident-banner")).to_contain_text("eduroam indisponible")
        page.get_by_label("Sujet").fill("Pas de réseau")
        page.get_by_label("Description").fill("En salle B12.")
        page.get_by_role("button", name="Créer le ticket").click()
        ticket = Ticket.objects.get(requester=student)
        assert incident.links.filter(ticket=ticket).exists()
        page.context.clear_cookies()
        other = TicketFactory(category=campus["wifi"], subject="Wi-Fi coupé")
        log_in(page, base, agent.email, "/desk/queue/?tab=all")
        page.locator(f"#select-{other.pk}").check()
        page.get_by_role("button", name="Rattacher à un incident").click()
        page.get_by_label(re.compile("eduroam indisponible")).check()
        page.get_by_role("button", name="Rattacher les tickets").click()
        expect(page.locator(".bulk-results")).to_contain_text(other.reference)
        assert incident.links.filter(ticket=other).exists()
    finally:
        context.close()
