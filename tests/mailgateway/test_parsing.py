"""Reading inbound email: every message of the corpus reads as expected.json says, and the
rules behind it hold on messages built here (huge, broken, hostile, in both languages)."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailgateway.parsing import REPLY_MARKER, InboundAttachment, ParsedMessage, parse_message

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
ROLES = {"reply", "new-ticket", "auto", "bounce", "spoof"}


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def mail(body: str = "Hello", *, subtype: str = "plain", **headers: str) -> bytes:
    message = EmailMessage()
    message.set_content(body, subtype=subtype)
    message["From"] = headers.pop("From", "Alice <alice@university.example>")
    message["To"] = headers.pop("To", "support@university.example")
    message["Subject"] = headers.pop("Subject", "Printer")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message.as_bytes()


# The corpus -------------------------------------------------------------------------------------


def test_every_corpus_message_has_its_expectations() -> None:
    """Each .eml has an entry in expected.json and each entry a file, with a known role."""
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 30
    assert {entry["role"] for entry in EXPECTED.values()} <= ROLES


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(name: str) -> None:
    """The message reads as its entry says: who sent it, to whom, whether a machine did, its new
    text, its attachments and, for a bounce, the addresses that failed."""
    expected = EXPECTED[name]
    raw = corpus(name)
    parsed = parse_message(raw)

    assert parsed.automatic == expected["automatic"]
    if expected["role"] in {"auto", "bounce"}:
        assert parsed.automatic
    else:
        assert parsed.automatic == ""
    assert parsed.sender == expected["sender"]
    assert set(parsed.recipients) == set(expected["recipients"])
    assert parsed.bounce_recipients == tuple(expected["bounce_recipients"])
    assert [(a.name, a.inline) for a in parsed.attachments] == [
        (a["name"], a["inline"]) for a in expected["attachments"]
    ]
    if "text" in expected:
        assert parsed.text == expected["text"]
    for fragment in expected["text_contains"]:
        assert fragment in parsed.text
    for fragment in expected["text_excludes"]:
        assert fragment not in parsed.text
    for fragment in expected.get("full_text_contains", []):
        assert fragment in parsed.full_text
    for field in ("subject", "sender_name", "language", "reply_to"):
        if field in expected:
            assert getattr(parsed, field) == expected[field]
    assert parsed.size == len(raw)
    assert parsed.message_id.startswith("<") and parsed.message_id.endswith(">")
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert all(a.name and "/" not in a.name and "\\" not in a.name for a in parsed.attachments)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_needs_no_fallback(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """The modern parser and the HTML walk read every corpus message: the fallbacks are for
    the rest."""
    with caplog.at_level(logging.WARNING):
        parse_message(corpus(name))
    assert caplog.records == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_reads_the_same_with_crlf_line_ends(name: str) -> None:
    """What IMAP hands over (CRLF) reads as what a maildir holds (LF)."""
    raw = corpus(name)
    crlf = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    lf, other = parse_message(raw), parse_message(crlf)
    assert (other.text, other.automatic, other.sender, other.recipients) == (
        lf.text,
        lf.automatic,
        lf.sender,
        lf.recipients,
    )
    assert [a.name for a in other.attachments] == [a.name for a in lf.attachments]


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(EXPECTED)), cut=st.floats(0, 1), noise=st.binary(max_size=64))
def test_a_damaged_corpus_message_never_raises(name: str, cut: float, noise: bytes) -> None:
    """A message cut anywhere and followed by garbage still reads into a ParsedMessage."""
    raw = corpus(name)
    damaged = raw[: int(len(raw) * cut)] + noise
    parsed = parse_message(damaged)
    assert isinstance(parsed, ParsedMessage)
    assert parsed.size == len(damaged)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(parse_message(raw), ParsedMessage)


def test_nothing_readable_gives_empty_text() -> None:
    parsed = parse_message(b"")
    assert (parsed.text, parsed.full_text, parsed.sender, parsed.attachments) == ("", "", "", ())


def test_the_results_are_frozen() -> None:
    parsed = parse_message(mail())
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.text = "changed"  # type: ignore[misc]
    assert isinstance(InboundAttachment("a", "text/plain", b"", False), InboundAttachment)


# Size -------------------------------------------------------------------------------------------


def test_a_huge_message_is_read_whole() -> None:
    """A 20 MB message (long text, a big attachment) keeps its text and its attachment's bytes."""
    message = EmailMessage()
    message["From"] = "big@university.example"
    message["To"] = "support@university.example"
    message["Subject"] = "Logs"
    line = "2026-12-02 11:00:00 worker-3 INFO request served in 12 ms, nothing to report\n"
    message.set_content("The logs of the night are attached.\n\n" + line * 60_000)
    payload = bytes(range(256)) * 50_000
    message.add_attachment(payload, maintype="application", subtype="gzip", filename="logs.gz")
    raw = message.as_bytes()
    assert len(raw) > 15_000_000

    parsed = parse_message(raw)

    assert parsed.text.startswith("The logs of the night are attached.")
    assert parsed.text.count("worker-3") == 60_000
    assert [(a.name, a.content) for a in parsed.attachments] == [("logs.gz", payload)]
    assert parsed.size == len(raw)


