"""Answers to incoming emails (the mail gateway's): one outbox row per incoming message, rendered
from `emails/<kind>.*` with the gateway's context, threaded under the message they answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from notifications import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db

SITE = "https://helpdesk.univ.example"
ANSWERED = "<CAF123@mail.univ.example>"


@pytest.fixture(autouse=True)
def _answer_templates(settings):
    """A kind of answer of these tests' own, so that they do not depend on the gateway's."""
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Helpdesk"
    engine = settings.TEMPLATES[0]
    own = Path(__file__).parent / "templates"
    settings.TEMPLATES = [{**engine, "DIRS": [own, *engine["DIRS"]]}]


def answer(**overrides) -> Notification | None:
    arguments = {
        "email": "stranger@elsewhere.example",
        "language": "fr",
        "kind": "test_answer",
        "context": {"about": "Imprimante <HS>"},
        "in_reply_to": ANSWERED,
        "dedup": f"answer-{ANSWERED}",
    } | overrides
    return services.queue_automatic_answer(**arguments)


def test_the_answer_is_an_outbox_row_sent_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = answer()
        assert mail.outbox == []
    assert row is not None
    assert (row.recipient, row.event, row.kind, row.language) == (None, None, "test_answer", "fr")
    assert row.payload == {"context": {"about": "Imprimante <HS>"}, "in_reply_to": ANSWERED}
    (message,) = mail.outbox
    assert message.to == ["stranger@elsewhere.example"]
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT


def test_one_answer_per_address_and_key(django_capture_on_commit_callbacks):
    """Reading the same incoming message twice answers it once; another address gets its own."""
    with django_capture_on_commit_callbacks(execute=True):
        assert answer() is not None
        assert answer() is None
        assert answer(email="other@elsewhere.example") is not None
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_duplicate_leaves_the_callers_transaction_usable(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer()
        assert answer() is None
        assert Notification.objects.filter(kind="test_answer").count() == 1


def test_a_long_key_fits_the_column():
    long_key = "answer-<" + "x" * 200 + "@mail.example>"
    row = answer(dedup=long_key)
    assert row is not None and len(row.dedup_key) <= 64
    assert answer(dedup=long_key) is None
    assert answer(dedup=long_key + "2") is not None


def test_rendered_with_the_context_in_the_rows_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer(language="fr", dedup="one")
        answer(language="en", dedup="two")
    french, english = mail.outbox
    assert french.subject == english.subject == "[Helpdesk] Imprimante <HS>"
    assert "About: Imprimante <HS>" in french.body
    assert f"Site: {SITE}" in french.body
    assert "Bonjour," in french.body and "Hello," in english.body
    (html, _), *_ = french.alternatives
    assert "About: Imprimante &lt;HS&gt;" in html


def test_headers_answer_the_incoming_message(django_capture_on_commit_callbacks):
    """RFC 3834: auto-replied, and threaded under the message it answers."""
    with django_capture_on_commit_callbacks(execute=True):
        row = answer()
    (message,) = mail.outbox
    parsed = message.message()
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["In-Reply-To"] == ANSWERED
    assert parsed["References"] == ANSWERED
    row.refresh_from_db()
    assert parsed["Message-ID"] == row.message_id


def test_without_a_message_to_answer_no_thread_headers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer(in_reply_to="")
    parsed = mail.outbox[0].message()
    assert parsed["In-Reply-To"] is None and parsed["References"] is None
