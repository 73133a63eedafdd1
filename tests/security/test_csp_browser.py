"""The Content-Security-Policy breaks nothing: Chromium visits the main pages of each role and
reports no policy violation in the console (no inline script, no inline style, nothing from
elsewhere), and the pages' own scripts still work."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.security.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION_MARKERS = ("Content Security Policy", "Refused to")


def _pages(world: World) -> dict[str, list[str]]:
    pk = world.ticket.pk
    slug = world.ticket.category.slug
    return {
        "anonymous": [reverse("home"), reverse("account_login")],
        "owner": [
            reverse("tickets:mine"),
            reverse("tickets:create"),
            reverse("tickets:create") + f"?category={slug}",
            reverse("tickets:detail", kwargs={"pk": pk}),
            reverse("tickets:created", kwargs={"pk": pk}),
            reverse("tickets:closure", kwargs={"pk": pk}),
            reverse("accounts:profile"),
        ],
        "agent": [
            reverse("desk:home"),
            reverse("desk:queue"),
            reverse("desk:detail", kwargs={"pk": pk}),
            reverse("desk:stats"),
        ],
        "admin": [
            reverse("admin:index"),
            reverse("admin:tickets_ticket_changelist"),
            reverse("admin:tickets_ticket_change", kwargs={"object_id": pk}),
            reverse("admin:categories_category_changelist"),
        ],
    }


def _sign_in(page: Page, base_url: str, user) -> None:
    """The browser gets the session of a signed-in user (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.mark.parametrize("role", ["anonymous", "owner", "agent", "admin"])
def test_no_policy_violation_on_the_main_pages(role, page: Page, live_server, world: World):
    """Each page loads its own scripts and styles only, and none is refused by the policy."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    base = live_server.url
    if role != "anonymous":
        _sign_in(page, base, world.user(role))
    for path in _pages(world)[role]:
        page.goto(base + path)
        page.wait_for_load_state("load")
        violations = [text for text in messages if any(m in text for m in VIOLATION_MARKERS)]
        assert not violations, f"{path}: {violations}"
        errors = [text for text in messages if text.startswith("pageerror")]
        assert not errors, f"{path}: {errors}"


def test_htmx_still_works_under_the_policy(page: Page, live_server, world: World):
    """htmx (loaded from /static/) swaps the next step of "Déposer un ticket" in place."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    _sign_in(page, live_server.url, world.user("owner"))
    page.goto(live_server.url + reverse("tickets:create"))
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0
    page.check(f"#category-{world.ticket.category.slug}")
    page.locator("main button[name='next']").click()
    expect(page.locator("input[name='subject']")).to_be_visible()
    violations = [text for text in messages if any(m in text for m in VIOLATION_MARKERS)]
    assert not violations, violations


def test_the_policy_refuses_an_injected_inline_script(page: Page, live_server, world: World):
    """Were a script to get into a page, Chromium would refuse to run it (and say so)."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_server.url + reverse("home"))
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in text for text in messages), messages
