"""The production description: docker-compose.yml and the Dockerfile it builds.

Docker is not needed to run these tests: the compose file is validated against the compose
specification's JSON schema (vendored in check-jsonschema) and its topology is read as YAML.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.production_env import BASE_DIR

pytestmark = pytest.mark.smoke

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text())


def _check_jsonschema() -> str | None:
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    return str(beside_python) if beside_python.exists() else shutil.which("check-jsonschema")


def test_compose_file_follows_the_compose_specification():
    """docker-compose.yml validates against the compose-spec schema, offline."""
    executable = _check_jsonschema()
    if executable is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [executable, "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_services_make_the_production_topology(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].split(":")[0] == "postgres"
    assert services["db"]["image"].split(":")[1].split("-")[0] in {"15", "16"}
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["command"][:2] == ["gunicorn", "helpdesk.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "helpdesk", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "helpdesk", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_app_services_read_dot_env_and_build_the_image(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env", name
        assert service["build"] == ".", name


def test_services_wait_for_healthy_dependencies(compose):
    """Nothing starts before PostgreSQL and Redis answer and the migrations have run."""
    services = compose["services"]
    for name in ("db", "redis", "web", "worker"):
        assert "test" in services[name]["healthcheck"], name
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["beat"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def test_data_lives_in_named_volumes(compose):
    volumes = set(compose["volumes"])
    assert {"pgdata", "redisdata", "media"} <= volumes
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]


def test_dockerfile_builds_a_non_root_image_with_collected_static_files():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    assert lines[0].startswith("#") or lines[0].startswith("FROM")
    # The base is a build argument, python:3.11-slim unless told otherwise; two stages.
    assert "ARG BASE_IMAGE=python:3.11-slim" in lines
    assert [line for line in lines if line.startswith("FROM ")] == [
        "FROM ${BASE_IMAGE} AS build",
        "FROM ${BASE_IMAGE}",
    ]
    assert any("pip install --only-binary=:all: -c requirements.lock" in line for line in lines)
    text = DOCKERFILE.read_text()
    assert "collectstatic --noinput" in text
    user_lines = [line for line in lines if line.startswith("USER ")]
    assert user_lines and user_lines[-1] != "USER root"
    # collectstatic runs before switching user, the app runs as the unprivileged user.
    assert text.index("collectstatic") < text.index(user_lines[-1])


def test_docker_build_context_leaves_out_secrets_and_local_state():
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".git", "db.sqlite3*", "media/"} <= ignored


def test_app_services_run_read_only_and_stop_gracefully(compose):
    """What tests/deploy/test_image.py runs the containers with: a read-only root filesystem with
    /tmp as a tmpfs, the web health check on /healthz/ready, and a stop timeout longer than
    gunicorn's graceful timeout."""
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert service["tmpfs"] == ["/tmp"], name
        assert "media:/var/lib/helpdesk/media" in service["volumes"], name
    web = compose["services"]["web"]
    assert web["healthcheck"]["test"][-2:] == ["scripts/healthcheck.py", "/healthz/ready"]
    graceful = next(arg for arg in web["command"] if arg.startswith("--graceful-timeout="))
    assert int(graceful.split("=")[1]) < int(web["stop_grace_period"].removesuffix("s"))
    assert "--access-logfile=-" in web["command"]
    assert "--error-logfile=-" in web["command"]
    # The image's HEALTHCHECK asks gunicorn: beat, which has none, turns it off.
    assert compose["services"]["beat"]["healthcheck"] == {"disable": True}
