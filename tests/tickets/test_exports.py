"""CSV exports of the statistics tables and of the queues (UTF-8 with BOM, `;`, header row)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, agent_of
from tests.tickets.test_stats import History
from tickets import exports
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PERIOD = "period=custom&start=2026-03-02&end=2026-03-08"


@pytest.fixture
def history() -> History:
    return History()


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def stats_export(client, history, table: str, language: str = "fr"):
    url = reverse("desk:stats_export") + f"?service={history.service.pk}&{PERIOD}&table={table}"
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_timeline_table(client, history):
    """One row per day: created, closed, cancelled or rejected, reopened, open at the end."""
    client.force_login(history.alice)
    response = stats_export(client, history, "timeline")
    assert response.status_code == 200
    assert (
        'filename="stats-informatique-timeline-2026-03-02-2026-03-08.csv"'
        in (response["Content-Disposition"])
    )
    rows = read_csv(response)
    assert len(rows[0]) == 7
    assert rows[1] == ["2026-03-02", "2026-03-02", "3", "0", "0", "0", "4"]
    assert rows[5] == ["2026-03-06", "2026-03-06", "2", "1", "0", "0", "5"]
    assert len(rows) == 8


def test_delays_in_minutes(client, history):
    client.force_login(history.alice)
    rows = read_csv(stats_export(client, history, "delays"))
    assert rows[1][1:] == ["6", "90", "810", "2"]
    assert rows[2][1:] == ["3", "1440", "3744", ""]


def test_rates_use_the_readers_decimal_separator(client, history):
    """French readers get "33,3", English readers "33.3" (the file's separator stays `;`)."""
    client.force_login(history.alice)
    french = dict(read_csv(stats_export(client, history, "closures"))[1:])
    assert "33,3" in french.values()
    history.alice.preferred_language = "en"
    history.alice.save()
    english = dict(read_csv(stats_export(client, history, "closures", "en"))[1:])
    assert english["Closure refusal rate (%)"] == "33.3"
    assert english["Reopen rate (%)"] == "25.0"
    assert english["Automatic closures"] == "1"


@pytest.mark.parametrize(
    "table", ["categories", "growth", "workload", "heat", "words", "timeline", "delays"]
)
def test_every_table_exports(client, history, table):
    client.force_login(history.alice)
    rows = read_csv(stats_export(client, history, table))
    assert rows[0] and all(rows[0])
    assert len(rows) > 1


def test_workload_and_categories_rows(client, history):
    client.force_login(history.alice)
    with translation.override("en"):
        history.alice.preferred_language = "en"
        history.alice.save()
        workload = read_csv(stats_export(client, history, "workload", "en"))
        categories = read_csv(stats_export(client, history, "categories", "en"))
    assert workload[1] == ["Alice Martin", "yes", "1", "1"]
    assert workload[-1] == ["Not assigned", "no", "4", "0"]
    assert categories[1:] == [
        ["Réseau", "", "2", "0"],
        ["Réseau", "Wifi", "3", "1"],
        ["Impression", "", "3", "2"],
    ]


def test_unknown_table_and_requester_get_404(client, history):
    client.force_login(history.alice)
    assert stats_export(client, history, "passwords").status_code == 404
    client.force_login(history.requester)
    assert stats_export(client, history, "timeline").status_code == 404


def test_cells_never_start_a_formula():
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    assert exports.safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert exports.safe_cell("+33 1 23") == "'+33 1 23"
    assert exports.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.safe_cell("-1+2") == "'-1+2"
    assert exports.safe_cell(-3) == -3
    assert exports.safe_cell("Imprimante") == "Imprimante"
    assert exports.safe_cell(None) == ""


# --- Queue export ---------------------------------------------------------------------------


def queue_export(client, **params):
    from urllib.parse import urlencode

    return client.get(reverse("desk:queue_export") + "?" + urlencode(params))


def test_queue_export_lists_the_filtered_queue(client, history):
    """The rows of the tab with the page's filters, only from the agent's services."""
    client.force_login(history.alice)
    rows = read_csv(queue_export(client, tab="all"))
    assert rows[0][0] == "Référence"
    subjects = sorted(row[1] for row in rows[1:])
    service_tickets = Ticket.objects.filter(service=history.service)
    assert subjects == sorted(service_tickets.values_list("subject", flat=True))
    assert "Imprimante du secrétariat" not in subjects  # transferred to another service

    rows = read_csv(queue_export(client, tab="all", category=history.wifi.pk, status="open"))
    assert sorted(row[1] for row in rows[1:]) == ["Wifi coupé amphi", "Wifi eduroam", "Wifi lent"]
    with translation.override("fr"):
        assert {row[2] for row in rows[1:]} == {str(Ticket.Status.OPEN.label)}


def test_queue_export_row_content(client):
    """Reference, subject, status, priority, service, category, people and dates (local time)."""
    service = ServiceFactory(name="Bibliothèque")
    category = CategoryFactory(name="Prêt", service=service)
    agent = agent_of(service)
    ticket = TicketFactory(category=category, subject="=cmd|' /C calc'!A0")
    created = timezone.now() - timedelta(days=1)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, assignee=agent)
    client.force_login(agent)
    rows = read_csv(queue_export(client, tab="all"))
    row = rows[1]
    assert row[0] == f"#{ticket.pk}"
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[4:6] == ["Bibliothèque", "Prêt"]
    assert row[8] == agent.display_name
    assert row[9] == timezone.localtime(created).strftime("%Y-%m-%d %H:%M")


def test_queue_export_is_streamed_and_needs_the_desk(client, history):
    client.force_login(history.alice)
    response = queue_export(client, tab="all")
    assert response.streaming
    client.force_login(history.requester)
    assert queue_export(client, tab="all").status_code == 404


def test_queue_export_reads_in_chunks(client, django_assert_max_num_queries):
    """A long list costs the same few queries as a short one (rows are read in chunks)."""
    service = ServiceFactory()
    category = CategoryFactory(service=service)
    agent = agent_of(service)
    TicketFactory.create_batch(30, category=category)
    client.force_login(agent)
    response = queue_export(client, tab="all")
    with django_assert_max_num_queries(3):
        body = b"".join(response.streaming_content)
    assert body.count(b"\r\n") == 31
