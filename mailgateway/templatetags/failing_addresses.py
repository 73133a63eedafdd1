"""`{% failing_address email %}`: agents see beside an email address that our emails bounce."""

from __future__ import annotations

from django import template

from mailgateway.models import FailingAddress

register = template.Library()


@register.inclusion_tag("mailgateway/_failing_address.html")
def failing_address(email: str) -> dict:
    """One query: the address's bounce record, if any."""
    failing = FailingAddress.objects.filter(email=(email or "").lower()).first() if email else None
    return {"failing": failing}
