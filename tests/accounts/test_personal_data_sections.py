"""accounts.personal_data knows only the account: each app registers its part of a person's data,
and the export reads in the same order whatever the order the apps registered in."""

from __future__ import annotations

import pytest

from accounts import personal_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_account_then_each_apps_part_in_a_fixed_order():
    """The person's own settings (memberships, email preferences) come before their tickets."""
    assert list(personal_data.export(UserFactory())) == [
        "format",
        "version",
        "generated_at",
        "profile",
        "email_addresses",
        "social_accounts",
        "service_memberships",
        "notification_preferences",
        "tickets_filed",
        "events_on_other_tickets",
        "attachments_on_other_tickets",
        "tickets_assigned",
        "tickets_followed",
        "notifications",
        "incidents",
        "api_tokens",
        "knowledge_base",
    ]


def test_a_section_registered_again_keeps_its_place(monkeypatch):
    """Registering a name twice replaces the section where it stands; `before` places a new one."""
    monkeypatch.setattr(personal_data, "_sections", [])
    personal_data.register("first", lambda user: 1)
    personal_data.register("last", lambda user: 3)
    personal_data.register("middle", lambda user: 2, before="last")
    personal_data.register("first", lambda user: 10)
    user = UserFactory()
    data = personal_data.export(user)
    assert [name for name in data if name in {"first", "middle", "last"}] == [
        "first",
        "middle",
        "last",
    ]
    assert (data["first"], data["middle"], data["last"]) == (10, 2, 3)


def test_anonymizing_runs_each_sections_part_with_who_the_person_was(monkeypatch):
    """A section's anonymizer is told the old names and the pseudonym."""
    told = []
    monkeypatch.setattr(personal_data, "_sections", [])
    personal_data.register("seen", lambda user: None, told.append)
    user = UserFactory(full_name="Camille Martin", email="camille@univ.example")
    personal_data.anonymize(user)
    [forgotten] = told
    assert {"Camille Martin", "camille@univ.example"} <= forgotten.old_names
    assert (forgotten.name, forgotten.address) == personal_data.pseudonym(user)
