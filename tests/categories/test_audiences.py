"""Audiences: which categories a person is offered when filing a ticket.

A category naming affiliations or directory groups is offered only to people with one of them,
and so is every category below it; a person the directory describes with nothing sees only the
categories nobody restricted; agents see every category of their services, superusers all.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from categories import selectors
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """Informatique (everyone) > Wi-Fi; Ressources humaines (staff, faculty) > Congés, and
    > Dossier médical (the group cn=medical only); Vie étudiante (students)."""
    it = CategoryFactory(name="Informatique", slug="informatique", ordering=1)
    wifi = CategoryFactory(name="Wi-Fi", slug="wifi", parent=it)
    hr = CategoryFactory(
        name="Ressources humaines",
        slug="rh",
        ordering=2,
        audience_affiliations=["staff", "faculty"],
    )
    leave = CategoryFactory(name="Congés", slug="conges", parent=hr)
    medical = CategoryFactory(
        name="Dossier médical", slug="medical", parent=hr, audience_groups=["cn=medical"]
    )
    student_life = CategoryFactory(
        name="Vie étudiante", slug="vie-etudiante", ordering=3, audience_affiliations=["student"]
    )
    return {
        "it": it,
        "wifi": wifi,
        "hr": hr,
        "leave": leave,
        "medical": medical,
        "student_life": student_life,
    }


def offered(user, tree) -> set[str]:
    ids = selectors.offered_category_ids(user)
    return {name for name, category in tree.items() if category.pk in ids}


def test_a_person_without_affiliation_sees_only_unrestricted_categories(tree):
    """A local or demonstration account (no affiliation, no group): restricted ones are hidden."""
    assert offered(UserFactory(), tree) == {"it", "wifi"}


def test_a_student_sees_the_students_categories_not_the_staffs(tree):
    student = UserFactory(affiliations=["student", "member"])
    assert offered(student, tree) == {"it", "wifi", "student_life"}


def test_sub_categories_inherit_their_parents_audience(tree):
    """Congés names no audience: it is offered to whom Ressources humaines is."""
    staff = UserFactory(affiliations=["staff"])
    assert offered(staff, tree) == {"it", "wifi", "hr", "leave"}


def test_a_sub_category_narrows_its_parents_audience(tree):
    """Dossier médical: staff in the group, never someone in the group alone."""
    staff_in_group = UserFactory(affiliations=["staff"], directory_groups=["CN=Medical"])
    group_only = UserFactory(affiliations=["student"], directory_groups=["cn=medical"])
    assert "medical" in offered(staff_in_group, tree)
    assert "medical" not in offered(group_only, tree)


def test_member_covers_students_and_staff(tree):
    """eduPerson's "member" includes students, faculty and staff."""
    tree["it"].audience_affiliations = ["member"]
    tree["it"].save()
    assert "it" in offered(UserFactory(affiliations=["student"]), tree)
    assert "it" in offered(UserFactory(affiliations=["faculty"]), tree)
    assert "it" not in offered(UserFactory(affiliations=["affiliate"]), tree)


def test_affiliations_are_compared_without_case(tree):
    assert "hr" in offered(UserFactory(affiliations=["Staff"]), tree)


def test_agents_see_every_category_of_their_service_and_the_way_to_it(tree):
    """An agent of Dossier médical's service sees it and its parent, whatever their audience."""
    medical_service = tree["hr"].handling_service
    agent = agent_of(medical_service)
    assert offered(agent, tree) == {"it", "wifi", "hr", "leave", "medical"}


def test_superusers_see_every_category(tree):
    assert offered(UserFactory(is_superuser=True), tree) == set(tree)


def test_offered_categories_are_fileable_and_offered(tree):
    """The list the API gives: depth-first, active, offered."""
    tree["wifi"].is_active = False
    tree["wifi"].save()
    student = UserFactory(affiliations=["student"])
    names = [category.name for category in selectors.offered_categories(student)]
    assert names == ["Informatique", "Vie étudiante"]
    assert selectors.is_offered(tree["student_life"], student)
    assert not selectors.is_offered(tree["hr"], student)


# --- The filing page -------------------------------------------------------------------------


def test_the_filing_page_lists_only_the_offered_roots(client, tree):
    client.force_login(UserFactory(affiliations=["student"]))
    response = client.get(reverse("tickets:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vie étudiante" in html
    assert "Ressources humaines" not in html


def test_a_sub_category_step_lists_only_offered_children(client, tree):
    client.force_login(UserFactory(affiliations=["staff"]))
    response = client.get(reverse("tickets:create"), {"category": "rh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Congés" in html
    assert "Dossier médical" not in html


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This category is not offered to you"),
        ("fr", "Cette catégorie ne vous est pas proposée"),
    ],
)
def test_a_deep_link_to_a_hidden_category_explains_itself(client, tree, language, message):
    """A portal's link to a category the person may not use: 403 with a clear message and the
    categories they may use, in their language; never a server error."""
    client.force_login(UserFactory(affiliations=["student"], preferred_language=language))
    with translation.override(language):
        response = client.get(
            reverse("tickets:create"), {"category": "medical"}, HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 403
    html = response.content.decode()
    assert message in html
    assert "Vie étudiante" in html
    assert "Dossier médical" not in html


def test_a_hidden_category_stays_hidden_through_htmx(client, tree):
    """htmx swaps 2xx answers only: the step is answered 200 with its message."""
    client.force_login(UserFactory(affiliations=["student"]))
    response = client.get(reverse("tickets:create"), {"category": "rh"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Congés" not in response.content.decode()


def test_posting_a_ticket_in_a_hidden_category_creates_nothing(client, tree):
    client.force_login(UserFactory(affiliations=["student"]))
    response = client.post(
        reverse("tickets:create"),
        {"category": "conges", "subject": "Mes congés", "description": "Combien me reste-t-il ?"},
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_posting_in_an_offered_category_files_the_ticket(client, tree):
    client.force_login(UserFactory(affiliations=["staff"]))
    response = client.post(
        reverse("tickets:create"),
        {"category": "conges", "subject": "Mes congés", "description": "Combien me reste-t-il ?"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get().category == tree["leave"]
