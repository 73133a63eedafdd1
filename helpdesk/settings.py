"""Settings for the helpdesk, read from the environment through django-environ.

The embedded defaults run everything on one machine with no service running: SQLite in the project
folder, Celery tasks executed in-process, uploads in ./media, mail printed to the console.
Production sets the variables documented in `.env.example`.

This module imports no module of the project: it names the project's classes by their dotted path
and builds the single sign-on configuration itself (`socialaccount_providers`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class Environment(environ.Env):
    """django-environ's reader, with the rules these settings have always read by: a value is
    taken as written (django-environ would read "$NAME" as the value of NAME, and a password may
    start with "$"), an empty flag or number means its default, and a list's items are stripped of
    spaces, empty ones dropped."""

    def get_value(
        self, var: str, cast: Any = None, default: Any = environ.Env.NOTSET, parse_default=False
    ) -> Any:
        value = self.ENVIRON.get(var)
        if value == "" and cast in (bool, int) and default is not self.NOTSET:
            return default
        if value is not None and value.startswith("$"):
            return value if cast in (None, str) else self.parse_value(value, cast)
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)

    def list(self, var: str, cast: Any = None, default: Any = environ.Env.NOTSET) -> list:
        return [item for item in super().list(var, cast=str.strip, default=default) if item]


env = Environment()

DEBUG = env.bool("DEBUG", default=env("DJANGO_ENV", default="") != "production")

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-local-use"  # noqa: S105

# Absolute links in emails point here; in production it is the public https address.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off (e.g. https://helpdesk.example.edu)."
    )
SITE_NAME = env("SITE_NAME", default="Helpdesk")
# The institution's look (helpdesk/branding.py): its name beside the helpdesk's, its logo (a path
# among the static files, or a path on this site: the Content-Security-Policy refuses images from
# elsewhere), the header's colour and the accent under it. Text drawn on or in these colours is
# adjusted to keep WCAG AA contrast.
INSTITUTION_NAME = env("INSTITUTION_NAME", default="")
INSTITUTION_LOGO = env("INSTITUTION_LOGO", default="")
BRAND_PRIMARY_COLOR = env("BRAND_PRIMARY_COLOR", default="#0a58ca")
BRAND_ACCENT_COLOR = env("BRAND_ACCENT_COLOR", default="#ffbf47")
for _name in ("BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"):
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be a colour written #rgb or #rrggbb.")
_site = urlsplit(SITE_URL)

# Without ALLOWED_HOSTS, production answers the host of SITE_URL only.
# In development the host of SITE_URL is answered too (`make run HOST=... PORT=...` sets it).
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", _site.hostname or ""]
    if DEBUG
    else [_site.hostname or ""],
)
# Forms posted from the public address are trusted even when a proxy rewrites the Host header.
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[] if DEBUG else [f"{_site.scheme}://{_site.netloc}"]
)

INSTALLED_APPS = [
    # Django's admin, signing in through allauth's page and its limits (helpdesk/admin_site.py).
    "helpdesk.admin_site.HelpdeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "accounts.apps.EmailAddressesConfig",  # allauth.account
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # CAS sign-in (accounts/cas.py): its tables remember sessions for CAS single logout.
    "django_cas_ng",
    "django_htmx",
    "bootstrap",
    "accounts",
    "categories",
    "tickets",
    "notifications",
    "mailgateway",
    "esupimport",
    "incidents",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "knowledge",
    "django_prometheus",
]

MIDDLEWARE = [
    # Requests and their latencies for /metrics: first and last, to time everything between.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response.
    "helpdesk.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SSOUnavailableMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A refused ticket move becomes a message and a 403/409 page.
    "tickets.views.common.RefusalMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.site",
            ],
        },
    },
    {
        # Only the row templates of busy lists (helpdesk/jinja.py); every page is a Django template.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "helpdesk.jinja.environment"},
    },
]
# Drop-down lists written out in Python: the template engine costs too much per <option>.
FORM_RENDERER = "helpdesk.forms_renderer.FormRenderer"

# --- Database ------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL compiles a query to machine code when its estimated cost is high, which the
    # statistics' aggregates reach: the compiling costs far more than it saves on queries this
    # short (bench/README.md, "Figures behind the code").
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# DATABASE_POOLER=pgbouncer: DATABASE_URL is PgBouncer in transaction mode, where consecutive
# transactions of one connection may run on different server connections. Nothing may outlive a
# transaction: no server-side cursors (a named cursor lives on one server connection), no startup
# options (PgBouncer refuses them: set jit = off on the database, see README's production section).
# psycopg2 prepares no statement on the server.
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].get("OPTIONS", {}).pop("options", None)
elif DATABASE_POOLER:
    raise ImproperlyConfigured("DATABASE_POOLER is either empty or pgbouncer.")
# A streaming replica of the primary (pg_basebackup -R): the read-only pages (statistics, CSV
# exports, search) read from it while it answers and is no more than REPLICA_MAX_LAG_SECONDS behind,
# probed at most every REPLICA_CHECK_SECONDS (helpdesk/db_router.py); else from the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2.0)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
    # A replica that is down must cost a page a second at most, not the system's TCP timeout.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 1, "options": "-c jit=off"}
    # Tests read the replica as the primary (same database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["helpdesk.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (sessions stay in the database; the cache serves rate limits) --------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and single sign-on ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # allauth's, loading the person with whether they work in a service (the header's links).
    "helpdesk.auth.AuthenticationBackend",
    # Still listed so the sessions it opened stay valid.
    "allauth.account.auth_backends.AuthenticationBackend",
    # CAS tickets (accounts/cas.py), loading the person the same way.
    "helpdesk.auth.CASBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
# Local sign-up is for small deployments; universities sign people in through the SSO.
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)
# Failed sign-ins are limited per address (10 a minute) and per address and account (5 in 5
# minutes; accounts.adapters makes the key both): a stranger's failures never lock a person out
# from their own address. Successful sign-ins are not counted ("login" off): a limit read from the
# cache would refuse every sign-in while the cache is unreachable, and fails no brute force.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login": ""}
# Reverse proxies in front of the app, each appending to X-Forwarded-For: the client's address,
# which every rate limit counts, is the item this far from the right (helpdesk.ratelimit). 0: no
# proxy, REMOTE_ADDR is the client. Leave 0 if the app is reachable without the proxies.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SOCIALACCOUNT_AUTO_SIGNUP = True
# The university's identity provider is trusted for its email addresses: a person whose account
# was created here beforehand (an agent added by an administrator) signs in through the SSO into
# that same account, which is then linked to their university identity. Set SSO_TRUST_EMAIL=false
# for an identity provider that lets people choose their own email address.
SSO_TRUST_EMAIL = env.bool("SSO_TRUST_EMAIL", default=True)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = SSO_TRUST_EMAIL
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False

# The university single sign-on: allauth's provider configuration from plain SSO_* variables. A
# function of a mapping, so that tests build the same structure from the variables they choose.
# (accounts/sso.py reads what a sign-in tells about the person.)

# The SAML attributes universities release (eduPerson / SupAnn, as OIDs), by what we need them for.
DEFAULT_SAML_ATTRIBUTES = {
    "uid": "urn:oid:0.9.2342.19200300.100.1.1",  # uid
    "email": "urn:oid:0.9.2342.19200300.100.1.3",  # mail
    "name": "urn:oid:2.16.840.1.113730.3.1.241",  # displayName
    "first_name": "urn:oid:2.5.4.42",  # givenName
    "last_name": "urn:oid:2.5.4.4",  # sn
}


# What the helpdesk reads of the directory in a SAML assertion (accounts/attributes.py), beside
# allauth's mapping: eduPersonAffiliation and eduPersonScopedAffiliation, supannEntiteAffectation,
# isMemberOf, by OID or by name.
SAML_DIRECTORY_ATTRIBUTES = {
    "affiliations": [
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "eduPersonAffiliation",
    ],
    "department": ["urn:oid:1.3.6.1.4.1.7135.1.2.1.8", "supannEntiteAffectation"],
    "groups": ["urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "isMemberOf", "memberOf"],
}


def _sso_get(variables: Mapping[str, str], name: str, default: str = "") -> str:
    return (variables.get(name) or default).strip()


def _sso_labels(variables: Mapping[str, str], prefix: str) -> dict[str, str]:
    """A sign-in button's text per language: <prefix>_LABEL_FR / _EN, else <prefix>_LABEL (the
    login page shows a translated default when neither is set)."""
    default = _sso_get(variables, f"{prefix}_LABEL")
    return {
        "fr": _sso_get(variables, f"{prefix}_LABEL_FR", default),
        "en": _sso_get(variables, f"{prefix}_LABEL_EN", default),
    }


def _sso_split(value: str) -> list[str]:
    return [item.strip() for item in value.replace(" ", ",").split(",") if item.strip()]


def oidc_provider(variables: Mapping[str, str]) -> dict[str, Any] | None:
    """allauth's `openid_connect` entry, or None when `SSO_OIDC_SERVER_URL` is not set.

    The button shows the app's name, so `SSO_OIDC_LABEL` is the text people click.
    """
    server_url = _sso_get(variables, "SSO_OIDC_SERVER_URL")
    if not server_url:
        return None
    client_id = _sso_get(variables, "SSO_OIDC_CLIENT_ID")
    if not client_id:
        raise ImproperlyConfigured("SSO_OIDC_SERVER_URL is set but SSO_OIDC_CLIENT_ID is empty.")
    app_settings: dict[str, Any] = {
        "server_url": server_url.rstrip("/"),
        "token_auth_method": _sso_get(
            variables, "SSO_OIDC_TOKEN_AUTH_METHOD", "client_secret_post"
        ),
        "scope": _sso_split(_sso_get(variables, "SSO_OIDC_SCOPES", "openid,profile,email")),
        # Userinfo usually carries more than the ID token (allauth prefers it when present).
        "fetch_userinfo": True,
        "oauth_pkce_enabled": True,
    }
    uid_field = _sso_get(variables, "SSO_OIDC_UID_FIELD")
    if uid_field:
        app_settings["uid_field"] = uid_field
    return {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": _sso_get(variables, "SSO_OIDC_PROVIDER_ID", "university"),
                "name": _sso_get(variables, "SSO_OIDC_LABEL", "Connexion Université"),
                "client_id": client_id,
                "secret": _sso_get(variables, "SSO_OIDC_CLIENT_SECRET"),
                "settings": {**app_settings, "labels": _sso_labels(variables, "SSO_OIDC")},
            }
        ],
    }


def saml_provider(variables: Mapping[str, str]) -> dict[str, Any] | None:
    """allauth's `saml` entry, or None when `SSO_SAML_IDP_ENTITY_ID` is not set.

    The identity provider is described either by its metadata URL or by its SSO URL and signing
    certificate. `SSO_SAML_SLUG` names the organisation in allauth's URLs (/accounts/saml/<slug>/).
    """
    entity_id = _sso_get(variables, "SSO_SAML_IDP_ENTITY_ID")
    if not entity_id:
        return None
    idp: dict[str, Any] = {"entity_id": entity_id}
    metadata_url = _sso_get(variables, "SSO_SAML_IDP_METADATA_URL")
    sso_url = _sso_get(variables, "SSO_SAML_IDP_SSO_URL")
    x509cert = _sso_get(variables, "SSO_SAML_IDP_X509CERT")
    if metadata_url:
        idp["metadata_url"] = metadata_url
    elif sso_url and x509cert:
        idp["sso_url"] = sso_url
        idp["x509cert"] = x509cert
        slo_url = _sso_get(variables, "SSO_SAML_IDP_SLO_URL")
        if slo_url:
            idp["slo_url"] = slo_url
    else:
        raise ImproperlyConfigured(
            "SSO_SAML_IDP_ENTITY_ID is set: also set SSO_SAML_IDP_METADATA_URL, "
            "or SSO_SAML_IDP_SSO_URL and SSO_SAML_IDP_X509CERT."
        )
    attribute_mapping = {
        key: _sso_split(_sso_get(variables, f"SSO_SAML_ATTR_{key.upper()}", default))
        for key, default in DEFAULT_SAML_ATTRIBUTES.items()
    }
    app_settings: dict[str, Any] = {
        "attribute_mapping": attribute_mapping,
        "idp": idp,
        "directory_attributes": SAML_DIRECTORY_ATTRIBUTES,
        "labels": _sso_labels(variables, "SSO_SAML"),
    }
    sp_entity_id = _sso_get(variables, "SSO_SAML_SP_ENTITY_ID")
    if sp_entity_id:
        app_settings["sp"] = {"entity_id": sp_entity_id}
    sp_cert = _sso_get(variables, "SSO_SAML_SP_X509CERT")
    sp_key = _sso_get(variables, "SSO_SAML_SP_PRIVATE_KEY")
    if sp_cert and sp_key:
        app_settings["advanced"] = {
            "x509cert": sp_cert,
            "private_key": sp_key,
            "authn_request_signed": True,
        }
    slug = _sso_get(variables, "SSO_SAML_SLUG", "university")
    return {
        "APPS": [
            {
                # allauth identifies a SAML app by the IdP's entity ID and by the URL slug.
                "provider_id": _sso_get(variables, "SSO_SAML_PROVIDER_ID", entity_id),
                "name": _sso_get(variables, "SSO_SAML_LABEL", "Connexion Université (SAML)"),
                "client_id": slug,
                "settings": app_settings,
            }
        ]
    }


def socialaccount_providers(variables: Mapping[str, str]) -> dict[str, Any]:
    """The `SOCIALACCOUNT_PROVIDERS` setting for the SSO variables that are set (may be empty)."""
    providers: dict[str, Any] = {}
    oidc = oidc_provider(variables)
    if oidc:
        providers["openid_connect"] = oidc
    saml = saml_provider(variables)
    if saml:
        providers["saml"] = saml
    return providers


# The university SSO (OpenID Connect and/or SAML), from the SSO_* variables of the environment.
# A provider that is not configured shows no button on the login page.
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(env.ENVIRON)

# The university's CAS server (accounts/cas.py, through django-cas-ng), beside OIDC and SAML: on
# when SSO_CAS_SERVER_URL is set (e.g. https://cas.univ-example.fr/cas/). CAS 3.0 releases the
# person's attributes; SSO_CAS_VERSION=2 for a server that only speaks CAS 2.0.
CAS_SERVER_URL = env("SSO_CAS_SERVER_URL", default="") or None
CAS_VERSION = env("SSO_CAS_VERSION", default="3")
# The button's text per language; SSO_CAS_LABEL for every language.
SSO_CAS_LABELS = {
    "fr": env("SSO_CAS_LABEL_FR", default="") or env("SSO_CAS_LABEL", default=""),
    "en": env("SSO_CAS_LABEL_EN", default="") or env("SSO_CAS_LABEL", default=""),
}
# Signing out of the helpdesk also ends the CAS session (else the next click signs back in).
SSO_CAS_LOGOUT_COMPLETELY = env.bool("SSO_CAS_LOGOUT_COMPLETELY", default=True)
CAS_REDIRECT_URL = "/"
CAS_IGNORE_REFERER = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None

# The university's LDAP directory (accounts/ldap.py), optional: people search for invitations and
# filing on someone's behalf, and each person's affiliations, department and groups refreshed at
# sign-in. Read-only; anonymous when LDAP_BIND_DN is empty.
LDAP_URL = env("LDAP_URL", default="")  # ldaps://ldap.univ-example.fr
LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
# The authority that signed the directory's certificate, when the system's do not include it.
LDAP_CA_FILE = env("LDAP_CA_FILE", default="")
LDAP_PEOPLE_BASE = env("LDAP_PEOPLE_BASE", default="")  # ou=people,dc=univ-example,dc=fr
LDAP_PEOPLE_FILTER = env("LDAP_PEOPLE_FILTER", default="(objectClass=inetOrgPerson)")
LDAP_TIMEOUT = env.int("LDAP_TIMEOUT", default=3)  # seconds, to connect and to answer
# The directory's attribute names where they differ from eduPerson / SupAnn's
# (accounts/attributes.py DEFAULT_NAMES), e.g. DIRECTORY_ATTR_GROUPS=isMemberOf.
DIRECTORY_ATTRIBUTES = {
    "department": env("DIRECTORY_ATTR_DEPARTMENT", default=""),
    "groups": env("DIRECTORY_ATTR_GROUPS", default=""),
}

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as French and British readers write them ("2 déc. 2026, 11:27", "2 Dec 2026, 11:27").
FORMAT_MODULE_PATH = ["helpdesk.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

if env("AWS_STORAGE_BUCKET_NAME", default=""):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            # Private bucket: the app streams downloads; a signed URL, if any, expires quickly.
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Attachments: size limit per file and the types people may send.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_ALLOWED_EXTENSIONS = env.list(
    "ATTACHMENT_ALLOWED_EXTENSIONS",
    default=[
        *("png", "jpg", "jpeg", "gif", "webp", "pdf", "txt", "log", "csv"),
        *("odt", "ods", "odp", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip"),
    ],
)
# Abuse limits per person, "<count>/<period>" (s, m, h, d); empty turns a limit off.
# Past the limit the person gets the "Too many attempts" page (429) until the period ends.
TICKET_CREATE_RATE = env("TICKET_CREATE_RATE", default="10/10m")
COMMENT_RATE = env("COMMENT_RATE", default="30/10m")
# The statistics page's figures are computed at most once per service and period in this many
# seconds (the page says when); 0 computes them at every request.
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=300)
# The knowledge base's search and suggestion results are kept this many seconds at most, until an
# article changes (knowledge/results_cache.py); 0 computes them at every request.
KNOWLEDGE_RESULTS_SECONDS = env.int("KNOWLEDGE_RESULTS_SECONDS", default=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- API and the ENT ------------------------------------------------------------------------------
# The REST API under /api/v1/ (api/): sessions (with CSRF) or "Authorization: Bearer" tokens.
# Rate limits per person or token (anonymous: per address), "<count>/<second|minute|hour|day>",
# counted in the cache; empty turns one off. Writes count against API_RATE_WRITE as well.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.authentication.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttles.AnonThrottle",
        "api.throttles.ReadThrottle",
        "api.throttles.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", default="60/minute"),
        "user": env("API_RATE_USER", default="1200/minute"),
        "write": env("API_RATE_WRITE", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Categories, tickets, their timeline and every move of the lifecycle.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Origins (scheme://host[:port], comma-separated) that may show the "Mes tickets" widget
# (/ent/mine/) in a frame: the university's portal (ENT). Every other page refuses framing.
ENT_FRAME_ANCESTORS = env.list("ENT_FRAME_ANCESTORS", default=[])

# --- Mail ----------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <helpdesk@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
    EMAIL_PORT = env.int(
        "EMAIL_PORT", default=465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
    )
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="notifications.console.EmailBackend")
# Replies by email: the address of the mailbox the helpdesk reads (services' mailboxes are set in
# the admin). Notifications then carry "<local>+<token>@<domain>" as Reply-To, one per ticket and
# person (notifications/reply_address.py). Empty: no reply address, emails say not to reply.
INBOUND_REPLY_ADDRESS = env("INBOUND_REPLY_ADDRESS", default="")
# Every email about ticket 12 has the subject "[<EMAIL_SUBJECT_TAG> #12] <its subject>": mail
# clients thread by it and the mail gateway reads the ticket from it in replies.
EMAIL_SUBJECT_TAG = env("EMAIL_SUBJECT_TAG", default="Helpdesk")
# Where people report an accessibility barrier (the accessibility page); default: the address
# the helpdesk's emails come from.
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", default="")
# Service mailboxes (set in the admin) are read every INBOUND_POLL_SECONDS; without an active
# mailbox nothing is read. A message larger than INBOUND_MAX_BYTES is refused with an answer; one
# sender's messages past INBOUND_SENDER_RATE ("<count>/<period>", empty: no limit) are set aside.
INBOUND_POLL_SECONDS = env.int("INBOUND_POLL_SECONDS", default=30)
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=25 * 1024 * 1024)
INBOUND_SENDER_RATE = env("INBOUND_SENDER_RATE", default="20/1h")

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process (after the transaction commits, as they would in a worker).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
if not CELERY_BROKER_URL:
    # A host name, or kombu warns that it reverts to "localhost" on every connection.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless told to
# reuse it: each email then paid for a new PostgreSQL connection. Connections are kept, and
# checked around each task as around each request (helpdesk/celery.py).
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Closure requests left unanswered past the service's delay are closed every hour.
CELERY_BEAT_SCHEDULE["expire-closures"] = {
    "task": "tickets.tasks.expire_closures",
    "schedule": 3600.0,
}
# Postponed tickets come back in progress on their day: checked every hour, so a day's tickets are
# back early in the morning and a day missed while the scheduler was down is caught up.
CELERY_BEAT_SCHEDULE["resume-postponed"] = {
    "task": "tickets.tasks.resume_postponed",
    "schedule": 3600.0,
}
# Outbox rows still pending long after they were due (lost broker message, dead worker) are queued
# again; agents who chose the digest get the day's new tickets every morning.
# Webhook deliveries still pending long after they were due are queued again.
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.sweep_webhook_deliveries",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.sweep_pending_notifications",
    "schedule": 15.0,
    # A sweep still waiting when the next is due (no worker running) is dropped, not piled up.
    "options": {"expires": 15.0},
}
# An incident update whose task was never queued (broker down) is queued again a minute later.
CELERY_BEAT_SCHEDULE["incidents-requeue"] = {
    "task": "incidents.tasks.requeue_stranded_updates",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# The statistics' daily rollup: the last days, and the days of tickets transferred or corrected
# since the previous run, recomputed every five minutes (tickets.rollup; today is always live).
CELERY_BEAT_SCHEDULE["stats-rollup"] = {
    "task": "tickets.tasks.refresh_stats_rollup",
    "schedule": 300.0,
    "options": {"expires": 300.0},
}
# Service mailboxes are read (mailgateway); a read still waiting when the next is due is dropped.
CELERY_BEAT_SCHEDULE["mailgateway-poll"] = {
    "task": "mailgateway.tasks.poll_mailboxes",
    "schedule": float(INBOUND_POLL_SECONDS),
    "options": {"expires": float(INBOUND_POLL_SECONDS)},
}
# The category classifier learns again from the latest tickets every night (knowledge.classifier).
CELERY_BEAT_SCHEDULE["knowledge-retrain-categories"] = {
    "task": "knowledge.tasks.retrain_category_classifier",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["notifications-digest"] = {
    "task": "notifications.tasks.send_new_ticket_digests",
    "schedule": crontab(hour=7, minute=0),
}
# Email delivery: attempts per email, first retry delay in seconds (doubled after each failure:
# 1, 2, 4, 8, 16 minutes), and how late a pending email must be before the sweep queues it again:
# a row whose message was lost is queued again by the next "notifications-sweep" once it is that
# late, so that mail recovers within a minute of being due or of the broker and a worker being
# back (tests/notifications/test_sweep.py pins it; tests/reliability/test_faults.py measures it,
# bench/README.md keeps the figures).
NOTIFICATION_MAX_ATTEMPTS = 6
NOTIFICATION_RETRY_DELAY = 60
NOTIFICATION_STALE_SECONDS = 30

# --- Monitoring ----------------------------------------------------------------------------------
# /healthz/ready and /metrics answer the loopback, the addresses or networks listed here
# (comma-separated), and requests with "Authorization: Bearer <MONITORING_TOKEN>"; others get 404.
MONITORING_ALLOWED_IPS = env.list("MONITORING_ALLOWED_IPS", default=[])
MONITORING_TOKEN = env("MONITORING_TOKEN", default="")
# Seconds the readiness check waits for the broker before calling it unreachable.
MONITORING_BROKER_TIMEOUT = 1.0

# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The language cookie is read by the server only.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give "django" a console handler of its own (with DEBUG on): its
        # records would print twice, there and through the root's.
        # Configuring "django" resets its children: the development server's request lines keep
        # their own time-stamped handler, as in Django's defaults.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # Tasks run in-process log a line per success: noise beside the request that ran them.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
# LOG_FORMAT=json: every handler writes one JSON object per line (helpdesk/log_format.py).
if env("LOG_FORMAT", default="") == "json":
    LOGGING["formatters"]["json"] = {"()": "helpdesk.log_format.JsonFormatter"}
    for _handler in LOGGING["handlers"].values():
        _handler["formatter"] = "json"
