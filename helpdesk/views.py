import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render

from helpdesk import monitoring


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the helpdesk is for and where to start."""
    return render(request, "home.html")


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
