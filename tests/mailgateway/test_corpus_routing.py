"""Every message of the corpus (tests/mailgateway/corpus, real-world shapes from real mail clients
and servers) through the gateway: each role has its outcome.

| role       | outcome                                                        |
|------------|----------------------------------------------------------------|
| reply      | a comment by the sender on the ticket its reply address names  |
| new-ticket | a ticket by email, in the mailbox's category, for the sender   |
| auto       | ignored as automatic: no comment, no ticket, no answer         |
| bounce     | the bounced addresses marked failing, nothing else             |
| spoof      | refused with an automatic answer to the sender, nothing else   |

A reply's or a new ticket's files are each on the ticket (inline images included) or named, with
the reason, in the automatic answer to the sender.

The corpus names ticket 42 and person 7 with a made-up reply address; each test signs a real one
for its own ticket and the person who replies, in the same place.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailgateway.models import FailingAddress, InboundMessage
from notifications.reply_address import token_for
from tests.factories import TicketFactory, UserFactory
from tests.mailgateway.conftest import answers, receive
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text()) if CORPUS.exists() else {}
PLACEHOLDER = b"t42u7-abcdefghijklmnop"
Status = InboundMessage.Status


@pytest.fixture(autouse=True)
def _corpus_addresses(settings) -> None:
    """The corpus's helpdesk: replies to helpdesk@university.example, Message-IDs of
    helpdesk.university.example."""
    settings.INBOUND_REPLY_ADDRESS = "helpdesk@university.example"
    settings.SITE_URL = "https://helpdesk.university.example"
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <helpdesk@university.example>"
    settings.INBOUND_MAX_BYTES = 25 * 1024 * 1024


def test_the_corpus_is_large_enough():
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_message_has_its_outcome(world, name):
    expected = EXPECTED[name]
    role = expected["role"]
    raw = (CORPUS / name).read_bytes()
    sender = expected["sender"].lower()
    owner = world.requester
    if role == "reply":
        owner = UserFactory(email=sender)
    ticket = TicketFactory(requester=owner, category=world.category, subject="Corpus")
    raw = raw.replace(PLACEHOLDER, token_for(ticket.pk, owner.pk).encode())
    tickets_before = Ticket.objects.count()

    inbound = receive(world.mailbox, raw)

    comments = list(ticket.events.filter(action="comment"))
    if role == "reply":
        assert inbound.status == Status.PROCESSED, inbound.outcome
        assert [c.actor for c in comments] == [owner]
        assert inbound.event == comments[0]
    elif role == "new-ticket":
        assert inbound.status == Status.PROCESSED, inbound.outcome
        assert inbound.ticket.origin == Ticket.Origin.EMAIL
        assert inbound.ticket.category == world.category
        assert inbound.ticket.requester.email == sender
        assert Ticket.objects.count() == tickets_before + 1
    elif role == "auto":
        assert inbound.status == Status.IGNORED, inbound.outcome
        assert comments == [] and answers() == []
        assert Ticket.objects.count() == tickets_before
    elif role == "bounce":
        assert inbound.status == Status.IGNORED, inbound.outcome
        failing = set(FailingAddress.objects.values_list("email", flat=True))
        assert failing == {address.lower() for address in expected["bounce_recipients"]}
        assert comments == [] and answers() == []
    elif role == "spoof":
        assert inbound.status == Status.REFUSED, inbound.outcome
        assert comments == []
        [answer] = answers()
        assert answer.email == sender and answer.kind == "inbound_refused"
    else:
        pytest.fail(f"unknown role {role!r}")
    if role in ("reply", "new-ticket"):
        _check_files(expected, inbound.ticket)


def _check_files(expected: dict, ticket: Ticket) -> None:
    stored = {a.original_name for a in ticket.attachments.all()}
    refused = {
        item["name"]
        for answer in answers()
        for item in answer.payload["context"].get("refused_files", [])
    }
    for attachment in expected["attachments"]:
        name = attachment["name"]
        assert name in stored or name in refused, (name, stored, refused)
        if attachment["inline"] and name.endswith(".png"):
            assert name in stored, f"inline image {name} not kept"
