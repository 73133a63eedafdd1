"""Header values as people wrote them: 8-bit bytes and RFC 2047 encoded words decoded, addresses
split before their names are decoded, message ids and dates normalised. A value that cannot be
decoded reads as UTF-8, else Windows-1252: never an exception."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from accounts.text import clean_line


def raw_headers(message: Message, name: str) -> list[str]:
    """The header's values as received, 8-bit bytes decoded (UTF-8, else Windows-1252)."""
    values = []
    for key, value in message.raw_items() if hasattr(message, "raw_items") else message.items():
        if key.lower() != name.lower():
            continue
        if not isinstance(value, str):
            value = str(value)
        values.append(decode_8bit(value))
    return values


def decode_8bit(value: str) -> str:
    """A header value read from raw bytes (8-bit bytes kept as surrogates) as text."""
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value
    return decode_bytes(data, None)


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; an unknown charset reads as UTF-8 or Windows-1252."""
    value = re.sub(r"\r?\n[ \t]+", " ", value)
    if "=?" not in value:
        return value
    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - a malformed encoded word stays as written
        return value
    # Plain runs keep their blanks; blanks between two encoded words are already gone.
    return "".join(
        decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in parts
    )


def header(message: Message, name: str) -> str:
    values = raw_headers(message, name)
    return decode_words(values[0]).strip() if values else ""


def addresses(message: Message, name: str) -> list[tuple[str, str]]:
    found = []
    # Addresses are split before encoded words are decoded: a decoded name may hold a comma.
    try:
        pairs = getaddresses(raw_headers(message, name))
    except Exception:  # noqa: BLE001 - e.g. thousands of nested comments: no address read
        return []
    for display, address in pairs:
        address = clean_line(address).strip("<>").lower()
        if "@" not in address:
            continue
        found.append((clean_line(decode_words(display)), address))
    return found


def first_address(message: Message, name: str) -> tuple[str, str]:
    found = addresses(message, name)
    return found[0] if found else ("", "")


_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> tuple[str, ...]:
    """The <ids> of a Message-ID, In-Reply-To or References value, each once; a bare id with
    an @ gets its angle brackets."""
    ids = [f"<{found}>" for found in _MESSAGE_ID.findall(value)]
    if not ids:
        ids = [f"<{token}>" for token in value.split() if "@" in token and "<" not in token]
    return tuple(dict.fromkeys(ids))


def date(value: str) -> datetime | None:
    """An aware datetime (a date without zone is taken as UTC), or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes as text, never an exception: the declared charset when it is known and fits, else
    UTF-8, else Windows-1252. A declared ASCII or Latin-1 reads as UTF-8 when the bytes are
    valid UTF-8 (a common mislabel; real Latin-1 text is almost never valid UTF-8), else as
    Windows-1252, its superset that Windows clients write under the Latin-1 label."""
    charset = (charset or "").strip().strip('"').lower()
    if charset in _LATIN_LABELS:
        candidates = ["utf-8", "windows-1252"]
    else:
        candidates = [charset, "utf-8", "windows-1252"] if charset else ["utf-8", "windows-1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


_LATIN_LABELS = frozenset(
    {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252"}
)
