"""Audiences and heads' administration walked in Chromium, in French and in English.

A student follows a portal's link to a category reserved for staff: the page says it is not
offered to them and lists the categories they may use. A head of service opens the admin from the
desk and runs their service: its page (members, canned responses) and a category's page
(audience, confidentiality). axe checks every page visited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Labels:
    language: str
    hidden: str
    run_service: str
    audience: str
    confidential: str


FRENCH = Labels(
    language="fr",
    hidden="Cette catégorie ne vous est pas proposée",
    run_service="Gérer votre service",
    audience="Public",
    confidential="Confidentialité",
)
ENGLISH = Labels(
    language="en",
    hidden="This category is not offered to you",
    run_service="Run your service",
    audience="Audience",
    confidential="Confidentiality",
)


@pytest.fixture
def university(db):
    service = ServiceFactory(name="Ressources humaines", slug="rh")
    hr = CategoryFactory(
        name="Ressources humaines — Pour les personnels",
        slug="rh-personnels",
        service=service,
        audience_affiliations=["staff", "faculty"],
    )
    CategoryFactory(name="Vie étudiante", slug="vie-etudiante", service=ServiceFactory())
    agent_of(service, user__full_name="Alice Durand")
    head = head_of(service, user__full_name="Hélène Martin", user__email="helene@univ.example")
    return {"service": service, "hr": hr, "head": head}


def _context(new_context, labels: Labels):
    return new_context(locale="fr-FR" if labels.language == "fr" else "en-US")


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_student_following_a_link_to_a_staff_category_is_told(
    new_context, live_server, university, labels
):
    context = _context(new_context, labels)
    page: Page = context.new_page()
    student = UserFactory(
        email=f"etudiant-{labels.language}@univ.example",
        preferred_language=labels.language,
        affiliations=["student"],
    )
    try:
        log_in(page, live_server.url, student.email, "/tickets/new/?category=rh-personnels")
        expect(page.get_by_role("alert")).to_contain_text(labels.hidden)
        expect(page.get_by_text("Vie étudiante")).to_be_visible()
        expect(page.get_by_text("Pour les personnels")).to_have_count(0)
        check_accessibility(page, "a category not offered")
    finally:
        context.close()


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_head_runs_their_service_from_the_desk(new_context, live_server, university, labels):
    head = university["head"]
    head.preferred_language = labels.language
    head.save()
    context = _context(new_context, labels)
    page: Page = context.new_page()
    try:
        log_in(page, live_server.url, head.email, "/desk/")
        page.get_by_role("link", name=re.compile(labels.run_service)).click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        check_accessibility(page, "the admin's index for a head")
        page.goto(f"{live_server.url}/admin/categories/service/{university['service'].pk}/change/")
        expect(page.locator("#content")).to_contain_text("Alice Durand")
        check_accessibility(page, "the service's page for its head")
        page.goto(f"{live_server.url}/admin/categories/category/{university['hr'].pk}/change/")
        expect(page.get_by_role("heading", name=labels.audience)).to_be_visible()
        expect(page.get_by_role("heading", name=labels.confidential)).to_be_visible()
        check_accessibility(page, "a category's page for its head")
    finally:
        context.close()
