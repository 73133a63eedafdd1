"""What happens around every sign-in and sign-out, whichever method was used.

At sign-in the directory (LDAP, when configured) refreshes what it says of the person: name,
affiliations, department, groups, and the language of an account this sign-in made. At sign-out
the CAS session record (kept for CAS single logout) goes with the session.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest

from accounts import ldap, signin

logger = logging.getLogger(__name__)


def refresh_from_directory(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """The directory's entry onto the account; a directory that cannot be asked never stops the
    sign-in."""
    try:
        signin.refresh_from_directory(user)
    except ldap.DirectoryUnavailable as error:
        logger.warning("Directory not read at the sign-in of account %s: %s", user.pk, error)


def forget_cas_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is None or not request.session.session_key:
        return
    from django_cas_ng.models import SessionTicket

    SessionTicket.objects.filter(session_key=request.session.session_key).delete()


def connect() -> None:
    user_logged_in.connect(refresh_from_directory, dispatch_uid="accounts.refresh_from_directory")
    user_logged_out.connect(forget_cas_session, dispatch_uid="accounts.forget_cas_session")
