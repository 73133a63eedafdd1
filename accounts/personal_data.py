"""Personal data (RGPD): what the helpdesk holds about one person, and forgetting a person who left.

* `export(user)` gathers, in one JSON-ready dictionary, everything stored about the person: the
  profile, the tickets they filed (with their timeline and the files' metadata), what they wrote or
  did on other people's tickets, their service memberships, email preferences and the emails sent to
  them, their sign-in identities (provider and identifier, never tokens) and email addresses.
* `anonymize(user)` replaces who they were by a pseudonym and removes what only served to reach
  them or sign them in, while keeping every ticket, every timeline event and so every statistic.

What anonymization keeps, and why: a ticket is the service's record of a request and its handling.
Its subject, description, comments and files were written *for the ticket* and other people rely on
them (the agents who answered, the statistics, the history of a recurring problem); they stay,
attributed to the pseudonym. Names recorded as labels of an event (the agent an assignment went to)
are the person's identity rather than their words: they are replaced by the pseudonym. Personal
details the person typed inside a text (a phone number in a description) are not searched for; an
administrator edits such a text by hand if the person asks.

This module knows the account itself (profile, sign-in identities, addresses, the admin's history
of changes) and nothing of the apps above it: each app holds its own part of the person's data and
registers it as a section (`register`, from its AppConfig.ready()); `export` and `anonymize` run
every registered section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import User

# The version of the export's layout, for whoever reads the file later.
EXPORT_FORMAT = "helpdesk-personal-data"
EXPORT_VERSION = 1
# Anonymized addresses end in a reserved top-level domain (RFC 2606): no mail can ever reach them.
ANONYMIZED_DOMAIN = "anonymized.invalid"


# --- The sections other apps register ---------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    """Who the person was and who they become, for the sections that anonymize their part."""

    user: User
    old_names: frozenset[str]  # the names and address that may label them in stored records
    name: str
    address: str


@dataclass(frozen=True)
class Section:
    """One key of the export, with what its app does to it when the person is anonymized.

    `export(user)` returns the key's JSON-ready value; `anonymize(forgotten)`, if any, runs inside
    the anonymization's transaction; `preview(user)`, if any, gives figures the administrator sees
    before confirming an anonymization.
    """

    name: str
    export: Callable[[User], Any]
    anonymize: Callable[[Forgotten], None] | None = None
    preview: Callable[[User], dict[str, Any]] | None = None


_sections: list[Section] = []


def register(
    name: str,
    export: Callable[[User], Any],
    anonymize: Callable[[Forgotten], None] | None = None,
    *,
    preview: Callable[[User], dict[str, Any]] | None = None,
    before: str | None = None,
) -> None:
    """Adds a section to every export and anonymization, after those registered so far or in
    front of the section named `before` if it is registered. Registering a name again replaces
    that section where it stands."""
    section = Section(name=name, export=export, anonymize=anonymize, preview=preview)
    names = [registered.name for registered in _sections]
    if name in names:
        _sections[names.index(name)] = section
    elif before in names:
        _sections.insert(names.index(before), section)
    else:
        _sections.append(section)


def sections() -> list[Section]:
    return list(_sections)


# --- Export ----------------------------------------------------------------------------------


def export(user: User) -> dict[str, Any]:
    """Everything the helpdesk holds about the person, as a dictionary of JSON-ready values
    (dates as ISO 8601 strings once encoded with DjangoJSONEncoder); a fixed number of queries."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
        "profile": _profile(user),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "social_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": account.date_joined,
                "last_login": account.last_login,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        **{section.name: section.export(user) for section in _sections},
    }


def export_filename(user: User) -> str:
    """The name of the downloaded file: the person's number, never their name."""
    return f"personal-data-{user.pk}-{timezone.localdate():%Y%m%d}.json"


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        # What the university's directory said of them at their last sign-in.
        "directory_id": user.directory_id,
        "affiliations": user.affiliations,
        "department": user.department,
        "directory_groups": user.directory_groups,
    }


# --- Anonymization ---------------------------------------------------------------------------


def pseudonym(user: User) -> tuple[str, str]:
    """The name and address that replace the person's: their number, and nothing else."""
    with override(settings.LANGUAGE_CODE):
        name = gettext("Anonymized person %(number)s") % {"number": user.pk}
    return name, f"anonymized-{user.pk}@{ANONYMIZED_DOMAIN}"


def is_anonymized(user: User) -> bool:
    return user.email == pseudonym(user)[1]


def preview(user: User) -> dict[str, Any]:
    """The figures each section shows an administrator before they anonymize the person."""
    figures: dict[str, Any] = {}
    for section in _sections:
        if section.preview is not None:
            figures.update(section.preview(user))
    return figures


@transaction.atomic
def anonymize(user: User) -> User:
    """Forgets who the person was, keeping their tickets, events and attachments.

    Name and email become a pseudonym, the directory's facts (login, affiliations, department,
    groups) are cleared; the password is made unusable and the account inactive
    (which also ends their open sessions: inactive people are not authenticated); sign-in
    identities and email addresses are deleted; then each registered section forgets its part
    (email preferences and emails not yet sent are deleted; emails already sent keep their record
    under the pseudonymous address). Running it twice is harmless.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    old_names = frozenset({user.display_name, user.email, user.full_name} - {""})
    name, address = pseudonym(user)

    user.full_name = name
    user.email = address
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.directory_id = None
    user.affiliations = []
    user.department = ""
    user.directory_groups = []
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    SocialAccount.objects.filter(user=user).delete()  # their tokens go with them
    EmailAddress.objects.filter(user=user).delete()
    forgotten = Forgotten(user=user, old_names=old_names, name=name, address=address)
    for section in _sections:
        if section.anonymize is not None:
            section.anonymize(forgotten)
    # The admin's history of changes names the person too.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=name)
    return user
