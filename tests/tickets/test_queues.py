"""The desk's selectors (tickets/selectors/queues.py, search.py, desk_pages.py): what each tab
holds, counts, search in both databases, the dashboard's lists."""

from __future__ import annotations

import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of
from tickets import permissions, services, workflow
from tickets.models import Ticket
from tickets.selectors import desk_pages, queues, search

pytestmark = pytest.mark.django_db

Status = Ticket.Status


@pytest.fixture(autouse=True)
def _quiet(monkeypatch, settings) -> None:
    import notifications

    monkeypatch.setattr(notifications, "notify", lambda event: None)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def category():
    return CategoryFactory(name="Messagerie")


@pytest.fixture
def agent(category):
    return agent_of(category.handling_service)


def test_desk_tickets_are_those_of_my_services(category, agent):
    """An agent's workspace lists their services' tickets, not the ones they filed elsewhere."""
    mine = TicketFactory(category=category)
    filed_elsewhere = TicketFactory(requester=agent)
    assert list(queues.desk_tickets(agent)) == [mine]
    assert filed_elsewhere not in queues.desk_tickets(agent)


def test_superuser_sees_every_service():
    boss = UserFactory(is_superuser=True, is_staff=True)
    tickets = TicketFactory.create_batch(2)
    assert permissions.can_use_desk(boss)
    assert set(queues.desk_tickets(boss)) == set(tickets)


def test_requester_is_not_a_desk_user():
    assert not permissions.can_use_desk(UserFactory())


def test_reopened_tickets_are_to_handle_again(category, agent):
    """A reopened ticket comes back in "To handle" with nobody assigned."""
    ticket = TicketFactory(category=category)
    workflow.take(ticket=ticket, actor=agent)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    workflow.reopen(ticket=ticket, actor=agent, reason="Toujours en panne")
    todo, _sort = queues.queue_tickets(agent, "todo", queues.Filters())
    assert list(todo) == [Ticket.objects.get(pk=ticket.pk)]


def test_counts_cap_the_unbounded_tabs(category, agent, monkeypatch):
    """ "All" and "Closed" stop counting at the cap; the open tabs are exact."""
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    tickets = TicketFactory.create_batch(5, category=category)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Status.CLOSED)
    TicketFactory(category=category)
    counts = queues.queue_counts(agent)
    assert counts == {
        "todo": 1,
        "mine": 0,
        "waiting": 0,
        "postponed": 0,
        "followed": 0,
        "all": 3,
        "closed": 3,
    }


def test_a_search_counts_to_a_lower_cap(category, agent, monkeypatch):
    """With search words every counted row is checked against them: the tabs stop sooner."""
    monkeypatch.setattr(queues, "COUNT_CAP", 4)
    monkeypatch.setattr(queues, "SEARCH_COUNT_CAP", 2)
    tickets = TicketFactory.create_batch(5, category=category, subject="Imprimante en panne")
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Status.CLOSED)
    assert queues.queue_counts(agent)["closed"] == 4
    counts = queues.queue_counts(agent, queues.Filters(q="imprimante"))
    assert (counts["all"], counts["closed"]) == (2, 2)
    assert queues.count_cap(queues.Filters(q="imprimante")) == 2
    assert queues.count_cap(queues.Filters()) == queues.count_cap(None) == 4


def test_sort_ordering_is_whitelisted():
    assert queues.sort_ordering("-priority", "age") == ("-priority", ["-priority", "-pk"])
    assert queues.sort_ordering("password", "age") == ("age", ["created_at", "pk"])
    assert queues.sort_ordering(None, "-activity") == ("-activity", ["-updated_at", "-pk"])


def test_search_fallback_needs_every_word(category, agent):
    """Without PostgreSQL, each word must appear in the ticket's text or messages (the fallback
    is exercised directly, so it is checked on every database)."""
    wanted = TicketFactory(category=category, subject="Quota", description="boîte pleine")
    TicketFactory(category=category, subject="Quota", description="autre chose")
    found = queues.desk_tickets(agent).filter(search.substring_match("quota pleine"))
    assert list(found) == [wanted]
    if connection.vendor != "postgresql":
        assert list(search.matching(queues.desk_tickets(agent), "quota pleine")) == [wanted]


