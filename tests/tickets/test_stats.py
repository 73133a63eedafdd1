"""Statistics of a service: every figure against values computed by hand on a small fixed history.

The history (Europe/Paris time, period Monday 2 to Sunday 8 March 2026, previous period 23 February
to 1 March):

    t6  Wifi        created 25/02 10:00, answered 11:00, in progress (Bob), open at start
    t7  Impression  created 24/02 09:00, cancelled 24/02 10:00
    t13 Impression  created 26/02 09:00, cancelled 26/02 12:00
    t1  Impression  created 02/03 09:15, answered +1 h, closure requested 02/03 18:00,
                    approved 03/03 09:15 (closed after 24 h, Alice)
    t2  Impression  created 02/03 14:30, answered +3 h, closure requested 03/03 10:00,
                    closed automatically 05/03 14:30 (72 h, Bob)
    t9  Wifi        created 02/03 11:00 in another service, answered +2 h, transferred in, open
    t3  Wifi        created 03/03 08:00, answered +30 min, closure requested 03/03 12:00, refused
                    04/03 09:00, requested again 04/03 15:00, approved 04/03 16:00, reopened 05/03
    t8  Impression  created 03/03 10:00, then transferred out to another service
    t4  Wifi        created 04/03 11:00, never answered, open
    t10 Impression  created 06/03 09:00, never answered, marked solved 06/03 10:00 (1 h; Carol,
                    who left the service since)
    t5  Réseau      created 06/03 16:45, answered +24 h, in progress (Alice)
    t11 Réseau      created 07/03 10:00, answered and rejected 07/03 11:00
    t12 Wifi        created 09/03 08:00 (after the period), open
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from categories.models import ServiceMembership
from helpdesk import caching
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
    agent_of,
    head_of,
)
from tickets import charts, permissions, workflow
from tickets.models import Ticket, TicketEvent
from tickets.selectors import search
from tickets.selectors.stats import figures, periods, words

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PERIOD = periods.Period(date(2026, 3, 2), date(2026, 3, 8))
Status = Ticket.Status


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


class History:
    """The fixed history above, built with factories and direct updates of timestamps."""

    def __init__(self) -> None:
        self.service = ServiceFactory(name="Informatique", slug="informatique")
        self.other_service = ServiceFactory(name="Scolarité", slug="scolarite")
        self.reseau = CategoryFactory(name="Réseau", service=self.service)
        self.wifi = CategoryFactory(name="Wifi", parent=self.reseau)
        self.impression = CategoryFactory(name="Impression", service=self.service)
        self.comptes = CategoryFactory(name="Comptes", service=self.other_service)
        self.alice = agent_of(self.service, user=UserFactory(full_name="Alice Martin"))
        self.bob = agent_of(self.service, user=UserFactory(full_name="Bob Durand"))
        self.helene = head_of(self.service, user=UserFactory(full_name="Hélène Roux"))
        self.carol = UserFactory(full_name="Carol Petit")
        self.other_agent = agent_of(self.other_service, user=UserFactory(full_name="Oscar"))
        self.requester = UserFactory(full_name="Rémi Étudiant")
        self.tickets: dict[str, Ticket] = {}

        self.ticket(
            "t6",
            self.wifi,
            "Wifi lent bibliothèque",
            at(25, 10, month=2),
            status=Status.IN_PROGRESS,
            assignee=self.bob,
            first_response_at=at(25, 11, month=2),
        )
        self.ticket(
            "t7",
            self.impression,
            "Toner vide",
            at(24, 9, month=2),
            status=Status.CANCELLED,
            closed_at=at(24, 10, month=2),
            events=[("cancel", at(24, 10, month=2))],
        )
        self.ticket(
            "t13",
            self.impression,
            "Scanner réseau",
            at(26, 9, month=2),
            status=Status.CANCELLED,
            closed_at=at(26, 12, month=2),
            events=[("cancel", at(26, 12, month=2))],
        )
        self.ticket(
            "t1",
            self.impression,
            "Imprimante en panne",
            at(2, 9, 15),
            status=Status.CLOSED,
            assignee=self.alice,
            first_response_at=at(2, 10, 15),
            closed_at=at(3, 9, 15),
            events=[("request_closure", at(2, 18)), ("approve_closure", at(3, 9, 15))],
        )
        self.ticket(
            "t2",
            self.impression,
            "Imprimante bloquée",
            at(2, 14, 30),
            status=Status.CLOSED,
            assignee=self.bob,
            first_response_at=at(2, 17, 30),
            closed_at=at(5, 14, 30),
            events=[("request_closure", at(3, 10)), ("expire_closure", at(5, 14, 30))],
        )
        self.ticket(
            "t9",
            self.wifi,
            "Wifi eduroam",
            at(2, 11),
            first_response_at=at(2, 13),
            events=[("transfer", at(2, 12))],
        )
        self.ticket(
            "t3",
            self.wifi,
            "Wifi lent",
            at(3, 8),
            status=Status.REOPENED,
            first_response_at=at(3, 8, 30),
            events=[
                ("request_closure", at(3, 12)),
                ("refuse_closure", at(4, 9)),
                ("request_closure", at(4, 15)),
                ("approve_closure", at(4, 16)),
                ("reopen", at(5, 10)),
            ],
        )
        self.ticket(
            "t8",
            self.comptes,
            "Imprimante du secrétariat",
            at(3, 10),
            events=[("transfer", at(3, 11))],
        )
        self.ticket("t4", self.wifi, "Wifi coupé amphi", at(4, 11))
        self.ticket(
            "t10",
            self.impression,
            "Imprimante couleur",
            at(6, 9),
            status=Status.CLOSED,
            assignee=self.carol,
            closed_at=at(6, 10),
            events=[("mark_solved", at(6, 10))],
        )
        self.ticket(
            "t5",
            self.reseau,
            "Réseau imprimante",
            at(6, 16, 45),
            status=Status.IN_PROGRESS,
            assignee=self.alice,
            first_response_at=at(7, 16, 45),
        )
        self.ticket(
            "t11",
            self.reseau,
            "Demande hors sujet",
            at(7, 10),
            status=Status.REJECTED,
            first_response_at=at(7, 11),
            closed_at=at(7, 11),
            events=[("reject", at(7, 11))],
        )
        self.ticket("t12", self.wifi, "Wifi lent", at(9, 8))

    def ticket(
        self,
        name: str,
        category,
        subject: str,
        created_at: datetime,
        *,
        events: list[tuple[str, datetime]] = (),
        **fields,
    ) -> Ticket:
        ticket = TicketFactory(category=category, subject=subject, requester=self.requester)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at, **fields)
        TicketEvent.objects.create(
            ticket=ticket, kind="created", action="created", created_at=created_at
        )
        for action, moment in events:
            TicketEvent.objects.create(
                ticket=ticket, kind="status_changed", action=action, created_at=moment
            )
        ticket.refresh_from_db()
        self.tickets[name] = ticket
        return ticket


@pytest.fixture
def history() -> History:
    return History()


def test_period_days_and_buckets():
    """A period is whole local days; past 90 days it is grouped by ISO week (Mondays)."""
    assert PERIOD.days == 7
    assert PERIOD.start == at(2, 0)
    assert PERIOD.end == at(9, 0)
    assert PERIOD.previous() == periods.Period(date(2026, 2, 23), date(2026, 3, 1))
    assert not PERIOD.weekly
    assert PERIOD.buckets()[0] == date(2026, 3, 2) and len(PERIOD.buckets()) == 7
    year = periods.Period.from_choice("365", today=date(2026, 3, 8))
    assert year.first_day == date(2025, 3, 9) and year.weekly
    weeks = year.buckets()
    assert weeks[0] == date(2025, 3, 3)  # the Monday of the week holding 9 March 2025
    assert weeks[-1] == date(2026, 3, 2)
    assert all(week.weekday() == 0 for week in weeks)
    assert year.bucket_end(weeks[-1]) == date(2026, 3, 8)
    assert periods.Period.from_choice("nonsense", today=date(2026, 3, 8)).days == 30


def test_created_closed_and_backlog_per_day(history):
    """Created and closing moves per day, and tickets open at the end of each day.

    t8, transferred out, does not count; t9, transferred in, counts from its creation; t3 counts
    one closure and one reopening; cancelled tickets left the backlog before the period.
    """
    data = figures.service_stats(history.service, PERIOD)
    assert data.backlog_start == 1  # t6
    rows = [
        (r.bucket.day, r.created, r.closed, r.ended, r.reopened, r.backlog) for r in data.timeline
    ]
    assert rows == [
        (2, 3, 0, 0, 0, 4),  # t1, t2, t9
        (3, 1, 1, 0, 0, 4),  # t3 created; t1 approved
        (4, 1, 1, 0, 0, 4),  # t4 created; t3 approved
        (5, 0, 1, 0, 1, 4),  # t2 closed automatically; t3 reopened
        (6, 2, 1, 0, 0, 5),  # t10, t5 created; t10 marked solved
        (7, 1, 0, 1, 0, 5),  # t11 created and rejected
        (8, 0, 0, 0, 0, 5),
    ]
    assert (data.created, data.closed, data.ended, data.reopened) == (8, 4, 1, 1)
    # Open now: t6, t9, t3, t4, t5 and t12 (created after the period).
    assert data.open_now == 6


def test_weekly_buckets(history):
    """Over more than 90 days the same moves are counted per week."""
    period = periods.Period(date(2025, 12, 1), date(2026, 3, 8))
    data = figures.service_stats(history.service, period)
    assert period.weekly
    by_week = {row.bucket: row for row in data.timeline}
    assert by_week[date(2026, 2, 23)].created == 3  # t7, t6, t13
    assert by_week[date(2026, 2, 23)].ended == 2
    assert by_week[date(2026, 3, 2)].created == 8
    assert by_week[date(2026, 3, 2)].closed == 4
    assert data.timeline[-1].backlog == 5
    assert data.backlog_start == 0


def test_the_other_service_counts_the_transferred_ticket(history):
    """A ticket transferred out counts for its new service, with its creation date."""
    data = figures.service_stats(history.other_service, PERIOD)
    assert data.created == 1
    assert data.timeline[1].created == 1  # t8, 3 March
    assert [group.name for group in data.categories] == ["Comptes"]


def test_categories_and_growth(history):
    """Tickets per top-level category and sub-category, and the categories that grew most."""
    data = figures.service_stats(history.service, PERIOD)
    groups = [
        (g.name, g.count, [(r.name, r.is_root, r.count, r.previous) for r in g.rows])
        for g in data.categories
    ]
    assert groups == [
        ("Réseau", 5, [("Réseau", True, 2, 0), ("Wifi", False, 3, 1)]),
        ("Impression", 3, [("Impression", True, 3, 2)]),
    ]
    growing = [(g.name, g.count, g.previous, g.growth) for g in data.growing]
    assert growing == [
        ("Réseau › Wifi", 3, 1, 2),
        ("Réseau", 2, 0, 2),
        ("Impression", 3, 2, 1),
    ]


def test_response_and_closure_times(history):
    """Median and 90th percentile, interpolated like PostgreSQL's percentile_cont.

    First responses of tickets created in the period: 30 min, 1 h, 1 h, 2 h, 3 h, 24 h (t4 and
    t10 never answered). Closures as solved in the period: 1 h, 24 h, 72 h (t3 was reopened).
    """
    data = figures.service_stats(history.service, PERIOD)
    assert data.first_response.count == 6
    assert data.first_response.missing == 2
    assert data.first_response.median == timedelta(hours=1, minutes=30)
    assert data.first_response.p90 == timedelta(hours=13, minutes=30)
    assert data.resolution.count == 3
    assert data.resolution.median == timedelta(hours=24)
    assert data.resolution.p90 == timedelta(hours=62, minutes=24)


def test_closure_rates(history):
    """Refusals per ticket whose closure was requested; reopenings per closed ticket;
    automatic closures among closures."""
    data = figures.service_stats(history.service, PERIOD)
    assert data.closure_requested == 3  # t1, t2, t3 (twice, counted once)
    assert data.closure_refused == 1  # t3
    assert data.refusal_rate == 33.3
    assert data.closed_tickets == 4  # t1, t2, t3, t10
    assert data.reopened_tickets == 1
    assert data.reopen_rate == 25.0
    assert data.automatic_closures == 1  # t2
    assert data.automatic_share == 25.0


def test_workload_per_agent(history):
    """Each member, anyone else still holding tickets, then the open tickets nobody holds."""
    data = figures.service_stats(history.service, PERIOD)
    rows = [(r.name, r.is_member, r.open, r.closed) for r in data.workload]
    assert rows == [
        ("Alice Martin", True, 1, 1),  # t5 open; t1 closed
        ("Bob Durand", True, 1, 1),  # t6 open; t2 closed
        ("Carol Petit", False, 0, 1),  # t10, closed while she held it
        ("Hélène Roux", True, 0, 0),
        ("", False, 4, 0),  # t3, t4, t9, t12
    ]


def test_creations_by_weekday_and_hour(history):
    """Local time, Monday first."""
    data = figures.service_stats(history.service, PERIOD)
    cells = {(day, hour): n for day, row in enumerate(data.heat) for hour, n in enumerate(row) if n}
    assert cells == {
        (0, 9): 1,
        (0, 11): 1,
        (0, 14): 1,  # Monday: t1, t9, t2
        (1, 8): 1,  # Tuesday: t3
        (2, 11): 1,  # Wednesday: t4
        (4, 9): 1,
        (4, 16): 1,  # Friday: t10, t5
        (5, 10): 1,  # Saturday: t11
    }
    assert data.heat_max == 1


def test_frequent_words(history):
    """Words used in two tickets at least, most frequent first; stopwords out."""
    data = figures.service_stats(history.service, PERIOD)
    assert [(w.word, w.tickets) for w in data.words] == [("imprimante", 4), ("wifi", 3)]


def test_words_of_drops_stopwords_and_elisions():
    assert words.words_of("L'imprimante ne marche pas, merci!") == ["imprimante", "marche"]
    assert words.words_of("The printer is down 42") == ["printer", "down"]


def test_empty_service_has_no_figures():
    """A service without tickets shows zeros and no delay rather than failing."""
    service = ServiceFactory()
    data = figures.service_stats(service, PERIOD)
    assert data.created == 0 and data.backlog_end == 0
    assert data.first_response.median is None and data.refusal_rate is None
    assert data.categories == [] and data.words == [] and data.workload == []


# --- Similar tickets ------------------------------------------------------------------------


def test_similar_tickets_same_service_visible_closest_first(history):
    """Tickets of the same service sharing subject words, the closest first; never the ticket
    itself, never another service's ticket."""
    t1 = history.tickets["t1"]
    similar = search.similar_tickets(t1, history.alice)
    names = {ticket.pk: name for name, ticket in history.tickets.items()}
    found = [names[ticket.pk] for ticket in similar]
    assert "t1" not in found
    assert "t8" not in found  # now in another service
    assert set(found) == {"t2", "t10", "t5"}
    wifi = search.similar_tickets(history.tickets["t3"], history.alice, limit=2)
    assert [names[t.pk] for t in wifi] == ["t12", "t6"]  # same two words first, newest first


