"""A reply address names one ticket and one person, and only the helpdesk can write one."""

from __future__ import annotations

from django.test import override_settings

from notifications import reply_address

ON = override_settings(INBOUND_REPLY_ADDRESS="helpdesk@univ.example")


@ON
def test_an_address_reads_back_as_its_ticket_and_person() -> None:
    address = reply_address.reply_address(4821, 77)
    assert address.startswith("helpdesk+t4821u77-")
    assert address.endswith("@univ.example")
    assert reply_address.read_token(address) == reply_address.ReplyToken(4821, 77)


@ON
def test_mail_systems_that_change_letter_case_or_add_brackets_do_not_matter() -> None:
    address = reply_address.reply_address(5, 6)
    assert reply_address.read_token(f"<{address.upper()}>") == reply_address.ReplyToken(5, 6)


@ON
def test_another_ticket_or_person_in_a_real_token_is_refused() -> None:
    address = reply_address.reply_address(5, 6)
    assert reply_address.read_token(address.replace("t5u6", "t7u6")) is None
    assert reply_address.read_token(address.replace("t5u6", "t5u8")) is None


@ON
def test_addresses_that_are_not_ours_are_ignored() -> None:
    token = reply_address.token_for(5, 6)
    assert reply_address.read_token(f"helpdesk+{token}@elsewhere.example") is None
    assert reply_address.read_token(f"other+{token}@univ.example") is None
    assert reply_address.read_token("helpdesk@univ.example") is None
    assert reply_address.read_token("not an address") is None


@ON
def test_the_local_part_stays_within_the_smtp_limit() -> None:
    local = reply_address.reply_address(999_999_999_999, 999_999_999_999).split("@")[0]
    assert len(local) <= 64


def test_without_a_reply_address_nothing_is_offered_or_read() -> None:
    assert reply_address.reply_address(1, 2) == ""
    with ON:
        address = reply_address.reply_address(1, 2)
    assert reply_address.read_token(address) is None
