"""Every page each kind of person reaches, in French and in English, on a 1280-pixel screen and a
390-pixel phone: axe finds no WCAG 2.1 A/AA violation, the page speaks its language, the header
stays within 64 pixels on the phone, nothing but a data table makes the page scroll sideways, and
a screenshot of each goes to test-artifacts/screenshots/<role>-<page>-<lang>-<width>.png.

One browser context per role and width (one sign-in), the pages and languages in a loop. Then the
header's menu, the statistics' contents bar and the institution's colours are walked with the
keyboard, without JavaScript, and with a light brand colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from incidents import services as incident_services
from incidents.models import Incident
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of
from tickets import services, workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
LANGUAGES = ("fr", "en")
HEADER_MAX_PHONE = 64
# The innermost elements that stick out on the right, when the page scrolls sideways. Data tables
# are left out, as WCAG 1.4.10 (Reflow) leaves them out: a wide table may scroll in two directions.
WIDER_THAN_THE_SCREEN = """() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    const sticksOut = (el) => el.getBoundingClientRect().right > window.innerWidth + 1;
    const clipped = (el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    return [...document.querySelectorAll("body *")]
        .filter((el) => sticksOut(el) && !clipped(el) && !el.closest("table")
                        && ![...el.children].some(sticksOut))
        .slice(0, 5)
        .map((el) => (el.closest("table") && el.closest("table").caption
                      ? "table '" + el.closest("table").caption.textContent.trim() + "' " : "")
                     + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                     + (el.className && el.className.baseVal === undefined
                        ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
}"""


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    status: int = 200


@pytest.fixture
def people(db):
    """A service with an agent and a head, a requester with a ticket the agent answered, and a
    superuser: enough for every page to show something."""
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    agent = agent_of(service, user=UserFactory(full_name="Alice Martin"))
    head = head_of(service, user=UserFactory(full_name="Hélène Dubois"))
    requester = UserFactory(full_name="Camille Durand")
    superuser = UserFactory(full_name="Sam Admin", is_staff=True, is_superuser=True)
    ticket = services.ticket_create(
        requester=requester,
        category=category,
        subject="Boîte mail pleine",
        description="Je ne reçois plus de messages depuis ce matin.",
    )
    workflow.take(ticket=ticket, actor=agent)
    services.comment_add(ticket=ticket, author=agent, text="Nous regardons votre boîte.")
    services.ticket_create(
        requester=requester, category=category, subject="Mot de passe oublié", description="…"
    )
    incident = incident_services.declare(
        actor=agent,
        service=service,
        title="Messagerie indisponible",
        message="Les messages n'arrivent plus depuis 9 h.",
        categories=[category],
    )
    incident_services.post_update(incident=incident, actor=agent, text="Retour prévu à midi.")
    return {
        "requester": requester,
        "agent": agent,
        "head": head,
        "superuser": superuser,
        "ticket": ticket,
    }


def visits(role: str, ticket_pk: int) -> list[Visit]:
    """The pages the role reaches from the header and the home page, and the error pages."""
    common = [
        Visit("home", "/"),
        Visit("file-a-ticket", reverse("tickets:create")),
        Visit("my-tickets", reverse("tickets:mine")),
        Visit("profile", reverse("accounts:profile")),
        Visit("accessibility", reverse("accessibility")),
        Visit("logout", reverse("account_logout")),
        Visit("not-found", "/no-such-page/", 404),
        Visit("answers", reverse("knowledge:index")),
        Visit("service-status", reverse("incidents:status")),
        Visit("incident-public", _incident_path("incidents:public_detail")),
    ]
    if role == "requester":
        return [
            *common,
            Visit("ticket", reverse("tickets:detail", kwargs={"pk": ticket_pk})),
            Visit("invite", reverse("tickets:invite", kwargs={"pk": ticket_pk})),
            Visit("desk-refused", reverse("desk:home"), 403),
        ]
    return [
        *common,
        Visit("desk", reverse("desk:home")),
        Visit("queues", reverse("desk:queue")),
        Visit("postponed-queue", reverse("desk:queue") + "?tab=postponed"),
        Visit("merge-form", reverse("desk:move", kwargs={"pk": ticket_pk, "action": "merge"})),
        Visit("ticket", reverse("desk:detail", kwargs={"pk": ticket_pk})),
        Visit("invite", reverse("tickets:invite", kwargs={"pk": ticket_pk})),
        Visit("file-for-someone", reverse("desk:file_for")),
        Visit("statistics", reverse("desk:stats")),
        Visit("articles", reverse("knowledge:manage")),
        Visit("new-article", reverse("knowledge:create")),
        Visit("incidents", reverse("incidents:desk_list")),
        Visit("declare-incident", reverse("incidents:declare")),
        Visit("incident", _incident_path("incidents:detail")),
    ]


def _incident_path(name: str) -> str:
    """The page of the incident `people` declared."""
    pk = Incident.objects.order_by("pk").values_list("pk", flat=True).first()
    return reverse(name, kwargs={"incident_pk": pk})


def choose_language(page: Page, base_url: str, language: str) -> None:
    """What the header's switcher does: the language cookie."""
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def check_page(page: Page, where: str, language: str, width: int) -> None:
    """The page's language, the header's height on a phone, no sideways scrolling, and axe."""
    assert page.locator("html").get_attribute("lang") == language, where
    if width == 390:
        height = page.locator("header").first.bounding_box()["height"]
        assert height <= HEADER_MAX_PHONE, f"{where}: header {height}px tall"
    wider = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert not wider, f"{where}: the page scrolls sideways because of {wider}"
    check_accessibility(page, where)


def walk(page: Page, base_url: str, role: str, pages: list[Visit], width: int, shots: Path):
    """Every page in both languages; the problems of all the pages are reported together, and
    every page gets its screenshot, problem or not."""
    problems = []
    for language in LANGUAGES:
        choose_language(page, base_url, language)
        for visit in pages:
            response = page.goto(f"{base_url}{visit.path}")
            where = f"{role} {visit.name} ({language}, {width}px)"
            assert response is not None and response.status == visit.status, where
            page.screenshot(
                path=str(shots / f"{role}-{visit.name}-{language}-{width}.png"), full_page=True
            )
            try:
                check_page(page, where, language, width)
            except AssertionError as problem:
                problems.append(str(problem))
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["requester", "agent", "head", "superuser"])
def test_every_page_of_each_role(new_context, live_server, people, artifacts_dir, role, width):
    context = new_context(viewport=WIDTHS[width])
    page = context.new_page()
    try:
        log_in(page, live_server.url, people[role].email, "/")
        walk(page, live_server.url, role, visits(role, people["ticket"].pk), width, artifacts_dir)
        # Signing out ends on the home page, with its message, in the page's language.
        page.goto(f"{live_server.url}{reverse('account_logout')}")
        page.locator("main form button[type='submit']").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("status")).to_contain_text("You have signed out.")
        check_page(page, f"{role} signed out ({width}px)", "en", width)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_of_a_stranger(new_context, live_server, people, artifacts_dir, width):
    """Someone not signed in: the home page, the login page, the statement, a missing page."""
    context = new_context(viewport=WIDTHS[width])
    page = context.new_page()
    pages = [
        Visit("home", "/"),
        Visit("login", reverse("account_login")),
        Visit("accessibility", reverse("accessibility")),
        Visit("not-found", "/no-such-page/", 404),
        Visit("answers", reverse("knowledge:index")),
        Visit("service-status", reverse("incidents:status")),
        Visit("incident-public", _incident_path("incidents:public_detail")),
    ]
    try:
        walk(page, live_server.url, "anonymous", pages, width, artifacts_dir)
    finally:
        context.close()