def test_similar_tickets_respect_visibility(history):
    """An agent of another service sees nothing of this one."""
    assert search.similar_tickets(history.tickets["t1"], history.other_agent) == []


# --- The page -------------------------------------------------------------------------------


def stats_url(service, **params) -> str:
    from urllib.parse import urlencode

    return reverse("desk:stats") + "?" + urlencode({"service": service.pk, **params})


def test_requester_gets_404(client, history):
    client.force_login(history.requester)
    assert client.get(reverse("desk:stats")).status_code == 404
    assert client.get(stats_url(history.service)).status_code == 404
    export = reverse("desk:stats_export") + f"?service={history.service.pk}&table=timeline"
    assert client.get(export).status_code == 404


def test_agent_of_another_service_gets_404(client, history):
    client.force_login(history.other_agent)
    assert client.get(stats_url(history.service)).status_code == 404
    assert client.get(stats_url(history.other_service)).status_code == 200


def test_head_and_superuser_see_the_page(client, history):
    client.force_login(history.helene)
    response = client.get(
        stats_url(history.service, period="custom", start="2026-03-02", end="2026-03-08")
    )
    assert response.status_code == 200
    assert response.context["data"].created == 8
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(stats_url(history.other_service)).status_code == 200


def test_default_service_and_period(client, history):
    """Without parameters: the person's first service, the last 30 days."""
    client.force_login(history.alice)
    response = client.get(reverse("desk:stats"))
    assert response.status_code == 200
    assert response.context["data"].service == history.service
    assert response.context["data"].period.days == 30


