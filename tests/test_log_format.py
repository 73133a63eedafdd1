"""LOG_FORMAT=json: every log line is one JSON object, through the same handlers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SCRIPT = """
import logging
import django

django.setup()
logging.getLogger("tickets.workflow").info("Ticket %s taken", 7, extra={"ticket": 7})
logging.getLogger("django.request").warning("Not Found: /nowhere")
logging.getLogger("django.server").info('"GET /healthz HTTP/1.1" 200 2')
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("notifications.tasks").exception("Sending failed")
"""


def run_with(log_format: str) -> list[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
    }
    result = subprocess.run(  # noqa: S603 - the test's own interpreter and script
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.splitlines()


def test_json_log_lines_parse_as_json():
    lines = run_with("json")
    entries = [json.loads(line) for line in lines]
    # Each record once: the handlers are the plain format's.
    assert [entry["message"] for entry in entries] == [
        "Ticket 7 taken",
        "Not Found: /nowhere",
        '"GET /healthz HTTP/1.1" 200 2',
        "Sending failed",
    ]
    taken, not_found, server, failed = entries
    assert taken["level"] == "INFO"
    assert taken["logger"] == "tickets.workflow"
    assert taken["ticket"] == 7
    assert taken["time"].endswith("+00:00")
    assert not_found["level"] == "WARNING"
    assert server["logger"] == "django.server"
    assert "ZeroDivisionError" in failed["exception"]


def test_plain_text_stays_the_default():
    lines = run_with("")
    assert "Ticket 7 taken" in lines
    assert not lines[0].startswith("{")
