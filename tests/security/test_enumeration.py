"""A requester cannot learn which tickets exist: another person's ticket and a ticket that does
not exist give the same 404 page, on every page and move of the requester and of the desk."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.conftest import World

TICKET_URLS = [
    ("GET", "tickets:detail"),
    ("GET", "tickets:created"),
    ("GET", "tickets:closure"),
    ("POST", "tickets:comment"),
    ("POST", "tickets:add_attachment"),
    ("POST", "tickets:approve_closure"),
    ("POST", "tickets:refuse_closure"),
    ("POST", "tickets:mark_solved"),
    ("POST", "tickets:cancel"),
    ("POST", "tickets:reopen"),
    ("GET", "desk:detail"),
]


@pytest.mark.parametrize(("method", "name"), TICKET_URLS)
def test_someone_elses_ticket_and_a_missing_ticket_look_the_same(method, name, world: World):
    """404 with the same body for an existing ticket of someone else and for a free number."""
    client = Client()
    client.force_login(world.user("other"))
    missing_pk = world.other_ticket.pk + 1000
    existing = reverse(name, kwargs={"pk": world.ticket.pk})
    missing = reverse(name, kwargs={"pk": missing_pk})
    call = client.get if method == "GET" else client.post
    first, second = call(existing), call(missing)
    assert first.status_code == second.status_code == 404
    assert first.content == second.content


def test_attachment_numbers_reveal_nothing(world: World):
    """A file of someone else's ticket, an internal file and a missing file: the same 404.

    The requester of the ticket does not see the agents' internal file either."""
    owner = Client()
    owner.force_login(world.user("owner"))
    other = Client()
    other.force_login(world.user("other"))
    pk = world.ticket.pk

    def url(attachment_pk: int) -> str:
        return reverse("tickets:attachment", kwargs={"pk": pk, "attachment_pk": attachment_pk})

    missing = url(world.internal_attachment.pk + 1000)
    answers = [
        owner.get(url(world.internal_attachment.pk)),
        owner.get(missing),
        other.get(url(world.attachment.pk)),
        other.get(missing),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert len({answer.content for answer in answers}) == 1
    assert owner.get(url(world.attachment.pk)).status_code == 200