def test_invalid_custom_period_is_explained(client, history):
    client.force_login(history.alice)
    response = client.get(
        stats_url(history.service, period="custom", start="2026-03-08", end="2026-03-01")
    )
    assert response.status_code == 400
    assert "data" not in response.context
    assert response.context["form"].errors["end"]


def test_page_charts_are_accessible_svg_without_script(client, history):
    """Charts are inline SVG images with a name; no script, style element or style attribute.
    Each is drawn for a column and for a phone (stats.css shows one of the two)."""
    client.force_login(history.alice)
    response = client.get(
        stats_url(history.service, period="custom", start="2026-03-02", end="2026-03-08")
    )
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 6
    assert html.count('role="img"') == 6
    assert html.count("stats-chart-wide") == html.count("stats-chart-narrow") == 3
    svg_parts = html.split("<svg")[1:]
    for part in svg_parts:
        svg = part.split("</svg>")[0]
        assert "aria-label=" in svg and "<title>" in svg
        assert "<script" not in svg and "<style" not in svg and "style=" not in svg
        assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script>" not in html  # only external scripts from the layout


def test_page_in_english_and_french(client, history):
    client.force_login(history.alice)
    url = stats_url(history.service, period="custom", start="2026-03-02", end="2026-03-08")
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    history.alice.preferred_language = "en"
    history.alice.save()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tickets per category" in english
    assert "Tickets per category" not in french


