"""The production image, built from the Dockerfile and run as docker-compose.yml runs it.

One build (tests/deploy/podman.py: a Debian bookworm base made here, Debian's podman), then the
stack's containers from that image with `--network host` and a read-only root filesystem:
`migrate`, `web` (gunicorn) and `worker` (Celery), with the commands read from docker-compose.yml,
against a private PostgreSQL, a private Redis and an SMTP sink on loopback ports. The tests then
check what a university's first deployment depends on: health, hashed static files, Django's
deployment checks, a ticket's email sent by the worker container, non-root processes, a clean
image, logs on stdout and a graceful stop.

Opt-in (`-m container`, see conftest.py); skipped without podman/runc/debootstrap, failed under CI.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from ruamel.yaml import YAML

from bench.stack import login
from tests.conftest import require_service
from tests.deploy import podman
from tests.production_env import BASE_DIR
from tests.reliability import harness
from tests.reliability.topology import PostgresServer, require_private_postgresql
from tests.support import free_ports, wait_until

pytestmark = [pytest.mark.container, pytest.mark.postgres, pytest.mark.redis, pytest.mark.smtp]

COMPOSE = YAML(typ="safe").load((BASE_DIR / "docker-compose.yml").read_text())
SINK = BASE_DIR / "bench" / "smtp_sink.py"
ARTIFACTS = BASE_DIR / "test-artifacts" / "deploy"
# A ceiling that catches a regression (a compiler, a cache, a second copy of the dependencies):
# README "Production" gives the measured size and what it is made of.
MAX_IMAGE_BYTES = 700 * 1000 * 1000
HASHED_STATIC = re.compile(r'(/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js))"')


@dataclass
class Stack:
    """The running containers and the services they use."""

    web_port: int
    smtp_port: int
    mailbox: Path
    env_file: Path
    env: dict[str, str]
    database_url: str
    containers: dict[str, str] = field(default_factory=dict)
    migrate_output: str = ""
    world: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


def compose_command(service: str, web_port: int) -> list[str]:
    """The service's command from docker-compose.yml, with the loopback port of this test and
    the compose defaults of its variables."""
    command = []
    for part in COMPOSE["services"][service]["command"]:
        part = re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", part)
        part = part.replace("--bind=0.0.0.0:8000", f"--bind=127.0.0.1:{web_port}")
        command.append(part)
    return command


def run_flags(stack: Stack) -> list[str]:
    """How every container of the stack runs: host network, read-only root filesystem with the
    writable paths docker-compose.yml declares, the stack's environment file."""
    flags = ["--network=host", "--read-only", "--env-file", str(stack.env_file)]
    for path in COMPOSE["x-app"]["tmpfs"]:
        flags.append(f"--tmpfs={path}")
    return flags


def start_container(stack: Stack, name: str, command: list[str], env: list[str] = ()) -> str:
    container = f"helpdesk-test-{name}-{secrets.token_hex(4)}"
    podman.podman(
        "run",
        "--detach",
        "--name",
        container,
        *run_flags(stack),
        *env,
        "--health-interval=disable",  # no systemd timers here: the test runs the check itself
        podman.IMAGE,
        *command,
    )
    stack.containers[name] = container
    return container


def run_once(stack: Stack, *command: str, env: list[str] = (), timeout: float = 300):
    """A one-off container (`podman run --rm`), as compose's migrate service is."""
    return podman.podman(
        "run", "--rm", *run_flags(stack), *env, podman.IMAGE, *command, timeout=timeout, check=False
    )


def write_figures(figures: dict) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "image.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**known, **figures}, indent=2))


