"""What people type is shown, never run: a corpus of XSS payloads in every field a person fills
(subject, description, comments, questions, resolutions, names, file names) renders inert on every
page that shows it and in every email."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import CategoryFactory, UserFactory, agent_of, head_of
from tests.security.inert import active_content
from tickets import markdown, services, workflow

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<svg><script href="data:text/javascript,alert(1)"/></svg>',
    '<a href="javascript:alert(1)">html link</a>',
    "[md link](javascript:alert(1))",
    "[upper](JAVASCRIPT:alert(1))",
    "[tab](java\tscript:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "[hex entity](&#x6A;avascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><button formaction="javascript:alert(1)">Go</button>',
    '<div style="background:url(javascript:alert(1))">css url</div>',
    '<p style="width:expression(alert(1))">css expression</p>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="&#106;avascript:alert(1)">entity link</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "![tracker](https://evil.example/track.png)",
    '<a href="https://evil.example/" target="_blank">new tab</a>',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "{{ request.user.password }} {% debug %}",
    "<!--<script>alert(1)//--> -->",
    "<details open ontoggle=alert(1)>",
    "<x onclick=alert(1)>click me</x>",
]
TEXT = "**Bold** and a [safe link](https://docs.example/help).\n\n" + "\n\n".join(PAYLOADS)
SUBJECT = '"><script>alert(1)</script><img src=x onerror=alert(1)> Wi-Fi'
NAME = '<svg onload=alert(1)>"><script>alert(1)</script>'
FILE_NAME = '"><img src=x onerror=alert(1)>.png'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, {name for name, _value in attrs}))


def _elements(html: str) -> list[tuple[str, set[str]]]:
    """Each element of `html` with the names of its attributes."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def assert_inert(html: str, where: str, *, head_allowed: bool = True) -> None:
    problems = active_content(html, head_allowed=head_allowed)
    assert not problems, f"{where}: {problems}"


# --- The Markdown filter itself ------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_renders_inert(payload):
    """Each payload alone gives HTML without script, handler, dangerous link or embedded page."""
    html = markdown.render(payload)
    assert_inert(html, repr(payload), head_allowed=False)
    elements = _elements(html)
    assert {tag for tag, _attributes in elements} <= markdown.ALLOWED_TAGS
    for tag, attributes in elements:
        allowed = markdown.ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert attributes <= allowed, (tag, attributes)


def test_markdown_formats_and_links_are_safe():
    """Markdown gives bold text and links; links carry rel="nofollow noopener noreferrer"."""
    html = markdown.render("**Bold**\n\n[help](https://docs.example/help)")
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://docs.example/help" rel="nofollow noopener noreferrer">help</a>' in html


def test_typed_html_is_shown_as_text():
    """HTML typed in a comment is displayed as typed (people paste error messages)."""
    assert markdown.render("Error: <b>denied</b>") == "<p>Error: &lt;b&gt;denied&lt;/b&gt;</p>"


def test_plain_text_keeps_its_lines():
    """Text written without Markdown keeps its paragraphs and line breaks."""
    assert markdown.render("one\ntwo\n\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>"


# --- Pages and emails ------------------------------------------------------------------------


@pytest.fixture
def hostile(db, django_capture_on_commit_callbacks):
    """A whole ticket life where every text, name and file name is a payload."""
    category = CategoryFactory(name=NAME)
    service = category.service
    service.name = NAME
    service.save()
    requester = UserFactory(full_name=NAME)
    agent = agent_of(service, user__full_name=NAME)
    head = head_of(service)
    admin = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester=requester,
            category=category,
            subject=SUBJECT,
            description=TEXT,
            files=[SimpleUploadedFile(FILE_NAME, PNG, content_type="image/png")],
        )
        # A second ticket with the same words: it shows among the "similar tickets".
        similar = services.ticket_create(
            requester=requester, category=category, subject=SUBJECT, description=TEXT
        )
        workflow.take(ticket=similar, actor=agent)
        workflow.request_closure(ticket=similar, actor=agent, resolution=TEXT)
        workflow.approve_closure(ticket=similar, actor=requester)
        ticket.refresh_from_db()
        if ticket.assignee_id != agent.pk:
            workflow.take(ticket=ticket, actor=agent)
        services.comment_add(ticket=ticket, author=agent, text=TEXT)
        services.comment_add(ticket=ticket, author=agent, text=TEXT, internal=True)
        workflow.request_info(ticket=ticket, actor=agent, question=TEXT)
        services.comment_add(ticket=ticket, author=requester, text=TEXT)
        workflow.request_closure(ticket=ticket, actor=agent, resolution=TEXT)
    ticket.refresh_from_db()
    return {
        "ticket": ticket,
        "requester": requester,
        "agent": agent,
        "head": head,
        "admin": admin,
    }