@pytest.mark.parametrize("second", ["more_tickets", "longer_period"])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, settings, second):
    """The same number of queries for 2 and 40 tickets, and for 7 and 365 days: session, user,
    memberships, the chosen service, ten for the statistics, the service list of the form."""
    settings.STATS_CACHE_SECONDS = 0  # the figures computed at every request
    service = ServiceFactory()
    category = CategoryFactory(service=service)
    agent = agent_of(service)
    client.force_login(agent)
    now = datetime.now(tz=PARIS)

    def build(count: int) -> None:
        for i in range(count):
            ticket = TicketFactory(category=category, subject=f"Wifi coupé salle {i}")
            Ticket.objects.filter(pk=ticket.pk).update(
                created_at=now - timedelta(days=i % 6, hours=i % 12),
                assignee=agent,
                first_response_at=now - timedelta(days=i % 6),
                status=Status.IN_PROGRESS,
            )
            TicketEvent.objects.create(
                ticket=ticket, kind="status_changed", action="request_closure", created_at=now
            )

    build(2)
    client.get(stats_url(service, period="7"))  # warms caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(stats_url(service, period="7")).status_code == 200
    first = len(queries)
    assert first <= 18
    if second == "more_tickets":
        build(38)
        period = "7"
    else:
        period = "365"
    with django_assert_num_queries(first):
        response = client.get(stats_url(service, period=period))
    assert response.status_code == 200
    assert response.context["data"].created == (40 if second == "more_tickets" else 2)


