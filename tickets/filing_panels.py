"""What other parts of the helpdesk show beside "Déposer un ticket" once a category is chosen.

The knowledge base suggests answers there and a known incident shows its banner there, but those
apps sit above `tickets` and the filing page must not import them. They connect a receiver to
`filing_panels` instead (in their AppConfig.ready); each receiver returns the HTML of its panel,
or None when it has nothing to show for this person and category.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest
from django.utils.safestring import SafeString

from categories.models import Category

# send(sender=Category, request=..., category=..., data=...) -> each receiver: SafeString | None.
# `data` is what the person typed so far (the submitted form's data, or an empty dict).
filing_panels = Signal()

# send(sender=Ticket, request=..., ticket=...) once "Déposer un ticket" created a ticket: a panel's
# app reads the fields its panel added to the form (an incident the person saw, say).
ticket_filed = Signal()


def panels_for(request: HttpRequest, category: Category, data: Any = None) -> list[SafeString]:
    """The panels to show, in the order their apps are installed."""
    answers = filing_panels.send(
        sender=Category, request=request, category=category, data=data or {}
    )
    return [html for _receiver, html in answers if html]
