import functools
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from helpdesk import branding, monitoring


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the helpdesk is for and where to start."""
    return render(request, "home.html")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement French public bodies publish: conformance with RGAA 4.1 /
    WCAG 2.1 AA, how it is checked, and whom to tell about a barrier."""
    contact = settings.ACCESSIBILITY_CONTACT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return render(request, "accessibility.html", {"contact_email": contact})


@require_safe
def brand_css(request: HttpRequest) -> HttpResponse:
    """The institution's colours as CSS custom properties: a file, since the
    Content-Security-Policy refuses inline styles. Its URL carries the colours' version
    (`?v=`), so browsers may keep it for a day."""
    response = HttpResponse(branding.brand().stylesheet(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """Answers "ok" without touching the database: the load balancer's liveness probe, and the
    cheapest page the stack can serve (the benchmark's ceiling)."""
    return HttpResponse("ok", content_type="text/plain")


def monitoring_only(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """Monitoring's pages answer allowed callers only (helpdesk.monitoring.check_access: others get
    its 404 or 403, before the method is looked at), and only to GET and HEAD."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        try:
            monitoring.check_access(request)
        except monitoring.MonitoringRefused as refused:
            return HttpResponse(status=refused.status)
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)

    return wrapper


@monitoring_only
def healthz_ready(request: HttpRequest) -> HttpResponse:
    """Readiness for monitoring: 200 when the database and the configured broker answer, 503
    otherwise, with the outbox's figures."""
    ready, details = monitoring.readiness()
    response = JsonResponse(details, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


@monitoring_only
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics: django-prometheus's requests and latencies, and the outbox's gauges."""
    return monitoring.metrics_page()
