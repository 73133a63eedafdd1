"""The university's LDAP directory, against a real OpenLDAP server (tests/ldap_server).

People search (invitations, filing on someone's behalf) finds the helpdesk's accounts first, then
the directory's other people; each sign-in refreshes what the directory says of the person. When
the directory is down or refuses the helpdesk, both carry on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from accounts import ldap
from accounts.directory import search_people
from accounts.models import User
from accounts.pending import pending_account
from tests.factories import UserFactory
from tests.ldap_server import LdapServer, start_slapd, use_directory
from tests.support import free_port

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module")
def slapd(tmp_path_factory) -> Iterator[LdapServer]:
    with start_slapd(tmp_path_factory.mktemp("slapd")) as server:
        yield server


@pytest.fixture
def directory(settings, slapd: LdapServer) -> LdapServer:
    use_directory(settings, slapd)
    return slapd


def test_search_finds_the_directory_people_after_the_accounts(directory):
    """Accounts come first; then the directory's people, each address once; the entry of a person
    who has an account carries it; someone without an address is left out."""
    jeanne = UserFactory(email="jeanne.martin@univ-test.fr", full_name="Jeanne Martin")
    other = UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")

    people = search_people("martin")

    assert [p.email for p in people] == [
        "jeanne.martin@univ-test.fr",
        "robert.martin@ailleurs.example",
        "martine.dupont@univ-test.fr",
    ]
    assert [p.user for p in people] == [jeanne, other, None]
    assert people[2].full_name == "Martine Dupont"
    assert people[2].display_name == "Martine Dupont"


def test_every_word_must_match(directory):
    assert [p.email for p in search_people("Jeanne MARTIN")] == ["jeanne.martin@univ-test.fr"]
    assert search_people("jeanne dupont") == []


def test_a_university_login_finds_its_person(directory):
    assert [p.full_name for p in search_people("clefevre")] == ["Camille Lefèvre"]


def test_a_directory_entry_with_an_account_elsewhere_in_the_list_comes_with_it(directory):
    """The account's name differs from the directory's: the search by the directory's name still
    hands back the account."""
    account = UserFactory(email="martine.dupont@univ-test.fr", full_name="M. D.")

    people = search_people("martine")

    assert [(p.email, p.user) for p in people] == [("martine.dupont@univ-test.fr", account)]


def test_search_reads_the_database_twice_whatever_the_directory_finds(
    directory, django_assert_num_queries
):
    """The accounts, then the accounts of the directory's addresses: two queries."""
    UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")
    with django_assert_num_queries(2):
        assert len(search_people("martin")) == 3


def test_filter_characters_are_searched_for_not_obeyed(directory):
    """A query written like an LDAP filter finds nobody instead of everybody."""
    assert search_people("*)(uid=*") == []
    assert search_people("a*") == []


def test_the_limit_counts_accounts_and_directory_people(directory):
    UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")
    assert len(search_people("martin", limit=2)) == 2
    assert len(search_people("martin", limit=1)) == 1


def test_a_refused_bind_leaves_the_accounts_and_says_why(directory, settings, caplog):
    settings.LDAP_BIND_PASSWORD = "not-the-password"
    UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")
    with caplog.at_level(logging.WARNING, logger="accounts.directory"):
        people = search_people("martin")
    assert [p.email for p in people] == ["robert.martin@ailleurs.example"]
    assert "without the directory" in caplog.text


def test_an_unreachable_directory_leaves_the_accounts(settings, slapd):
    use_directory(settings, slapd)
    settings.LDAP_URL = f"ldap://127.0.0.1:{free_port()}"
    UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")
    assert [p.email for p in search_people("martin")] == ["robert.martin@ailleurs.example"]


def test_without_a_directory_only_the_accounts_are_searched(settings):
    settings.LDAP_URL = ""
    UserFactory(email="robert.martin@ailleurs.example", full_name="Robert Martin")
    assert not ldap.enabled()
    assert [p.email for p in search_people("martin")] == ["robert.martin@ailleurs.example"]


