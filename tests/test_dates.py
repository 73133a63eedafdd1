"""Dates read as French and British readers write them, and relative times keep the exact date at
hand (helpdesk/formats, tickets/templatetags/helpdesk_time.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

from tickets.templatetags import helpdesk_time

MOMENT = datetime(2026, 12, 2, 10, 27, tzinfo=UTC)  # 11:27 in Paris


@pytest.mark.parametrize(
    ("language", "short_datetime", "short_date", "long_date", "axis"),
    [
        ("fr", "2 déc. 2026, 11:27", "2 déc. 2026", "2 décembre 2026", "2 déc."),
        ("en", "2 Dec 2026, 11:27", "2 Dec 2026", "2 December 2026", "2 Dec"),
    ],
)
def test_dates_in_each_language(settings, language, short_datetime, short_date, long_date, axis):
    """Day, month, year, and the 24-hour clock, in both languages: never the US order."""
    settings.TIME_ZONE = "Europe/Paris"
    local = timezone.localtime(MOMENT)
    with translation.override(language):
        assert formats.date_format(local, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.date_format(local, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(local, "DATE_FORMAT") == long_date
        assert formats.date_format(local, "MONTH_DAY_FORMAT") == axis
        html = Template("{% load helpdesk_time %}{% time_tag x %}").render(Context({"x": MOMENT}))
        assert html == f'<time datetime="{local.isoformat()}">{short_datetime}</time>'


def test_english_forms_read_day_first():
    """A date typed in English is read day first (02/03/2026 is the 2nd of March)."""
    from django import forms

    with translation.override("en"):
        assert forms.DateField().clean("02/03/2026").month == 3
        assert forms.DateField().clean("2026-03-02").day == 2


@pytest.mark.parametrize(
    ("delta", "fr", "en"),
    [
        (timedelta(seconds=20), "à l’instant", "just now"),
        (timedelta(hours=3, minutes=12), "il y a 3\xa0heures", "3\xa0hours ago"),
        (timedelta(days=2, hours=5), "il y a 2\xa0jours", "2\xa0days ago"),
        (-timedelta(days=1, hours=1), "dans 1\xa0jour", "in 1\xa0day"),
    ],
)
def test_relative_text_keeps_the_largest_unit(delta, fr, en):
    now = MOMENT + delta
    with translation.override("fr"):
        assert helpdesk_time.relative_text(MOMENT, now) == fr
    with translation.override("en"):
        assert helpdesk_time.relative_text(MOMENT, now) == en


def test_relative_time_shows_the_exact_date_on_hover_focus_and_to_screen_readers(settings):
    """The relative text, the exact date in the title (mouse), in visually hidden text (screen
    readers) and in data-exact (shown beside it on keyboard focus); in Tab order unless told."""
    settings.TIME_ZONE = "Europe/Paris"
    moment = timezone.now() - timedelta(hours=3, minutes=5)
    local = timezone.localtime(moment)
    with translation.override("en"):
        exact = formats.date_format(local, "SHORT_DATETIME_FORMAT")
        html = Template("{% load helpdesk_time %}{% relative_time x %}").render(
            Context({"x": moment})
        )
        quiet = Template("{% load helpdesk_time %}{% relative_time x focusable=False %}").render(
            Context({"x": moment})
        )
    assert html == (
        f'<time class="hd-relative-time" datetime="{local.isoformat()}" title="{exact}" '
        f'data-exact="{exact}" tabindex="0">3\xa0hours ago'
        f'<span class="visually-hidden"> ({exact})</span></time>'
    )
    assert "tabindex" not in quiet and f'title="{exact}"' in quiet
    assert (
        Template("{% load helpdesk_time %}{% relative_time x %}").render(Context({"x": None})) == ""
    )
