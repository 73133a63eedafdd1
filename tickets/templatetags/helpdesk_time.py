"""Dates in pages: `{% time_tag moment %}` writes the exact date, `{% relative_time moment %}` how
long ago it was, with the exact date at hand.

`time_tag` writes what `<time datetime="{{ x|date:'c' }}">{{ x|date:FORMAT }}</time>` writes
(FORMAT: SHORT_DATETIME_FORMAT unless told), converting to local time once instead of twice: queue
pages show two dates per row. The formats are the page language's (helpdesk/formats: "2 déc. 2026,
11:27", "2 Dec 2026, 11:27").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

register = template.Library()

# Closer than this to now, a moment is "just now" rather than "0 minutes ago".
JUST_NOW = timedelta(minutes=1)


@register.simple_tag
def time_tag(moment: datetime | None, format_name: str = "SHORT_DATETIME_FORMAT") -> SafeString:
    if moment is None:
        return SafeString("")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    shown = formats.date_format(moment, format_name)
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), shown)


def relative_text(moment: datetime, now: datetime | None = None) -> str:
    """ "3 hours ago", "in 2 days", "just now": the largest unit only, in the active language."""
    now = now or timezone.now()
    if abs(now - moment) < JUST_NOW:
        return gettext("just now")
    if moment <= now:
        return gettext("%(delta)s ago") % {"delta": timesince(moment, now, depth=1)}
    return gettext("in %(delta)s") % {"delta": timeuntil(moment, now, depth=1)}


@register.simple_tag
def relative_time(moment: datetime | None, focusable: bool = True) -> SafeString:
    """`<time>` showing how long ago, with the exact date in its title (mouse), in its text for
    screen readers (visually hidden) and shown beside it when it has the keyboard's focus.

    `focusable=False` leaves it out of the Tab order, for long lists where every row has one.
    """
    if moment is None:
        return SafeString("")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    exact = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return format_html(
        '<time class="hd-relative-time" datetime="{}" title="{}" data-exact="{}"{}>{}'
        '<span class="visually-hidden"> ({})</span></time>',
        moment.isoformat(),
        exact,
        exact,
        SafeString(' tabindex="0"') if focusable else SafeString(""),
        relative_text(moment),
        exact,
    )
