"""Each log record is printed once: `make run` and the workers' output stay readable."""

from __future__ import annotations

import logging
import logging.config

from django.conf import settings
from django.utils.log import DEFAULT_LOGGING


def printing_handlers(name: str) -> list[logging.Handler]:
    """The stream handlers a record of this logger passes through, up to the root."""
    found = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        found += [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        logger = logger.parent if logger.propagate else None
    return found


def test_django_s_records_print_once():
    """Django configures its defaults, then the project's LOGGING, as at start-up."""
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)
    # Django's "console" handler only prints with DEBUG on: count it as printing.
    assert len(printing_handlers("django.utils.autoreload")) == 1
    assert len(printing_handlers("django.request")) == 1
    assert len(printing_handlers("tickets.workflow")) == 1


def test_the_development_server_s_request_lines_keep_their_time():
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)
    handlers = printing_handlers("django.server")
    assert len(handlers) == 1
    assert handlers[0].formatter is not None
    assert handlers[0].formatter._fmt == "[{server_time}] {message}"
