"""The agents' workspace pages: who may open them, the queues, the ticket page and its moves."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from categories.models import CannedResponse, Category, ServiceMembership
from tests.factories import (
    CategoryFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
    agent_of,
    head_of,
)
from tickets import services, workflow
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

Status = Ticket.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _quiet_notifications(monkeypatch) -> None:
    """The outbox is the notifications app's business; these tests look at pages."""
    import notifications

    monkeypatch.setattr(notifications, "notify", lambda event: None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """Many people are created here; real password hashing would only slow the tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk():
    """A service with a category, two agents, a head, and a requester."""
    category = CategoryFactory(name="Wi-Fi")
    service = category.handling_service
    return {
        "service": service,
        "category": category,
        "agent": agent_of(service, user=UserFactory(full_name="Alice Agent")),
        "colleague": agent_of(service, user=UserFactory(full_name="Bob Agent")),
        "head": head_of(service, user=UserFactory(full_name="Hélène Head")),
        "requester": UserFactory(full_name="Rita Requester", email="rita@univ.example"),
    }


def _ticket(desk, **kwargs) -> Ticket:
    kwargs.setdefault("requester", desk["requester"])
    kwargs.setdefault("category", desk["category"])
    return TicketFactory(**kwargs)


def _act(client, ticket, action, data=None, **extra):
    url = reverse("desk:action", kwargs={"pk": ticket.pk, "action": action})
    return client.post(url, data or {}, **extra)


def _open_move(client, ticket, action, **extra):
    """The ACTIONS menu's link to one move's form."""
    return client.get(reverse("desk:move", kwargs={"pk": ticket.pk, "action": action}), **extra)


# --- Who may open the workspace --------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    """Logged-out visitors are asked to log in first."""
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_requester_gets_a_clear_403_on_the_desk(client, desk):
    """A person in no service gets a 403 page that says the workspace is for agents."""
    client.force_login(desk["requester"])
    for name in ("desk:home", "desk:queue"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "Reserved to the services" in response.content.decode() or (
            "Réservé" in response.content.decode()
        )


def test_requester_gets_404_on_the_agent_ticket_page(client, desk):
    """Requesters read their tickets on tickets:detail; desk:detail does not exist for them."""
    ticket = _ticket(desk)
    client.force_login(desk["requester"])
    assert client.get(reverse("desk:detail", args=[ticket.pk])).status_code == 404
    assert _act(client, ticket, "take").status_code == 404


def test_agent_of_another_service_gets_404_until_the_ticket_is_transferred(client, desk):
    """An agent never sees another service's tickets, except those transferred to their service."""
    ticket = _ticket(desk)
    other_category = CategoryFactory(name="Scolarité")
    stranger = agent_of(other_category.handling_service)
    client.force_login(stranger)
    url = reverse("desk:detail", args=[ticket.pk])
    assert client.get(url).status_code == 404
    assert _act(client, ticket, "take").status_code == 404
    workflow.transfer(ticket=ticket, actor=desk["agent"], category=other_category, note="Pour vous")
    assert client.get(url).status_code == 200
    client.force_login(desk["agent"])
    assert client.get(url).status_code == 404


# --- Queues ----------------------------------------------------------------------------------


def _queue(client, **params):
    return client.get(reverse("desk:queue"), params)


def test_queue_tabs_hold_the_right_tickets(client, desk):
    """Each tab lists its tickets and shows its count; another service's tickets never appear."""
    agent = desk["agent"]
    new = _ticket(desk, subject="Nouveau ticket")
    mine = _ticket(desk, subject="Le mien")
    workflow.take(ticket=mine, actor=agent)
    waiting = _ticket(desk, subject="En attente")
    workflow.take(ticket=waiting, actor=agent)
    workflow.request_info(ticket=waiting, actor=agent, question="Quel bâtiment ?")
    closed = _ticket(desk, subject="Fermé")
    workflow.reject(ticket=closed, actor=agent, reason="Hors périmètre")
    TicketFactory(subject="Autre service")
    client.force_login(agent)

    def subjects(tab):
        response = _queue(client, tab=tab)
        assert response.status_code == 200
        return {ticket.subject for ticket in response.context["page"].object_list}

    assert subjects("todo") == {new.subject}
    assert subjects("mine") == {mine.subject, waiting.subject}
    assert subjects("waiting") == {waiting.subject}
    assert subjects("closed") == {closed.subject}
    assert subjects("all") == {new.subject, mine.subject, waiting.subject, closed.subject}
    counts = {queue.key: count for queue, count in _queue(client).context["tabs"]}
    assert counts == {
        "todo": 1,
        "mine": 2,
        "waiting": 1,
        "postponed": 0,
        "followed": 0,
        "all": 4,
        "closed": 1,
    }


def test_queue_is_sorted_by_whitelisted_columns_only(client, desk):
    """?sort= picks a column (with aria-sort on it); an unknown value falls back to the default."""
    low = _ticket(desk, subject="B", priority=Ticket.Priority.LOW)
    high = _ticket(desk, subject="A", priority=Ticket.Priority.URGENT)
    client.force_login(desk["agent"])
    response = _queue(client, sort="-priority")
    assert [t.pk for t in response.context["page"].object_list] == [high.pk, low.pk]
    assert 'aria-sort="descending"' in response.content.decode()
    response = _queue(client, sort="subject")
    assert [t.pk for t in response.context["page"].object_list] == [high.pk, low.pk]
    response = _queue(client, sort="requester__password")
    assert response.status_code == 200
    assert response.context["sort"] == "age"


def test_queue_filters_live_in_the_url(client, desk):
    """Filters come from the query string and the tab links keep them."""
    urgent = _ticket(desk, priority=Ticket.Priority.URGENT)
    _ticket(desk, priority=Ticket.Priority.LOW)
    client.force_login(desk["agent"])
    response = _queue(client, tab="all", priority=Ticket.Priority.URGENT)
    assert [t.pk for t in response.context["page"].object_list] == [urgent.pk]
    assert f"priority={Ticket.Priority.URGENT}" in response.content.decode()
    response = _queue(client, tab="all", assignee="none", status=Status.OPEN)
    assert len(response.context["page"].object_list) == 2
    response = _queue(client, tab="all", priority="not-a-number")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_queue_filters_by_creation_dates(client, desk):
    """created_from / created_to include whole days."""
    import datetime as dt

    from django.utils import timezone

    old = _ticket(desk)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    recent = _ticket(desk)
    client.force_login(desk["agent"])
    today = timezone.localdate()
    response = _queue(client, tab="all", created_from=(today - dt.timedelta(days=7)).isoformat())
    assert [t.pk for t in response.context["page"].object_list] == [recent.pk]
    response = _queue(client, tab="all", created_to=(today - dt.timedelta(days=30)).isoformat())
    assert [t.pk for t in response.context["page"].object_list] == [old.pk]


def test_queue_is_paginated_by_25(client, desk):
    """Pages hold 25 tickets."""
    TicketFactory.create_batch(30, category=desk["category"])
    client.force_login(desk["agent"])
    first = _queue(client)
    assert len(first.context["page"].object_list) == 25
    second = _queue(client, page=2)
    assert len(second.context["page"].object_list) == 5


def test_a_capped_count_says_at_least(client, desk, monkeypatch):
    """Past the counting cap the caption says "at least", never a false exact number."""
    from tickets.selectors import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    TicketFactory.create_batch(5, category=desk["category"])
    client.force_login(desk["agent"])  # speaks French, the profile's default
    page = _queue(client, tab="all").content.decode()
    assert "Au moins 3 tickets" in page
    assert "5 tickets" not in page


def _queries_for_queue(client, **params) -> int:
    cache.clear()  # the tab counts computed, not read from the cache
    with CaptureQueriesContext(connection) as captured:
        response = _queue(client, **params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("tab", ["todo", "mine", "waiting", "all", "closed"])
def test_queue_runs_a_fixed_number_of_queries(client, desk, tab, django_assert_num_queries):
    """A queue page costs the same number of queries for 1 and for 100 tickets."""
    agent = desk["agent"]
    client.force_login(agent)

    status, assignee = {
        "todo": (Status.OPEN, None),
        "mine": (Status.IN_PROGRESS, agent),
        "waiting": (Status.INFO_REQUESTED, agent),
        "all": (Status.IN_PROGRESS, desk["colleague"]),
        "closed": (Status.REJECTED, agent),
    }[tab]

    def make(count: int) -> None:
        # Statuses are set in bulk: the moves themselves are tested elsewhere, this is about reads.
        categories = [CategoryFactory(service=desk["service"]) for _ in range(3)]
        tickets = [
            _ticket(desk, requester=UserFactory(), category=categories[n % 3]) for n in range(count)
        ]
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
            status=status, assignee=assignee
        )

    make(1)
    baseline = _queries_for_queue(client, tab=tab)
    make(99)
    # With the tab counts computed, not read from the cache (tests/tickets/test_queue_cache.py).
    cache.clear()
    with django_assert_num_queries(baseline):
        _queue(client, tab=tab)
    cache.clear()
    with django_assert_num_queries(baseline):
        _queue(client, tab=tab, page=3)


def test_search_by_reference_words_comments_and_requester(client, desk):
    """?q= finds a ticket by #reference, words of its text or messages, and its requester."""
    printer = _ticket(desk, subject="Imprimante en panne", description="Bourrage papier")
    other = _ticket(
        desk,
        subject="Wi-Fi",
        description="Pas de réseau",
        requester=UserFactory(full_name="Zoé Lambert", email="zoe.lambert@univ.example"),
    )
    services.comment_add(ticket=printer, author=desk["agent"], text="Toner remplacé", internal=True)
    client.force_login(desk["agent"])

    def found(query):
        response = _queue(client, tab="all", q=query)
        return {ticket.pk for ticket in response.context["page"].object_list}

    assert found(f"#{other.pk}") == {other.pk}
    assert found(str(other.pk)) >= {other.pk}
    assert found("imprimante") == {printer.pk}
    assert found("bourrage") == {printer.pk}
    assert found("toner") == {printer.pk}
    assert found("Lambert") == {other.pk}
    assert found("zoe.lambert@univ") == {other.pk}
    assert found("introuvable") == set()


def test_search_respects_permissions(client, desk):
    """A search never reveals another service's tickets."""
    hidden = TicketFactory(subject="Imprimante secrète")
    client.force_login(desk["agent"])
    response = _queue(client, tab="all", q="imprimante")
    assert list(response.context["page"].object_list) == []
    response = _queue(client, tab="all", q=f"#{hidden.pk}")
    assert list(response.context["page"].object_list) == []


# --- Dashboard -------------------------------------------------------------------------------


def test_home_shows_counts_my_tickets_and_oldest(client, desk):
    """The dashboard shows the queue counts, the tickets waiting on me and the oldest open ones."""
    agent = desk["agent"]
    answered = _ticket(desk, subject="Réponse reçue")
    workflow.take(ticket=answered, actor=agent)
    workflow.request_info(ticket=answered, actor=agent, question="Quel bâtiment ?")
    services.comment_add(ticket=answered, author=desk["requester"], text="Bâtiment B")
    _ticket(desk, subject="Tout neuf")
    client.force_login(agent)
    response = client.get(reverse("desk:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Réponse reçue" in page
    assert list(response.context["waiting"])[0].requester_answered is True
    assert "Le demandeur a répondu" in page
    queue = _queue(client, tab="mine")
    assert [t.requester_answered for t in queue.context["page"].object_list] == [True]
    services.comment_add(ticket=answered, author=agent, text="Merci")
    queue = _queue(client, tab="mine")
    assert [t.requester_answered for t in queue.context["page"].object_list] == [False]
    assert {t.subject for t in response.context["oldest"]} == {"Réponse reçue", "Tout neuf"}
    assert response.context["load"] == []


def test_head_sees_the_load_of_each_agent(client, desk):
    """A service head sees how many active tickets each member of their service holds."""
    for _ in range(2):
        workflow.take(ticket=_ticket(desk), actor=desk["agent"])
    client.force_login(desk["head"])
    response = client.get(reverse("desk:home"))
    load = {m.user.display_name: m.open_tickets for m in response.context["load"]}
    assert load == {"Alice Agent": 2, "Bob Agent": 0, "Hélène Head": 0}


def test_agent_marks_themselves_unavailable(client, desk):
    """The availability switch changes the agent's membership in that service only."""
    client.force_login(desk["agent"])
    response = client.post(
        reverse("desk:availability"), {"service": desk["service"].pk, "available": "0"}
    )
    assert response.status_code == 302
    membership = ServiceMembership.objects.get(user=desk["agent"], service=desk["service"])
    assert membership.is_available is False
    client.post(reverse("desk:availability"), {"service": desk["service"].pk, "available": "1"})
    membership.refresh_from_db()
    assert membership.is_available is True
    other = ServiceFactory()
    response = client.post(reverse("desk:availability"), {"service": other.pk, "available": "0"})
    assert response.status_code == 404


@pytest.mark.parametrize("service", ["", "abc", "-1", "1.5", str(2**40), str(2**70)])
def test_availability_of_no_service_is_not_found(client, desk, service):
    """A malformed or out-of-range service answers 404, as a service one is not in does, and
    changes nothing."""
    client.force_login(desk["agent"])
    response = client.post(reverse("desk:availability"), {"service": service, "available": "0"})
    assert response.status_code == 404
    membership = ServiceMembership.objects.get(user=desk["agent"], service=desk["service"])
    assert membership.is_available is True


# --- The ticket page and its moves -----------------------------------------------------------


def test_ticket_page_shows_internal_notes_with_a_label(client, desk):
    """Internal notes are on the agent's page, marked with a text label, not colour alone."""
    ticket = _ticket(desk)
    services.comment_add(ticket=ticket, author=desk["agent"], text="Voir le switch", internal=True)
    other = _ticket(desk, subject="Ancienne demande")
    client.force_login(desk["colleague"])
    response = client.get(reverse("desk:detail", args=[ticket.pk]))
    page = response.content.decode()
    assert "Voir le switch" in page
    assert "timeline-internal" in page
    assert "Note interne" in page
    assert "rita@univ.example" in page
    assert other.subject in page


def test_take_redirects_with_a_message(client, desk):
    """Without JavaScript a move redirects back to the ticket with a message."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    response = _act(client, ticket, "take", follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk:detail", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.assignee == desk["agent"]
    assert "Vous avez pris en charge" in response.content.decode() or (
        "You took" in response.content.decode()
    )


def test_htmx_take_returns_the_panel(client, desk):
    """With htmx the move answers with the ticket panel alone, with the message in it."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    response = _act(client, ticket, "take", **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="ticket-panel">')
    assert "<html" not in page
    assert "data-feedback" in page


def test_second_take_is_refused_with_a_clear_message(client, desk):
    """Of two agents taking the same ticket, the second is told who was first (409)."""
    ticket = _ticket(desk)
    workflow.take(ticket=ticket, actor=desk["colleague"])
    client.force_login(desk["agent"])
    response = _act(client, ticket, "take")
    assert response.status_code == 409
    assert "Bob Agent" in response.content.decode()
    response = _act(client, ticket, "take", **HTMX)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Bob Agent" in page
    assert 'role="alert"' in page
    assert "<html" not in page


def test_question_is_required_and_typed_text_is_kept(client, desk):
    """A move without its required text re-renders the page (400) keeping what was typed."""
    ticket = _ticket(desk)
    workflow.take(ticket=ticket, actor=desk["agent"])
    client.force_login(desk["agent"])
    response = _act(client, ticket, "request_info", {"request_info-question": "   "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    target = CategoryFactory(name="Autre catégorie", service=desk["service"])
    response = _act(client, ticket, "transfer", {"transfer-note": "Texte tapé à garder"})
    assert response.status_code == 400
    assert "Texte tapé à garder" in response.content.decode()
    response = _act(client, ticket, "transfer", {"transfer-note": "Ok"}, **HTMX)
    assert response.status_code == 400
    assert "Ok" in response.content.decode()
    assert target.pk


def test_agent_asks_replies_notes_and_requests_closure(client, desk):
    """The usual path: ask, get the answer, reply, note, request closure."""
    ticket = _ticket(desk)
    agent = desk["agent"]
    client.force_login(agent)
    _act(client, ticket, "take")
    response = _act(client, ticket, "request_info", {"request_info-question": "Quel bâtiment ?"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.INFO_REQUESTED
    services.comment_add(ticket=ticket, author=desk["requester"], text="Bâtiment B")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    _act(client, ticket, "comment", {"comment-text": "Nous arrivons", "public": "1"})
    _act(client, ticket, "comment", {"comment-text": "Câble HS", "internal": "1"})
    response = _act(client, ticket, "request_closure", {"request_closure-resolution": "Réparé"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSURE_PENDING
    notes = {e.text: e.visibility for e in TicketEvent.objects.filter(ticket=ticket) if e.text}
    assert notes["Nous arrivons"] == TicketEvent.Visibility.PUBLIC
    assert notes["Câble HS"] == TicketEvent.Visibility.INTERNAL


def test_assign_choices_depend_on_the_role(client, desk):
    """A plain agent assigns to agents (or themselves); the head to any member."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    response = _open_move(client, ticket, "assign")
    choices = set(response.context["form"].fields["agent"].queryset)
    assert choices == {desk["agent"], desk["colleague"]}
    client.force_login(desk["head"])
    response = _open_move(client, ticket, "assign")
    choices = set(response.context["form"].fields["agent"].queryset)
    assert choices == {desk["agent"], desk["colleague"], desk["head"]}
    response = _act(client, ticket, "assign", {"assign-agent": desk["colleague"].pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == desk["colleague"]


def test_priority_release_reject_and_reopen(client, desk):
    """The other moves go through the workflow and come back to the ticket."""
    ticket = _ticket(desk)
    agent = desk["agent"]
    client.force_login(agent)
    _act(client, ticket, "change_priority", {"change_priority-priority": Ticket.Priority.HIGH})
    _act(client, ticket, "take")
    _act(client, ticket, "release")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status, ticket.assignee) == (
        Ticket.Priority.HIGH,
        Status.OPEN,
        None,
    )
    _act(client, ticket, "reject", {"reject-reason": "Pas pour nous"})
    ticket.refresh_from_db()
    assert ticket.status == Status.REJECTED


def test_transfer_out_of_my_services_goes_back_to_the_queue(client, desk):
    """After sending a ticket to another service, the agent lands on the queue with a message."""
    ticket = _ticket(desk)
    elsewhere = CategoryFactory(name="Scolarité")
    client.force_login(desk["agent"])
    response = _act(
        client, ticket, "transfer", {"transfer-category": elsewhere.pk, "transfer-note": "À vous"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")
    ticket.refresh_from_db()
    assert ticket.service == elsewhere.handling_service
    response = _act(client, _ticket(desk), "transfer", {"transfer-category": elsewhere.pk}, **HTMX)
    assert response["HX-Redirect"] == reverse("desk:queue")


def test_canned_response_prefills_the_reply_without_javascript(client, desk):
    """?canned=<id> starts the reply with the canned text of the ticket's service only."""
    ticket = _ticket(desk)
    workflow.take(ticket=ticket, actor=desk["agent"])
    canned = CannedResponse.objects.create(
        service=desk["service"], title="Redémarrer", body="Merci de redémarrer la borne."
    )
    foreign = CannedResponse.objects.create(
        service=ServiceFactory(), title="Autre", body="Texte d'un autre service"
    )
    client.force_login(desk["agent"])
    url = reverse("desk:detail", args=[ticket.pk])
    page = client.get(url, {"canned": canned.pk}).content.decode()
    assert "Merci de redémarrer la borne.</textarea>" in page
    assert 'data-canned-target="id_comment-text"' in page
    page = client.get(url, {"canned": foreign.pk}).content.decode()
    assert "Texte d&#x27;un autre service" not in page
    assert "Texte d'un autre service" not in page


def test_unknown_action_is_404(client, desk):
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    assert _act(client, ticket, "explode").status_code == 404


def test_transfer_offers_active_categories_only(client, desk):
    """The transfer list leaves out inactive categories and the ticket's own."""
    ticket = _ticket(desk)
    inactive = CategoryFactory(name="Ancienne")
    Category.objects.filter(pk=inactive.pk).update(is_active=False)
    client.force_login(desk["agent"])
    response = _open_move(client, ticket, "transfer")
    choices = set(response.context["form"].fields["category"].queryset)
    assert desk["category"] not in choices
    assert inactive not in choices


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_ticket_page_runs_a_fixed_number_of_queries(client, desk, django_assert_num_queries):
    """The agent's ticket page costs the same for a short and a long history."""
    ticket = _ticket(desk)
    agent = desk["agent"]
    workflow.take(ticket=ticket, actor=agent)
    CannedResponse.objects.create(service=desk["service"], title="A", body="B")
    client.force_login(agent)
    url = reverse("desk:detail", args=[ticket.pk])
    baseline = _count_queries(client, url)
    for number in range(20):
        services.comment_add(ticket=ticket, author=agent, text=f"Note {number}", internal=True)
        services.comment_add(ticket=ticket, author=desk["requester"], text=f"Message {number}")
        _ticket(desk)
    with django_assert_num_queries(baseline):
        client.get(url)


def test_home_runs_a_fixed_number_of_queries(client, desk, django_assert_num_queries):
    """The dashboard costs the same with 1 and with 30 tickets (head's load table included)."""
    head = desk["head"]
    workflow.take(ticket=_ticket(desk), actor=head)
    client.force_login(head)
    url = reverse("desk:home")
    baseline = _count_queries(client, url)
    for _ in range(30):
        workflow.take(ticket=_ticket(desk, requester=UserFactory()), actor=head)
    agent_of(desk["service"])
    with django_assert_num_queries(baseline):
        client.get(url)


def test_reply_with_files_and_internal_attachment(client, desk):
    """Files go with a reply, or alone as an attachment visible to agents only."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tickets.models import Attachment

    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    log = SimpleUploadedFile("trace.txt", b"connexion refusee\n", content_type="text/plain")
    response = _act(
        client,
        ticket,
        "comment",
        {"comment-text": "Voir le journal", "comment-files": log, "public": "1"},
    )
    assert response.status_code == 302
    secret = SimpleUploadedFile("config.txt", b"ssid=univ\n", content_type="text/plain")
    response = _act(
        client, ticket, "attachment", {"attachment-file": secret, "attachment-internal": "on"}
    )
    assert response.status_code == 302
    visibility = dict(
        Attachment.objects.filter(ticket=ticket).values_list("original_name", "visibility")
    )
    assert visibility == {"trace.txt": "public", "config.txt": "internal"}
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = _act(client, ticket, "attachment", {"attachment-file": bad})
    assert response.status_code == 400


def test_former_move_names_still_work(client, desk):
    """A page opened before the moves were renamed posts to "reply" and "attach" with fields
    named after them; both still work, and a form sent back with errors posts there again."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    response = _act(client, ticket, "reply", {"reply-text": "Nous arrivons", "public": "1"})
    assert response.status_code == 302
    assert ticket.events.filter(action="comment", text="Nous arrivons").exists()
    log = SimpleUploadedFile("trace.txt", b"erreur\n", content_type="text/plain")
    response = _act(client, ticket, "attach", {"attach-file": log})
    assert response.status_code == 302
    assert ticket.attachments.filter(original_name="trace.txt").exists()
    response = _act(client, ticket, "reply", {"reply-text": "", "public": "1"})
    assert response.status_code == 400
    former = reverse("desk:action", kwargs={"pk": ticket.pk, "action": "reply"})
    assert f'action="{former}"' in response.content.decode()


def test_time_tag_writes_what_the_date_filters_write(settings):
    """`{% time_tag %}` is `<time datetime="{{ x|date:'c' }}">{{ x|date:FORMAT }}</time>`."""
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import translation

    moment = datetime(2026, 3, 2, 8, 5, 9, 123456, tzinfo=UTC)
    for language in ("fr", "en"):
        with translation.override(language):
            for name in ("SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"):
                ours = Template("{% load helpdesk_time %}{% time_tag x '" + name + "' %}").render(
                    Context({"x": moment})
                )
                django = Template(
                    "<time datetime=\"{{ x|date:'c' }}\">{{ x|date:'" + name + "' }}</time>"
                ).render(Context({"x": moment}))
                assert ours == django
    assert Template("{% load helpdesk_time %}{% time_tag x %}").render(Context({"x": None})) == ""


def test_transfer_and_assign_lists_read_rows_and_still_validate(desk):
    """The drop-down lists of the ticket page are built from (pk, label) rows; the labels are the
    tree's indentation and the service, the agents' names, and a choice still validates."""
    from categories.models import Category
    from tickets.forms_agent import AssignForm, TransferForm

    category, agent = desk["category"], desk["agent"]
    child = CategoryFactory(parent=category, name="Wi-Fi <5 GHz>")
    other = CategoryFactory(name="Badges")
    ticket = TicketFactory(category=other)
    form = TransferForm(ticket=ticket, prefix="transfer")
    html = str(form["category"])
    expected = f"— {child.name} ({child.handling_service.name})".replace("<", "&lt;")
    assert f'<option value="{child.pk}">{expected.replace(">", "&gt;")}</option>' in html
    assert f'value="{other.pk}"' not in html  # the ticket's own category
    bound = TransferForm({"transfer-category": str(child.pk)}, ticket=ticket, prefix="transfer")
    assert bound.is_valid() and bound.cleaned_data["category"] == Category.objects.get(pk=child.pk)

    agent_ticket = TicketFactory(category=category)
    assign = AssignForm(ticket=agent_ticket, user=agent, prefix="assign")
    assert f'<option value="{agent.pk}">{agent.display_name}</option>' in str(assign["agent"])
    chosen = AssignForm(
        {"assign-agent": str(agent.pk)}, ticket=agent_ticket, user=agent, prefix="assign"
    )
    assert chosen.is_valid() and chosen.cleaned_data["agent"] == agent


# --- The conversation, the reply box and the ACTIONS menu -------------------------------------


def _page(client, ticket, **extra) -> str:
    response = client.get(reverse("desk:detail", args=[ticket.pk]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_renders_no_move_form_until_one_is_opened(client, desk):
    """The ticket page holds the reply box and the 'Take charge' button; every other move is a
    link of the ACTIONS menu to its own form, listed only when this person may make it now."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    page = _page(client, ticket)
    posted_to = {
        move
        for move in ("assign", "transfer", "reject", "change_priority", "attachment", "release")
        if reverse("desk:action", kwargs={"pk": ticket.pk, "action": move}) in page
    }
    assert posted_to == set()
    assert reverse("desk:action", kwargs={"pk": ticket.pk, "action": "take"}) in page
    assert reverse("desk:action", kwargs={"pk": ticket.pk, "action": "comment"}) in page
    assert 'name="agent"' not in page and 'name="transfer-category"' not in page
    offered = {
        move
        for move in ("assign", "transfer", "reject", "change_priority", "attachment")
        if reverse("desk:move", kwargs={"pk": ticket.pk, "action": move}) in page
    }
    assert offered == {"assign", "transfer", "reject", "change_priority", "attachment"}
    # Not possible on a new ticket: no menu entry.
    for move in ("request_info", "request_closure", "release", "reopen"):
        assert reverse("desk:move", kwargs={"pk": ticket.pk, "action": move}) not in page


def test_a_move_opens_as_a_fragment_or_as_a_page(client, desk):
    """The menu's link answers htmx with the move's form alone (posted back with htmx into the
    panel), and a browser without JavaScript with a page of its own (a plain POST form)."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    action = reverse("desk:action", kwargs={"pk": ticket.pk, "action": "reject"})
    fragment = _open_move(client, ticket, "reject", **HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html
    assert f'hx-post="{action}"' in html
    assert 'name="reject-reason"' in html
    page = _open_move(client, ticket, "reject")
    html = page.content.decode()
    assert "<html" in html
    assert f'action="{action}"' in html
    assert "hx-post" not in html.split('id="move-heading"')[1].split("</form>")[0]


def test_a_move_not_possible_now_is_refused_and_an_unknown_one_is_not_found(client, desk):
    """Opening a move the ticket's status does not allow answers 409 (as posting it would);
    a name that is no move answers 404; a requester never reaches the desk's forms."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    assert _open_move(client, ticket, "request_closure").status_code == 409
    assert _open_move(client, ticket, "explode").status_code == 404
    client.force_login(desk["requester"])
    assert _open_move(client, ticket, "reject").status_code == 404


def test_a_move_with_errors_comes_back_on_its_own_page_with_what_was_typed(client, desk):
    """Without JavaScript, a move's form sent back with errors is its own page (400), with the
    text kept; with htmx it is the panel with that form open in it."""
    ticket = _ticket(desk)
    workflow.take(ticket=ticket, actor=desk["agent"])
    client.force_login(desk["agent"])
    response = _act(client, ticket, "transfer", {"transfer-note": "Texte tapé"})
    assert response.status_code == 400
    assert response.templates[0].name == "tickets/agent/move.html"
    assert "Texte tapé" in response.content.decode()
    response = _act(client, ticket, "transfer", {"transfer-note": "Texte tapé"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-panel">')
    assert 'id="move-slot"><section class="card move-card' in html.replace("\n", "")


@pytest.mark.parametrize(
    ("data", "visibility"),
    [
        ({"mode": "public", "public": "1"}, TicketEvent.Visibility.PUBLIC),
        ({"mode": "internal", "internal": "1"}, TicketEvent.Visibility.INTERNAL),
        # Mode and button disagree: internal wins, so a doubt never reaches the requester.
        ({"mode": "internal", "public": "1"}, TicketEvent.Visibility.INTERNAL),
        ({"mode": "public", "internal": "1"}, TicketEvent.Visibility.INTERNAL),
        # A page opened before the modes: the button decides.
        ({"internal": "1"}, TicketEvent.Visibility.INTERNAL),
        ({"public": "1"}, TicketEvent.Visibility.PUBLIC),
    ],
)
def test_reply_mode_decides_who_reads_the_message(client, desk, data, visibility):
    """'Reply to requester' sends a public comment, 'Internal note' an internal one."""
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    response = _act(client, ticket, "comment", {"comment-text": "Bonjour", **data})
    assert response.status_code == 302
    assert ticket.events.get(text="Bonjour").visibility == visibility


def test_the_reply_box_offers_both_modes_with_their_difference_stated(client, desk):
    """Both modes are radio buttons before the text, each with its hint and its own button; an
    internal note in the thread carries its label and the lock."""
    ticket = _ticket(desk)
    services.comment_add(ticket=ticket, author=desk["agent"], text="Câble HS", internal=True)
    client.force_login(desk["agent"])
    page = _page(client, ticket)
    composer = page[page.index('id="composer"') :]
    assert composer.index('name="mode" value="public"') < composer.index('name="comment-text"')
    assert 'name="mode" value="internal"' in composer
    assert 'id="composer-hint-internal"' in composer
    assert "Note interne :" in composer
    note = page[page.index("thread-note") :]
    assert note.index("internal-icon") < note.index("Câble HS")
    assert note.index("Note interne") < note.index("Câble HS")


def test_the_upload_fields_say_their_limits(client, desk, settings):
    """The reply box's file field states the size limit and the accepted types before anything
    is chosen, and the field is described by that text."""
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = ["pdf", "png"]
    ticket = _ticket(desk)
    client.force_login(desk["agent"])
    page = _page(client, ticket)
    assert "Jusqu’à 5 Mo par fichier. Types acceptés : pdf, png." in page
    assert 'aria-describedby="id_comment-files_limits"' in page
    assert 'accept=".pdf,.png"' in page
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in page
    html = _open_move(client, ticket, "attachment").content.decode()
    assert 'id="id_attachment-file_limits"' in html


def test_ticket_page_queries_are_pinned(client, desk):
    """No move's option list (agents to assign, categories to transfer to) is read before the
    move is opened. The page costs twelve queries: session, user, memberships, ticket, events,
    files, the agent's read mark, canned responses, the requester's failing address, similar
    tickets, the people invited to it and the agents following it."""
    ticket = _ticket(desk)
    workflow.take(ticket=ticket, actor=desk["agent"])
    for number in range(30):
        CategoryFactory(name=f"Catégorie {number}")
    client.force_login(desk["agent"])
    url = reverse("desk:detail", args=[ticket.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert 'ORDER BY "categories_category"."tree_path"' not in sql
    assert 'ORDER BY "accounts_user"."full_name"' not in sql
    assert len(captured.captured_queries) == 12