def _pages(hostile) -> list[tuple[str, str]]:
    ticket = hostile["ticket"]
    pk = ticket.pk
    return [
        ("requester", reverse("tickets:detail", kwargs={"pk": pk})),
        ("requester", reverse("tickets:created", kwargs={"pk": pk})),
        ("requester", reverse("tickets:closure", kwargs={"pk": pk})),
        ("requester", reverse("tickets:mine")),
        ("agent", reverse("desk:detail", kwargs={"pk": pk})),
        ("agent", reverse("desk:home")),
        ("agent", reverse("desk:queue") + "?tab=all"),
        ("agent", reverse("desk:queue") + "?tab=all&q=Wi-Fi"),
        ("head", reverse("desk:stats")),
        ("head", reverse("desk:detail", kwargs={"pk": pk})),
        ("admin", reverse("admin:tickets_ticket_changelist")),
        ("admin", reverse("admin:tickets_ticket_change", kwargs={"object_id": pk})),
        ("admin", reverse("admin:accounts_user_changelist")),
        ("admin", reverse("admin:categories_category_changelist")),
    ]


def test_every_page_shows_the_payloads_inert(hostile):
    """Requester's pages, agent's pages, queues, statistics, similar tickets, admin lists."""
    clients: dict[str, Client] = {}
    for role, url in _pages(hostile):
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(hostile[role])
        response = clients[role].get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html, url)
        assert "alert(1)" in html or url.startswith("/desk/stats"), f"{url} hides the text"


def test_the_formatted_text_reaches_the_ticket_pages(hostile):
    """The description's Markdown is formatted on the agent's and the requester's pages."""
    pk = hostile["ticket"].pk
    for role, name in (("agent", "desk:detail"), ("requester", "tickets:detail")):
        client = Client()
        client.force_login(hostile[role])
        html = client.get(reverse(name, kwargs={"pk": pk})).content.decode()
        assert "<strong>Bold</strong>" in html, name
        assert 'rel="nofollow noopener noreferrer"' in html, name


def test_every_email_sent_in_that_life_is_inert(hostile):
    """Each email of the hostile ticket's life: the HTML part runs nothing."""
    assert len(mail.outbox) >= 5
    for message in mail.outbox:
        (html, mimetype), *_ = message.alternatives
        assert mimetype == "text/html"
        assert_inert(html, message.subject)
        assert "\n" not in message.subject


EMAIL_TEMPLATES = sorted(
    path.name for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.html")
)


@pytest.mark.parametrize("name", EMAIL_TEMPLATES)
def test_every_email_template_renders_payloads_inert(name, hostile):
    """Each email kind, rendered with a payload in every value it shows, runs nothing."""
    ticket = hostile["ticket"]
    context = dict.fromkeys(
        (
            "subject",
            "service",
            "category",
            "requester",
            "actor",
            "text",
            "file_name",
            "recipient_name",
            "reference",
        ),
        TEXT,
    )
    context.update(
        {
            "ticket": ticket,
            "site_name": NAME,
            "site_url": "https://helpdesk.example",
            "ticket_url": "https://helpdesk.example/tickets/1/",
            "closure_url": "https://helpdesk.example/tickets/1/closure/",
            "preferences_url": "https://helpdesk.example/profile/",
            "language": "fr",
            "closure_days": 7,
            "reopen_days": 30,
            "tickets": [{"ticket": ticket, "url": "https://helpdesk.example/tickets/1/"}],
            "count": 1,
            "day": None,
        }
    )
    html = render_to_string(f"emails/{name}", context)
    assert_inert(html, name)