# The new text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "history",
    [
        f"On Wed, Dec 2, 2026 at 11:27 AM Helpdesk <h@u.example> wrote:\n> {REPLY_MARKER}\n> old",
        "Le mer. 2 déc. 2026 à 11:27, Helpdesk <h@u.example> a écrit\u00a0:\n> old",
        "Le 2 déc. 2026 à 11:27, Helpdesk\n<h@u.example> a écrit :\n\n> old",
        "-----Original Message-----\nFrom: Helpdesk\nSent: Wednesday\nSubject: old\n\nold",
        "-----Message d'origine-----\nDe : Helpdesk\nEnvoyé : mercredi\nObjet : old\n\nold",
        "________________________________\nFrom: Helpdesk\nSent: Wednesday\n\nold",
        "De : Helpdesk <h@u.example>\nEnvoyé : mercredi 2 décembre 2026 11:27\nÀ : moi\n\nold",
        "From: Helpdesk <h@u.example>\nSent: Wednesday, December 2, 2026 11:27 AM\n\nold",
        "**From:** Helpdesk\n**Sent:** Wednesday\n\nold",
        "---------- Forwarded message ---------\nFrom: X\n\nold",
        "-------- Message transféré --------\nSujet : old\n\nold",
        f"{REPLY_MARKER}\nold",
        "##- Veuillez écrire votre réponse au-dessus de cette ligne -##\nold",
        "> ##- Please type your reply above this line -##\n> old",
    ],
)
def test_quoted_history_is_stripped_in_french_and_english(history: str) -> None:
    parsed = parse_message(mail(f"The new answer.\n\n{history}\n"))
    assert parsed.text == "The new answer."
    assert "old" in parsed.full_text


def test_signatures_and_mobile_lines_are_stripped() -> None:
    body = "Fixed, thanks.\n\nEnvoyé de mon iPhone\n\n-- \nAlice\nBureau 3\n"
    assert parse_message(mail(body)).text == "Fixed, thanks."


@pytest.mark.parametrize(
    "body",
    [
        "Hello,\n\nThanks, but it still fails with error 42 when I open the report.\nAny idea?",
        "Bonjour,\n\nWarning: your mailbox is almost full, says the mail client.\nMerci",
        "Bonjour,\n\nCordialement vôtre n'est pas une formule que l'on voit dans une erreur,"
        " et pourtant le logiciel l'affiche.\nLa suite du message.",
    ],
)
def test_sentences_that_look_like_signatures_or_disclaimers_are_kept(body: str) -> None:
    assert parse_message(mail(body)).text == body


@pytest.mark.parametrize(
    "signature",
    [
        "Bien cordialement,\nSophie Laurent\nBibliothèque universitaire",
        "Cordialement\n\nJ. Roux\nBureau 3.14\n04 73 00 00 00",
        "Best regards,\nAlice",
        "Bonne journée !",
    ],
)
def test_a_sign_off_and_its_short_signature_are_stripped(signature: str) -> None:
    assert parse_message(mail(f"Bonjour,\n\nC'est réparé.\n\n{signature}\n")).text == (
        "Bonjour,\n\nC'est réparé."
    )


