"""What operators watch: /healthz/ready (database, broker, outbox) and who may read it."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.db import DatabaseError

from notifications import selectors
from notifications.models import Notification
from tests.factories import outbox_row

pytestmark = pytest.mark.django_db

READY = "/healthz/ready"
STRANGER = "203.0.113.7"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _in_process_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://localhost/"
    settings.MONITORING_TOKEN = "s3cret-token"
    settings.MONITORING_ALLOWED_IPS = ["192.0.2.0/24"]
    settings.TRUSTED_PROXY_COUNT = 0


def test_an_empty_outbox_is_ready(client):
    response = client.get(READY)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "outbox": {"pending": 0, "oldest_pending_seconds": 0, "failed_last_hour": 0},
    }


def test_a_backlog_shows_its_size_and_oldest_row(client):
    outbox_row(1, status=Notification.Status.PENDING, age=datetime.timedelta(hours=2))
    outbox_row(2, status=Notification.Status.PENDING, age=datetime.timedelta(seconds=1))
    body = client.get(READY).json()
    assert body["status"] == "ok"
    assert body["outbox"]["pending"] == 2
    assert 7200 <= body["outbox"]["oldest_pending_seconds"] < 7260
    assert body["outbox"]["failed_last_hour"] == 0


def test_failures_of_the_last_hour_are_counted(client):
    outbox_row(1, status=Notification.Status.FAILED, age=datetime.timedelta(minutes=20))
    outbox_row(2, status=Notification.Status.FAILED, age=datetime.timedelta(minutes=50))
    outbox_row(3, status=Notification.Status.FAILED, age=datetime.timedelta(hours=5))
    response = client.get(READY)
    assert response.status_code == 200
    assert response.json()["outbox"] == {
        "pending": 0,
        "oldest_pending_seconds": 0,
        "failed_last_hour": 2,
    }


def test_an_unreachable_broker_answers_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get(READY)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] == "unreachable"
    assert body["database"] == "ok"


def test_a_reachable_broker_is_ok(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get(READY)
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_an_unreachable_database_answers_503(client, monkeypatch):
    def refuse():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(selectors, "outbox_health", refuse)
    response = client.get(READY)
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "broker": "in-process",
        "outbox": None,
    }


def test_strangers_get_404(client):
    assert client.get(READY, REMOTE_ADDR=STRANGER).status_code == 404


def test_a_wrong_token_gets_403(client):
    response = client.get(READY, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 403


def test_the_token_lets_monitoring_in_from_anywhere(client):
    response = client.get(READY, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200


def test_no_token_configured_refuses_every_bearer(client, settings):
    settings.MONITORING_TOKEN = ""
    response = client.get(READY, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_an_allowed_network_gets_in(client):
    assert client.get(READY, REMOTE_ADDR="192.0.2.44").status_code == 200


def test_a_request_through_an_undeclared_proxy_is_not_loopback(client):
    """The proxy on the same host connects from 127.0.0.1: without TRUSTED_PROXY_COUNT, its
    requests are strangers' requests."""
    response = client.get(READY, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    assert response.status_code == 404


def test_behind_declared_proxies_the_client_s_address_counts(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = client.get(READY, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    assert stranger.status_code == 404
    allowed = client.get(READY, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert allowed.status_code == 200


@pytest.mark.parametrize(
    ("language", "caption", "waiting"),
    [("en", "Outgoing email", "Waiting to be sent"), ("fr", "Courriels sortants", "En attente")],
)
def test_staff_see_the_outbox_on_the_admin_s_index(admin_client, language, caption, waiting):
    outbox_row(1, status=Notification.Status.PENDING, age=datetime.timedelta(minutes=3))
    outbox_row(2, status=Notification.Status.FAILED, age=datetime.timedelta(minutes=3))
    admin_client.cookies["django_language"] = language
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index('id="outbox-panel"') :]
    panel = panel[: panel.index("</table>")]
    assert caption in panel
    assert waiting in panel
    assert "?status__exact=pending" in panel
    assert "?status__exact=failed" in panel
    assert response.context["health"]["outbox"] == {
        "pending": 1,
        "oldest_pending_seconds": pytest.approx(180, abs=30),
        "failed_last_hour": 1,
    }
    assert response.context["health"]["broker"] == "in-process"


def test_people_who_are_not_staff_do_not_reach_the_panel(client, django_user_model):
    person = django_user_model.objects.create_user(email="x@univ.example", password="pw-123456")
    client.force_login(person)
    response = client.get("/admin/")
    assert response.status_code in {302, 403}
    assert b"outbox-panel" not in response.content


def test_metrics_show_requests_and_the_outbox_gauges(client):
    outbox_row(1, status=Notification.Status.PENDING, age=datetime.timedelta(minutes=2))
    outbox_row(2, status=Notification.Status.PENDING, age=datetime.timedelta(seconds=1))
    outbox_row(3, status=Notification.Status.FAILED, age=datetime.timedelta(minutes=5))
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "helpdesk_outbox_pending 2.0" in lines
    assert "helpdesk_outbox_failed_last_hour 1.0" in lines
    oldest = next(line for line in lines if line.startswith("helpdesk_outbox_oldest_pending_sec"))
    assert 120 <= float(oldest.split()[1]) < 180
    # django-prometheus's own: requests counted and timed.
    assert any(line.startswith("django_http_requests_total_by_method_total") for line in lines)
    assert any(
        line.startswith("django_http_requests_latency_seconds_by_view_method_bucket")
        for line in lines
    )


def test_metrics_are_protected_as_readiness(client):
    assert client.get("/metrics", REMOTE_ADDR=STRANGER).status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get("/metrics", REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert right.status_code == 200


@pytest.mark.parametrize("url", [READY, "/metrics"])
def test_monitoring_reads_only(client, url):
    """A POST is refused (405) to monitoring, and strangers still get 404."""
    assert client.post(url).status_code == 405
    assert client.post(url, REMOTE_ADDR=STRANGER).status_code == 404
