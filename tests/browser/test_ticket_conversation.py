"""The ticket pages as a conversation, walked in Chromium, in French and English, on a 1280 px
screen and a 390 px phone.

The requester reads the thread and never an internal note; the agent switches the reply box to
"Internal note" and sees the difference before sending; the agent opens one move from the ACTIONS
menu (an htmx fragment) and completes it, and the same move works without JavaScript through its
own page; files are dropped on the upload field with a progress bar, and an oversized one is
refused with the limit named; the menu and the reply modes work from the keyboard. axe checks
every state visited.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Attachment, Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
WORDS = {
    "fr": {
        "actions": "ACTIONS",
        "public": "Répondre au demandeur",
        "internal": "Note interne",
        "send_reply": "Envoyer la réponse",
        "send_note": "Ajouter la note interne",
        "note_added": "Votre note interne a été ajoutée.",
        "reply_sent": "Votre réponse a été envoyée au demandeur.",
        "request_info": "Demander des informations",
        "question": "Votre question au demandeur",
        "asked": "Votre question a été envoyée au demandeur.",
        "comment": "Votre commentaire",
        "send": "Envoyer",
        "limits": "par fichier",
    },
    "en": {
        "actions": "ACTIONS",
        "public": "Reply to requester",
        "internal": "Internal note",
        "send_reply": "Send the reply",
        "send_note": "Add the internal note",
        "note_added": "Your internal note was added.",
        "reply_sent": "Your reply was sent to the requester.",
        "request_info": "Request information",
        "question": "Your question to the requester",
        "asked": "Your question was sent to the requester.",
        "comment": "Your comment",
        "send": "Send",
        "limits": "per file",
    },
}


@pytest.fixture
def desk(db):
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    agent = agent_of(service, user=UserFactory(full_name="Alice Martin"))
    requester = UserFactory(full_name="Camille Durand", email="camille.durand@univ.example")
    ticket = services.ticket_create(
        requester=requester,
        category=category,
        subject="Boîte mail pleine",
        description="Je ne reçois plus de messages depuis ce matin.",
    )
    workflow.take(ticket=ticket, actor=agent)
    services.comment_add(ticket=ticket, author=requester, text="Le quota affiche 100 %.")
    services.comment_add(
        ticket=Ticket.objects.get(pk=ticket.pk),
        author=agent,
        text="Serveur mx2 saturé, ne pas le dire.",
        internal=True,
    )
    return {"agent": agent, "requester": requester, "ticket": ticket}


def _speak(desk, lang: str) -> None:
    from django.contrib.auth import get_user_model

    people = [desk["agent"].pk, desk["requester"].pk]
    get_user_model().objects.filter(pk__in=people).update(preferred_language=lang)


def _composer(page: Page):
    return page.locator("#composer")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LOCALES)
def test_agent_writes_a_note_and_a_reply_and_opens_one_move(
    new_context, live_server, desk, lang, width, artifacts_dir: Path
):
    """The agent sees the thread with the note labelled; the "Internal note" mode changes the
    box before sending; a move opens from the ACTIONS menu as a fragment and is completed; the
    requester's page shows the reply and never a note."""
    _speak(desk, lang)
    words = WORDS[lang]
    ticket = desk["ticket"]
    base = live_server.url
    context = new_context(locale=LOCALES[lang], viewport=WIDTHS[width])
    try:
        page = context.new_page()
        log_in(page, base, desk["agent"].email, f"/desk/tickets/{ticket.pk}/")
        note = page.locator("li.thread-note").filter(has_text="Serveur mx2")
        expect(note).to_contain_text(words["internal"])
        expect(note.locator("svg.internal-icon")).to_have_count(1)
        expect(page.locator("li.thread-line").first).to_be_visible()
        if width == "desktop":
            # A short ticket fits in about one screen, the reply box in the first one: from the
            # title to the last message, less than a 1280 x 1024 screen.
            assert page.locator("#composer").bounding_box()["y"] < WIDTHS[width]["height"]
            top = page.locator("h1").bounding_box()["y"]
            last = page.locator("ol.thread > li").last.bounding_box()
            assert last["y"] + last["height"] - top < 1024
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
        check_accessibility(page, f"agent ticket page ({lang}, {width})")
        page.screenshot(
            path=str(artifacts_dir / f"ticket-agent-{lang}-{width}.png"), full_page=True
        )

        # The reply box starts as a reply; the internal mode is unmistakable before sending.
        composer = _composer(page)
        expect(composer).not_to_have_class(re.compile("composer--internal"))
        expect(page.get_by_role("button", name=words["send_reply"])).to_be_visible()
        expect(page.get_by_role("button", name=words["send_note"])).to_be_hidden()
        composer.locator("label", has_text=words["internal"]).click()
        expect(composer).to_have_class(re.compile("composer--internal"))
        expect(composer).to_have_attribute("data-mode", "internal")
        expect(page.get_by_role("button", name=words["send_note"])).to_be_visible()
        expect(page.get_by_role("button", name=words["send_reply"])).to_be_hidden()
        expect(composer.locator("#composer-hint-internal")).to_be_visible()
        check_accessibility(page, f"reply box in internal mode ({lang}, {width})")
        page.screenshot(
            path=str(artifacts_dir / f"ticket-agent-note-mode-{lang}-{width}.png"), full_page=True
        )
        page.locator("#id_comment-text").fill("Ticket à suivre en interne.")
        page.get_by_role("button", name=words["send_note"]).click()
        expect(page.locator("[data-feedback]")).to_have_text(words["note_added"])
        expect(page.locator("li.thread-note").filter(has_text="suivre en interne")).to_have_count(1)

        # Back to a reply to the requester.
        _composer(page).locator("label", has_text=words["public"]).click()
        expect(_composer(page)).not_to_have_class(re.compile("composer--internal"))
        page.locator("#id_comment-text").fill("Nous avons libéré de la place.")
        page.get_by_role("button", name=words["send_reply"]).click()
        expect(page.locator("[data-feedback]")).to_have_text(words["reply_sent"])

        # One move from the ACTIONS menu: its form alone, fetched by htmx, then completed.
        assert page.locator("#move-slot form").count() == 0
        page.locator("#move-menu-button").click()
        with page.expect_request(re.compile(r"/moves/request_info/$")) as opened:
            page.get_by_role("link", name=words["request_info"]).click()
        assert opened.value.headers.get("hx-request") == "true"
        question = page.get_by_label(words["question"])
        expect(question).to_be_focused()
        check_accessibility(page, f"move form open ({lang}, {width})")
        page.screenshot(
            path=str(artifacts_dir / f"ticket-agent-move-{lang}-{width}.png"), full_page=False
        )
        page.get_by_role("button", name=words["request_info"]).click()
        expect(question).to_have_attribute("aria-invalid", "true")
        page.get_by_label(words["question"]).fill("Quelle est votre adresse ?")
        page.get_by_role("button", name=words["request_info"]).click()
        expect(page.locator("[data-feedback]")).to_have_text(words["asked"])
        expect(page.locator("#move-slot form")).to_have_count(0)
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.INFO_REQUESTED
    finally:
        context.close()

    # The requester reads the conversation; no internal note, ever.
    context = new_context(locale=LOCALES[lang], viewport=WIDTHS[width])
    try:
        page = context.new_page()
        log_in(page, base, desk["requester"].email, f"/tickets/{ticket.pk}/")
        thread = page.locator("ol.thread")
        expect(thread).to_contain_text("Nous avons libéré de la place.")
        expect(thread).to_contain_text("Le quota affiche 100 %.")
        expect(page.locator("main")).not_to_contain_text("Serveur mx2")
        expect(page.locator("main")).not_to_contain_text("suivre en interne")
        expect(page.locator("li.thread-note")).to_have_count(0)
        expect(page.locator(".internal-label")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
        check_accessibility(page, f"requester ticket page ({lang}, {width})")
        page.screenshot(
            path=str(artifacts_dir / f"ticket-requester-{lang}-{width}.png"), full_page=True
        )
    finally:
        context.close()
    assert TicketEvent.objects.filter(ticket=ticket, visibility="internal").count() == 2


def test_a_move_without_javascript_has_its_own_page(new_context, live_server, desk):
    """With JavaScript off, the ACTIONS menu still opens (a disclosure), each move is a link to
    its own page, errors come back on that page with what was typed, and the reply modes still
    show their difference (CSS reads the checked mode)."""
    _speak(desk, "fr")
    words = WORDS["fr"]
    ticket = desk["ticket"]
    context = new_context(locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server.url, desk["agent"].email, f"/desk/tickets/{ticket.pk}/")
        composer = _composer(page)
        composer.locator("label", has_text=words["internal"]).click()
        expect(page.get_by_role("button", name=words["send_note"])).to_be_visible()
        expect(page.get_by_role("button", name=words["send_reply"])).to_be_hidden()

        page.locator("#move-menu-button").click()
        page.get_by_role("link", name=words["request_info"]).click()
        expect(page).to_have_url(re.compile(rf"/desk/tickets/{ticket.pk}/moves/request_info/$"))
        page.get_by_role("button", name=words["request_info"]).click()
        expect(page.get_by_label(words["question"])).to_have_attribute("aria-invalid", "true")
        page.get_by_label(words["question"]).fill("Quel est votre identifiant ?")
        page.get_by_role("button", name=words["request_info"]).click()
        expect(page).to_have_url(re.compile(rf"/desk/tickets/{ticket.pk}/$"))
        expect(page.get_by_role("status")).to_contain_text(words["asked"])
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.INFO_REQUESTED
    finally:
        context.close()


def test_files_are_dropped_with_progress_and_an_oversized_one_is_refused(
    new_context, live_server, desk, settings, artifacts_dir: Path
):
    """The upload field says its limits first; a dropped file is listed and sent with a progress
    bar; a file over the limit is refused at once, naming the limit."""
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    _speak(desk, "fr")
    words = WORDS["fr"]
    ticket = desk["ticket"]
    context = new_context(locale="fr-FR", viewport=WIDTHS["desktop"])
    try:
        page = context.new_page()
        log_in(page, live_server.url, desk["requester"].email, f"/tickets/{ticket.pk}/")
        zone = page.locator("#action-comment [data-upload-zone]")
        expect(zone.locator(".upload-limits")).to_contain_text("1 Mo " + words["limits"])
        expect(zone.locator(".upload-limits")).to_contain_text("png")
        expect(zone.locator("[data-upload-hint]")).to_be_visible()

        # Too big: refused before sending, the limit named.
        zone.locator("input[type=file]").set_input_files(
            {"name": "enorme.png", "mimeType": "image/png", "buffer": PNG + b"\0" * 1_200_000}
        )
        expect(zone.locator("[data-upload-refused]")).to_contain_text("enorme.png")
        expect(zone.locator("[data-upload-refused]")).to_contain_text("1 Mo")
        assert zone.locator("input[type=file]").evaluate("input => input.files.length") == 0

        # Dropped: listed, then sent with a progress bar.
        zone.evaluate(
            """(zone, bytes) => {
                const data = new DataTransfer();
                const file = new File([new Uint8Array(bytes)], "capture.png", {type: "image/png"});
                data.items.add(file);
                zone.dispatchEvent(new DragEvent("dragenter", {bubbles: true, dataTransfer: data}));
                zone.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true,
                                                          dataTransfer: data}));
            }""",
            list(PNG + b"\0" * 300_000),
        )
        expect(zone.locator("[data-upload-list]")).to_contain_text("capture.png")
        check_accessibility(page, "requester page, file chosen")
        page.screenshot(path=str(artifacts_dir / "ticket-upload-dropped.png"), full_page=False)
        # Record the progress bar's values across the navigation that follows the upload.
        zone.locator("[data-upload-progress]").evaluate(
            """bar => new MutationObserver(() => {
                const best = Number(sessionStorage.getItem("progress") || 0);
                sessionStorage.setItem("progress", String(Math.max(best, bar.value)));
                sessionStorage.setItem("shown", String(!bar.hidden));
            }).observe(bar, {attributes: true})"""
        )
        page.get_by_label(words["comment"]).fill("Voici la capture.")
        page.locator("#comment-submit").click()
        expect(page.locator("ol.thread")).to_contain_text("Voici la capture.")
        assert page.evaluate("sessionStorage.getItem('shown')") == "true"
        assert float(page.evaluate("sessionStorage.getItem('progress')")) == 100
    finally:
        context.close()
    assert Attachment.objects.filter(ticket=ticket, original_name="capture.png").exists()


def test_menu_and_reply_modes_from_the_keyboard(new_context, live_server, desk):
    """Arrow keys switch the reply mode; Enter opens the ACTIONS menu, arrows walk it, Enter
    opens a move's form with the focus in it, Escape closes it and returns to the menu."""
    _speak(desk, "en")
    words = WORDS["en"]
    ticket = desk["ticket"]
    context = new_context(locale="en-GB", viewport=WIDTHS["desktop"])
    try:
        page = context.new_page()
        log_in(page, live_server.url, desk["agent"].email, f"/desk/tickets/{ticket.pk}/")
        composer = _composer(page)
        composer.locator("input[value=public]").focus()
        page.keyboard.press("ArrowRight")
        expect(composer).to_have_class(re.compile("composer--internal"))
        expect(composer.locator("input[value=internal]")).to_be_focused()
        page.keyboard.press("ArrowLeft")
        expect(composer).not_to_have_class(re.compile("composer--internal"))

        summary = page.locator("#move-menu-button")
        summary.focus()
        page.keyboard.press("Enter")
        menu = page.locator("details[data-move-menu] .dropdown-menu")
        expect(menu).to_be_visible()
        page.keyboard.press("ArrowDown")
        first = menu.locator("a").first
        expect(first).to_be_focused()
        check_accessibility(page, "ACTIONS menu open (en)")
        while page.evaluate("document.activeElement.textContent.trim()") != words["request_info"]:
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.get_by_label(words["question"])).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("#move-slot form")).to_have_count(0)
        expect(summary).to_be_focused()
    finally:
        context.close()