def test_a_sign_off_followed_by_a_long_text_is_kept() -> None:
    body = "Bonjour,\n\nCordialement\n" + "".join(f"Ligne {i} du message.\n" for i in range(12))
    assert parse_message(mail(body)).text == body.strip()


def test_a_sentence_starting_like_a_mobile_line_is_kept() -> None:
    body = "Sent with the wrong file, sorry: here is the right one.\n\nSent with Proton Mail"
    assert (
        parse_message(mail(body)).text == "Sent with the wrong file, sorry: here is the right one."
    )


def test_lists_written_with_hyphens_are_kept() -> None:
    body = "Three rooms are affected:\n- B204\n- B205\n- the library\n"
    assert parse_message(mail(body)).text == body.strip()


def test_a_message_without_history_is_kept_whole() -> None:
    body = "Bonjour,\n\nLe vidéoprojecteur de l'amphi A ne s'allume plus.\nMerci !"
    parsed = parse_message(mail(body))
    assert parsed.text == body
    assert parsed.full_text == body


def test_html_quotes_are_stripped_and_markup_never_kept() -> None:
    html = (
        "<div>New <i>answer</i>.<style>p{}</style></div>"
        '<blockquote type="cite"><div>Old <b>text</b></div></blockquote>'
        "<p>&lt;b&gt;shown as typed&lt;/b&gt;</p><script>evil()</script>"
    )
    parsed = parse_message(mail(html, subtype="html"))
    assert parsed.text == "New answer.\n\n<b>shown as typed</b>"
    assert "> Old text" in parsed.full_text
    assert "evil" not in parsed.full_text and "p{}" not in parsed.full_text


def test_an_empty_plain_alternative_gives_way_to_the_html_one() -> None:
    message = EmailMessage()
    message["From"] = "a@university.example"
    message.set_content("")
    message.add_alternative("<p>Only the <b>HTML</b> says it.</p>", subtype="html")
    assert parse_message(message.as_bytes()).text == "Only the HTML says it."


# Headers ----------------------------------------------------------------------------------------


def test_threading_headers_are_normalised() -> None:
    raw = mail(
        Message_ID="bare-id@client.example",
        In_Reply_To="<a@helpdesk.example> (comment)",
        References="<root@helpdesk.example>  <a@helpdesk.example> <root@helpdesk.example>",
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "<bare-id@client.example>"
    assert parsed.in_reply_to == ("<a@helpdesk.example>",)
    assert parsed.references == ("<root@helpdesk.example>", "<a@helpdesk.example>")


def test_addresses_are_lower_case_and_deduplicated() -> None:
    raw = mail(
        From='"Dupont, Jean" <Jean.Dupont@University.Example>',
        To="Support <SUPPORT@university.example>, other@university.example",
        Cc="support@university.example",
        Delivered_To="helpdesk+t1u2-abcdefghijklmnop@university.example",
        Reply_To="Jean <jean@home.example>",
    )
    parsed = parse_message(raw)
    assert parsed.sender == "jean.dupont@university.example"
    assert parsed.sender_name == "Dupont, Jean"
    assert parsed.reply_to == "jean@home.example"
    assert parsed.recipients == (
        "support@university.example",
        "other@university.example",
        "helpdesk+t1u2-abcdefghijklmnop@university.example",
    )


def test_an_unparsable_sender_is_empty() -> None:
    assert parse_message(mail(From="not an address")).sender == ""


def test_the_subject_is_one_line_without_control_characters() -> None:
    raw = (
        b"From: a@university.example\r\n"
        b"Subject: =?utf-8?q?Broken=0D=0ABcc:_x=07y_=E2=80=AEtxt?=\r\n\r\nbody\r\n"
    )
    assert parse_message(raw).subject == "Broken Bcc: xy txt"


def test_dates_are_aware_or_none() -> None:
    assert parse_message(mail(Date="Wed, 02 Dec 2026 11:42:07 +0100")).date == datetime(
        2026, 12, 2, 10, 42, 7, tzinfo=UTC
    )
    assert parse_message(mail(Date="Wed, 02 Dec 2026 11:42:07 -0000")).date.tzinfo is not None
    assert parse_message(mail(Date="yesterday")).date is None
    assert parse_message(mail()).date is None


def test_the_content_language_is_reported() -> None:
    assert parse_message(mail(Content_Language="fr-FR, en")).language == "fr-FR"
    assert parse_message(mail()).language == ""


# Automatic messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "auto-submitted"),
        ({"Auto_Submitted": "auto-generated"}, "auto-submitted"),
        ({"Precedence": "junk"}, "precedence-bulk"),
        ({"Precedence": "list"}, "list"),
        ({"List_Id": "<staff.lists.university.example>"}, "list"),
        ({"X_Autoreply": "yes"}, "x-autoreply"),
        ({"X_Autorespond": "yes"}, "x-autoreply"),
        ({"Subject": "Automatic reply: Printer"}, "out-of-office"),
        ({"Subject": "Réponse automatique : Imprimante"}, "out-of-office"),
        ({"Subject": "Absent : Imprimante"}, "out-of-office"),
        ({"From": "MAILER-DAEMON@mx.university.example"}, "mailer-daemon"),
        ({"Return_Path": "<>"}, "null-sender"),
    ],
)
def test_automatic_messages_say_why(headers: dict[str, str], reason: str) -> None:
    assert parse_message(mail(**headers)).automatic == reason


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "no"},
        {"Subject": "Absence de réseau Wi-Fi en salle B204"},
        {"Subject": "Auto renewal of my licence"},
        {"Subject": "Out of office hours access to the building"},
        {"Precedence": "first-class"},
    ],
)
def test_a_persons_message_is_not_automatic(headers: dict[str, str]) -> None:
    assert parse_message(mail(**headers)).automatic == ""


