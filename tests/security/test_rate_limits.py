"""Abuse limits: one person may file so many tickets and post so many comments in a period;
past the limit they get the readable "Too many attempts" page with status 429."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from helpdesk import ratelimit
from tests.security.conftest import World
from tickets.models import Ticket, TicketEvent


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("10/10m", (10, 600)),
        ("30/600", (30, 600)),
        ("5/s", (5, 1)),
        ("100/1h", (100, 3600)),
        ("1000/1d", (1000, 86400)),
        (" 3 / 2m ", (3, 120)),
        ("", None),
        ("0/10m", None),
    ],
)
def test_rates_are_read_as_count_per_period(rate, parsed):
    """ "<count>/<period>" with s, m, h or d; an empty rate or a zero count is no limit."""
    assert ratelimit.parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["ten per minute", "10/10w", "10", "/10m"])
def test_a_malformed_rate_is_a_configuration_error(rate):
    """A typo in TICKET_CREATE_RATE or COMMENT_RATE is reported, not silently ignored."""
    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rate(rate)


def test_the_count_starts_again_after_the_period(db):
    """Attempts are counted within the period; once it is over, the person may act again."""
    assert ratelimit.hit("ratelimit:test:1", 1, 1)
    assert not ratelimit.hit("ratelimit:test:1", 1, 1)
    time.sleep(1.1)
    assert ratelimit.hit("ratelimit:test:1", 1, 1)


def _create(client: Client, world: World, n: int):
    return client.post(
        reverse("tickets:create"),
        {
            "category": world.ticket.category.slug,
            "subject": f"Problem {n}",
            "description": "It does not work.",
            "priority": Ticket.Priority.NORMAL,
        },
    )


def test_filing_tickets_is_limited_per_person(world: World, settings):
    """With TICKET_CREATE_RATE=2/10m the third ticket in ten minutes is refused (429, readable
    page in the person's language) and not created; another person may still file tickets."""
    settings.TICKET_CREATE_RATE = "2/10m"
    owner = Client()
    owner.force_login(world.user("owner"))
    before = Ticket.objects.count()
    assert _create(owner, world, 1).status_code == 302
    assert _create(owner, world, 2).status_code == 302
    refused = _create(owner, world, 3)
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.content.decode()
    assert Ticket.objects.count() == before + 2
    # Looking at the form is not an attempt.
    assert owner.get(reverse("tickets:create")).status_code == 200
    other = Client()
    other.force_login(world.user("other"))
    assert _create(other, world, 4).status_code == 302


def test_no_limit_when_the_rate_is_empty(world: World, settings):
    """TICKET_CREATE_RATE="" turns the limit off."""
    settings.TICKET_CREATE_RATE = ""
    owner = Client()
    owner.force_login(world.user("owner"))
    assert all(_create(owner, world, n).status_code == 302 for n in range(5))


def test_requester_comments_are_limited(world: World, settings):
    """With COMMENT_RATE=2/10m the third comment is refused with 429 and not added."""
    settings.COMMENT_RATE = "2/10m"
    owner = Client()
    owner.force_login(world.user("owner"))
    url = reverse("tickets:comment", kwargs={"pk": world.ticket.pk})
    answers = [owner.post(url, {"comment-text": f"Comment {n}"}).status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert TicketEvent.objects.filter(ticket=world.ticket, action="comment").count() == 2


def test_agent_replies_and_notes_share_the_comment_limit(world: World, settings):
    """An agent's replies and internal notes count as comments; other moves are not limited."""
    settings.COMMENT_RATE = "2/10m"
    agent = Client()
    agent.force_login(world.user("agent"))
    reply = reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "reply"})
    assert agent.post(reply, {"reply-text": "First answer"}).status_code == 302
    assert agent.post(reply, {"reply-text": "A note", "internal": "1"}).status_code == 302
    refused = agent.post(reply, {"reply-text": "One too many"})
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.content.decode()
    assert not TicketEvent.objects.filter(text="One too many").exists()
    priority = reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "change_priority"})
    answer = agent.post(priority, {"change_priority-priority": Ticket.Priority.HIGH})
    assert answer.status_code == 302


def test_an_htmx_reply_past_the_limit_reloads_the_page_with_the_reason(world: World, settings):
    """htmx does not swap a 429: the answer asks for a reload, and the page shows why."""
    settings.COMMENT_RATE = "1/10m"
    agent = Client()
    agent.force_login(world.user("agent"))
    reply = reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "reply"})
    headers = {"HX-Request": "true"}
    assert agent.post(reply, {"reply-text": "First"}, headers=headers).status_code == 200
    refused = agent.post(reply, {"reply-text": "Second"}, headers=headers)
    assert refused.status_code == 429
    assert refused["HX-Refresh"] == "true"
    page = agent.get(reverse("desk:detail", kwargs={"pk": world.ticket.pk})).content.decode()
    assert "Trop de tentatives ont été faites depuis votre connexion en peu de temps." in page
