"""Reading what the university says of a person, whichever door it came through (CAS attributes,
LDAP entries, OIDC claims, SAML assertions), and writing it on the account."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts import attributes, signin, sso
from accounts.attributes import DirectoryAttributes
from helpdesk import settings as helpdesk_settings
from tests.factories import UserFactory


def test_affiliations_are_lower_case_without_scope_each_once():
    assert attributes.affiliations_of(
        ["Student", "member@univ-lorraine.fr", "member", " staff ", ""]
    ) == ("member", "staff", "student")


def test_a_cas_answer_is_read_by_the_directory_names():
    found = attributes.read(
        {
            "uid": "clefevre",
            "mail": "Camille.Lefevre@Univ.example ",
            "displayName": "Camille\u202e Lefèvre",
            "eduPersonAffiliation": ["student", "member"],
            "supannEntiteAffectation": ["UFR-SCIENCES", "DSI"],
            "preferredLanguage": "en-GB",
        }
    )
    assert found == DirectoryAttributes(
        uid="clefevre",
        email="camille.lefevre@univ.example",
        full_name="Camille Lefèvre",
        affiliations=("member", "student"),
        groups=None,
        department="UFR-SCIENCES",
        language="en",
    )


def test_given_and_family_names_make_the_name_when_there_is_no_display_name():
    found = attributes.read({"givenName": "Jeanne", "sn": "Martin", "mail": "j@u.example"})
    assert found.full_name == "Jeanne Martin"


def test_an_attribute_not_released_is_none_and_an_empty_one_is_empty():
    """Not released: the account keeps what it had. Listed without values (an LDAP entry): the
    person has none."""
    assert attributes.read({"mail": "a@u.example"}).affiliations is None
    assert attributes.read({"mail": "a@u.example", "eduPersonAffiliation": []}).affiliations == ()
    assert attributes.read({"memberOf": [], "isMemberOf": [b"cn=staff"]}).groups == ("cn=staff",)


def test_a_language_the_helpdesk_does_not_speak_is_left_out():
    assert attributes.read({"preferredLanguage": "de"}).language == ""


def test_the_settings_rename_the_directory_attributes(settings):
    settings.DIRECTORY_ATTRIBUTES = {"department": "ou", "groups": ""}
    found = attributes.read({"ou": "Bibliothèque", "memberOf": "cn=bu"})
    assert (found.department, found.groups) == ("Bibliothèque", ("cn=bu",))


def test_oidc_claims_give_affiliations_department_and_groups():
    found = attributes.from_oidc_claims(
        {
            "eduperson_scoped_affiliation": ["faculty@univ.example"],
            "supann_entite_affectation_principale": "UFR-LETTRES",
            "groups": ["enseignants"],
            "email": "ignored@here.example",
        }
    )
    assert found == DirectoryAttributes(
        affiliations=("faculty",), groups=("enseignants",), department="UFR-LETTRES"
    )


@pytest.mark.django_db
def test_saml_attributes_are_read_by_their_oids():
    providers = helpdesk_settings.socialaccount_providers(
        {
            "SSO_SAML_IDP_ENTITY_ID": "https://idp.univ.example/idp/shibboleth",
            "SSO_SAML_IDP_METADATA_URL": "https://idp.univ.example/idp/shibboleth",
        }
    )
    mapping = providers["saml"]["APPS"][0]["settings"]["directory_attributes"]
    found = attributes.from_saml_attributes(
        {
            "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"],
            "urn:oid:1.3.6.1.4.1.7135.1.2.1.8": ["DSI"],
            "urn:oid:1.3.6.1.4.1.5923.1.5.1.1": ["cn=dsi-agents"],
        },
        mapping,
    )
    assert found == DirectoryAttributes(
        affiliations=("member", "staff"), groups=("cn=dsi-agents",), department="DSI"
    )


@pytest.mark.django_db
def test_a_social_account_without_directory_claims_changes_nothing():
    user = UserFactory(affiliations=["staff"], department="DSI")
    account = SocialAccount.objects.create(
        user=user, provider="university", uid="1", extra_data={"userinfo": {"email": user.email}}
    )
    assert signin.refresh_attributes(user, sso.claimed_directory(account)) == []
    user.refresh_from_db()
    assert (user.affiliations, user.department) == (["staff"], "DSI")


@pytest.mark.django_db
def test_the_language_only_starts_an_account():
    user = UserFactory(preferred_language="fr")
    signin.refresh_attributes(user, DirectoryAttributes(language="en"))
    user.refresh_from_db()
    assert user.preferred_language == "fr"


@pytest.mark.django_db
def test_a_login_already_held_by_another_account_is_not_copied():
    UserFactory(directory_id="clefevre")
    other = UserFactory()
    signin.refresh_attributes(other, DirectoryAttributes(uid="clefevre"))
    other.refresh_from_db()
    assert other.directory_id is None


def test_oidc_and_saml_buttons_have_a_label_per_language():
    providers = helpdesk_settings.socialaccount_providers(
        {
            "SSO_OIDC_SERVER_URL": "https://sso.univ.example/oidc",
            "SSO_OIDC_CLIENT_ID": "helpdesk",
            "SSO_OIDC_LABEL": "Connexion Université",
            "SSO_OIDC_LABEL_EN": "University sign-in",
        }
    )
    app = providers["openid_connect"]["APPS"][0]
    assert app["settings"]["labels"] == {"fr": "Connexion Université", "en": "University sign-in"}


@pytest.mark.django_db
def test_the_oidc_button_speaks_the_page_language(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {
            "SSO_OIDC_SERVER_URL": "https://sso.univ.example/oidc",
            "SSO_OIDC_CLIENT_ID": "helpdesk",
            "SSO_OIDC_LABEL_FR": "Connexion Université",
            "SSO_OIDC_LABEL_EN": "University sign-in",
        }
    )
    settings.CAS_SERVER_URL = None
    french = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Connexion Université</button>" in french
    assert "University sign-in</button>" in english

    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {"SSO_OIDC_SERVER_URL": "https://sso.univ.example/oidc", "SSO_OIDC_CLIENT_ID": "x"}
    )
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "University sign-in</button>" in english


@pytest.mark.django_db
def test_the_directory_facts_are_exported_and_forgotten_with_the_person():
    from accounts import personal_data

    user = UserFactory(
        directory_id="clefevre",
        affiliations=["student"],
        department="UFR-SCIENCES",
        directory_groups=["cn=l3"],
    )
    profile = personal_data.export(user)["profile"]
    assert (profile["directory_id"], profile["affiliations"]) == ("clefevre", ["student"])
    assert (profile["department"], profile["directory_groups"]) == ("UFR-SCIENCES", ["cn=l3"])

    personal_data.anonymize(user)

    user.refresh_from_db()
    assert (user.directory_id, user.affiliations) == (None, [])
    assert (user.department, user.directory_groups) == ("", [])


@pytest.mark.django_db
def test_the_admin_shows_the_directory_facts_without_letting_them_be_edited(admin_client):
    user = UserFactory(directory_id="clefevre", department="UFR-SCIENCES")
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "UFR-SCIENCES" in html
    assert 'name="department"' not in html
