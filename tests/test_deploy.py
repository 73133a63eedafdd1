"""Production readiness: Django's deployment checks and static files served by whitenoise."""

from __future__ import annotations

import json
import re

import pytest

from tests.production_env import BASE_DIR, PRODUCTION_ENV, run_manage, run_python

pytestmark = pytest.mark.smoke


def test_check_deploy_reports_no_issue():
    """`manage.py check --deploy` with production variables prints no warning at all."""
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output, output


def test_check_deploy_flags_a_weak_secret_key():
    """The check is real: a short secret key is reported (so a clean run above means something)."""
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION_ENV, "SECRET_KEY": "short"},
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# Runs inside a production-configured interpreter after collectstatic: requests go through the
# whole middleware stack over (proxied) HTTPS, as gunicorn behind the TLS proxy would see them.
_SERVE_STATIC = """
import json, sys
import django
django.setup()
from django.templatetags.static import static
from django.test import Client

client = Client(SERVER_NAME="helpdesk.example.edu")
report = {}
for name in ("bootstrap/css/bootstrap.min.css", "django_htmx/htmx-2.min.js", "css/helpdesk.css"):
    url = static(name)
    response = client.get(url, secure=True)
    report[name] = {
        "url": url,
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "cache": response.get("Cache-Control", ""),
    }
plain = client.get(static("bootstrap/css/bootstrap.min.css"))
report["http_redirects_to_https"] = plain.status_code == 301 and plain["Location"].startswith(
    "https://"
)
json.dump(report, sys.stdout)
"""


def test_collectstatic_then_whitenoise_serves_hashed_assets(tmp_path):
    """collectstatic works in production; Bootstrap and htmx are served hashed, cached for good."""
    variables = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    collected = run_manage(["collectstatic", "--noinput"], variables)
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    result = run_python(_SERVE_STATIC, variables)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for name, expected_type in (
        ("bootstrap/css/bootstrap.min.css", "text/css"),
        ("django_htmx/htmx-2.min.js", "javascript"),
        ("css/helpdesk.css", "text/css"),
    ):
        served = report[name]
        stem = name.rsplit(".", 2)[0]
        assert served["url"].startswith(f"/static/{stem}."), served  # hashed name from the manifest
        assert served["url"] != f"/static/{name}", served
        assert served["status"] == 200, served
        assert expected_type in served["type"], served
        assert "immutable" in served["cache"], served
    assert report["http_redirects_to_https"] is True


def _dockerfile_build_variables() -> dict[str, str]:
    """The variables the Dockerfile's collectstatic step sees: its ENV block and the RUN prefix."""
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    variables: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ENV "):
            variables.update(re.findall(r"(\w+)=(\S+)", line))
        elif line.startswith("RUN ") and "collectstatic" in line:
            prefix = line.removeprefix("RUN ").split("python manage.py")[0]
            variables.update(re.findall(r"(\w+)=(\S+)", prefix))
    return variables


def test_dockerfile_collectstatic_step_works_as_written(tmp_path):
    """The image build's collectstatic, with only the Dockerfile's variables, succeeds."""
    variables = _dockerfile_build_variables()
    assert variables["DJANGO_ENV"] == "production"
    assert "SECRET_KEY" in variables
    variables["STATIC_ROOT"] = str(tmp_path / "static")
    result = run_manage(["collectstatic", "--noinput"], variables)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
