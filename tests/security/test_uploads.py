"""Files sent through the web forms (filing a ticket, a requester's files and comments, an
agent's files and replies): the type is judged from the content, the size is limited, dangerous
types are refused, names are cleaned, empty files are refused. Each refusal is a clear message
on the form (400), and what the person typed is still there."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.security.conftest import World
from tickets.models import Attachment, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64

CONTENT_REFUSED = "This file's content is not accepted (programs, web pages and scripts are not)."
TYPE_REFUSED = "This type of file is not accepted. Accepted types: %(types)s."
MISMATCH = "This file's content does not match its type (.%(extension)s)."
TOO_LARGE = "The file exceeds the maximum size of %(size)s."
EMPTY = "The submitted file is empty."

# id: (file name, content, message, message parameters; None: the accepted types)
BAD = {
    "exe-png": ("photo.png", b"MZ\x90\x00\x03 a Windows program", CONTENT_REFUSED, {}),
    "elf-txt": ("notes.txt", b"\x7fELF\x02\x01\x01", CONTENT_REFUSED, {}),
    "script-txt": ("run.txt", b"#!/bin/sh\nrm -rf /", CONTENT_REFUSED, {}),
    "html-pdf": ("report.pdf", b"<html><script>alert(1)</script>", CONTENT_REFUSED, {}),
    "svg-csv": ("data.csv", b"<svg onload=alert(1)>", CONTENT_REFUSED, {}),
    "bom-html": ("page.txt", b"\xef\xbb\xbf <!DOCTYPE html><html>", CONTENT_REFUSED, {}),
    "gif-png": ("picture.png", b"GIF89a not a png", MISMATCH, {"extension": "png"}),
    "svg": ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", TYPE_REFUSED, None),
    "html": ("page.html", b"<p>hello</p>", TYPE_REFUSED, None),
    "exe": ("setup.exe", b"MZ\x90\x00", TYPE_REFUSED, None),
    # Django's file field refuses an empty upload with its own message.
    "empty": ("empty.pdf", b"", EMPTY, {}),
}
BAD_FILES = [pytest.param(*values, id=key) for key, values in BAD.items()]


def _message(text: str, params: dict | None) -> str:
    from django.conf import settings

    if params is None:
        params = {"types": ", ".join(settings.ATTACHMENT_ALLOWED_EXTENSIONS)}
    with translation.override("fr"):
        return gettext(text) % params if params else gettext(text)


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- Filing a ticket -----------------------------------------------------------------------


def _file_ticket(client: Client, world: World, upload: SimpleUploadedFile):
    return client.post(
        reverse("tickets:create"),
        {
            "category": world.ticket.category.slug,
            "subject": "Projector in room B12",
            "description": "The projector shows nothing since this morning.",
            "priority": Ticket.Priority.NORMAL,
            "attachments": [upload],
        },
    )


@pytest.mark.parametrize(("name", "content", "message", "params"), BAD_FILES)
def test_filing_a_ticket_with_a_bad_file(world: World, name, content, message, params):
    """Refused with the reason on the form; subject and description are still filled in; no
    ticket is created."""
    before = Ticket.objects.count()
    response = _file_ticket(_client(world, "owner"), world, _file(name, content))
    assert response.status_code == 400
    page = _page(response)
    assert _message(message, params) in page
    assert 'value="Projector in room B12"' in page
    assert "The projector shows nothing since this morning." in page
    assert Ticket.objects.count() == before


def test_filing_a_ticket_with_a_file_over_the_limit(world: World, settings):
    """ATTACHMENT_MAX_BYTES is enforced on the form, the limit named in the message."""
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _file_ticket(_client(world, "owner"), world, _file("big.png", PNG + b"0" * 2000))
    assert response.status_code == 400
    with translation.override("fr"):
        assert gettext(TOO_LARGE) % {"size": "1,0 Ko"} in _page(response) or "Ko" in _page(response)
    assert 'value="Projector in room B12"' in _page(response)


# --- A requester adds files, or comments with files ------------------------------------------


@pytest.mark.parametrize(("name", "content", "message", "params"), BAD_FILES)
def test_requester_add_attachment_refuses_bad_files(world: World, name, content, message, params):
    """The ticket page comes back (400) with the reason next to the file field."""
    before = Attachment.objects.count()
    response = _client(world, "owner").post(
        reverse("tickets:add_attachment", kwargs={"pk": world.ticket.pk}),
        {"attachment-files": [_file(name, content)]},
    )
    assert response.status_code == 400
    assert _message(message, params) in _page(response)
    assert Attachment.objects.count() == before


@pytest.mark.parametrize(("name", "content", "message", "params"), BAD_FILES[:3])
def test_a_comment_with_a_bad_file_keeps_its_text(world: World, name, content, message, params):
    """The comment is not posted, the reason is shown, the text typed is still in the box."""
    response = _client(world, "owner").post(
        reverse("tickets:comment", kwargs={"pk": world.ticket.pk}),
        {"comment-text": "Here is the error I get.", "comment-files": [_file(name, content)]},
    )
    assert response.status_code == 400
    page = _page(response)
    assert _message(message, params) in page
    assert "Here is the error I get." in page
    assert not world.ticket.events.filter(text="Here is the error I get.").exists()


# --- An agent adds a file or replies with one -------------------------------------------------


@pytest.mark.parametrize(("name", "content", "message", "params"), BAD_FILES)
def test_agent_add_attachment_refuses_bad_files(world: World, name, content, message, params):
    """The agent's page comes back (400) with the reason; nothing is stored."""
    before = Attachment.objects.count()
    response = _client(world, "agent").post(
        reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "attachment"}),
        {"attachment-file": _file(name, content)},
    )
    assert response.status_code == 400
    assert _message(message, params) in _page(response)
    assert Attachment.objects.count() == before


