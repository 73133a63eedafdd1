"""The status page as Atom and RSS feeds, for the ENT and the university's portal to show."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.models import Incident


class StatusFeed(Feed):
    """Ongoing and recently resolved public incidents, the most recently changed first, in the
    language the request asks for (Accept-Language or the language cookie)."""

    def title(self) -> str:
        return _("Service status: known incidents")

    def link(self) -> str:
        return reverse("incidents:status")

    def description(self) -> str:
        return _("Ongoing incidents and those resolved in the last %(days)s days.") % {
            "days": selectors.RECENT_DAYS
        }

    @property
    def language(self) -> str:  # type: ignore[override]
        return translation.get_language() or "fr"

    def items(self) -> list[Incident]:
        return selectors.feed_items()

    def item_title(self, item: Incident) -> str:
        state = _("Ongoing") if item.is_ongoing else _("Resolved")
        return f"[{state}] {item.service.name} · {item.title}"

    def item_description(self, item: Incident) -> str:
        parts = [item.message]
        updates = list(item.updates.all())
        if updates:
            parts.append(updates[0].text)
        return "\n\n".join(parts)

    def item_link(self, item: Incident) -> str:
        return item.get_public_url()

    def item_guid(self, item: Incident) -> str:
        return f"incident-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Incident) -> datetime:
        return item.declared_at

    def item_updateddate(self, item: Incident) -> datetime:
        updates = list(item.updates.all())
        return max([item.declared_at] + [u.created_at for u in updates])

    def item_categories(self, item: Incident) -> list[str]:
        return [item.service.name]


class StatusAtomFeed(StatusFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
