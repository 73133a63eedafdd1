"""The queues' tab counts are kept in the cache until a ticket of the agent's services changes
(tickets/queue_cache.py): a page reads them without a query, and a change shows on the next page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of
from tickets import queue_cache, workflow
from tickets.selectors import queues

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    category = CategoryFactory(name="Wi-Fi")
    service = category.handling_service
    other = CategoryFactory(name="Scolarité")
    return {
        "category": category,
        "service": service,
        "agent": agent_of(service, user=UserFactory()),
        "colleague": agent_of(service, user=UserFactory()),
        "other_category": other,
        "other_agent": agent_of(other.handling_service, user=UserFactory()),
    }


def _queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("desk:queue"), params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _counts(user) -> dict:
    return queues.queue_counts(user, queues.Filters())


def test_a_second_page_reads_the_tab_counts_from_the_cache(client, desk):
    TicketFactory.create_batch(3, category=desk["category"])
    client.force_login(desk["agent"])
    computed, _page = _queries(client, tab="todo")
    cached, _page = _queries(client, tab="todo")
    # The open tabs' aggregate and the two capped counts are not run again.
    assert cached == computed - 3


def test_a_move_in_the_service_shows_in_the_next_counts(desk):
    ticket = TicketFactory(category=desk["category"])
    assert _counts(desk["agent"])["todo"] == 1
    workflow.take(ticket=ticket, actor=desk["colleague"])
    counts = _counts(desk["agent"])
    assert counts["todo"] == 0
    assert counts["all"] == 1


def test_a_new_ticket_shows_in_the_next_counts(desk):
    assert _counts(desk["agent"])["todo"] == 0
    TicketFactory(category=desk["category"])
    assert _counts(desk["agent"])["todo"] == 1


def test_another_service_moving_leaves_the_counts_cached(desk, django_assert_num_queries):
    _counts(desk["agent"])
    other_ticket = TicketFactory(category=desk["other_category"])
    workflow.take(ticket=other_ticket, actor=desk["other_agent"])
    # Only the memberships (already read for this person) could be asked: no count is run.
    with django_assert_num_queries(0):
        _counts(desk["agent"])


def test_a_transfer_renews_the_counts_of_both_services(desk):
    ticket = TicketFactory(category=desk["category"])
    assert _counts(desk["agent"])["todo"] == 1
    assert _counts(desk["other_agent"])["todo"] == 0
    workflow.transfer(ticket=ticket, actor=desk["agent"], category=desk["other_category"])
    assert _counts(desk["agent"])["todo"] == 0
    assert _counts(desk["other_agent"])["todo"] == 1


def test_filtered_counts_are_always_computed(client, desk):
    TicketFactory(category=desk["category"], subject="Imprimante bloquée")
    client.force_login(desk["agent"])
    first, _page = _queries(client, tab="todo", priority="2")
    second, _page = _queries(client, tab="todo", priority="2")
    assert first == second


def test_a_change_the_model_does_not_see_shows_within_the_refresh_period(desk):
    from tickets.models import Ticket

    ticket = TicketFactory(category=desk["category"])
    assert _counts(desk["agent"])["todo"] == 1
    Ticket.objects.filter(pk=ticket.pk).update(assignee=desk["colleague"])
    assert _counts(desk["agent"])["todo"] == 1  # a bulk write the cache was not told of
    assert queue_cache.COUNTS_SECONDS <= 60
    cache.clear()  # what the expiry does
    assert _counts(desk["agent"])["todo"] == 0


def test_an_unreachable_cache_computes_the_counts(desk, monkeypatch):
    TicketFactory(category=desk["category"])

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(queue_cache.cache, "get_many", broken)
    monkeypatch.setattr(queue_cache.cache, "set_many", broken)
    assert _counts(desk["agent"])["todo"] == 1
    TicketFactory(category=desk["category"])
    assert _counts(desk["agent"])["todo"] == 2


def test_a_transaction_renews_its_services_once_at_commit(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    renewed: list[set[int]] = []
    monkeypatch.setattr(queue_cache, "_renew", lambda ids: renewed.append(set(ids)))
    service, other = desk["service"].pk, desk["other_category"].handling_service.pk
    with django_capture_on_commit_callbacks(execute=True):
        queue_cache.changed(service)
        queue_cache.changed(service, None)
        queue_cache.changed(other, service)
    assert renewed == [{service}, {service}, {other, service}, {service, other}]


def test_a_rolled_back_change_leaves_the_next_transaction_its_own_renewal(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    renewed: list[set[int]] = []
    monkeypatch.setattr(queue_cache, "_renew", lambda ids: renewed.append(set(ids)))
    service = desk["service"].pk
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_cache.changed(service)
            raise RuntimeError
        queue_cache.changed(service)
    # The rolled-back transaction's own renewal at commit is dropped with it.
    assert renewed == [{service}, {service}, {service}]
