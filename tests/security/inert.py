"""Checks that an HTML document runs nothing that people typed.

Parses the document with the standard library's parser (as lenient as a browser about broken
markup) and lists what would be active: script elements other than the helpdesk's own static
files, event-handler attributes, `javascript:`/`data:`/`vbscript:` addresses, frames, plugins,
styles that load or compute something, base elements.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
FORBIDDEN_TAGS = {"iframe", "frame", "object", "embed", "applet", "base", "meta", "link", "style"}
# The helpdesk's own static files and the admin's translation catalogue.
OWN_SCRIPTS = ("/static/", "/admin/jsi18n/")
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
# Whitespace and control characters a browser ignores inside a scheme ("java\tscript:").
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")


class _Finder(HTMLParser):
    def __init__(self, *, head_allowed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.head_allowed = head_allowed
        self.in_head = False
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self.in_script = True
            if not values.get("src", "").startswith(OWN_SCRIPTS):
                self.problems.append(f"<script> not from /static/: {attrs}")
        elif tag in FORBIDDEN_TAGS and not (self.in_head and self.head_allowed):
            self.problems.append(f"<{tag}> element: {attrs}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES:
                compact = IGNORED_IN_SCHEME.sub("", value).lower()
                if compact.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style":
                compact = value.lower()
                if "expression(" in compact or "url(" in compact or "javascript:" in compact:
                    self.problems.append(f"style={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def active_content(html: str, *, head_allowed: bool = True) -> list[str]:
    """What in `html` would run or load something; empty when the document is inert.

    `head_allowed`: the page's own <link>, <meta> and <style> in <head> are not counted (emails
    carry a <style> there; pages link their style sheets).
    """
    finder = _Finder(head_allowed=head_allowed)
    finder.feed(html)
    finder.close()
    return finder.problems
