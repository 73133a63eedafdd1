"""An agent works from the queues, in Chromium, in French and in English, on a 1280 px screen
and on a 390 px phone: takes several tickets at once (one a colleague took first is listed as
refused), takes one from its row, narrows the list with a filter that applies as it changes,
sees which tickets have news since they last opened them, saves a view and reopens it, and moves
with the keyboard shortcuts. axe checks each state of the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

TEXT = {
    "fr": {
        "locale": "fr-FR",
        "todo": "À traiter",
        "mine": "Mes tickets en cours",
        "take": "Prendre",
        "set_priority": "Fixer la priorité",
        "refused": "Refusé",
        "done": "Fait",
        "taken_by": "Ce ticket a déjà été pris en charge par Bruno Petit.",
        "priority": "Priorité",
        "high": "Haute",
        "unread": "Nouvelle activité",
        "save_view": "Enregistrer cette vue",
        "view_name": "Nom de la vue",
        "save": "Enregistrer",
        "shortcuts": "Raccourcis clavier",
        "search": "Rechercher",
    },
    "en": {
        "locale": "en-GB",
        "todo": "To handle",
        "mine": "My tickets in progress",
        "take": "Take",
        "set_priority": "Set the priority",
        "refused": "Refused",
        "done": "Done",
        "taken_by": "This ticket was already taken by Bruno Petit.",
        "priority": "Priority",
        "high": "High",
        "unread": "New activity",
        "save_view": "Save this view",
        "view_name": "Name of the view",
        "save": "Save",
        "shortcuts": "Keyboard shortcuts",
        "search": "Search",
    },
}


@pytest.fixture
def desk(db):
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    alice = agent_of(service, user=UserFactory(full_name="Alice Martin"))
    bob = agent_of(service, user=UserFactory(full_name="Bruno Petit"))
    requester = UserFactory(full_name="Camille Durand", email="camille.durand@univ.example")
    subjects = ["Boîte mail pleine", "Imprimante hors ligne", "Wi-Fi instable", "Écran noir"]
    tickets = [
        services.ticket_create(
            requester=requester, category=category, subject=subject, description="Bonjour."
        )
        for subject in subjects
    ]
    return {"alice": alice, "bob": bob, "requester": requester, "tickets": tickets}


def _row(page, subject: str):
    return page.locator("#queue-results tbody tr").filter(has_text=subject)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_agent_works_from_the_queues(
    new_context, live_server, desk, artifacts_dir: Path, language: str, width: str
):
    from django.contrib.auth import get_user_model

    text = TEXT[language]
    base = live_server.url
    alice, bob = desk["alice"], desk["bob"]
    mail, printer, wifi, screen = desk["tickets"]
    get_user_model().objects.filter(pk=alice.pk).update(preferred_language=language)
    w, h = WIDTHS[width]
    context = new_context(locale=text["locale"], viewport={"width": w, "height": h})
    page = context.new_page()
    try:
        log_in(page, base, alice.email, "/desk/queue/?tab=todo")
        expect(_row(page, "Boîte mail pleine")).to_have_count(1)
        # Nobody opened them yet: each has news for Alice.
        expect(_row(page, "Boîte mail pleine").locator(".unread-badge")).to_have_text(
            text["unread"]
        )
        check_accessibility(page, f"queue ({language}, {width})")
        page.screenshot(path=str(artifacts_dir / f"queue-{language}-{width}.png"), full_page=True)

        # Three tickets checked; a colleague takes one of them first.
        for ticket in (mail, printer, wifi):
            page.locator(f"#select-{ticket.pk}").check()
        workflow.take(ticket=Ticket.objects.get(pk=printer.pk), actor=bob)
        page.locator(".bulk-bar").get_by_role("button", name=text["take"], exact=True).click()
        results = page.locator("[data-bulk-results]")
        expect(results.locator(f"li[data-ticket='{printer.pk}']")).to_contain_text(text["refused"])
        expect(results.locator(f"li[data-ticket='{printer.pk}']")).to_contain_text(text["taken_by"])
        for ticket in (mail, wifi):
            expect(results.locator(f"li[data-ticket='{ticket.pk}']")).to_contain_text(text["done"])
        check_accessibility(page, f"queue after a batch ({language}, {width})")
        page.screenshot(
            path=str(artifacts_dir / f"queue-batch-{language}-{width}.png"), full_page=True
        )

        # Take from the list: the row's own button.
        _row(page, "Écran noir").get_by_role("button", name=re.compile(text["take"])).click()
        expect(results.locator(f"li[data-ticket='{screen.pk}']")).to_contain_text(text["done"])
        assert Ticket.objects.get(pk=screen.pk).assignee_id == alice.pk

        # "Mine": raise the priority of one ticket, then filter on it without any button.
        page.get_by_role("link", name=re.compile(rf"^\s*{text['mine']}")).first.click()
        expect(_row(page, "Wi-Fi instable")).to_have_count(1)
        page.locator(f"#select-{mail.pk}").check()
        page.locator("#id_bulk-priority").select_option(str(int(Ticket.Priority.HIGH)))
        page.get_by_role("button", name=text["set_priority"]).click()
        expect(results.locator(f"li[data-ticket='{mail.pk}']")).to_contain_text(text["done"])
        page.locator("form.queue-filters").get_by_label(text["priority"]).select_option(
            label=text["high"]
        )
        expect(_row(page, "Wi-Fi instable")).to_have_count(0)
        expect(_row(page, "Boîte mail pleine")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"priority=3"))
        check_accessibility(page, f"queue filtered ({language}, {width})")

        if width == "desktop":
            # Every column fits: no horizontal scrolling at 1280 px.
            fits = page.locator(".queue-table-wrap").evaluate(
                "wrap => wrap.scrollWidth <= wrap.clientWidth"
            )
            assert fits, "the queue's table is wider than its container at 1280 px"

        # Save the filtered view, leave, and come back to it.
        page.locator(".save-view summary").click()
        page.get_by_label(text["view_name"]).fill("Urgent")
        page.locator(".save-view").get_by_role("button", name=text["save"]).click()
        page.get_by_role("link", name=re.compile(rf"^\s*{text['todo']}")).first.click()
        page.get_by_role("link", name="Urgent", exact=True).click()
        expect(page).to_have_url(re.compile(r"tab=mine.*priority=3|priority=3.*tab=mine"))
        expect(_row(page, "Boîte mail pleine")).to_have_count(1)
        expect(_row(page, "Wi-Fi instable")).to_have_count(0)

        # Unread: opening the ticket clears the marker; the requester's comment brings it back.
        page.goto(f"{base}/desk/queue/?tab=mine")
        page.get_by_role("link", name="Wi-Fi instable").click()
        expect(page).to_have_url(re.compile(rf"/desk/tickets/{wifi.pk}/$"))
        page.go_back()
        page.reload()
        expect(_row(page, "Wi-Fi instable").locator(".unread-badge")).to_have_count(0)
        services.comment_add(
            ticket=Ticket.objects.get(pk=wifi.pk), author=desk["requester"], text="Toujours."
        )
        page.reload()
        expect(_row(page, "Wi-Fi instable").locator(".unread-badge")).to_have_count(1)
        page.get_by_role("link", name="Wi-Fi instable").click()
        page.go_back()
        page.reload()
        expect(_row(page, "Wi-Fi instable").locator(".unread-badge")).to_have_count(0)

        # Keyboard shortcuts: "?" opens their help, Escape closes it.
        page.locator("body").click(position={"x": 1, "y": 1})
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog", name=text["shortcuts"])
        expect(dialog).to_be_visible()
        check_accessibility(page, f"shortcuts help ({language}, {width})")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        # j and k move through the queue's rows.
        links = page.locator("#queue-results a.ticket-link")
        expect(links).to_have_count(3)
        page.keyboard.press("j")
        expect(links.nth(0)).to_be_focused()
        page.keyboard.press("j")
        expect(links.nth(1)).to_be_focused()
        page.keyboard.press("k")
        expect(links.nth(0)).to_be_focused()

        # A "j" typed in a field is a letter, not a move.
        search = page.get_by_role("searchbox", name=text["search"])
        search.click()
        page.keyboard.press("j")
        expect(search).to_have_value("j")
        expect(search).to_be_focused()
        search.fill("")

        # On a ticket's page, j goes to the next ticket of the queue and k comes back.
        first_href = links.nth(0).get_attribute("href")
        second_href = links.nth(1).get_attribute("href")
        links.nth(0).click()
        expect(page).to_have_url(re.compile(re.escape(first_href) + "$"))
        page.locator("h1").click()
        page.keyboard.press("j")
        expect(page).to_have_url(re.compile(re.escape(second_href) + "$"))
        page.locator("h1").click()
        page.keyboard.press("k")
        expect(page).to_have_url(re.compile(re.escape(first_href) + "$"))

        # r: the reply box, ready to type in.
        page.locator("h1").click()
        page.keyboard.press("r")
        expect(page.locator("#composer textarea")).to_be_focused()

        # t in a queue takes the chosen row's ticket.
        new = services.ticket_create(
            requester=desk["requester"], category=mail.category, subject="Clavier", description="."
        )
        page.goto(f"{base}/desk/queue/?tab=todo")
        page.locator("h1").click()
        page.keyboard.press("j")
        page.keyboard.press("t")
        expect(page.locator(f"[data-bulk-results] li[data-ticket='{new.pk}']")).to_contain_text(
            text["done"]
        )
    finally:
        context.close()


def test_queue_work_without_javascript(new_context, live_server, desk):
    """Without JavaScript the batch form and the filters are plain forms: the same results."""
    alice = desk["alice"]
    mail, printer, wifi, screen = desk["tickets"]
    context = new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server.url, alice.email, "/desk/queue/?tab=todo")
        expect(page.locator("[data-select-all]")).to_be_hidden()
        page.locator(f"#select-{mail.pk}").check()
        page.locator(f"#select-{wifi.pk}").check()
        page.locator(".bulk-bar").get_by_role("button", name="Prendre", exact=True).click()
        results = page.locator("[data-bulk-results]")
        expect(results.locator("li")).to_have_count(2)
        expect(_row(page, "Boîte mail pleine")).to_have_count(0)
        page.locator("form.queue-filters").get_by_label("Rechercher").fill("Imprimante")
        page.get_by_role("button", name="Appliquer").click()
        expect(_row(page, "Imprimante hors ligne")).to_have_count(1)
        expect(_row(page, "Écran noir")).to_have_count(0)
    finally:
        context.close()