def test_membership_factory_roles_are_seen():
    """A head without agent role still reads the statistics of the service they head."""
    service = ServiceFactory()
    head = MembershipFactory(service=service, role=ServiceMembership.Role.HEAD).user
    assert list(figures.services_for(head)) == [service]
    assert permissions.can_read_stats(head)
    assert not permissions.can_read_stats(UserFactory())


def test_line_chart_escapes_text_and_names_the_image():
    svg = charts.line_chart(
        title="A <b>title</b>",
        summary="S & T",
        labels=["1", "2"],
        series=[charts.Series("x<y", [1, 5])],
    )
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'role="img"' in svg and 'aria-label="A &lt;b&gt;title&lt;/b&gt;. S &amp; T"' in svg
    assert charts.nice_ceiling(5) == (6.0, 2.0)
    assert charts.nice_ceiling(0) == (1.0, 1.0)
    assert charts.nice_ceiling(37) == (40.0, 10.0)


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_statistics_page_in_the_browser(browser, live_server, artifacts_dir, language):
    """A head of service reads the statistics in French and in English: charts drawn, tables
    behind "show the figures", CSV links; axe finds no WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.factories import DEFAULT_PASSWORD

    history = History()
    history.helene.preferred_language = language
    history.helene.save()
    context = browser.new_context(locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/desk/stats/")
        page.fill("input[name='login']", history.helene.email)
        page.fill("input[name='password']", DEFAULT_PASSWORD)
        page.locator("main form button[type='submit']").last.click()
        page.wait_for_url("**/desk/stats/**")
        words = {
            "fr": (
                "Statistiques : Informatique",
                "Dates choisies",
                "Afficher",
                "Tickets par catégorie",
                "Afficher les chiffres sous forme de tableau",
            ),
            "en": (
                "Statistics: Informatique",
                "Custom dates",
                "Show",
                "Tickets per category",
                "Show the figures as a table",
            ),
        }[language]
        title, custom, show, per_category, figures = words
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        page.locator("#id_period").select_option(label=custom)
        page.locator("#id_start").fill("2026-03-02")
        page.locator("#id_end").fill("2026-03-08")
        page.get_by_role("button", name=show, exact=True).click()
        page.wait_for_url("**period=custom**")
        expect(page.get_by_role("img", name=re.compile(per_category))).to_be_visible()
        page.get_by_text(figures).click()
        expect(page.locator("#timeline-caption")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / f"stats-{language}.png"), full_page=True)
        results = Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
            },
        )
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_page_shows_the_figures_in_french(client, history):
    """Delays as people say them, rates with the French decimal comma, the workload rows."""
    client.force_login(history.alice)
    html = client.get(
        stats_url(history.service, period="custom", start="2026-03-02", end="2026-03-08")
    ).content.decode()
    assert "Statistiques : Informatique" in html
    assert "1 h 30 min" in html and "13 h 30 min" in html  # first response: median, p90
    assert "1 j" in html and "2 j 14 h" in html  # closure: median 24 h, p90 62 h 24
    assert "33,3 %" in html and "25,0 %" in html
    assert "Carol Petit" in html and "ne fait plus partie du service" in html
    assert "Réseau › Wifi" in html
    assert 'class="heat-5">1</td>' in html


def test_similar_include_links_to_the_desk_pages(history):
    from django.template.loader import render_to_string
    from django.utils import translation

    similar = search.similar_tickets(history.tickets["t1"], history.alice)
    html = render_to_string("tickets/stats/similar.html", {"similar": similar})
    for ticket in similar:
        assert reverse("desk:detail", kwargs={"pk": ticket.pk}) in html
    # Rendered outside a request: the language is the one this test sets, whatever ran before.
    with translation.override("fr"):
        empty = render_to_string("tickets/stats/similar.html", {"similar": []})
    assert "Aucun ticket similaire dans ce service." in empty


def test_figures_are_computed_once_per_service_and_period_then_kept(
    client, django_assert_num_queries, settings
):
    """Within STATS_CACHE_SECONDS the page reuses the figures it computed (and says when); another
    period is computed on its own; 0 computes them at every request."""
    settings.STATS_CACHE_SECONDS = 300
    service = ServiceFactory()
    category = CategoryFactory(service=service)
    agent = agent_of(service)
    client.force_login(agent)
    TicketFactory(category=category)
    client.get(stats_url(service, period="7"))
    with CaptureQueriesContext(connection) as computing:
        first = client.get(stats_url(service, period="30"))
    assert first.context["data"].created == 1
    TicketFactory(category=category)
    with CaptureQueriesContext(connection) as reading:
        again = client.get(stats_url(service, period="30"))
    # Session, user, memberships, the services (to check, to choose, to list), the period's
    # known incidents (incidents/_stats.html): no figure.
    assert len(reading) == 7 < len(computing)
    assert again.context["data"].created == 1
    moment = again.context["data"].computed_at
    assert moment == first.context["data"].computed_at
    assert "Chiffres arrêtés au" in again.content.decode()

    assert client.get(stats_url(service, period="90")).context["data"].created == 2
    settings.STATS_CACHE_SECONDS = 0
    assert client.get(stats_url(service, period="30")).context["data"].created == 2


def test_figures_are_computed_when_the_cache_is_unreachable(client, settings, monkeypatch):
    settings.STATS_CACHE_SECONDS = 300
    service = ServiceFactory()
    TicketFactory(category=CategoryFactory(service=service))
    client.force_login(agent_of(service))

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caching.cache, "get", unreachable)
    monkeypatch.setattr(caching.cache, "set", unreachable)
    response = client.get(stats_url(service, period="7"))
    assert response.status_code == 200
    assert response.context["data"].created == 1


@pytest.mark.postgres
def test_period_events_are_read_through_the_tickets_active_since(postgres):
    """`events_since` narrows on the ticket's last activity, which recording an event keeps at
    the event's time: a ticket with an old event only is left out, one with a recent move is in."""
    service = ServiceFactory()
    category = CategoryFactory(service=service)
    now = datetime.now(tz=PARIS)
    old = TicketFactory(category=category)
    TicketEvent.objects.create(
        ticket=old, kind="status_changed", action="reopen", created_at=now - timedelta(days=40)
    )
    Ticket.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=40))
    recent = TicketFactory(category=category)
    workflow.take(ticket=recent, actor=agent_of(service))
    since = figures.events_since(service, now - timedelta(days=7))
    assert {event.ticket_id for event in since} == {recent.pk}
    sql = str(since.query)
    assert '"updated_at" >=' in sql


