"""Errors raised by the ticket lifecycle; views turn them into a message and a 4xx page."""

from __future__ import annotations


class TransitionRefused(Exception):
    """A move on a ticket was refused.

    `status_code` tells the view which page to show: 403 when this person may not do this on this
    ticket at all, 409 when the ticket's current state does not allow it (or someone acted first).
    `message` is a translated sentence fit to show to the person.
    """

    FORBIDDEN = 403
    CONFLICT = 409

    def __init__(self, message: str, status_code: int = CONFLICT) -> None:
        super().__init__(str(message))
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return str(self.message)


class TextRequired(TransitionRefused, ValueError):
    """A move that must be explained (a question, a reason, a resolution) was given no text.

    It is also a ValueError: callers that validate input before calling the workflow may treat it
    as bad input. Shown with status 400.
    """

    BAD_REQUEST = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=self.BAD_REQUEST)
