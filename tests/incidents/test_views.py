"""The incidents' pages: people see a known incident before filing and say they are affected;
the status page and its feeds are public; the desk declares, links, updates and resolves; an
incident of a confidential category is never public."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from categories import services as categories_services
from categories.models import Category
from incidents import permissions, selectors, services
from incidents.models import AffectedPerson, Incident, IncidentLink
from tests.factories import CategoryFactory, TicketFactory, agent_of
from tickets.models import Ticket
from tickets.moves import Move

pytestmark = pytest.mark.django_db

CREATE = reverse("tickets:create")


# --- Before filing ----------------------------------------------------------------------------


def test_choosing_an_affected_category_shows_the_banner_first(client, scene):
    scene.incident(categories=[scene.network])
    client.force_login(scene.student)
    html = client.get(CREATE, {"category": "wifi"}).content.decode()
    assert "Eduroam indisponible" in html
    assert "Le Wi-Fi eduroam est coupé" in html
    assert html.index("Eduroam indisponible") < html.index('id="ticket-create-form"')
    assert 'form="ticket-create-form"' in html
    other = client.get(CREATE, {"category": "scolarite"}).content.decode()
    assert "Eduroam indisponible" not in other


def test_i_am_affected_records_the_person_without_a_ticket(client, scene):
    incident = scene.incident()
    client.force_login(scene.student)
    back = f"{CREATE}?category=wifi"
    response = client.post(
        reverse("incidents:affected", kwargs={"incident_pk": incident.pk}), {"next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    assert AffectedPerson.objects.filter(incident=incident, user=scene.student).exists()
    assert not Ticket.objects.exists()
    html = client.get(back).content.decode()
    assert "You are recorded as affected" in html or "concerné" in html
    # An address elsewhere is not followed.
    response = client.post(
        reverse("incidents:affected", kwargs={"incident_pk": incident.pk}),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == incident.get_public_url()


def test_filing_anyway_links_the_new_ticket(client, scene):
    incident = scene.incident()
    client.force_login(scene.student)
    response = client.post(
        CREATE,
        {
            "category": "wifi",
            "subject": "Pas de réseau en salle B12",
            "description": "Depuis ce matin.",
            "incident": [str(incident.pk), "nonsense"],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    link = IncidentLink.objects.get(ticket=ticket)
    assert (link.incident, link.via) == (incident, IncidentLink.Via.FILING)
    assert ticket.events.filter(action=Move.LINK_INCIDENT, actor=scene.student).exists()


# --- Public pages -----------------------------------------------------------------------------


def test_the_status_page_lists_ongoing_and_recent_incidents_without_sign_in(client, scene):
    ongoing = scene.incident()
    old = scene.incident(title="Imprimantes hors service")
    services.resolve(incident=old, actor=scene.agent, text="Réparées.")
    forgotten = scene.incident(title="Vieille panne")
    services.resolve(incident=forgotten, actor=scene.agent, text="Réparée.")
    Incident.objects.filter(pk=forgotten.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=selectors.RECENT_DAYS + 1)
    )
    html = client.get(reverse("incidents:status")).content.decode()
    assert ongoing.title in html and old.title in html
    assert forgotten.title not in html
    assert scene.service.name in html


@pytest.mark.parametrize(("language", "word"), [("fr", "En cours"), ("en", "Ongoing")])
def test_the_feeds_follow_the_status_page_in_both_languages(client, scene, language, word):
    scene.incident()
    atom = client.get(reverse("incidents:feed_atom"), HTTP_ACCEPT_LANGUAGE=language)
    assert atom["Content-Type"].startswith("application/atom+xml")
    body = atom.content.decode()
    assert "Eduroam indisponible" in body and f"[{word}]" in body
    rss = client.get(reverse("incidents:feed_rss"), HTTP_ACCEPT_LANGUAGE=language)
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "Eduroam indisponible" in rss.content.decode()


def test_the_status_page_reads_the_same_queries_for_1_or_20_incidents(
    client, scene, django_assert_num_queries
):
    scene.incident()
    with django_assert_num_queries(2) as one:
        client.get(reverse("incidents:status"))
    for n in range(19):
        services.post_update(
            incident=scene.incident(title=f"Panne {n}"), actor=scene.agent, text="x"
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("incidents:status"))


@pytest.fixture
def confidential(scene) -> Category:
    if not permissions.confidentiality_known():
        pytest.skip("categories have no confidentiality flag yet")
    Category.objects.filter(pk=scene.wifi.pk).update(is_confidential=True)
    if any(f.name == "confidential_scope" for f in Category._meta.get_fields()):
        Category.objects.filter(pk=scene.wifi.pk).update(confidential_scope=scene.wifi.pk)
    return Category.objects.get(pk=scene.wifi.pk)


def test_an_incident_of_a_confidential_category_is_never_public(client, scene, confidential):
    incident = scene.incident(title="Signalements indisponibles", categories=[confidential])
    assert not permissions.is_public(Incident.objects.get(pk=incident.pk))
    for url in (reverse("incidents:status"), reverse("incidents:feed_atom")):
        assert incident.title not in client.get(url).content.decode()
    public = reverse("incidents:public_detail", kwargs={"incident_pk": incident.pk})
    assert client.get(public).status_code == 404
    assert selectors.ongoing_for_category(confidential) == []
    client.force_login(scene.student)
    response = client.post(reverse("incidents:affected", kwargs={"incident_pk": incident.pk}))
    assert response.status_code == 404
    client.force_login(scene.agent)
    desk = client.get(incident.get_absolute_url()).content.decode()
    assert "Not public" in desk or "confidentielle" in desk


# --- The desk ---------------------------------------------------------------------------------


def test_an_agent_declares_from_the_form(client, scene):
    client.force_login(scene.agent)
    response = client.post(
        reverse("incidents:declare"),
        {
            "service": scene.service.pk,
            "title": "ENT inaccessible",
            "message": "La connexion à l'ENT échoue.",
            "categories": [scene.network.pk],
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()


def test_a_wrong_declaration_is_shown_again_with_its_input(client, scene):
    client.force_login(scene.agent)
    response = client.post(
        reverse("incidents:declare"),
        {"service": scene.service.pk, "title": "ENT inaccessible", "message": "", "categories": []},
    )
    assert response.status_code == 400
    assert "ENT inaccessible" in response.content.decode()
    assert not Incident.objects.exists()


def test_declaring_from_similar_tickets_starts_from_the_ticket(client, scene):
    ticket = scene.ticket()
    client.force_login(scene.agent)
    detail = client.get(reverse("desk:detail", kwargs={"pk": ticket.pk})).content.decode()
    assert f"{reverse('incidents:declare')}?ticket={ticket.pk}" in detail
    html = client.get(reverse("incidents:declare"), {"ticket": ticket.pk}).content.decode()
    assert ticket.subject in html
    client.force_login(scene.other_agent)
    response = client.get(reverse("incidents:declare"), {"ticket": ticket.pk})
    assert response.status_code == 404


def test_the_desk_page_proposes_similar_tickets_of_the_affected_categories(client, scene):
    incident = scene.incident(categories=[scene.network])
    similar = scene.ticket(subject="eduroam coupé en amphi")
    unrelated = scene.ticket(subject="Mot de passe oublié")
    elsewhere = TicketFactory(subject="eduroam et inscription", category=scene.other_category)
    client.force_login(scene.agent)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert similar.subject in html
    assert unrelated.subject not in html and elsewhere.subject not in html
    response = client.post(
        reverse("incidents:link", kwargs={"incident_pk": incident.pk}),
        {"link-tickets": [similar.pk], "link-references": f"#{unrelated.pk}"},
    )
    assert response.status_code == 302
    vias = dict(incident.links.values_list("ticket_id", "via"))
    assert vias == {similar.pk: IncidentLink.Via.PROPOSED, unrelated.pk: IncidentLink.Via.PROPOSED}
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "What became of the linked tickets" in html or "Ce que sont devenus" in html


def test_linking_needs_tickets_and_reads_numbers(client, scene):
    incident = scene.incident()
    client.force_login(scene.agent)
    url = reverse("incidents:link", kwargs={"incident_pk": incident.pk})
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"link-references": "douze"}).status_code == 400


def test_a_queue_links_its_checked_tickets_and_shows_each_result(client, scene):
    incident = scene.incident()
    first, second = scene.ticket(), scene.ticket()
    client.force_login(scene.agent)
    queue = client.get(reverse("desk:queue")).content.decode()
    assert reverse("incidents:link_from_queue") in queue
    url = reverse("incidents:link_from_queue")
    choose = client.post(url, {"bulk-tickets": [first.pk, second.pk], "query": "tab=all"})
    assert choose.status_code == 200 and incident.title in choose.content.decode()
    done = client.post(
        url, {"bulk-tickets": [first.pk, second.pk], "query": "tab=all", "incident": incident.pk}
    )
    assert done.status_code == 302 and done["Location"].endswith("?tab=all")
    assert incident.links.count() == 2
    page = client.get(done["Location"]).content.decode()
    assert first.reference in page
    wrong = client.post(url, {"bulk-tickets": [first.pk], "incident": "999999"})
    assert wrong.status_code == 400


def test_update_and_resolve_from_the_desk(client, scene, django_capture_on_commit_callbacks):
    incident = scene.incident()
    ticket = scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    client.force_login(scene.agent)
    update = reverse("incidents:update", kwargs={"incident_pk": incident.pk})
    assert client.post(update, {"update-text": ""}).status_code == 400
    assert client.post(update, {"update-text": "Intervention en cours."}).status_code == 302
    resolve = reverse("incidents:resolve", kwargs={"incident_pk": incident.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            resolve, {"resolve-text": "Réparé.", "resolve-request_closure": "on"}
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSURE_PENDING
    page = client.get(incident.get_absolute_url()).content.decode()
    assert ticket.reference in page
    again = client.post(resolve, {"resolve-text": "Encore."})
    assert again.status_code == 409


def test_requesters_are_not_let_into_the_desk(client, scene):
    incident = scene.incident()
    client.force_login(scene.student)
    assert client.get(reverse("incidents:desk_list")).status_code == 403
    assert client.get(incident.get_absolute_url()).status_code == 403


# --- Statistics -------------------------------------------------------------------------------


def test_statistics_count_tickets_linked_and_avoided_and_the_delay_to_declare(client, scene):
    early = scene.ticket()
    Ticket.objects.filter(pk=early.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=90)
    )
    incident = scene.incident(from_ticket=early)
    later = scene.ticket(requester=scene.teacher)
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[later.pk])
    services.subscribe(incident=incident, user=scene.other_agent)  # avoided a ticket
    services.subscribe(incident=incident, user=scene.teacher)  # filed one anyway
    (row,) = selectors.figures(
        scene.service, timezone.now() - timezone.timedelta(days=1), timezone.now()
    )
    assert (row.linked, row.avoided) == (2, 1)
    assert 89 <= row.to_declaration.total_seconds() / 60 <= 91
    client.force_login(scene.agent)
    page = client.get(reverse("desk:stats"), {"service": scene.service.pk}).content.decode()
    assert 'id="incidents-title"' in page and incident.title in page
    csv = client.get(reverse("incidents:export"), {"service": scene.service.pk})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    header, line = text.splitlines()[:2]
    assert incident.reference in line and ";2;1;" in line


def test_the_desk_lists_ongoing_incidents_first(client, scene):
    resolved = scene.incident(title="Imprimantes hors service")
    services.resolve(incident=resolved, actor=scene.agent, text="Réparées.")
    ongoing = scene.incident(title="ENT inaccessible")
    Incident.objects.filter(pk=ongoing.pk).update(
        started_at=timezone.now() - timezone.timedelta(days=2)
    )
    client.force_login(scene.agent)
    html = client.get(reverse("incidents:desk_list")).content.decode()
    assert html.index(ongoing.title) < html.index(resolved.title)


def test_the_desk_says_when_an_update_has_not_reached_the_tickets_yet(client, scene):
    incident = scene.incident()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[scene.ticket().pk])
    services.post_update(incident=incident, actor=scene.agent, text="En cours.")  # not committed
    client.force_login(scene.agent)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "est en cours de publication" in html


def test_a_linked_confidential_ticket_stays_with_its_named_agents(client, scene):
    """On the incident's desk page, an agent not named for a confidential category does not see
    the ticket linked from it; a named agent does."""
    secret = CategoryFactory(
        name="Situation personnelle", parent=scene.network, service=None, is_confidential=True
    )
    named = agent_of(scene.service, user__full_name="Nina Named")
    secret.confidential_agents.add(named)
    categories_services.category_save(secret)
    ticket = scene.ticket(subject="Dossier médical confidentiel", category=secret)
    incident = scene.incident()
    services.link_one(incident=incident, ticket=ticket, actor=named)
    url = reverse("incidents:detail", args=[incident.pk])

    client.force_login(scene.agent)
    assert "Dossier médical confidentiel" not in client.get(url).content.decode()
    client.force_login(named)
    assert "Dossier médical confidentiel" in client.get(url).content.decode()