def test_agent_load_counts_active_tickets_in_the_service(category, agent):
    from tests.factories import head_of

    head = head_of(category.handling_service)
    workflow.take(ticket=TicketFactory(category=category), actor=agent)
    closed = TicketFactory(category=category)
    workflow.take(ticket=closed, actor=agent)
    workflow.reject(ticket=closed, actor=agent, reason="Non")
    load = {m.user_id: m.open_tickets for m in desk_pages.agent_load(head)}
    assert load == {agent.pk: 1, head.pk: 0}
    assert list(desk_pages.agent_load(agent)) == []


# --- PostgreSQL full-text search -------------------------------------------------------------


@pytest.mark.postgres
def test_fulltext_search_in_french_and_english(postgres, category, agent):
    """Stems match in both languages (imprimantes ~ imprimante, printers ~ printer), in the
    subject, the description and the ticket's messages (internal notes included for agents)."""
    french = TicketFactory(category=category, subject="Les imprimantes du bâtiment B")
    english = TicketFactory(category=category, subject="Help", description="The printers are down")
    noted = TicketFactory(category=category, subject="Divers")
    services.comment_add(ticket=noted, author=agent, text="Réinstaller les pilotes", internal=True)
    TicketFactory(subject="imprimante ailleurs")  # another service

    def found(text):
        return set(search.matching(queues.desk_tickets(agent), text))

    assert found("imprimante") == {french}
    assert found("printer") == {english}
    assert found("pilote") == {noted}
    assert found("pilotes réinstaller") == {noted}
    assert found(f"#{noted.pk}") == {noted}
    assert found("nothing-like-this") == set()


@pytest.mark.postgres
def test_search_uses_the_stored_vector_kept_current_on_write(postgres, category, agent):
    """The search reads each ticket's stored, GIN-indexed vector; writes keep it current (a new
    comment is searchable at once) and the planner can use the index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s AND tablename LIKE %s "
            "ORDER BY indexname",
            ["%search%", "tickets_%"],
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["ticket_search_vector"]
    ticket = TicketFactory(category=category, subject="Écran noir")
    tickets = queues.desk_tickets(agent)
    assert list(search.matching(tickets, "écran")) == [ticket]
    assert list(search.matching(tickets, "clavier")) == []
    services.comment_add(ticket=ticket, author=agent, text="Changer le clavier")
    assert list(search.matching(tickets, "claviers")) == [ticket]
    loaded = Ticket.objects.get(pk=ticket.pk)
    loaded.resolution = "Clavier changé"
    loaded.save()  # saves what it loaded, never the vector it did not
    assert list(search.matching(tickets, "claviers")) == [ticket]
    in_french = SearchQuery("claviers", config="french")
    assert list(Ticket.objects.filter(search_vector=in_french)) == [ticket]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = search.matching(Ticket.objects.order_by(), "clavier").values("pk").explain()
        cursor.execute("SET enable_seqscan = on")
    assert "ticket_search_vector" in plan


def test_tickets_load_without_their_search_vector(category):
    """The vector is read by the search alone, inside its SQL: tickets are loaded without it, and
    saving one never writes it (on PostgreSQL its triggers do)."""
    TicketFactory(category=category, subject="Écran noir")
    ticket = Ticket.objects.get()
    assert ticket.get_deferred_fields() == {"search_vector"}
    ticket.resolution = "Écran remplacé"
    with CaptureQueriesContext(connection) as queries:
        ticket.save()
    assert "search_vector" not in queries.captured_queries[-1]["sql"]


def test_the_active_tickets_index_lists_the_active_statuses():
    """Migration 0007 indexes the active tickets by their statuses, written out: a status added
    to Ticket.ACTIVE_STATUSES needs a migration that rebuilds the index (0012 added "postponed")."""
    import importlib

    migration = importlib.import_module("tickets.migrations.0012_postpone_merge")
    assert ", ".join(f"'{status}'" for status in Ticket.ACTIVE_STATUSES) == migration.ACTIVE


@pytest.mark.postgres
def test_the_active_tickets_index_exists_with_its_condition(postgres, category, agent):
    """The dashboard's oldest open tickets come from the partial index of migration 0007 (the
    plans at a million tickets are in bench/README.md; a test database is too small for the
    planner to prefer it)."""
    TicketFactory.create_batch(3, category=category)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_service_active_created'"
        )
        (definition,) = cursor.fetchone()
    assert "(service_id, created_at)" in definition and "WHERE" in definition
    assert [t.pk for t in desk_pages.oldest_open(agent)] == sorted(
        Ticket.objects.values_list("pk", flat=True)
    )


@pytest.mark.postgres
def test_open_tabs_check_the_words_row_by_row(postgres, category, agent):
    """Counting the open tabs of a search never reads the search index: the open tickets are a
    few thousand at most, a common word's index entries a third of the history."""
    TicketFactory(category=category, subject="Connexion impossible")
    filters = queues.Filters(q="connexion")
    active = queues.apply_filters(
        queues.desk_tickets(agent).filter(status__in=Ticket.ACTIVE_STATUSES), filters, bounded=True
    )
    sql, params = active.query.sql_with_params()
    assert 'COALESCE("tickets_ticket"."search_vector"' in sql
    assert active.count() == 1
    assert queues.queue_counts(agent, filters)["todo"] == 1


