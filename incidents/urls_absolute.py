"""Addresses of an incident's pages as a mail client or a portal reaches them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from incidents.models import Incident


def public_url(incident: Incident) -> str:
    return settings.SITE_URL + incident.get_public_url()
