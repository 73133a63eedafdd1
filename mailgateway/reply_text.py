"""The new text of a reply: what its author typed, without the history their client quoted.

mail-parser-reply (French and English) splits a body at the quote headers of the common clients
and strips signatures; the rules here come first for what it misses: our own reply marker, the
separators of Outlook and of forwards, French Outlook's "De : / Envoyé :" block, quoted lines
and the "Sent from my phone" lines.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailMessage

REPLY_MARKER = "##- Please type your reply above this line -##"

# Found anywhere on a line, then cut from the start of that line. Bounded: a hostile line of
# "##-" must not cost quadratic time.
_MARKER = re.compile(
    r"##-[^\n]{0,200}-##|type your reply above this line|reply above this line"
    r"|au-dessus de cette ligne|au dessus de cette ligne",
    re.IGNORECASE,
)
# Lines that start the quoted or forwarded message: everything from there on is history.
_SEPARATORS = re.compile(
    r"^[ \t]*(?:"
    r"-{3,}[ \t]*(?:Original Message|Message d'origine|Message original|Forwarded message"
    r"|Message transféré|Message transfere|Courriel original|Mail original)[ \t]*-{3,}"
    r"|_{20,}"
    r"|Begin forwarded message:|Début du message réexpédié[ \t]*:"
    r")[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# An Outlook header block: at least two of From/Sent/To/Subject lines in a row, English or
# French ("De : ", "Envoyé : ", "À : ", "Objet : "), bold markers allowed.
_HEADER_NAMES = (
    r"From|Sent|Date|To|Cc|Subject|De|Envoyé|Envoye|Date d'envoi|À|A|Cc|Objet|Destinataire"
)
_HEADER_BLOCK = re.compile(
    rf"^[ \t*]*(?:{_HEADER_NAMES})[ \t*]*:.*\n(?:[ \t*]*\n)?[ \t*]*(?:{_HEADER_NAMES})[ \t*]*:",
    re.MULTILINE,
)
# The end of "On <date>, <name> wrote:" / "Le <date>, <name> a écrit :" (see `_attributions`).
_WROTE_END = re.compile(r"(?:wrote|a\s+[ée]crit)[\s\u00a0\u202f]*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^[> \t]*(?:On|Le)\s", re.IGNORECASE)
_MOBILE = re.compile(
    r"^[ \t]*(?:Sent from my|Sent from Outlook|Get Outlook for|Sent from Mail for|Envoyé de mon"
    r"|Envoyé depuis mon|Envoyé à partir de|Télécharger Outlook|Obtenir Outlook"
    r"|(?:Sent with|Envoyé avec) (?:Proton ?Mail|Spark|BlueMail|Blue Mail|BlackBerry))\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
# A formal sign-off alone on its line; what follows it is a signature when it is short.
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:(?:(?:bien|très|tres|sincères|sinceres) )?(?:cordialement|salutations)"
    r"|bien à vous|bien a vous|meilleures salutations|salutations distinguées"
    r"|bonne (?:journée|journee|soirée|soiree|fin de journée|fin de journee)"
    r"|best regards|kind regards|warm regards|regards|best wishes|sincerely|yours sincerely)"
    r"[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE_LINES = 8
# "Cordialement,", "Best regards, Alice Martin": longer first lines are sentences.
_SIGN_OFF_LENGTH = 40
# mail-parser-reply's patterns take quadratic time on long lines: it reads only texts this short.
_LIBRARY_MAX_CHARS = 20_000
_LIBRARY_MAX_LINE = 1_000
# The usenet signature delimiter ("-- ", also without its trailing space).
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_QUOTED = re.compile(r"^[ \t]*>")
_BLANKS = re.compile(r"\n{3,}")


def strip_reply(text: str) -> str:
    """The text typed above the quoted history, without signature or quoted lines.

    A bottom-posted reply (nothing but quotes above the answer) keeps its unquoted lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [found.start() for p in (_SEPARATORS, _HEADER_BLOCK) if (found := p.search(text))]
    if found := _MARKER.search(text):
        starts.append(text.rfind("\n", 0, found.start()) + 1)
    attributions = _attributions(text)
    starts += [span[0] for span in attributions[:1]]
    start = min(starts, default=len(text))
    above = _unquoted(text[:start])
    if not above.strip() and _bottom_posted(_without(text[start:], _attributions(text[start:]))):
        above = _unquoted(_without(text, attributions))
    text = _cut_sign_off(_cut(above, _SIGNATURE))
    text = _MOBILE.sub("", text)
    if text.strip():
        text = _library_reply(text)
    return _BLANKS.sub("\n\n", text).strip()


