"""The institution's look: its name, logo and colours, from settings, kept readable.

The colours reach pages as CSS custom properties in a stylesheet the helpdesk serves itself
(`brand.css`): the Content-Security-Policy refuses inline styles. Whatever colours a deployment
chooses, text on them keeps WCAG AA contrast (4.5:1): text on the brand colour is white or
near-black, whichever reads better, and links drawn in the brand colour on white are darkened until
they reach 4.5:1.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.templatetags.static import static

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
WHITE = "#ffffff"
DARK = "#212529"  # Bootstrap's body text
AA_CONTRAST = 4.5


def parse(colour: str) -> tuple[int, int, int]:
    """`#rgb` or `#rrggbb` as three 0-255 channels; ValueError for anything else."""
    if not HEX_COLOUR.match(colour or ""):
        raise ValueError(f"not a #rgb or #rrggbb colour: {colour!r}")
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in parse(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: str) -> str:
    """White or near-black, whichever contrasts more with the background (always >= 4.5:1)."""
    best = max((WHITE, DARK), key=lambda text: contrast(text, background))
    if contrast(best, background) >= AA_CONTRAST:
        return best
    return max(("#000000", WHITE), key=lambda text: contrast(text, background))


def readable_on_white(colour: str) -> str:
    """The colour, darkened just enough to be read as text on white."""
    rgb = parse(colour)
    for step in range(21):
        factor = 1 - step / 20
        darker = to_hex((round(rgb[0] * factor), round(rgb[1] * factor), round(rgb[2] * factor)))
        if contrast(darker, WHITE) >= AA_CONTRAST:
            return darker
    return "#000000"


@dataclass(frozen=True)
class Brand:
    """What the header, the buttons and the links are drawn with."""

    primary: str  # the header's background and the primary buttons'
    on_primary: str  # text on it
    link: str  # the primary colour as text on white (links, outline buttons)
    accent: str  # the stripe under the header

    @property
    def dark(self) -> bool:
        """The brand colour is dark (light text on it): Bootstrap's dark navbar theme."""
        return self.on_primary == WHITE

    def stylesheet(self) -> str:
        """The custom properties, and Bootstrap's primary button and link variables, as CSS."""
        r, g, b = parse(self.link)
        return (
            ":root {\n"
            f"  --hd-brand: {self.primary};\n"
            f"  --hd-on-brand: {self.on_primary};\n"
            f"  --hd-brand-text: {self.link};\n"
            f"  --hd-accent: {self.accent};\n"
            f"  --bs-link-color: {self.link};\n"
            f"  --bs-link-color-rgb: {r}, {g}, {b};\n"
            f"  --bs-link-hover-color: {self.link};\n"
            f"  --bs-link-hover-color-rgb: {r}, {g}, {b};\n"
            "}\n"
        )

    @property
    def version(self) -> str:
        """Changes when the colours do: the stylesheet's URL carries it, so it can be cached."""
        return hashlib.sha256(self.stylesheet().encode()).hexdigest()[:12]


@cache
def _brand(primary: str, accent: str) -> Brand:
    return Brand(
        primary=primary.lower(),
        on_primary=text_on(primary),
        link=readable_on_white(primary),
        accent=accent.lower(),
    )


def brand() -> Brand:
    """The deployment's colours (BRAND_PRIMARY_COLOR, BRAND_ACCENT_COLOR), made readable."""
    return _brand(settings.BRAND_PRIMARY_COLOR, settings.BRAND_ACCENT_COLOR)


def logo_url() -> str:
    """INSTITUTION_LOGO as a URL: a path among the static files ("img/logo.svg"), or a path or
    address kept as written ("/media/logo.png"); empty without a logo."""
    logo = settings.INSTITUTION_LOGO
    if not logo:
        return ""
    if logo.startswith(("/", "https://", "http://")):
        return logo
    return static(logo)
