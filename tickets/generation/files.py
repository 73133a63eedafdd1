"""Small real files for the demo's attachments: a PNG screenshot of an error, a one-page PDF.

Made from scratch (zlib and a few bytes of PDF syntax), so that opening a demo attachment shows
something of the type it claims, without an imaging library.
"""

from __future__ import annotations

import random
import struct
import zlib

PDF_TITLES = {
    "attestation.pdf": "Attestation de réussite",
    "releve.pdf": "Relevé de notes",
    "facture.pdf": "Facture",
}


def sample(name: str, content_type: str, *, seed: int) -> bytes:
    """A small file of `content_type` (PNG, PDF or plain text), the same for the same seed."""
    if content_type == "image/png":
        return screenshot_png(seed)
    if content_type == "application/pdf":
        return document_pdf(PDF_TITLES.get(name, name), seed)
    if content_type == "text/plain":
        return f"{name}\n".encode()
    raise ValueError(f"No sample file of type {content_type}")


def _png(width: int, height: int, pixels: bytearray) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    stride = width * 3
    raw = b"".join(
        b"\x00" + bytes(pixels[row * stride : (row + 1) * stride]) for row in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def screenshot_png(seed: int, width: int = 320, height: int = 180) -> bytes:
    """A window with a title bar, a red error icon, lines of text and a button."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    pixels = bytearray(bytes((236, 239, 243)) * (width * height))

    def box(x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        span = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * width + x0) * 3
            pixels[start : start + len(span)] = span

    box(20, 20, 300, 160, (120, 130, 140))
    box(21, 21, 299, 159, (255, 255, 255))
    box(21, 21, 299, 42, rng.choice([(31, 95, 168), (0, 102, 84), (90, 60, 140)]))
    box(36, 58, 64, 86, (198, 40, 40))
    box(48, 62, 52, 76, (255, 255, 255))
    box(48, 79, 52, 83, (255, 255, 255))
    for line in range(3):
        box(78, 60 + line * 14, 78 + rng.randint(110, 200), 66 + line * 14, (60, 60, 60))
    box(210, 124, 284, 148, (31, 95, 168))
    box(230, 134, 264, 138, (255, 255, 255))
    return _png(width, height, pixels)


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", "replace")


def document_pdf(title: str, seed: int) -> bytes:
    """A one-page A4 PDF with a title and a few lines of text (Helvetica, accents included)."""
    number = random.Random(seed).randint(10_000, 99_999)  # noqa: S311 - a reference, no secret
    lines = [
        (20, title),
        (11, "Université de démonstration"),
        (11, f"Document n° {number}"),
        (11, "Pièce jointe d'un ticket du service d'assistance."),
    ]
    content = b"BT /F1 20 Tf 72 760 Td"
    for position, (size, text) in enumerate(lines):
        if position:
            content += b" /F1 %d Tf 0 -%d Td" % (size, 32 if position == 1 else 18)
        content += b" (" + _pdf_text(text) + b") Tj"
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number_, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number_ + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