@pytest.mark.parametrize("width", [charts.WIDE, charts.NARROW])
@pytest.mark.parametrize(
    ("days", "label"), [(7, "12 déc."), (30, "12 déc."), (90, "12 sept."), (53, "12 Sept")]
)
def test_axis_labels_never_overlap_nor_leave_the_chart(width, days, label):
    """However many days or weeks, the x labels that are written do not touch one another and
    stay inside the drawing; the last day is always labelled."""
    import re

    labels = [f"{label}{i % 10}" for i in range(days)]
    svg = charts.line_chart(
        title="T",
        summary="",
        labels=labels,
        series=[charts.Series("Créés", list(range(days))), charts.Series("Fermés", [1] * days)],
        width=width,
    )
    written = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)" fill="#495057">([^<]+)<', svg
    )
    boxes = []
    for x, anchor, text in written:
        if text not in labels:
            continue  # the y axis's numbers
        size = charts.CHAR_WIDTH * len(text)
        start = {"start": float(x), "middle": float(x) - size / 2, "end": float(x) - size}[anchor]
        boxes.append((start, start + size))
    assert labels[-1] in [text for _x, _a, text in written]
    assert len(boxes) >= 2
    for (_, first_end), (second_start, _) in zip(boxes, boxes[1:], strict=False):
        assert second_start - first_end >= 4
    assert boxes[0][0] >= 0 and boxes[-1][1] <= width
