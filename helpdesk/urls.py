from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from helpdesk import views


def _with_site_name(text: str) -> str:
    return gettext(text) % {"site": settings.SITE_NAME}


# Read when a page shows them, in its language: the site's name comes from the environment.
_lazy_with_site_name = lazy(_with_site_name, str)
admin.site.site_header = _lazy_with_site_name(gettext_noop("%(site)s administration"))
admin.site.site_title = _lazy_with_site_name(gettext_noop("%(site)s administration"))
admin.site.index_title = _lazy_with_site_name(gettext_noop("Manage %(site)s"))

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("brand.css", views.brand_css, name="brand-css"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ready", views.healthz_ready, name="healthz-ready"),
    path("metrics", views.metrics, name="metrics"),
    path("accounts/cas/", include("accounts.cas")),
    path("accounts/", include("allauth.urls")),
    path("profile/tokens/", include("api.token_urls")),
    path("profile/", include("accounts.urls")),
    path("tickets/", include("tickets.urls")),
    path("desk/", include("tickets.agent_urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("incidents.urls")),
    path("api/v1/", include("api.urls")),
    path("ent/", include("api.ent_urls")),
    path("kb/", include("knowledge.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