def test_the_requester_lookup_of_a_search_runs_once_per_page(category, agent):
    filters = queues.Filters(q="camille")
    assert filters.people is filters.people


def test_a_page_gets_its_row_data_after_its_rows_are_chosen(category, agent):
    """The paginator picks the page's tickets in the list's order, then only those are joined
    to their row data and last event."""
    tickets = TicketFactory.create_batch(5, category=category)
    rows, _sort = queues.queue_tickets(agent, "todo", queues.Filters())
    paginator = queues.QueuePaginator(rows, 2, decorate=queues.page_rows)
    last = paginator.page(3)
    assert [t.pk for t in last.object_list] == [tickets[-1].pk]
    second = list(paginator.page(2).object_list)
    assert [t.pk for t in second] == [tickets[2].pk, tickets[3].pk]
    assert all(hasattr(t, "last_action") for t in second)
    assert "requester" in second[0]._state.fields_cache


@pytest.mark.postgres
def test_a_searched_page_keeps_the_words_on_the_inner_rows(postgres, category, agent):
    """`page_rows` puts the search in a subquery, where the ticket table has another alias: the
    condition must name that alias, or it would be re-evaluated for every outer row."""
    wanted = TicketFactory(category=category, subject="Connexion impossible")
    TicketFactory(category=category, subject="Imprimante")
    rows, _sort = queues.queue_tickets(agent, "todo", queues.Filters(q="connexion"))
    page = queues.QueuePaginator(rows, 25, decorate=queues.page_rows).page(1)
    assert [t.pk for t in page.object_list] == [wanted.pk]
    sql = str(page.object_list.query)
    inner = sql[sql.index(" IN (SELECT") :]
    alias = re.search(r'FROM "tickets_ticket" (\w+)', inner).group(1)
    assert '"tickets_ticket"."search_vector"' not in inner
    assert f'{alias}."search_vector"' in inner


# --- Unread markers, saved views, the live filters ------------------------------------------


def _queue_page(client, headers=None, **params):
    from django.urls import reverse

    return client.get(reverse("desk:queue"), params, headers=headers)


def _unread(response) -> dict[int, bool]:
    return {ticket.pk: ticket.unread for ticket in response.context["page"].object_list}


def test_unread_marker_follows_other_peoples_activity(client, category, agent):
    """A ticket is marked when someone else acted on it since the agent last opened it; opening
    its page clears the mark; the agent's own moves never mark it."""
    from django.urls import reverse

    requester = UserFactory()
    ticket = services.ticket_create(
        requester=requester, category=category, subject="Écran", description="Noir"
    )
    client.force_login(agent)
    assert _unread(_queue_page(client, tab="todo")) == {ticket.pk: True}  # never opened
    client.get(reverse("desk:detail", args=[ticket.pk]))
    assert _unread(_queue_page(client, tab="todo")) == {ticket.pk: False}
    workflow.take(ticket=ticket, actor=agent)
    assert _unread(_queue_page(client, tab="mine")) == {ticket.pk: False}
    services.comment_add(ticket=Ticket.objects.get(pk=ticket.pk), author=requester, text="Et ?")
    page = _queue_page(client, tab="mine")
    assert _unread(page) == {ticket.pk: True}
    assert "unread-badge" in page.content.decode()
    client.get(reverse("desk:detail", args=[ticket.pk]))
    assert _unread(_queue_page(client, tab="mine")) == {ticket.pk: False}
    from tickets.models import TicketReadMark

    assert TicketReadMark.objects.filter(user=agent, ticket=ticket).count() == 1


