"""The settings module: embedded defaults for one laptop, services for production."""

from __future__ import annotations

import ast
import re

import pytest

from tests.production_env import BASE_DIR, PRODUCTION_ENV, run_python, settings_values

pytestmark = pytest.mark.smoke

SETTINGS_FILE = BASE_DIR / "helpdesk" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"
# settings.env (django-environ) and its typed readers: env("NAME"), env.bool("NAME")...
ENV_READER = "env"

NAMES = [
    "DEBUG",
    "DATABASES",
    "CACHES",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "STORAGES",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
]


def _reads_the_environment(func: ast.expr) -> bool:
    """`env(...)` or `env.<type>(...)`."""
    if isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id == ENV_READER


def _env_helper_calls() -> set[str]:
    """Every name passed as a literal to env() / env.bool() / env.int() / env.list() in
    settings.py."""
    tree = ast.parse(SETTINGS_FILE.read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _reads_the_environment(node.func)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


class _RecordingEnvironment(dict):
    """An environment where every variable is set (except `empty`); remembers what was asked."""

    def __init__(self, empty: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.empty = empty
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return "" if key in self.empty else "https://example.edu/value"


def _sso_variables() -> set[str]:
    """The SSO_* names settings.socialaccount_providers reads (settings pass it the environment)."""
    from helpdesk import settings as helpdesk_settings

    asked: set[str] = set()
    # The SAML IdP is described by metadata or, when that is empty, by URLs and a certificate.
    for empty in (frozenset(), frozenset({"SSO_SAML_IDP_METADATA_URL"})):
        environment = _RecordingEnvironment(empty)
        helpdesk_settings.socialaccount_providers(environment)
        asked |= environment.asked
    return asked


def variables_read_by_settings() -> set[str]:
    """Every environment variable the settings read, through env or socialaccount_providers."""
    return _env_helper_calls() | _sso_variables()


def variables_documented() -> set[str]:
    """Names in .env.example, set (`NAME=value`) or shown commented out (`# NAME=value`)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
    return {
        match.group(1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if (match := pattern.match(line.strip()))
    }


def test_defaults_run_on_one_machine_without_services():
    """With no variable set: SQLite, tasks in-process, mail on the console, files on disk."""
    values = settings_values({}, NAMES)
    assert values["DEBUG"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"].endswith("db.sqlite3")
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://localhost/"
    assert values["EMAIL_BACKEND"] == "notifications.console.EmailBackend"
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    assert values["SITE_URL"] == "http://127.0.0.1:8000"


def test_production_environment_uses_the_services():
    """Production variables give PostgreSQL, Redis cache and broker, SMTP, S3 and secure cookies."""
    values = settings_values(PRODUCTION_ENV, NAMES)
    assert values["DEBUG"] is False
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "db.internal",
        "helpdesk",
        "helpdesk",
    )
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://redis.internal:6379/1"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_TLS"]) == (
        "smtp.example.edu",
        587,
        True,
    )
    storage = values["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "helpdesk-attachments"
    assert storage["OPTIONS"]["querystring_auth"] is True
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["ALLOWED_HOSTS"] == ["helpdesk.example.edu"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://helpdesk.example.edu"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_redis_for_the_cache_does_not_turn_on_the_broker():
    """REDIS_URL alone keeps tasks in-process: only CELERY_BROKER_URL sends them to a worker."""
    values = settings_values({"REDIS_URL": "redis://127.0.0.1:6379/3"}, NAMES)
    assert values["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_explicit_hosts_and_origins_win_over_site_url():
    values = settings_values(
        {
            **PRODUCTION_ENV,
            "ALLOWED_HOSTS": "helpdesk.example.edu, support.example.edu",
            "CSRF_TRUSTED_ORIGINS": "https://helpdesk.example.edu,https://support.example.edu",
        },
        NAMES,
    )
    assert values["ALLOWED_HOSTS"] == ["helpdesk.example.edu", "support.example.edu"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://helpdesk.example.edu",
        "https://support.example.edu",
    ]


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set"), ("SITE_URL", "SITE_URL must be set")],
)
def test_production_refuses_to_start_without_required_variables(missing, message):
    """With DEBUG off, a missing secret key or public address stops the start with a clear error."""
    variables = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_python("import helpdesk.settings", variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_tls_and_ssl_for_mail_are_exclusive():
    result = run_python(
        "import helpdesk.settings",
        {**PRODUCTION_ENV, "EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"},
    )
    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr


def test_implicit_tls_mail_port():
    values = settings_values(
        {**PRODUCTION_ENV, "EMAIL_USE_TLS": "", "EMAIL_USE_SSL": "true"}, ["EMAIL_PORT"]
    )
    assert values["EMAIL_PORT"] == 465


def test_values_are_read_as_written_and_empty_ones_mean_the_default():
    """A secret starting with "$" is taken as written (not as another variable's name), and an
    empty flag or number falls back to its default, as an unset one does."""
    values = settings_values(
        {
            **PRODUCTION_ENV,
            "EMAIL_HOST_PASSWORD": "$mtp-secret",
            "SESSION_COOKIE_SECURE": "",
            "SECURE_HSTS_SECONDS": "",
        },
        ["EMAIL_HOST_PASSWORD", "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"],
    )
    assert values == {
        "EMAIL_HOST_PASSWORD": "$mtp-secret",
        "SESSION_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
    }


def test_env_example_documents_every_variable_the_settings_read():
    """Each name settings.py reads from the environment has a line in .env.example."""
    read = variables_read_by_settings()
    assert len(read) > 20, "the parser found too few names: did the env helpers get renamed?"
    missing = sorted(read - variables_documented())
    assert not missing, f"add these variables to .env.example: {missing}"


def variables_used_by_compose() -> set[str]:
    """Names docker-compose.yml interpolates from .env (`${NAME}`, `${NAME:-default}`...)."""
    text = (BASE_DIR / "docker-compose.yml").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))


def test_env_example_documents_nothing_the_settings_ignore():
    """A variable listed in .env.example is read somewhere, so the example never misleads."""
    used = variables_read_by_settings() | variables_used_by_compose()
    stale = sorted(variables_documented() - used)
    assert not stale, f".env.example lists variables nothing reads: {stale}"


def test_readme_explains_every_variable():
    """The README's production table names each variable the settings and the compose file read."""
    readme = (BASE_DIR / "README.md").read_text()
    names = variables_read_by_settings() | variables_used_by_compose()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"explain these variables in README.md (Production > Variables): {missing}"
