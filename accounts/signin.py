"""Sign-in writes: one account per person, whichever way they sign in, and what the university
says of them copied onto it.

Local passwords, OpenID Connect and SAML go through allauth (accounts.adapters); CAS comes here
(`account_for_cas`). All of them meet on the person's email address, the university's directory
being the authority on its addresses (SSO_TRUST_EMAIL); a CAS login also remembers the person's
university login (`User.directory_id`), which finds the account again after an address change.
"""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts import ldap
from accounts.attributes import DirectoryAttributes
from accounts.models import User

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The identity is genuine but cannot be given an account here; the message says why."""


def apply_attributes(
    user: User, attributes: DirectoryAttributes, *, creating: bool = False
) -> list[str]:
    """Copies onto `user` what the source released; returns the changed fields (not saved).

    The name, affiliations, groups and department follow the university at each sign-in. The
    language only starts an account: afterwards it is the person's own choice on their profile.
    The email address is the local login and is left alone once the account exists.
    """
    changed: list[str] = []

    def put(field: str, value: object) -> None:
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)

    if attributes.full_name:
        put("full_name", attributes.full_name[:200])
    if attributes.affiliations is not None:
        put("affiliations", list(attributes.affiliations))
    if attributes.groups is not None:
        put("directory_groups", list(attributes.groups))
    if attributes.department is not None:
        put("department", attributes.department[:200])
    if creating and attributes.language:
        put("preferred_language", attributes.language)
    return changed


# Set on an account just made (by the sign-in at hand, or for someone invited), so that the
# directory's language (read just after, accounts.receivers) starts it.
NEW_ACCOUNT = "_made_by_this_sign_in"


def made_by_this_sign_in(user: User) -> bool:
    return bool(getattr(user, NEW_ACCOUNT, False))


def refresh_attributes(user: User, attributes: DirectoryAttributes) -> list[str]:
    """Saves what changed of the university's description of the person."""
    changed = apply_attributes(user, attributes, creating=made_by_this_sign_in(user))
    login_is_free = (
        attributes.uid
        and not user.directory_id
        and not User.objects.filter(directory_id=attributes.uid).exclude(pk=user.pk).exists()
    )
    if login_is_free:
        user.directory_id = attributes.uid
        changed.append("directory_id")
    if changed:
        user.save(update_fields=changed)
    return changed


def refresh_from_directory(user: User) -> list[str]:
    """Copies the LDAP directory's entry for the person (by university login, else by address)
    onto their account, when there is a directory; returns the changed fields. Raises
    ldap.DirectoryUnavailable when it cannot be asked."""
    if not ldap.enabled():
        return []
    if user.directory_id:
        entry = ldap.find_person(uid=user.directory_id)
    else:
        entry = ldap.find_person(email=user.email)
    if entry is None:
        return []
    if entry.email and entry.email != user.email.lower() and not user.directory_id:
        return []  # found by address yet holding another: not this person's entry
    return refresh_attributes(user, entry)


@transaction.atomic
def account_for_cas(login: str, attributes: DirectoryAttributes) -> User:
    """The account of the person the CAS server vouches for as `login`, made on first sign-in.

    Found by their university login, else by their address (then linked to the login), else
    created. Raises SignInRefused when the address belongs to an account that cannot be theirs.
    """
    login = login.strip()[:150]
    email = (attributes.email or "").strip().lower()
    user = User.objects.select_for_update().filter(directory_id=login).first()
    if user is None and email:
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None:
            _link(user, login, email)
    if user is None:
        if not email:
            raise SignInRefused(
                _(
                    "The university sign-in did not give your email address, "
                    "which the helpdesk needs."
                )
            )
        user = _create(login, email, attributes)
    elif not user.is_active:
        raise SignInRefused(_("This account is disabled."))
    else:
        changed = apply_attributes(user, attributes)
        if changed:
            user.save(update_fields=changed)
    return user


def _link(user: User, login: str, email: str) -> None:
    """Joins a CAS login to the account already holding its address."""
    if not getattr(settings, "SSO_TRUST_EMAIL", True):
        logger.warning("CAS login %s refused: its address belongs to account %s.", login, user.pk)
        raise SignInRefused(
            _(
                "An account with your email address already exists. "
                "Ask the helpdesk's administrators to link it to your university login."
            )
        )
    if user.directory_id and user.directory_id != login:
        logger.warning(
            "CAS login %s refused: account %s belongs to the login %s.",
            login,
            user.pk,
            user.directory_id,
        )
        raise SignInRefused(
            _("Your email address belongs to another university login's account here.")
        )
    user.directory_id = login
    fields = ["directory_id"]
    # As allauth does for OIDC and SAML: whoever set a password on an address never verified here
    # may not be its owner, so that password stops working once the owner signs in.
    verified = EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    if user.has_usable_password() and not verified:
        user.set_unusable_password()
        fields.append("password")
    user.save(update_fields=fields)
    _verified_address(user, email)


def _create(login: str, email: str, attributes: DirectoryAttributes) -> User:
    user = User(email=email, directory_id=login)
    user.set_unusable_password()
    apply_attributes(user, attributes, creating=True)
    setattr(user, NEW_ACCOUNT, True)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same person's other sign-in created it a moment ago
        user = User.objects.get(directory_id=login)
    _verified_address(user, email)
    return user


def _verified_address(user: User, email: str) -> None:
    """The university's address counts as verified, as for the other sign-in methods."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
