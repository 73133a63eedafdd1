from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the helpdesk is for and where to start."""
    return render(request, "home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    """Answers "ok" without touching the database: the load balancer's liveness probe, and the
    cheapest page the stack can serve (the benchmark's ceiling)."""
    return HttpResponse("ok", content_type="text/plain")
