"""Per-recipient reply addresses: `helpdesk+t<ticket>u<person>-<mac>@university.example`.

A reply to a notification comes back to the helpdesk's mailbox with this address in To/Cc/
Delivered-To; the address names the ticket and the person it was sent to, and the MAC proves the
helpdesk wrote it. Mail systems may lowercase the local part, so the MAC is base32 in lower case,
and nothing in the token depends on letter case. The address never expires: an old email's
reply still finds its ticket, and the ticket's state decides what happens to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.encoding import force_bytes

MAC_LENGTH = 16  # 80 bits of base32: guessing one is out of reach; the address stays < 64 chars
_TOKEN = re.compile(r"^t(?P<ticket>[0-9]{1,12})u(?P<person>[0-9]{1,12})-(?P<mac>[a-z2-7]{16})$")


@dataclass(frozen=True)
class ReplyToken:
    ticket_id: int
    person_id: int


def replies_enabled() -> bool:
    """Replies by email are on when the helpdesk has a reply address and reads its mailbox."""
    return bool(settings.INBOUND_REPLY_ADDRESS)


def _mac(ticket_id: int, person_id: int) -> str:
    key = hashlib.sha256(force_bytes("helpdesk.reply-address:" + settings.SECRET_KEY)).digest()
    digest = hmac.new(key, f"{ticket_id}:{person_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:MAC_LENGTH]


def token_for(ticket_id: int, person_id: int) -> str:
    return f"t{ticket_id}u{person_id}-{_mac(ticket_id, person_id)}"


def reply_address(ticket_id: int, person_id: int) -> str:
    """The address a reply from this person about this ticket should go to ("" when off)."""
    if not replies_enabled():
        return ""
    local, _, domain = settings.INBOUND_REPLY_ADDRESS.rpartition("@")
    return f"{local}+{token_for(ticket_id, person_id)}@{domain}"


def read_token(address: str) -> ReplyToken | None:
    """The ticket and person an address of ours names, or None (not ours, or a forged MAC)."""
    if not replies_enabled() or "@" not in address:
        return None
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    base_local, _, base_domain = settings.INBOUND_REPLY_ADDRESS.lower().rpartition("@")
    if domain != base_domain or not local.startswith(base_local + "+"):
        return None
    match = _TOKEN.match(local[len(base_local) + 1 :])
    if match is None:
        return None
    ticket_id, person_id = int(match["ticket"]), int(match["person"])
    if not hmac.compare_digest(match["mac"], _mac(ticket_id, person_id)):
        return None
    return ReplyToken(ticket_id=ticket_id, person_id=person_id)
