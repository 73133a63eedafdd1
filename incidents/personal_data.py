"""The incidents' part of a person's data (see accounts.personal_data): the incidents they said
affect them, and those they declared.

Anonymizing changes nothing here: the rows point to the account, which keeps its place under the
pseudonym, so the incidents' figures (tickets avoided) stay true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import personal_data
from incidents.models import AffectedPerson, Incident

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    personal_data.register("incidents", incidents)


def incidents(user: User) -> dict[str, Any]:
    return {
        "affected_by": [
            {
                "incident": row.incident.reference,
                "title": row.incident.title,
                "since": row.created_at,
            }
            for row in AffectedPerson.objects.filter(user=user)
            .select_related("incident")
            .order_by("created_at", "pk")
        ],
        "declared": [
            {"incident": incident.reference, "title": incident.title, "at": incident.declared_at}
            for incident in Incident.objects.filter(declared_by=user).order_by("declared_at", "pk")
        ],
    }