# Attachments ------------------------------------------------------------------------------------


def test_attachment_names_are_safe_one_line_names() -> None:
    message = EmailMessage()
    message["From"] = "a@university.example"
    message.set_content("files")
    long_name = "r" * 300 + ".pdf"
    hostile = ("../../etc/passwd", "C:\\Users\\me\\report.pdf", "tab\tand\u202egnp.exe")
    for name in (*hostile, long_name):
        message.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=name)
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png")
    names = [a.name for a in parse_message(message.as_bytes()).attachments]
    assert names[:3] == ["passwd", "report.pdf", "tab andgnp.exe"]
    assert len(names[3]) == 255 and names[3].endswith(".pdf")
    assert names[4] == "image.png"


def test_signature_parts_are_not_attachments() -> None:
    raw = (
        b"From: a@university.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary="s"\r\n'
        b"\r\n--s\r\nContent-Type: text/plain\r\n\r\nSigned text.\r\n"
        b'--s\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--s--\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.text, parsed.attachments) == ("Signed text.", ())


def test_a_forwarded_message_attached_is_kept_as_eml() -> None:
    inner = EmailMessage()
    inner["From"] = "x@example.org"
    inner["Subject"] = "Original problem"
    inner.set_content("inner")
    message = EmailMessage()
    message["From"] = "a@university.example"
    message.set_content("See the attached message.")
    message.add_attachment(inner)
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "See the attached message."
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("Original problem.eml", "message/rfc822")
    ]
    assert b"inner" in parsed.attachments[0].content


