"""Untrusted text (descriptions, comments, questions, resolutions) as safe HTML.

People write Markdown; HTML they type is shown as text; Python-Markdown turns the rest into HTML
and nh3 (a maintained sanitizer) keeps only the tags and attributes listed here.
Whatever someone types, the result carries no script, no event handler, no style, no image and no
link to a `javascript:` or `data:` address.
"""

from __future__ import annotations

import functools
import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

# Text formatting only: no headings (they would break the page's outline), no images (a remote
# image tells its host who read the ticket and when), no tables, no raw layout elements.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "hr",
        "i",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
# Elements removed with everything inside them (the rest keep their text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "svg", "math"})
MARKDOWN_EXTENSIONS = ("nl2br", "sane_lists", "fenced_code")
# Characters a browser, or a mail client, may ignore inside an address ("java\tscript:").
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drops a link whose address, once stripped of blanks and control characters, names a
    scheme that is not allowed (nh3 checks the address as written)."""
    if attribute == "href":
        scheme = SCHEME.match(IGNORED_IN_URL.sub("", value).lower())
        if scheme and scheme.group(1) not in ALLOWED_URL_SCHEMES:
            return None
    return value


def sanitize(html: str) -> str:
    """HTML reduced to the allowed tags and attributes; links get `rel` and safe schemes only."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


_local = threading.local()
# The conversions kept per process: the messages of the tickets being worked on (a few KB
# each); a longer text (a pasted log) is converted every time rather than kept.
RENDERED_KEPT = 2048
LONGEST_KEPT = 20_000


def _new_converter() -> markdown_lib.Markdown:
    """A Markdown converter for which HTML typed by someone is text, not markup.

    `<b>` typed in a comment shows as `<b>`: people paste error messages and code. nh3 then
    cleans what Markdown itself produced, as a second line of defence.
    """
    converter = markdown_lib.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    # An image stays text: nothing is fetched from another host when the page opens.
    converter.inlinePatterns.deregister("image_link")
    converter.inlinePatterns.deregister("image_reference")
    converter.inlinePatterns.deregister("short_image_ref")
    return converter


def _converter() -> markdown_lib.Markdown:
    """This thread's converter: building one costs more than converting a comment."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = _new_converter()
    return converter


def render(text: str | None) -> SafeString:
    """Markdown typed by someone, as HTML that is safe to put in a page or an email.

    The HTML depends on the text alone, and a message's text never changes once written, while
    its ticket page shows it again at every visit: the latest conversions are kept in memory."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    text = str(text)
    return _render(text) if len(text) <= LONGEST_KEPT else _render.__wrapped__(text)


@functools.lru_cache(maxsize=RENDERED_KEPT)
def _render(text: str) -> SafeString:
    html = _converter().reset().convert(text)
    return mark_safe(sanitize(html))  # noqa: S308 - sanitized by nh3 just above