def test_a_pending_account_is_named_as_the_directory_knows_the_person(directory):
    """An agent files for someone the helpdesk has never seen: the account has their name."""
    user = pending_account("Martine.Dupont@univ-test.fr")
    assert user.full_name == "Martine Dupont"
    # What decides which categories may be filed for them.
    assert (user.affiliations, user.department) == (["faculty", "member"], "UFR-LETTRES")
    assert user.directory_id == "mdupont"
    # The ticket's emails will speak the language the directory gives.
    assert pending_account("camille.lefevre@univ-test.fr").preferred_language == "en"


def test_sign_in_refreshes_affiliations_department_groups_and_name(client, directory):
    """Whatever the sign-in method (here a local password), the directory's facts are copied."""
    user = UserFactory(email="camille.lefevre@univ-test.fr", full_name="Camille L.")

    client.force_login(user)

    user.refresh_from_db()
    assert user.full_name == "Camille Lefèvre"
    assert user.affiliations == ["member", "student"]
    assert user.department == "UFR-SCIENCES"
    assert user.directory_groups == ["cn=l3-informatique,ou=groups,dc=univ-test,dc=fr"]
    assert user.directory_id == "clefevre"


def test_the_main_assignment_is_the_department(client, directory):
    """supannEntiteAffectationPrincipale, when the directory has it, over the other units."""
    user = UserFactory(email="jeanne.martin@univ-test.fr")
    client.force_login(user)
    user.refresh_from_db()
    assert user.department == "DSI"
    assert user.affiliations == ["employee", "member", "staff"]
    assert user.directory_groups == []


def test_a_known_university_login_is_looked_up_by_login(client, directory):
    """The address changed here but the login did not: the entry is still found."""
    user = UserFactory(email="c.lefevre@perso.example", directory_id="clefevre")
    client.force_login(user)
    user.refresh_from_db()
    assert user.department == "UFR-SCIENCES"
    assert user.email == "c.lefevre@perso.example"


def test_a_person_the_directory_does_not_know_keeps_what_they_had(client, directory):
    user = UserFactory(email="visitor@ailleurs.example", affiliations=["affiliate"])
    client.force_login(user)
    user.refresh_from_db()
    assert user.affiliations == ["affiliate"]


def test_a_directory_down_at_sign_in_does_not_stop_it(client, settings, slapd, caplog):
    use_directory(settings, slapd)
    settings.LDAP_URL = f"ldap://127.0.0.1:{free_port()}"
    user = UserFactory(email="camille.lefevre@univ-test.fr", full_name="Camille L.")
    with caplog.at_level(logging.WARNING, logger="accounts.receivers"):
        client.force_login(user)
    assert client.get("/profile/").status_code == 200
    user.refresh_from_db()
    assert user.full_name == "Camille L."
    assert "Directory not read" in caplog.text


def test_find_person_by_address_or_login(directory):
    by_login = ldap.find_person(uid="mdupont")
    by_address = ldap.find_person(email="martine.dupont@univ-test.fr")
    assert by_login == by_address
    assert by_login.affiliations == ("faculty", "member")
    assert by_login.department == "UFR-LETTRES"
    assert ldap.find_person(uid="nobody") is None
    assert ldap.find_person() is None
    assert User.objects.count() == 0


def test_over_ldaps_the_directory_certificate_is_checked(settings, tmp_path_factory):
    """With the authority that signed it, the directory answers over TLS; without it (a server
    impersonating the directory), the helpdesk sends no password and carries on without it."""
    with start_slapd(tmp_path_factory.mktemp("slapd_tls"), tls=True) as server:
        use_directory(settings, server)
        assert [p.email for p in search_people("dupont")] == ["martine.dupont@univ-test.fr"]

        settings.LDAP_CA_FILE = ""
        with pytest.raises(ldap.DirectoryUnavailable):
            ldap.find_people("dupont")
        assert search_people("dupont") == []
