"""What operators watch: the outbox, the database and the broker, for /healthz/ready, /metrics
and the admin's index. Only monitoring may read them (`may_monitor`)."""

from __future__ import annotations

import dataclasses
import hmac
import ipaddress
import logging
import os
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from accounts.client import client_ip
from notifications import selectors as outbox_selectors

logger = logging.getLogger(__name__)

IN_PROCESS = "in-process"


class MonitoringRefused(Exception):
    """A token was given and it is wrong (403); `status` is 404 when none was given."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _allowed_address(request: HttpRequest) -> bool:
    """The loopback or an address of MONITORING_ALLOWED_IPS (addresses or networks).

    A request that came through a proxy the settings do not declare (X-Forwarded-For without
    TRUSTED_PROXY_COUNT) is not judged by its address: the proxy's loopback address would let
    everyone in.
    """
    if request.META.get("HTTP_X_FORWARDED_FOR") and not settings.TRUSTED_PROXY_COUNT:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    if address.is_loopback:
        return True
    for network in settings.MONITORING_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.warning("MONITORING_ALLOWED_IPS: %r is not an address or a network", network)
    return False


def check_access(request: HttpRequest) -> None:
    """Lets monitoring through; raises MonitoringRefused otherwise (404 to strangers, so the
    endpoints do not show they exist; 403 to a wrong token)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = settings.MONITORING_TOKEN
    if header.startswith("Bearer "):
        given = header.removeprefix("Bearer ").strip()
        if token and hmac.compare_digest(given.encode(), token.encode()):
            return
        raise MonitoringRefused(403)
    if _allowed_address(request):
        return
    raise MonitoringRefused(404)


def broker_status() -> str:
    """`in-process` without a broker; else `ok` or `unreachable` after a short connection try."""
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://"):
        return IN_PROCESS
    from kombu import Connection

    timeout = settings.MONITORING_BROKER_TIMEOUT
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={"socket_connect_timeout": timeout, "max_retries": 0},
        ) as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout
            )
    except Exception:  # noqa: BLE001 - whatever the transport raises, the broker is not there
        logger.warning("The broker does not answer", exc_info=True)
        return "unreachable"
    return "ok"


def readiness() -> tuple[bool, dict[str, Any]]:
    """Whether the app can serve and send (database and configured broker reachable), and the
    figures behind the answer."""
    details: dict[str, Any] = {}
    try:
        details["outbox"] = dataclasses.asdict(outbox_selectors.outbox_health())
        details["database"] = "ok"
    except DatabaseError:
        logger.warning("The database does not answer", exc_info=True)
        details["outbox"] = None
        details["database"] = "unreachable"
    details["broker"] = broker_status()
    ready = details["database"] == "ok" and details["broker"] != "unreachable"
    details["status"] = "ok" if ready else "unavailable"
    return ready, details


def metrics_page() -> HttpResponse:
    """The registry's text, django-prometheus's way; under gunicorn's multiprocess mode
    (PROMETHEUS_MULTIPROC_DIR) the processes' counters are merged and the outbox's gauges added."""
    import prometheus_client
    from prometheus_client import multiprocess

    from notifications.metrics import OutboxCollector

    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(OutboxCollector())
    else:
        registry = prometheus_client.REGISTRY
    response = HttpResponse(
        prometheus_client.generate_latest(registry),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )
    response["Cache-Control"] = "no-store"
    return response