def test_the_phone_menu_with_the_keyboard(new_context, live_server, people, artifacts_dir):
    """On a phone the links fold under "Menu": Tab reaches the button, Enter opens the menu, Tab
    walks its links, Escape folds it and gives the focus back to the button."""
    context = new_context(viewport=WIDTHS[390], locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, live_server.url, people["agent"].email, "/")
        menu = page.get_by_role("button", name="Menu")
        nav = page.get_by_role("navigation", name="Menu principal")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(nav.get_by_role("link", name="Guichet")).to_be_hidden()
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the site's name
        page.keyboard.press("Tab")
        expect(menu).to_be_focused()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Tab")
        expect(nav.get_by_role("link", name="Guichet")).to_be_focused()
        check_accessibility(page, "phone menu open")
        page.screenshot(path=str(artifacts_dir / "agent-menu-open-fr-390.png"))
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_focused()
        expect(nav.get_by_role("link", name="Guichet")).to_be_hidden()
    finally:
        context.close()


def test_the_menu_without_javascript(new_context, live_server, people):
    """Without JavaScript the menu cannot fold: its links are shown and the button is not.

    The page's scripts are refused rather than JavaScript turned off, so that axe can still run."""
    context = new_context(viewport=WIDTHS[390], locale="fr-FR")
    page = context.new_page()
    page.route("**/*.js", lambda route: route.abort())
    try:
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        nav = page.get_by_role("navigation", name="Menu principal")
        expect(nav.get_by_role("link", name="Se connecter")).to_be_visible()
        check_accessibility(page, "phone menu without JavaScript")
    finally:
        context.close()


def test_the_statistics_contents_bar(new_context, live_server, people, artifacts_dir):
    """The contents bar's links take the keyboard to each section; the heading lands below the
    bar, which stays at the top."""
    context = new_context(viewport=WIDTHS[1280], locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, live_server.url, people["head"].email, reverse("desk:stats"))
        contents = page.get_by_role("navigation", name="Sections des statistiques")
        link = contents.get_by_role("link", name="Heures chargées")
        link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}{reverse('desk:stats')}#heat-title")
        heading = page.get_by_role("heading", name="Quand les tickets sont créés")
        expect(heading).to_be_in_viewport()
        bar = contents.bounding_box()
        assert bar["y"] == 0
        assert heading.bounding_box()["y"] >= bar["height"]
        page.screenshot(path=str(artifacts_dir / "statistics-contents-fr-1280.png"))
    finally:
        context.close()


@pytest.mark.parametrize("colour", ["#ffbf47", "#e30613"])
def test_an_institution_colours_stay_readable(
    new_context, live_server, people, artifacts_dir, settings, colour
):
    """A light or a saturated brand colour: the header's text and the buttons stay AA (axe), at
    both widths."""
    settings.BRAND_PRIMARY_COLOR = colour
    settings.INSTITUTION_NAME = "Université de Lorraine"
    for width in WIDTHS:
        context = new_context(viewport=WIDTHS[width], locale="fr-FR")
        page = context.new_page()
        try:
            log_in(page, live_server.url, people["head"].email, "/")
            check_page(page, f"brand {colour} ({width}px)", "fr", width)
            expect(page.get_by_role("banner")).to_contain_text("Université de Lorraine")
            page.screenshot(path=str(artifacts_dir / f"brand-{colour[1:]}-fr-{width}.png"))
        finally:
            context.close()
