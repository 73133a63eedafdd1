"""Settings of the test CAS server; the CAS_TEST_* variables come from its caller."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(os.environ["CAS_TEST_DATA_DIR"])

DEBUG = False
SECRET_KEY = "test-cas-server-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.cas_server.urls"
USE_TZ = True
LANGUAGE_CODE = "fr"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "cas.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SILENCED_SYSTEM_CHECKS = ["models.W042"]

# The helpdesk runs on the same host (another port): cookies are per host, not per port.
SESSION_COOKIE_NAME = "cas_sessionid"
CSRF_COOKIE_NAME = "cas_csrftoken"

CAS_AUTH_CLASS = "tests.cas_server.auth.JsonAuthUser"
# Otherwise it asks PyPI for a newer version on each page.
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_SERVICE_MESSAGES = False
CAS_INFO_MESSAGES_ORDER: list[str] = []
CAS_SHOW_POWERED = False
# Plain pages without the CDN's Bootstrap (nothing outside the machine is reachable).
CAS_LOGIN_TEMPLATE = "cas_server/plain_login.html"
CAS_WARN_TEMPLATE = "cas_server/plain_login.html"
CAS_LOGGED_TEMPLATE = "cas_server/plain_logged.html"
CAS_LOGOUT_TEMPLATE = "cas_server/plain_logout.html"
CAS_SLO_TIMEOUT = 5
