"""The knowledge base walked in Chromium, in French and in English.

A student chooses "Wi-Fi et réseau", types a subject: the answers matching it replace the
category's answers as they type (htmx); they open one, read it in place and say it solved their
problem: no ticket exists. An agent makes an article from a ticket and publishes it. Without
JavaScript, the panel's search step leads to the answers and back to the form with the subject.
axe checks every page visited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from knowledge import services as kb_services
from knowledge.models import Article, ArticleEvent
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import DEFAULT_PASSWORD, CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Labels:
    language: str
    panel: str
    subject: str
    solved: str
    thanks: str
    make_article: str
    visibility: str
    status: str
    save: str
    saved: str
    see: str


FRENCH = Labels(
    language="fr",
    panel="La réponse est peut-être déjà ici",
    subject="Sujet",
    solved="Cela a résolu mon problème",
    thanks="Ravis que la réponse vous ait aidé",
    make_article="Faire un article de ce ticket",
    visibility="Qui peut le lire",
    status="Statut",
    save="Enregistrer l'article",
    saved="L'article a été enregistré.",
    see="Voir l'article",
)
ENGLISH = Labels(
    language="en",
    panel="Maybe the answer is already here",
    subject="Subject",
    solved="This solved my problem",
    thanks="Glad the answer helped",
    make_article="Make an article from this ticket",
    visibility="Who may read it",
    status="Status",
    save="Save the article",
    saved="The article was saved.",
    see="See the article",
)
EDUROAM = {"fr": "Se connecter à eduroam", "en": "Connecting to eduroam"}


@pytest.fixture
def university(db):
    service = ServiceFactory(name="Direction du numérique", slug="dn")
    root = CategoryFactory(name="Informatique et numérique", slug="numerique", service=service)
    wifi = CategoryFactory(name="Wi-Fi et réseau", slug="wifi", parent=root)
    agent = agent_of(service, user__full_name="Alice Durand", user__email="alice@univ.example")

    def write(title: str, body: str, language: str) -> Article:
        return kb_services.article_save(
            actor=agent,
            service=service,
            data={"title": title, "body": body, "language": language, "status": "published"},
            categories=[wifi],
        )

    french = write(
        EDUROAM["fr"], "1. Installez le profil **eduroam**.\n2. Saisissez votre identifiant.", "fr"
    )
    english = write(EDUROAM["en"], "1. Install the **eduroam** profile.\n2. Type your login.", "en")
    kb_services.article_save(
        actor=agent,
        service=service,
        data={},
        article=english,
        categories=[wifi],
        translation=french,
    )
    write("Imprimer sur les copieurs", "Badgez sur le copieur.", "fr")
    return {"service": service, "wifi": wifi, "agent": agent}


def student_walk(page: Page, base_url: str, labels: Labels, student) -> None:
    log_in(page, base_url, student.email, "/tickets/new/?category=wifi")
    panel = page.get_by_role("region", name=labels.panel)
    expect(panel).to_be_visible()
    suggestions = page.locator("#kb-suggestions summary")
    # The category's answers before anything is typed: eduroam's in the person's language only.
    expect(suggestions).to_have_count(2)
    check_accessibility(page, "ticket form with the answers")

    with page.expect_response(re.compile(r"/kb/suggest/\?.*subject=eduroam")):
        page.locator("#id_subject").press_sequentially("eduroam refuse", delay=20)
    expect(suggestions).to_have_count(1)  # the copiers' answer went away
    title = EDUROAM[labels.language]
    page.get_by_text(title, exact=True).click()  # opens the answer in place
    expect(page.locator("details[open] .kb-body")).to_contain_text("eduroam")
    check_accessibility(page, "an answer opened while filing")
    page.locator("details[open]").get_by_role("button", name=labels.solved).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(labels.thanks)
    check_accessibility(page, "thanks")
    assert Ticket.objects.count() == 0
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.AVOIDED).count() == 1


def agent_walk(page: Page, base_url: str, labels: Labels, agent, student, wifi) -> None:
    ticket = ticket_services.ticket_create(
        requester=student,
        category=wifi,
        subject="Imprimante introuvable en B12",
        description="L'imprimante de la salle B12 n'apparaît pas.",
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolution="Ajoutez la file « B12-couleur ».")
    log_in(page, base_url, agent.email, f"/desk/tickets/{ticket.pk}/")
    # Link an article into the reply: the list comes with htmx, "Insert" writes a Markdown link.
    tools = page.locator(".kb-ticket-tools")
    tools.locator("select[name=canned]").select_option(label=EDUROAM[labels.language])
    tools.get_by_role("button").click()
    expect(page.locator("#composer-form textarea")).to_have_value(
        re.compile(re.escape(f"[{EDUROAM[labels.language]}](") + r"http://[^)]+/kb/articles/\d+/\)")
    )
    check_accessibility(page, "ticket page with an article linked in the reply")
    page.get_by_role("link", name=labels.make_article).click()
    expect(page.locator("#id_title")).to_have_value("Imprimante introuvable en B12")
    check_accessibility(page, "new article from a ticket")
    page.locator("#id_visibility").select_option("public")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name=labels.save).click()
    expect(page.get_by_text(labels.saved)).to_be_visible()
    check_accessibility(page, "article saved, with its history")
    page.get_by_role("link", name=labels.see).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imprimante introuvable en B12")
    expect(page.locator(".kb-body")).to_contain_text("B12-couleur")
    check_accessibility(page, "the article")
    article = Article.objects.get(title="Imprimante introuvable en B12")
    assert article.source_ticket == ticket
    assert article.visibility == "public"


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_student_finds_the_answer_and_files_nothing(new_context, live_server, university, labels):
    context = new_context(locale="fr-FR" if labels.language == "fr" else "en-US")
    page = context.new_page()
    student = UserFactory(
        email=f"etudiant-{labels.language}@univ.example", preferred_language=labels.language
    )
    try:
        student_walk(page, live_server.url, labels, student)
    finally:
        context.close()


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_an_agent_makes_an_article_from_a_ticket(new_context, live_server, university, labels):
    context = new_context(locale="fr-FR" if labels.language == "fr" else "en-US")
    page = context.new_page()
    agent = university["agent"]
    agent.preferred_language = labels.language
    agent.save()
    student = UserFactory(email="etudiant@univ.example")
    try:
        agent_walk(page, live_server.url, labels, agent, student, university["wifi"])
    finally:
        context.close()


def test_without_javascript_the_search_step_leads_to_the_answers_and_back(
    new_context, live_server, university
):
    context = new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    student = UserFactory(email="sans-js@univ.example")
    try:
        page.goto(f"{live_server.url}/tickets/new/?category=wifi")
        page.fill("input[name='login']", student.email)
        page.fill("input[name='password']", DEFAULT_PASSWORD)
        page.locator("main form button[type='submit']").last.click()
        page.get_by_label("Chercher dans les réponses").fill("eduroam")
        page.locator(".kb-search-step").get_by_role("button", name="Rechercher").click()
        expect(page).to_have_url(re.compile(r"/kb/\?category=wifi&q=eduroam"))
        page.get_by_role("link", name="Aucune réponse ne m'aide : poursuivre ma demande").click()
        expect(page.locator("#id_subject")).to_have_value("eduroam")
        page.go_back()
        page.get_by_role("link", name=EDUROAM["fr"]).click()
        page.get_by_role("button", name="Cela a résolu mon problème").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH.thanks)
        assert Ticket.objects.count() == 0
    finally:
        context.close()


def test_the_first_step_suggests_the_category_from_a_few_words(page, live_server, university):
    """The classifier learned from past tickets: "eduroam" points to "Wi-Fi et réseau", and the
    link opens the form of that category with the words as subject."""
    from knowledge import classifier
    from tests.factories import TicketFactory

    apogee = CategoryFactory(name="Apogée", slug="apogee", parent=university["wifi"].parent)
    for i in range(12):
        TicketFactory(category=university["wifi"], subject=f"eduroam ne marche pas {i}")
        TicketFactory(category=apogee, subject=f"note Apogée introuvable {i}")
    classifier.train()
    student = UserFactory(email="hesitant@univ.example")
    log_in(page, live_server.url, student.email, "/tickets/new/")
    page.get_by_role("textbox", name="Votre problème en quelques mots").press_sequentially(
        "eduroam", delay=20
    )
    guess = page.locator("#kb-category-guesses").get_by_role("link", name="Wi-Fi et réseau")
    expect(guess).to_be_visible()
    check_accessibility(page, "category suggested")
    guess.click()
    expect(page.locator("#id_subject")).to_have_value("eduroam")


def test_the_statistics_show_the_knowledge_base(page, live_server, university):
    """The statistics page loads the knowledge base's figures; without JavaScript, their page."""
    agent = university["agent"]
    article = Article.objects.get(title=EDUROAM["fr"])
    kb_services.record(article, ArticleEvent.Kind.AVOIDED)
    query = f"?service={university['service'].pk}&period=30"
    log_in(page, live_server.url, agent.email, "/desk/")
    page.goto(f"{live_server.url}/desk/stats/{query}")
    figures = page.locator("#knowledge-figures")
    expect(figures).to_contain_text(EDUROAM["fr"])
    check_accessibility(page, "statistics with the knowledge base")
    page.goto(f"{live_server.url}/kb/stats/{query}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Direction du numérique")
    check_accessibility(page, "the knowledge base's figures")
