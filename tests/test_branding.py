"""The institution's name, logo and colours come from settings, and text on them stays readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk import branding
from tests.factories import ServiceFactory, UserFactory, agent_of

pytestmark = [pytest.mark.django_db]


@pytest.mark.parametrize(
    "colour",
    ["#0a58ca", "#ffbf47", "#ffffff", "#000000", "#777777", "#e30613", "#00a19a", "#ff0", "#123"],
)
def test_text_on_any_brand_colour_meets_aa(colour):
    """Header text is white or near-black, whichever reads better, and always reaches 4.5:1; the
    colour as link text on white is darkened until it reaches 4.5:1 too."""
    assert branding.contrast(branding.text_on(colour), colour) >= 4.5
    assert branding.contrast(branding.readable_on_white(colour), "#ffffff") >= 4.5


def test_contrast_is_the_wcag_ratio():
    assert round(branding.contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(branding.contrast("#777777", "#ffffff"), 2) == 4.48
    assert branding.text_on("#ffbf47") == branding.DARK
    assert branding.text_on("#0a58ca") == branding.WHITE
    # A colour already readable on white is kept as it is.
    assert branding.readable_on_white("#0a58ca") == "#0a58ca"


def test_colours_must_be_written_as_hex():
    with pytest.raises(ValueError, match="not a #rgb"):
        branding.parse("blue")


def test_settings_refuse_a_colour_that_is_not_hex():
    """A typo in BRAND_PRIMARY_COLOR stops the start with a message, not a page drawn wrong."""
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "-c", "import helpdesk.settings"],
        env={"BRAND_PRIMARY_COLOR": "blue", "PATH": "/usr/bin:/bin"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "BRAND_PRIMARY_COLOR must be a colour" in result.stderr


def test_brand_stylesheet_serves_the_colours_as_custom_properties(client, settings):
    settings.BRAND_PRIMARY_COLOR = "#FFBF47"
    settings.BRAND_ACCENT_COLOR = "#e30613"
    response = client.get(reverse("brand-css"))
    css = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "--hd-brand: #ffbf47;" in css
    assert f"--hd-on-brand: {branding.DARK};" in css
    assert "--hd-accent: #e30613;" in css
    # Links in the brand colour would read 1.6:1 on white: a darker shade is used.
    link = css.split("--hd-brand-text: ")[1].split(";")[0]
    assert branding.contrast(link, "#ffffff") >= 4.5
    assert client.post(reverse("brand-css")).status_code == 405


def test_pages_link_the_stylesheet_of_the_current_colours(client, settings):
    """The stylesheet's address changes with the colours, so a cached copy is never stale."""
    first = client.get(reverse("home")).content.decode()
    settings.BRAND_PRIMARY_COLOR = "#e30613"
    second = client.get(reverse("home")).content.decode()
    url = reverse("brand-css")
    assert f'href="{url}?v={branding._brand("#0a58ca", "#ffbf47").version}"' in first
    assert f'href="{url}?v={branding.brand().version}"' in second
    assert 'data-bs-theme="dark"' in second


def test_header_shows_the_institution_name_and_logo(client, settings):
    settings.INSTITUTION_NAME = "Université de Lorraine"
    settings.INSTITUTION_LOGO = "img/ul.svg"
    html = client.get(reverse("home")).content.decode()
    assert '<span class="hd-institution">Université de Lorraine</span>' in html
    # Beside the written name the logo is decorative.
    assert '<img class="hd-logo" src="/static/img/ul.svg" alt="">' in html
    assert "Université de Lorraine" in html.split("<footer")[1]


def test_a_logo_without_a_name_carries_the_site_name(client, settings):
    settings.INSTITUTION_NAME = ""
    settings.INSTITUTION_LOGO = "/media/brand/logo.png"
    settings.SITE_NAME = "Assistance"
    html = client.get(reverse("home")).content.decode()
    assert '<img class="hd-logo" src="/media/brand/logo.png" alt="Assistance">' in html
    assert "hd-institution" not in html


def test_header_links_follow_the_role(client):
    """Requesters see their own links; agents the desk's too, on every page, the home page's cards
    included."""
    requester = UserFactory()
    agent = agent_of(ServiceFactory())
    client.force_login(requester)
    html = client.get(reverse("home")).content.decode()
    assert reverse("tickets:mine") in html and reverse("desk:queue") not in html
    client.force_login(agent)
    html = client.get(reverse("home")).content.decode()
    header, body = html.split("</header>")[0], html.split("<main")[1]
    for name in ("desk:home", "desk:queue", "desk:stats"):
        assert reverse(name) in header
        assert reverse(name) in body


def test_every_page_links_the_accessibility_statement(client):
    url = reverse("accessibility")
    for path in (reverse("home"), reverse("account_login"), "/no-such-page/"):
        html = client.get(path).content.decode()
        assert f'href="{url}"' in html.split("<footer")[1]


@pytest.mark.parametrize(
    ("language", "status", "tested"),
    [
        ("fr", "partiellement conforme", "390 pixels"),
        ("en", "partially compliant", "390-pixel"),
    ],
)
def test_accessibility_statement(client, settings, language, status, tested):
    """It states the RGAA level honestly, how it is tested and whom to write to."""
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "Assistance <assistance@univ.example>"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("accessibility"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    assert status in html and "RGAA 4.1" in html and "WCAG 2.1" in html and tested in html
    assert 'href="mailto:assistance@univ.example"' in html
    assert "Défenseur des droits" in html
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@univ.example"
    assert (
        'href="mailto:a11y@univ.example"' in client.get(reverse("accessibility")).content.decode()
    )


def test_the_server_error_page_needs_no_request():
    """The 500 page renders without the request's context (the error may come from it), in the
    active language, with the statement's link."""
    from django.template.loader import get_template
    from django.utils import translation

    with translation.override("en"):
        html = get_template("500.html").render()
    assert '<html lang="en">' in html and "<h1>Server error</h1>" in html
    assert f'href="{reverse("accessibility")}"' in html
