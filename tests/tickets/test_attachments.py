"""Files: checked on the way in, stored under a random name, served only to those who may see
them, always as a download."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import services
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

S = Ticket.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"x" * 32


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- Checks on the way in -------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_the_limit_named():
    """The message names the limit, in the reader's language."""
    big = upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        services.validate_upload(big)
    assert refused.value.messages == ["Le fichier dépasse la taille maximale de 10 Mo."]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.validate_upload(big)
    assert refused.value.messages == ["The file exceeds the maximum size of 10 MB."]


def test_the_limit_comes_from_the_settings(settings):
    """ATTACHMENT_MAX_BYTES sets the limit."""
    settings.ATTACHMENT_MAX_BYTES = 1536
    services.validate_upload(upload("ok.txt", b"a" * 1536))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.validate_upload(upload("big.txt", b"a" * 1537))
    assert "1.5 KB" in refused.value.messages[0]


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "page.html", "image.svg", "noext"])
def test_types_not_accepted_are_refused_with_the_accepted_types_named(name, settings):
    """Only ATTACHMENT_ALLOWED_EXTENSIONS are accepted; the message lists them."""
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = ["pdf", "png", "txt"]
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        services.validate_upload(upload(name, b"hello"))
    assert refused.value.messages == [
        "Ce type de fichier n’est pas accepté. Types acceptés : pdf, png, txt."
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"MZ\x90\x00 a Windows program"),
        ("notes.txt", b"\x7fELF\x02\x01"),
        ("notes.txt", b"  <html><body>hi</body></html>"),
        ("notes.txt", b"\xef\xbb\xbf<!DOCTYPE html><html>"),
        ("data.csv", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
        ("data.csv", b"<SCRIPT>alert(1)</SCRIPT>"),
        ("photo.png", b"MZ pretending to be a picture"),
        ("report.pdf", b"<html>not a pdf</html>"),
    ],
)
def test_dangerous_content_is_refused_whatever_the_name(name, content):
    """Programs, web pages, SVG and scripts are refused by their first bytes."""
    with pytest.raises(ValidationError) as refused:
        services.validate_upload(upload(name, content))
    assert refused.value.code == "file_content"


def test_content_must_match_the_type():
    """A .png that is not a PNG is refused; real files of accepted types pass."""
    with pytest.raises(ValidationError):
        services.validate_upload(upload("photo.png", b"just text"))
    for name, content in [
        ("photo.png", PNG),
        ("photo.JPG", b"\xff\xd8\xff\xe0rest"),
        ("report.pdf", PDF),
        ("sheet.xlsx", b"PK\x03\x04rest"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("notes.txt", "Le réseau ne marche pas.".encode()),
    ]:
        services.validate_upload(upload(name, content))


def test_empty_files_are_refused():
    """An empty file is not worth keeping."""
    with pytest.raises(ValidationError):
        services.validate_upload(upload("empty.txt", b""))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\marie\\Desktop\\rapport.pdf", "rapport.pdf"),
        ("bad\x00na\x1bme\r\n.txt", "badname.txt"),
        ("..hidden.txt", "hidden.txt"),
        ("   ", "file"),
        ("Résumé été.pdf", "Résumé été.pdf"),
    ],
)
def test_original_names_are_sanitized(given, kept):
    """Only the last path component, no control characters, never empty."""
    with translation.override("en"):
        assert services.sanitize_filename(given) == kept


def test_long_names_keep_their_extension():
    """Names are cut to 255 characters, the extension kept."""
    name = services.sanitize_filename("a" * 400 + ".pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")