@pytest.fixture(scope="module")
def image() -> dict:
    """The image, built once for the module; its build time and size."""
    missing = podman.missing_tools()
    require_service(
        not missing, f"needs {', '.join(missing)} (apt install podman runc debootstrap)"
    )
    require_service(os.geteuid() == 0, "builds with rootful podman and debootstrap: run as root")
    started = time.monotonic()
    podman.ensure_base_image()
    base_seconds = time.monotonic() - started
    build_seconds = podman.build_image()
    figures = {
        "base_seconds": round(base_seconds, 1),
        "build_seconds": round(build_seconds, 1),
        "size_bytes": podman.image_size(),
    }
    write_figures(figures)
    return figures


@pytest.fixture(scope="module")
def stack(image, tmp_path_factory) -> Iterator[Stack]:
    """PostgreSQL, Redis and the SMTP sink on private loopback ports; the database migrated by
    the `migrate` container; `web` and `worker` containers started and answering."""
    binaries = require_private_postgresql()
    require_service(shutil.which("redis-server") is not None, "needs redis-server")
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-image-"))
    workdir.chmod(0o755)  # PostgreSQL runs as the postgres user
    pg_port, web_port, smtp_port = free_ports(3)
    postgres = PostgresServer(workdir, "db", pg_port, binaries)
    redis_server = harness.RedisServer()
    mailbox = tmp_path_factory.mktemp("mailbox")
    sink = None
    stack = None
    try:
        postgres.init()
        postgres.start()
        database_url = postgres.url()
        harness.recreate_database(database_url)
        redis_server.start()
        sink = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, str(SINK), "--port", str(smtp_port), "--folder", str(mailbox)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sink.stdout.readline().strip() == "ready"
        env = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            "PORT": str(web_port),
            # Plain http on loopback, no TLS proxy: no https redirect, cookies over http.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "BEHIND_TLS_PROXY": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_server.url.replace("/0", "/1"),
            "CELERY_BROKER_URL": redis_server.url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "DEFAULT_FROM_EMAIL": "Helpdesk <helpdesk@univ.example>",
        }
        env_file = workdir / "env"
        env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        stack = Stack(web_port, smtp_port, mailbox, env_file, env, database_url)

        migrate = run_once(stack, *compose_command("migrate", web_port))
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        stack.migrate_output = migrate.stdout
        spec = json.dumps({"services": 1, "agents_per_service": 1, "requesters": 1})
        seeded = run_once(
            stack,
            *("python", "manage.py", "shell", "-c"),
            harness.SEED % {"spec": spec, "password": harness.PASSWORD},
        )
        assert seeded.returncode == 0, seeded.stderr
        line = next(line for line in seeded.stdout.splitlines() if line.startswith("WORLD "))
        stack.world = json.loads(line.removeprefix("WORLD "))

        start_container(stack, "web", compose_command("web", web_port))
        start_container(stack, "worker", compose_command("worker", web_port))
        up = wait_until(
            lambda: harness_get(f"{stack.base_url}/healthz") == 200, timeout=60, interval=0.5
        )
        assert up, podman.podman("logs", stack.containers["web"], check=False).stderr[-3000:]
        yield stack
    finally:
        if stack is not None:
            for container in stack.containers.values():
                podman.podman("rm", "--force", "--volumes", container, check=False)
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=10)
        redis_server.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def harness_get(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def in_container(stack: Stack, name: str, *command: str) -> subprocess.CompletedProcess:
    return podman.podman("exec", stack.containers[name], *command, check=False)


# --- The image itself ----------------------------------------------------------------------------


def test_image_is_small_and_built_from_wheels_only(image):
    """Two stages: the final image holds the virtualenv and the code, no compiler and no pip."""
    size = image["size_bytes"]
    print(f"image size {size / 1e6:.0f} MB, build {image['build_seconds']} s")
    assert size < MAX_IMAGE_BYTES, f"the image grew to {size / 1e6:.0f} MB"
    found = podman.podman(
        "run", "--rm", "--network=host", podman.IMAGE,
        "sh", "-c", "command -v gcc cc make pip pip3 || true",
    )  # fmt: skip
    assert found.stdout.strip() == "", found.stdout


def test_image_holds_no_secret_test_file_or_git(image):
    listing = podman.podman(
        "run", "--rm", "--network=host", podman.IMAGE,
        "find", "/app", "-maxdepth", "2", "-not", "-path", "/app/staticfiles/*",
    )  # fmt: skip
    paths = set(listing.stdout.split())
    for forbidden in ("/app/.git", "/app/tests", "/app/bench", "/app/.env", "/app/db.sqlite3"):
        assert forbidden not in paths, forbidden
    assert "/app/manage.py" in paths
    assert not [path for path in paths if path.endswith((".pem", ".key", ".sqlite3"))]
    test_files = podman.podman(
        "run", "--rm", "--network=host", podman.IMAGE,
        "find", "/app", "-name", "test_*.py", "-o", "-name", "conftest.py",
    )  # fmt: skip
    assert test_files.stdout.strip() == ""
    inspected = json.loads(podman.podman("image", "inspect", podman.IMAGE).stdout)[0]
    config = inspected["Config"]
    names = {entry.split("=", 1)[0] for entry in config["Env"]}
    secrets_names = {"SECRET_KEY", "DATABASE_URL", "EMAIL_HOST_PASSWORD", "AWS_SECRET_ACCESS_KEY"}
    assert not names & secrets_names
    assert config["User"] == "helpdesk"
    health = podman.podman("image", "inspect", "--format", "{{json .HealthCheck}}", podman.IMAGE)
    assert json.loads(health.stdout)["Test"][-1] == "/healthz/ready"
    assert config["StopSignal"] == "SIGTERM"
    assert "/var/lib/helpdesk/media" in config["Volumes"]


def test_check_deploy_passes_inside_the_image(image, stack):
    """Django's deployment checks with the production defaults (https, secure cookies, HSTS)."""
    result = run_once(
        stack,
        *("python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"),
        env=[
            "--env=SITE_URL=https://helpdesk.univ.example",
            "--env=SECURE_SSL_REDIRECT=true",
            "--env=SESSION_COOKIE_SECURE=true",
            "--env=CSRF_COOKIE_SECURE=true",
            "--env=SECURE_HSTS_SECONDS=31536000",
            "--env=BEHIND_TLS_PROXY=true",
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- The running stack ---------------------------------------------------------------------------


def test_migrate_container_applied_the_migrations(stack):
    assert "Applying tickets.0001" in stack.migrate_output
    again = run_once(stack, *compose_command("migrate", stack.web_port))
    assert again.returncode == 0
    assert "No migrations to apply" in again.stdout


def test_web_answers_healthz_and_its_health_checks_pass(stack):
    response = requests.get(f"{stack.base_url}/healthz", timeout=10)
    assert (response.status_code, response.text) == (200, "ok")
    ready = requests.get(f"{stack.base_url}/healthz/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    # The image's HEALTHCHECK and compose's web check (both /healthz/ready).
    check = podman.podman("healthcheck", "run", stack.containers["web"], check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    web_check = COMPOSE["services"]["web"]["healthcheck"]["test"]
    assert in_container(stack, "web", *web_check[1:]).returncode == 0
    # Compose's worker check: the worker answers a ping addressed to its own name.
    worker_check = COMPOSE["services"]["worker"]["healthcheck"]["test"]
    assert worker_check[0] == "CMD-SHELL"

    # (Compose allows start_period for the worker to come up; so does this wait.)
    def ping() -> subprocess.CompletedProcess:
        return in_container(stack, "worker", "sh", "-c", worker_check[1].replace("$$", "$"))

    wait_until(lambda: ping().returncode == 0, timeout=60, interval=1)
    answer = ping()
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_login_page_serves_hashed_static_files(stack):
    page = requests.get(f"{stack.base_url}/accounts/login/", timeout=10)
    assert page.status_code == 200
    assets = HASHED_STATIC.findall(page.text)
    assert assets, "no hashed static file on the login page"
    for asset in assets:
        response = requests.get(f"{stack.base_url}{asset}", timeout=10)
        assert response.status_code == 200, asset
        assert "max-age=315360000" in response.headers.get("Cache-Control", ""), asset


def test_a_ticket_filed_through_the_web_container_is_emailed_by_the_worker_container(stack):
    session = requests.Session()
    requester = stack.world["requesters"][0]
    login(session, stack.base_url, requester, harness.PASSWORD)
    form = f"{stack.base_url}/tickets/new/"
    session.get(form, timeout=10)
    response = session.post(
        form,
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "category": stack.world["services"][0]["category"],
            "subject": "Imprimante du bâtiment B",
            "description": "L'imprimante n'imprime plus depuis ce matin.",
        },
        headers={"Referer": form},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    ticket = re.search(r"/tickets/(\d+)/", response.headers["Location"]).group(1)
    delivered = wait_until(lambda: list(stack.mailbox.glob("*.eml")), timeout=60)
    logs = podman.podman("logs", stack.containers["worker"], check=False)
    assert delivered, logs.stdout[-3000:] + logs.stderr[-3000:]
    subjects = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"]
        for path in delivered
    ]
    assert f"[Helpdesk #{ticket}] Imprimante du bâtiment B" in subjects, subjects
    # The worker logs on stdout/stderr, where `podman logs` (and `docker compose logs`) read.
    assert "succeeded" in logs.stdout + logs.stderr


def test_processes_run_as_an_unprivileged_user(stack):
    for name, container in stack.containers.items():
        top = podman.podman("top", container, "user", "huser", "args")
        rows = [line.split(None, 2) for line in top.stdout.splitlines()[1:] if line.strip()]
        assert rows, name
        for user, host_user, args in rows:
            assert user == "helpdesk", (name, user, args)
            assert host_user != "root", (name, host_user, args)


def test_root_filesystem_is_read_only_and_the_declared_paths_are_writable(stack):
    web = stack.containers["web"]
    inspected = json.loads(podman.podman("inspect", web).stdout)[0]
    assert inspected["HostConfig"]["ReadonlyRootfs"] is True
    assert inspected["HostConfig"]["NetworkMode"] == "host"
    assert in_container(stack, "web", "touch", "/app/written").returncode != 0
    assert in_container(stack, "web", "touch", "/tmp/written").returncode == 0
    media = in_container(stack, "web", "touch", "/var/lib/helpdesk/media/written")
    assert media.returncode == 0, media.stderr


def test_web_logs_requests_on_stdout(stack):
    requests.get(f"{stack.base_url}/healthz", timeout=10)
    logs = podman.podman("logs", stack.containers["web"])
    assert '"GET /healthz HTTP/1.1" 200' in logs.stdout + logs.stderr


def test_gunicorn_stops_gracefully_on_sigterm_within_the_stop_timeout(stack):
    """`docker compose stop` sends SIGTERM, then SIGKILL after stop_grace_period: gunicorn must
    be gone before, with exit code 0 (a killed container exits 137)."""
    grace = COMPOSE["services"]["web"]["stop_grace_period"]
    seconds = int(grace.removesuffix("s"))
    port = free_ports(1)[0]
    command = compose_command("web", port)
    web = start_container(stack, "web-stopped", command, [f"--env=PORT={port}"])
    assert wait_until(lambda: harness_get(f"http://127.0.0.1:{port}/healthz") == 200, 60, 0.5)
    started = time.monotonic()
    podman.podman("stop", "--time", str(seconds), web, timeout=seconds + 30)
    took = time.monotonic() - started
    state = json.loads(podman.podman("inspect", web).stdout)[0]["State"]
    logs = podman.podman("logs", web).stderr
    write_figures({"web_stop_seconds": round(took, 1)})
    assert state["ExitCode"] == 0, logs[-2000:]
    assert took < seconds
    assert "Handling signal: term" in logs
    assert "Shutting down: Master" in logs
