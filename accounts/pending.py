"""Accounts for people the helpdesk has not seen yet: someone invited to a ticket, or a caller an
agent files a ticket for, named by their email address.

The account is active, so it receives the ticket's emails, but has no usable password: it becomes
its owner's at their first sign-in through the university's single sign-on, which finds an account
by its email address (`SSO_TRUST_EMAIL`, `accounts.adapters.SocialAccountAdapter`), or by setting
a password through the "forgotten password" link where local sign-in is used.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import ldap, signin
from accounts.directory import search_people
from accounts.models import User

logger = logging.getLogger(__name__)


def normalized_email(address: str) -> str:
    """The address as accounts store it (stripped, lower case); ValidationError if it is not an
    email address."""
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError(
            _("“%(address)s” is not a valid email address."),
            code="invalid_email",
            params={"address": address[:100]},
        ) from error
    return address


def is_pending(user: User) -> bool:
    """The account was made for its owner, who has not signed in yet."""
    return user.last_login is None and not user.has_usable_password()


def pending_account(address: str) -> User:
    """The account of this address: the existing one (whatever the case of the address), else a
    new pending one, named as the directory knows the person when it does."""
    address = normalized_email(address)
    existing = User.objects.filter(email__iexact=address).first()
    if existing is not None:
        return existing
    found = next((p for p in search_people(address, limit=5) if p.email.lower() == address), None)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=address, full_name=(found.full_name if found else "")[:200]
            )
    except IntegrityError:  # created at the same moment by another request
        return User.objects.get(email__iexact=address)
    # Their affiliations, department and login too, which decide what may be filed for them,
    # and their language, which the ticket's emails speak.
    setattr(user, signin.NEW_ACCOUNT, True)
    try:
        signin.refresh_from_directory(user)
    except ldap.DirectoryUnavailable as error:
        logger.warning("Directory not read for the new account %s: %s", user.pk, error)
    return user