def test_files_are_stored_under_a_random_name(cast):
    """The stored name never derives from the person's file name."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    attachment = services.attachment_add(
        ticket=ticket, uploader=cast.requester, file=upload("../../evil name.txt", b"data")
    )
    assert attachment.original_name == "evil name.txt"
    assert "evil" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    assert default_storage.exists(attachment.file.name)
    assert (attachment.size, attachment.content_type) == (4, "text/plain")
    assert attachment.uploaded_by == cast.requester


def test_only_those_who_may_comment_add_files(cast):
    """Strangers get 403; requesters cannot add internal files; finished tickets take none."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for person, internal in [(cast.other_requester, False), (cast.requester, True)]:
        with pytest.raises(TransitionRefused) as refused:
            services.attachment_add(
                ticket=ticket, uploader=person, file=upload("a.txt", b"x"), internal=internal
            )
        assert refused.value.status_code == 403
    closed = ticket_in(S.CLOSED, cast)
    with pytest.raises(TransitionRefused) as refused:
        services.attachment_add(ticket=closed, uploader=cast.requester, file=upload("a.txt", b"x"))
    assert refused.value.status_code == 409


def test_several_files_are_added_all_or_none(cast):
    """A refused file among several leaves the ticket without any of them."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    added = services.attachments_add(
        ticket=ticket,
        uploader=cast.requester,
        files=[upload("a.txt", b"one"), upload("b.pdf", PDF)],
    )
    assert [a.original_name for a in added] == ["a.txt", "b.pdf"]
    with pytest.raises(ValidationError):
        services.attachments_add(
            ticket=ticket,
            uploader=cast.requester,
            files=[upload("c.txt", b"three"), upload("d.exe", b"MZ")],
        )
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == ["a.txt", "b.pdf"]


# --- Downloads ------------------------------------------------------------------------------


@pytest.fixture
def files(cast):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    public = services.attachment_add(
        ticket=ticket, uploader=cast.requester, file=upload("Relevé de notes.pdf", PDF)
    )
    internal = services.attachment_add(
        ticket=ticket, uploader=cast.agent, file=upload("notes.txt", b"internal"), internal=True
    )
    return ticket, public, internal


def get(client, person, attachment):
    client.force_login(person)
    return client.get(attachment.get_absolute_url())


def test_download_is_an_attachment_with_safe_headers(client, cast, files):
    """The requester downloads their file: attachment disposition with the original name
    (RFC 6266 filename*), nosniff, the bytes streamed."""
    _ticket, public, _internal = files
    response = get(client, cast.requester, public)
    assert response.status_code == 200
    assert response.streaming
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Rele%CC%81ve%CC%81%20de%20notes.pdf" in disposition or (
        "filename*=utf-8''Relev%C3%A9%20de%20notes.pdf" in disposition
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_unsafe_types_are_served_as_bytes(client, cast):
    """Types a browser might render are sent as application/octet-stream."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    attachment = services.attachment_add(
        ticket=ticket, uploader=cast.requester, file=upload("a.docx", b"PK\x03\x04rest")
    )
    response = get(client, cast.requester, attachment)
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("role", "public_status", "internal_status"),
    [
        ("requester", 200, 404),
        ("other_requester", 404, 404),
        ("agent", 200, 200),
        ("assigned", 200, 200),
        ("head", 200, 200),
        ("other_agent", 404, 404),
        ("superuser", 200, 200),
    ],
)
def test_who_may_download(client, cast, files, role, public_status, internal_status):
    """Files follow the ticket's visibility; internal files are for the service's agents. Anyone
    else gets 404, never a hint the file exists."""
    _ticket, public, internal = files
    assert get(client, cast.person(role), public).status_code == public_status
    assert get(client, cast.person(role), internal).status_code == internal_status


def test_download_needs_login(client, files):
    """Anonymous visitors are sent to log in."""
    _ticket, public, _internal = files
    response = client.get(public.get_absolute_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_file_is_only_found_under_its_own_ticket(client, cast, files):
    """Another ticket's number in the address gives 404."""
    _ticket, public, _internal = files
    other = ticket_in(S.OPEN, cast)
    client.force_login(cast.requester)
    from django.urls import reverse

    url = reverse("tickets:attachment", kwargs={"pk": other.pk, "attachment_pk": public.pk})
    assert client.get(url).status_code == 404


def test_a_missing_stored_file_is_404(client, cast, files):
    """A row whose file vanished from storage is a 404, not a server error."""
    _ticket, public, _internal = files
    default_storage.delete(public.file.name)
    assert get(client, cast.requester, public).status_code == 404