def _attributions(text: str) -> list[tuple[int, int]]:
    """Where the "On <date>, <name> wrote:" lines are, folded over up to three lines, in linear
    time: a line that starts like one and has a digit, ended by "wrote:" on it or on one of the
    next two lines."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    spans = []
    for index, line in enumerate(lines):
        if len(line) > 500 or not _ATTRIBUTION_START.match(line):
            continue
        if not any(ch.isdigit() for ch in line):
            continue
        for last in range(index, min(index + 3, len(lines))):
            tail = " ".join(lines[index : last + 1])[-40:]
            if _WROTE_END.search(tail):
                spans.append((offsets[index], offsets[last + 1] - 1))
                break
    return spans


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    kept, position = [], 0
    for start, end in spans:
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return "".join(kept)


def _cut_sign_off(text: str) -> str:
    """The text without its last formal sign-off and the few lines of signature after it."""
    last = None
    for last in _SIGN_OFF.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    if last is None or last.start() == 0:
        return text
    after = [line for line in text[last.end() :].split("\n") if line.strip()]
    return text[: last.start()] if len(after) <= _SIGNATURE_LINES else text


def _cut(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    return text[: match.start()] if match else text


def _unquoted(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not _QUOTED.match(line))


def _bottom_posted(history: str) -> bool:
    """The history (its attribution lines removed) starts with quoted lines, and unquoted lines
    follow them, none of which starts a forward or an Outlook header block."""
    lines = [line for line in history.split("\n") if line.strip()]
    if not lines or not _QUOTED.match(lines[0]):
        return False
    rest = _unquoted("\n".join(lines))
    return bool(rest.strip()) and not any(
        pattern.search(rest) for pattern in (_MARKER, _SEPARATORS, _HEADER_BLOCK)
    )


def _library_reply(text: str) -> str:
    """The first reply mail-parser-reply finds, without its header and signature.

    Its disclaimer rules are not applied (they would drop a person's "Warning: my mailbox is
    full"), nor a signature whose first line is a sentence rather than a sign-off ("Thanks, but
    it still fails" starts a paragraph, not a signature) or that goes on for long."""
    if len(text) > _LIBRARY_MAX_CHARS or any(
        len(line) > _LIBRARY_MAX_LINE for line in text.split("\n")
    ):
        # What a person types above a quote is far shorter, and the rules above have already
        # cut the history.
        return text
    try:
        message = EmailMessage(text=text, languages=["fr", "en"], keep_hyphen_lists=True).read()
    except Exception:  # noqa: BLE001 - a regex surprise must not lose the message
        return text
    if not message.replies:
        return text
    reply = message.replies[0]
    body = reply.content
    signature = [line for line in reply.signatures.split("\n") if line.strip()]
    if (
        signature
        and len(signature[0]) <= _SIGN_OFF_LENGTH
        and len(signature) <= _SIGNATURE_LINES + 1
    ):
        body = body.replace(reply.signatures, "")
    if reply.headers:
        body = body.replace(reply.headers, "")
    return body.strip()


def unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed text as written: soft line breaks joined, space-stuffing removed,
    quote depth kept."""
    out: list[str] = []
    paragraph: str | None = None
    depth_of_paragraph = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        depth = len(raw) - len(raw.lstrip(">"))
        line = raw[depth:]
        if line.startswith(" "):
            line = line[1:]
        flowed = line.endswith(" ") and line != "-- "
        if paragraph is not None and depth != depth_of_paragraph:
            out.append(">" * depth_of_paragraph + (" " if depth_of_paragraph else "") + paragraph)
            paragraph = None
        if flowed and delsp:
            line = line[:-1]
        paragraph = line if paragraph is None else paragraph + line
        depth_of_paragraph = depth
        if not flowed:
            out.append(">" * depth + (" " if depth and paragraph else "") + paragraph)
            paragraph = None
    if paragraph is not None:
        out.append(">" * depth_of_paragraph + (" " if depth_of_paragraph else "") + paragraph)
    return "\n".join(out)
