"""Run the project in a child process with a chosen environment.

Settings are computed once, at import, from the environment; the only faithful way to test another
environment is a fresh interpreter that sees nothing from the test run's own variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# A production-like environment: every service named, DEBUG off.
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3Jq9-vXz2Lr8WmN4tYb7Pc1Hs6Fd0Ge5Ua-Ro_Ti8Ew2Qy4Zo1Kn6Mj3Bl9Vh7Cx5",
    "SITE_URL": "https://helpdesk.example.edu",
    "DATABASE_URL": "postgres://helpdesk:secret@db.internal:5432/helpdesk",
    "REDIS_URL": "redis://redis.internal:6379/1",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.example.edu",
    "EMAIL_USE_TLS": "true",
    "EMAIL_HOST_USER": "helpdesk",
    "EMAIL_HOST_PASSWORD": "smtp-secret",
    "DEFAULT_FROM_EMAIL": "Helpdesk <helpdesk@example.edu>",
    "AWS_STORAGE_BUCKET_NAME": "helpdesk-attachments",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.edu",
    "AWS_S3_REGION_NAME": "eu-west-3",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "s3-secret",
}

# Variables of the parent process that must never leak into the child: anything the settings read.
_KEPT = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}


def child_env(variables: dict[str, str]) -> dict[str, str]:
    """A clean environment: the parent's PATH and locale, plus exactly `variables`."""
    env = {key: value for key, value in os.environ.items() if key in _KEPT}
    env.update(variables)
    return env


def run_python(
    code: str, variables: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess:
    """Runs `code` in a new interpreter from the project folder, with only `variables` set."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=child_env(variables),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_manage(
    args: list[str], variables: dict[str, str], timeout: int = 180
) -> subprocess.CompletedProcess:
    """Runs `manage.py <args>` in a new interpreter with only `variables` set."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=child_env(variables),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def settings_values(variables: dict[str, str], names: list[str]) -> dict:
    """Imports helpdesk.settings under `variables` and returns the named settings (JSON-safe)."""
    code = (
        "import json, sys\n"
        "import helpdesk.settings as s\n"
        f"names = {names!r}\n"
        "json.dump({n: getattr(s, n, None) for n in names}, sys.stdout, default=str)\n"
    )
    result = run_python(code, variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
