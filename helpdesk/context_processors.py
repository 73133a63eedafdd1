from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from helpdesk import auth, branding
from tickets import permissions


def site(request: HttpRequest) -> dict:
    """Values every page shows: the site's and the institution's names, the institution's logo and
    colours, and which of the desk's links the header offers."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "INSTITUTION_NAME": settings.INSTITUTION_NAME,
        "INSTITUTION_LOGO_URL": SimpleLazyObject(branding.logo_url),
        "BRAND": SimpleLazyObject(branding.brand),
        "header_links": SimpleLazyObject(lambda: header_links(getattr(request, "user", None))),
    }


def header_links(user: Any) -> dict[str, bool]:
    """The desk's links for agents, heads and superusers: the desk and its queues
    (`permissions.can_use_desk`), the statistics (`permissions.can_read_stats`). Requesters get
    none.

    Read from what the request already loaded: the memberships flag the session's user comes with,
    else the memberships cached on the user (one query the first time).
    """
    if user is None or not user.is_authenticated:
        return {"desk": False, "stats": False}
    works = auth.works_in_a_service(user)
    if works is None:
        return {"desk": permissions.can_use_desk(user), "stats": permissions.can_read_stats(user)}
    # The same people as those two functions: superusers and members of an active service.
    at_desk = bool(user.is_active and (user.is_superuser or works))
    return {"desk": at_desk, "stats": at_desk}
