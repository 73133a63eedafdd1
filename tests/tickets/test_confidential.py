"""Confidential categories: their tickets are seen, among the service's agents, only by the agents
named for the category (and by the requester; superusers still see everything).

Not in another agent's queues, counts, dashboard, search, similar tickets, exports, the
requester's other tickets, nor in the statistics' recurring words (counts only).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from categories import services as category_services
from categories.models import Category
from notifications.models import Notification
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of
from tickets import assignment, permissions, services, workflow
from tickets.selectors import desk_pages, queues, search, ticket_pages
from tickets.selectors.stats import periods, words

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(db):
    """The HR service: a plain category and a confidential one (Dossier médical) naming one
    agent; a plain agent, a head, a requester with a ticket in each."""
    service = ServiceFactory(name="Ressources humaines")
    plain = CategoryFactory(name="Congés", service=service)
    medical = CategoryFactory(name="Dossier médical", service=service, is_confidential=True)
    named = agent_of(service)
    medical.confidential_agents.add(named)
    requester = UserFactory()
    secret = services.ticket_create(
        requester=requester,
        category=medical,
        subject="Arrêt maladie prolongé",
        description="Certificat joint.",
    )
    ordinary = services.ticket_create(
        requester=requester,
        category=plain,
        subject="Arrêt de mes congés",
        description="Je reviens plus tôt.",
    )
    return {
        "service": service,
        "plain": plain,
        "medical": medical,
        "named": named,
        "agent": agent_of(service),
        "head": head_of(service),
        "requester": requester,
        "secret": secret,
        "ordinary": ordinary,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def fresh(user):
    """The user read again, with nothing cached on the object."""
    return type(user).objects.get(pk=user.pk)


def test_the_category_is_its_own_scope_and_its_branch_follows():
    """A confidential category's sub-categories are confidential through it; moved out of the
    branch, a sub-category is not any more."""
    medical = CategoryFactory(is_confidential=True)
    child = CategoryFactory(parent=medical)
    assert medical.confidential_scope_id == medical.pk
    assert child.confidential_scope_id == medical.pk
    category_services.category_move(child, parent=None)
    child.refresh_from_db()
    assert child.confidential_scope_id is None
    medical.is_confidential = False
    category_services.category_save(medical)
    assert Category.objects.get(pk=medical.pk).confidential_scope_id is None


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("named", True),
        ("agent", False),
        ("head", False),
        ("requester", True),
        ("superuser", True),
    ],
)
def test_who_sees_a_confidential_ticket(hr, role, sees):
    person = fresh(hr[role])
    assert permissions.can_view(hr["secret"], person) is sees
    assert ticket_pages.tickets_visible_to(person).filter(pk=hr["secret"].pk).exists() is sees
    assert permissions.can_view(hr["ordinary"], person)


def test_an_unnamed_agent_neither_reads_internal_notes_nor_acts(hr):
    agent = fresh(hr["agent"])
    assert not permissions.can_view_internal(hr["secret"], agent)
    assert not permissions.available_actions(hr["secret"], agent)
    assert permissions.can_view_internal(hr["ordinary"], agent)
    named = fresh(hr["named"])
    assert permissions.can_view_internal(hr["secret"], named)
    assert permissions.can_take(hr["secret"], named)


def test_a_sub_category_of_a_confidential_one_is_confidential(hr):
    child = CategoryFactory(name="Visite médicale", parent=hr["medical"])
    ticket = services.ticket_create(
        requester=hr["requester"], category=child, subject="Visite", description="Quand ?"
    )
    assert not permissions.can_view(ticket, fresh(hr["agent"]))
    assert permissions.can_view(ticket, fresh(hr["named"]))


def test_queues_counts_and_dashboards_leave_it_out(hr):
    agent, named = fresh(hr["agent"]), fresh(hr["named"])
    secret = hr["secret"]
    assert not queues.desk_tickets(agent).filter(pk=secret.pk).exists()
    assert queues.desk_tickets(named).filter(pk=secret.pk).exists()
    rows, _sort = queues.queue_tickets(agent, "all", queues.Filters())
    assert secret not in rows
    assert queues.queue_counts(agent)["todo"] == 1
    assert queues.queue_counts(named)["todo"] == 2
    assert secret not in desk_pages.oldest_open(agent)
    assert secret in desk_pages.oldest_open(named)
    assert secret not in desk_pages.requester_recent_tickets(hr["ordinary"], agent)


def test_search_and_similar_tickets_leave_it_out(hr):
    agent, named = fresh(hr["agent"]), fresh(hr["named"])
    found, _sort = queues.queue_tickets(agent, "all", queues.Filters(q="Arrêt"))
    assert list(found) == [hr["ordinary"]]
    found, _sort = queues.queue_tickets(agent, "all", queues.Filters(q=str(hr["secret"].pk)))
    assert hr["secret"] not in found
    assert hr["secret"] not in search.similar_tickets(hr["ordinary"], agent)
    assert hr["secret"] in search.similar_tickets(hr["ordinary"], named)


def test_the_queue_page_and_its_export_leave_it_out(client, hr):
    client.force_login(hr["agent"])
    page = client.get(reverse("desk:queue"), {"tab": "all"}).content.decode()
    assert "Arrêt de mes congés" in page
    assert "Arrêt maladie prolongé" not in page
    response = client.get(reverse("desk:queue_export"), {"tab": "all"})
    export = b"".join(response.streaming_content).decode()
    assert "Arrêt de mes congés" in export
    assert "Arrêt maladie prolongé" not in export
    client.force_login(hr["named"])
    response = client.get(reverse("desk:queue_export"), {"tab": "all"})
    assert "Arrêt maladie prolongé" in b"".join(response.streaming_content).decode()


def test_the_desk_page_answers_404_to_an_unnamed_agent(client, hr):
    url = reverse("desk:detail", kwargs={"pk": hr["secret"].pk})
    for role in ("agent", "head"):
        client.force_login(hr[role])
        assert client.get(url).status_code == 404
        assert client.get(hr["secret"].get_absolute_url()).status_code == 404
    client.force_login(hr["named"])
    assert client.get(url).status_code == 200


def test_the_statistics_count_it_but_never_quote_it(client, hr):
    """Counts only: the category's tickets count, their subjects' words never appear."""
    for number in range(2):
        services.ticket_create(
            requester=hr["requester"],
            category=hr["medical"],
            subject=f"Hospitalisation prévue {number}",
            description="Confidentiel.",
        )
    today = timezone.localdate()
    period = periods.Period(today - timedelta(days=6), today)
    frequent = [word.word for word in words.frequent_words(hr["service"], period)]
    assert not any(word.startswith("hospitalis") for word in frequent)
    client.force_login(hr["agent"])
    page = client.get(reverse("desk:stats"), {"service": hr["service"].pk}).content.decode()
    assert "Hospitalisation" not in page
    assert "Dossier médical" in page


def test_round_robin_and_assignment_choose_named_agents_only(hr):
    medical = hr["medical"]
    medical.assignment_mode = Category.AssignmentMode.ROUND_ROBIN
    medical.save()
    for _ in range(3):
        ticket = services.ticket_create(
            requester=hr["requester"], category=medical, subject="Question", description="?"
        )
        ticket.refresh_from_db()
        assert ticket.assignee == hr["named"]
    hr["secret"].refresh_from_db()
    assert assignment.choose_agent(hr["secret"]) == hr["named"]
    named = fresh(hr["named"])
    assert not permissions.can_assign_to(hr["secret"], named, fresh(hr["agent"]))
    assert permissions.can_assign_to(hr["secret"], named, fresh(hr["named"]))


def test_the_services_alert_address_hears_nothing_of_it(hr, django_capture_on_commit_callbacks):
    """The service's mailing list is told of its new tickets, not of confidential ones."""
    hr["service"].alert_email = "rh-liste@univ.example"
    hr["service"].save()
    with django_capture_on_commit_callbacks(execute=True):
        for category in (hr["plain"], hr["medical"]):
            services.ticket_create(
                requester=hr["requester"], category=category, subject="Nouveau", description="."
            )
    assert Notification.objects.filter(email="rh-liste@univ.example").count() == 1
    named = Notification.objects.filter(email=hr["named"].email)
    assert named.exists()
    unnamed = Notification.objects.filter(email=hr["agent"].email)
    assert not unnamed.filter(event__ticket__category=hr["medical"]).exists()


