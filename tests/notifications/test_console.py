"""In development, emails print as a person reads them: decoded subject, text body, the link."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from notifications.console import EmailBackend


def test_an_email_prints_with_its_subject_decoded_and_without_its_html():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="[Helpdesk #8] Ticket reçu : Wifi à la BU",
        body="Bonjour,\n\nSuivre votre ticket\nhttp://127.0.0.1:8101/tickets/8/\n",
        from_email="Helpdesk <helpdesk@localhost>",
        to=["etudiant@demo.univ.example"],
    )
    message.attach_alternative("<p>Bonjour</p>", "text/html")

    EmailBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert "Subject: [Helpdesk #8] Ticket reçu : Wifi à la BU" in printed
    assert "To:      etudiant@demo.univ.example" in printed
    assert "http://127.0.0.1:8101/tickets/8/" in printed
    assert "<p>Bonjour</p>" not in printed
    assert "[text/html version: 14 characters, not printed]" in printed
    assert "=?utf-8?" not in printed
    assert printed.count("-" * 79) == 1