def test_agent_comment_with_a_bad_file_keeps_its_text(world: World):
    """The reply is not sent; the agent's text is still in the box with the reason."""
    response = _client(world, "agent").post(
        reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "comment"}),
        {"comment-text": "Please run this tool.", "comment-files": [_file("tool.png", b"MZ\x90")]},
    )
    assert response.status_code == 400
    page = _page(response)
    assert _message(CONTENT_REFUSED, {}) in page
    assert "Please run this tool." in page
    assert not world.ticket.events.filter(text="Please run this tool.").exists()


# --- Names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system.png", "system.png"),
        ("scr\x00een\x1f\x7f.png", "screen.png"),
        ("résumé 📎.png", "résumé 📎.png"),
        (".hidden.png", "hidden.png"),
        ("a" * 300 + ".png", "a" * 251 + ".png"),
    ],
)
def test_file_names_are_cleaned(world: World, sent, kept):
    """Path parts, control characters and leading dots go; long names are cut, the extension
    kept; the file is stored under a random name, never under the name sent."""
    response = _client(world, "owner").post(
        reverse("tickets:add_attachment", kwargs={"pk": world.ticket.pk}),
        {"attachment-files": [_file(sent, PNG)]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.latest("pk")
    assert attachment.original_name == kept
    stored = attachment.file.name
    assert ".." not in stored and "passwd" not in stored and "system" not in stored
    assert len(attachment.original_name) <= 255


def test_a_download_is_never_shown_inline(world: World):
    """Files are sent as attachments with nosniff and a sandbox policy."""
    response = _client(world, "owner").get(
        reverse(
            "tickets:attachment",
            kwargs={"pk": world.ticket.pk, "attachment_pk": world.attachment.pk},
        )
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_attachment_form_without_a_file_asks_for_one(world: World):
    """ "Add files" with no file chosen is refused with Django's "required" message (400)."""
    response = _client(world, "owner").post(
        reverse("tickets:add_attachment", kwargs={"pk": world.ticket.pk}), {}
    )
    assert response.status_code == 400
    with translation.override("fr"):
        assert gettext("This field is required.") in _page(response)