def test_a_linked_confidential_ticket_stays_off_an_unnamed_agents_page(client, hr):
    """The named agent links it to an ordinary ticket: the other agents' page of the ordinary
    ticket does not list it."""
    workflow.link(ticket=hr["ordinary"], actor=fresh(hr["named"]), other=hr["secret"])
    url = reverse("desk:detail", kwargs={"pk": hr["ordinary"].pk})
    client.force_login(hr["agent"])
    assert "Arrêt maladie prolongé" not in client.get(url).content.decode()
    client.force_login(hr["named"])
    assert "Arrêt maladie prolongé" in client.get(url).content.decode()


def test_an_article_is_never_prefilled_from_it_for_an_unnamed_agent(client, hr):
    client.force_login(hr["agent"])
    response = client.get(reverse("knowledge:create"), {"ticket": hr["secret"].pk})
    assert response.status_code == 404
    client.force_login(hr["named"])
    response = client.get(reverse("knowledge:create"), {"ticket": hr["secret"].pk})
    assert response.status_code == 200
    assert "Certificat joint" in response.content.decode()


def test_the_daily_digest_lists_it_to_named_agents_only(hr):
    from notifications import services as notification_services
    from notifications.models import NotificationPreference

    for role in ("agent", "named"):
        NotificationPreference.objects.update_or_create(
            user=hr[role],
            defaults={"new_ticket_delivery": NotificationPreference.NewTicketDelivery.DIGEST},
        )
    rows = {row.email: row for row in notification_services.queue_digests()}
    assert hr["secret"].pk not in rows[hr["agent"].email].payload["ticket_ids"]
    assert hr["secret"].pk in rows[hr["named"].email].payload["ticket_ids"]
