from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Values every page shows: the site's name."""
    return {"SITE_NAME": settings.SITE_NAME}
