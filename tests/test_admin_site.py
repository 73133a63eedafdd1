"""The Django admin carries the helpdesk's name, and each of its sections a name of its own."""

from __future__ import annotations

import html as html_lib
import re

import pytest

pytestmark = pytest.mark.django_db

EXPECTED = {
    "fr": {
        "header": "Assistance ULorraine — administration",
        "title": "Gérer Assistance ULorraine",
        "people": "Personnes",
        "emails": "Adresses e-mail",
    },
    "en": {
        "header": "Assistance ULorraine administration",
        "title": "Manage Assistance ULorraine",
        "people": "People",
        "emails": "Email addresses",
    },
}


def admin_index(admin_client, language: str) -> str:
    admin_client.cookies["django_language"] = language
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_admin_carries_the_helpdesks_name(admin_client, settings, language):
    """Header, page title and heading name the helpdesk (SITE_NAME), in the page's language."""
    settings.SITE_NAME = "Assistance ULorraine"
    html = admin_index(admin_client, language)
    expected = EXPECTED[language]
    assert re.search(r'id="site-name"><a[^>]*>(.*?)</a>', html, re.S).group(1) == expected["header"]
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1) == expected["title"]
    assert f"<title>{expected['title']} | {expected['header']}</title>" in html
    assert "Django" not in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_admin_section_has_a_name_of_its_own(admin_client, language):
    """No two sections of the admin's index share a title; people and email addresses are apart."""
    html = admin_index(admin_client, language)
    sections = [title.strip() for title in re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.S)]
    assert len(sections) == len(set(sections)), sections
    assert EXPECTED[language]["people"] in sections
    assert EXPECTED[language]["emails"] in sections


def test_the_people_section_is_the_helpdesks_users(admin_client):
    """The people's section lists the helpdesk's users, at its usual address."""
    html = admin_index(admin_client, "en")
    people = re.search(r"<caption>\s*<a[^>]*>People</a>.*?</table>", html, re.S).group(0)
    assert 'href="/admin/accounts/user/"' in people