def test_read_marks_are_each_agents_own(client, category, agent):
    colleague = agent_of(category.handling_service)
    ticket = services.ticket_create(
        requester=UserFactory(), category=category, subject="Écran", description="Noir"
    )
    from tickets import read_marks

    read_marks.mark_seen(user=colleague, ticket=ticket)
    client.force_login(agent)
    assert _unread(_queue_page(client, tab="todo")) == {ticket.pk: True}


def test_saved_views_are_saved_listed_and_deleted_by_their_owner(client, category, agent):
    from django.urls import reverse

    from tickets.models import SavedQueueView

    client.force_login(agent)
    response = client.post(
        reverse("desk:view_save"),
        {"view-name": "Urgent", "view-query": "tab=all&priority=3&page=4&csrfmiddlewaretoken=x"},
    )
    view = SavedQueueView.objects.get(user=agent)
    assert (view.name, view.query) == ("Urgent", "tab=all&priority=3")
    assert response["Location"] == reverse("desk:queue") + "?tab=all&priority=3"
    client.post(reverse("desk:view_save"), {"view-name": "Urgent", "view-query": "tab=mine"})
    assert SavedQueueView.objects.get(user=agent).query == "tab=mine"  # same name, replaced
    page = _queue_page(client, tab="todo")
    assert [v.name for v in page.context["saved_views"]] == ["Urgent"]
    assert 'href="/desk/queue/?tab=mine"' in page.content.decode()

    colleague = agent_of(category.handling_service)
    client.force_login(colleague)
    assert client.post(reverse("desk:view_delete", args=[view.pk])).status_code == 404
    assert _queue_page(client).context["saved_views"] == []
    client.force_login(agent)
    client.post(reverse("desk:view_delete", args=[view.pk]))
    assert not SavedQueueView.objects.exists()


def test_a_view_needs_a_name(client, agent):
    from django.urls import reverse

    from tickets.models import SavedQueueView

    client.force_login(agent)
    client.post(reverse("desk:view_save"), {"view-name": "  ", "view-query": "tab=all"})
    assert not SavedQueueView.objects.exists()


def test_a_changed_filter_gets_the_results_and_the_tabs_alone(client, category, agent):
    """htmx asks for the results (HX-Target: queue-results): the table and, out of band, the tab
    bar with counts for the same filters; no page around them."""
    TicketFactory(category=category, subject="Imprimante", priority=Ticket.Priority.HIGH)
    TicketFactory(category=category, subject="Écran")
    client.force_login(agent)
    response = _queue_page(
        client,
        tab="todo",
        priority=int(Ticket.Priority.HIGH),
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-results">')
    assert "<html" not in html and "Imprimante" in html and "Écran" not in html
    assert 'id="queue-tabs" hx-swap-oob="true"' in html
    assert response.context["tabs"][0][1] == 1


def test_the_tab_counts_refresh_alone(client, category, agent):
    """The tab bar asks for itself every minute, with the page's tab and filters."""
    from django.urls import reverse

    TicketFactory.create_batch(2, category=category)
    client.force_login(agent)
    page = _queue_page(client, tab="todo").content.decode()
    assert 'hx-trigger="every 60s"' in page
    assert reverse("desk:queue_counts") + "?tab=todo" in page
    TicketFactory(category=category)
    response = client.get(reverse("desk:queue_counts"), {"tab": "todo"})
    assert {queue.key: count for queue, count in response.context["tabs"]}["todo"] == 3
    assert "<html" not in response.content.decode()


def test_queue_reads_unread_marks_and_views_in_fixed_queries(
    client, category, agent, django_assert_num_queries
):
    """Unread markers cost no query per row: 1 and 30 tickets, opened or not, cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import read_marks

    requester = UserFactory()

    def make(count):
        for n in range(count):
            ticket = services.ticket_create(
                requester=requester, category=category, subject=f"T{n}", description="x"
            )
            if n % 2:
                read_marks.mark_seen(user=agent, ticket=ticket)

    client.force_login(agent)
    make(1)
    with CaptureQueriesContext(connection) as captured:
        _queue_page(client, tab="todo")
    make(30)
    with django_assert_num_queries(len(captured)):
        _queue_page(client, tab="todo")
