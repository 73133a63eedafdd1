"""Shared fixtures.

A test that needs a real service (PostgreSQL, Redis, an SMTP server, Chromium) asks for it through
`require_service`: where the service is missing it is skipped with the reason, except under CI=true,
where a missing service fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used beside it on
# purpose in browser tests (to prepare data and check results).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_configure(config: pytest.Config) -> None:
    """Tests hash passwords with a fast hasher: real hashing costs seconds per login."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """One line per missing service (how many tests it skipped and how to provide it), and why
    the load and fault tests did not run: a newcomer reads what the run did not cover."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    expression = config.getoption("markexpr", "") or ""
    whole_suite_or_reliability = not config.args or any(
        arg.rstrip("/") in {"tests", "."} or "reliability" in arg for arg in config.args
    )
    opt_in_left_out = whole_suite_or_reliability and not any(
        marker in expression for marker in ("load", "faults")
    )
    if not reasons and not opt_in_left_out:
        return
    terminalreporter.section("what this run did not cover", sep="-")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:5d} skipped: {reason}")
    if opt_in_left_out:
        terminalreporter.write_line(
            "    - load and fault tests (tests/reliability) are left out: they start the "
            "production stack and restart PostgreSQL. Run them alone with DATABASE_URL and "
            "REDIS_URL set: make test PYTEST_WORKERS=0 "
            "PYTEST_ARGS='tests/reliability -m \"load or faults\"'"
        )


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, reason: str) -> None:
    """Skips the test where a service is missing; under CI a missing service is an error."""
    if available:
        return
    if running_in_ci():
        pytest.fail(f"CI=true but a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db) -> None:
    """The test runs against PostgreSQL (set DATABASE_URL=postgres://...)."""
    from django.db import connection

    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk",
    )


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A reachable Redis server (REDIS_URL, default redis://127.0.0.1:6379/0)."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        available = False
    require_service(available, f"needs a Redis server at {url}")
    return url


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    require_service(
        Path(CHROMIUM_PATH).exists() or shutil.which("chromium") is not None,
        f"needs Debian's Chromium at {CHROMIUM_PATH} (apt install chromium)",
    )
    return CHROMIUM_PATH if Path(CHROMIUM_PATH).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Opens a browser context (no cookies) for a reader who asks for reduced motion; the caller
    closes it.

    Bootstrap fades a button's colours for 0.15 s on hover and focus unless reduced motion is
    asked for: axe, run during such a fade, measured the half-way colours (1.17:1) and reported a
    contrast violation the finished page does not have.
    """

    def open_context(**options):
        context = browser.new_context(**{"reduced_motion": "reduce", **options})
        context.set_default_timeout(15_000)
        return context

    return open_context


@pytest.fixture
def page(new_context) -> Iterator:
    """A fresh browser context and page, in French unless the test says otherwise."""
    context = new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where browser tests write screenshots for reviewers (ignored by git)."""
    path = ARTIFACTS_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory) -> None:
    """Uploads written by tests land in a temporary folder, never in the project's media."""
    media = tmp_path_factory.getbasetemp() / "media"
    settings.MEDIA_ROOT = media
    storages = dict(settings.STORAGES)
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        }
        settings.STORAGES = storages


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's language. A request by an English speaker (their session
    or token) activates English for the thread, as it should; the next test must not inherit it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with no rate-limit counts (tickets, comments, logins) in the cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _redis_cache_per_xdist_worker() -> Iterator[None]:
    """Parallel workers (pytest -n) each get their own Redis database for the cache.

    Rate-limit tests count attempts in the cache and empty it (FLUSHDB) between tests: sharing one
    database, a worker would reset or inflate another's counts.
    """
    from django.conf import settings
    from django.test import override_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache = settings.CACHES["default"]
    if not worker.startswith("gw") or not cache["BACKEND"].endswith("RedisCache"):
        yield
        return
    location = urlsplit(cache["LOCATION"])
    database = int(location.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    own = {**cache, "LOCATION": urlunsplit(location._replace(path=f"/{database}"))}
    with override_settings(CACHES={**settings.CACHES, "default": own}):
        yield
