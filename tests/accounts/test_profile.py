import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_profile_needs_login(client):
    """A logged-out visitor is sent to the login page and comes back to the profile after."""
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/profile/" in response["Location"]


def test_profile_saves_name_and_language(client):
    """A person sets their name and language; the next pages speak that language."""
    user = UserFactory(full_name="Camille Martin", preferred_language="fr")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Camille Dupont", "preferred_language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Camille Dupont"
    assert user.preferred_language == "en"
    page = client.get(reverse("accounts:profile"))
    assert page.headers["Content-Language"] == "en"


def test_invalid_profile_keeps_what_was_typed(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Typed name", "preferred_language": "xx"}
    )
    assert response.status_code == 400
    assert "Typed name" in response.content.decode()