# Charsets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "body", "text"),
    [
        ("iso-8859-1", "Problème réglé, merci.".encode("iso-8859-1"), "Problème réglé, merci."),
        ("iso-8859-1", "C’est réglé – merci.".encode("windows-1252"), "C’est réglé – merci."),
        ("iso-8859-1", "Mislabelled: réglé".encode(), "Mislabelled: réglé"),
        ("us-ascii", "8-bit despite the label: été".encode(), "8-bit despite the label: été"),
        ("no-such-charset", "Unknown label: été".encode(), "Unknown label: été"),
        ("koi8-r", "Привет".encode("koi8-r"), "Привет"),
    ],
)
def test_body_charsets(charset: str, body: bytes, text: str) -> None:
    raw = (
        b"From: a@university.example\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    assert parse_message(raw).text == text


# Hostile input ----------------------------------------------------------------------------------

HOSTILE_HTML = {
    "unclosed comments": "<!--" * 50_000,
    "unclosed tags": "<a" * 50_000,
    "unclosed declarations": "<![CDATA[" * 30_000,
    "deep nesting": "<div>" * 19_000 + "x" + "</span>" * 19_000,
    "deep quotes": "<blockquote>" * 19_000 + "x\n" * 19_000,
    "many tags": "<p>x</p>" * 100_000,
    "an unclosed script": "<p>shown</p><script>" + "hidden " * 50_000,
}
HOSTILE_TEXT = {
    "a long attribution-like line": "Le " + "1" * 50_000,
    "long attribution-like lines": ("On 1 " + "x " * 490 + "\n") * 40,
    "deep quote marks": ("> " * 2_000 + "x\n") * 50,
    "markers": "##-" * 30_000,
    "hyphens": "-" * 100_000,
    "sign-offs": "Cordialement\n" * 50_000 + "x\n" * 9,
    "attributions": "> q\n" + "On 2 Dec 2026, A wrote:\n> q\n" * 30_000 + "answer",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_HTML))
def test_hostile_html_is_read_in_linear_time(name: str) -> None:
    """Markup that makes a backtracking or quadratic parser spin is read within seconds of CPU
    (the bound is far above what a linear reading takes: a regression, not a measure)."""
    start = time.process_time()
    parsed = parse_message(mail(HOSTILE_HTML[name], subtype="html"))
    assert time.process_time() - start < 10
    assert "hidden" not in parsed.full_text
    assert not re.search(r"<(?:p|div|script|blockquote)\b[^<]*>", parsed.full_text)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_hostile_text_is_read_in_linear_time(name: str) -> None:
    start = time.process_time()
    parse_message(mail(HOSTILE_TEXT[name]))
    assert time.process_time() - start < 10


HEAD = b"From: Deep <deep@university.example>\r\nSubject: Nested\r\nMIME-Version: 1.0\r\n"


def test_mime_nested_past_the_parsers_limit_still_gives_its_headers() -> None:
    nesting = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(3_000)
    )
    parsed = parse_message(HEAD + nesting + b"Content-Type: text/plain\r\n\r\ndeep\r\n")
    assert (parsed.sender, parsed.subject, parsed.text) == ("deep@university.example", "Nested", "")


def test_thousands_of_mime_parameters_are_read_quickly() -> None:
    params = b"; ".join(b"p%d=v" % i for i in range(20_000))
    raw = HEAD + b"Content-Type: text/plain; charset=utf-8; " + params + b"\r\n\r\nbody\r\n"
    start = time.process_time()
    assert parse_message(raw).text == "body"
    assert time.process_time() - start < 10


def test_an_unreadable_address_header_loses_only_its_addresses() -> None:
    raw = HEAD + b"To: " + b"(" * 20_000 + b"x@y.example\r\n\r\nbody\r\n"
    parsed = parse_message(raw)
    assert parsed.sender == "deep@university.example"
    assert (parsed.recipients, parsed.text) == ((), "body")


def test_thousands_of_attachments_are_all_kept() -> None:
    parts = b"".join(
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=f%d.bin\r\n\r\n%d\r\n" % (i, i)
        for i in range(2_000)
    )
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + b"--b--\r\n"
    assert [a.name for a in parse_message(raw).attachments] == [f"f{i}.bin" for i in range(2_000)]


@pytest.mark.parametrize(
    ("subject", "name"),
    [("", "message.eml"), ("Re: a/b\\c", "Re: a-b-c.eml"), ("...", "message.eml")],
)
def test_an_attached_message_is_named_after_its_subject(subject: str, name: str) -> None:
    inner = EmailMessage()
    inner["Subject"] = subject
    inner.set_content("inner")
    message = EmailMessage()
    message.set_content("See the attached message.")
    message.add_attachment(inner)
    assert [a.name for a in parse_message(message.as_bytes()).attachments] == [name]
