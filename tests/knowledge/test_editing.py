"""The services' agents and heads write their articles on the desk's pages, with a history of
changes, French and English versions linked, and articles made from tickets and linked in
replies."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleEvent, ArticleRevision
from tests.factories import CategoryFactory
from tests.knowledge.conftest import write
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(kb, **overrides):
    data = {
        "title": "Imprimer depuis le wifi",
        "body": "Ajoutez l'imprimante *Salle B*.",
        "service": kb.service.pk,
        "categories": [kb.category.pk],
        "language": "fr",
        "visibility": "public",
        "status": "published",
        "reviewed_on": "2026-12-01",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["agent", "head", "admin"])
def test_the_service_people_write_articles(kb, role):
    client = _client(getattr(kb, role))
    response = client.post(reverse("knowledge:create"), _form(kb))
    assert response.status_code == 302
    article = Article.objects.get(title="Imprimer depuis le wifi")
    assert article.author == getattr(kb, role)
    assert article.reviewed_on == datetime.date(2026, 12, 1)
    assert list(article.categories.all()) == [kb.category]
    assert article.revisions.count() == 1


def test_a_student_may_not_write(kb):
    client = _client(kb.student)
    assert client.get(reverse("knowledge:manage")).status_code == 403
    assert client.post(reverse("knowledge:create"), _form(kb)).status_code == 403
    assert not Article.objects.filter(title="Imprimer depuis le wifi").exists()


def test_another_service_agent_may_not_edit(kb):
    client = _client(kb.foreign_agent)
    url = reverse("knowledge:edit", kwargs={"pk": kb.public.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, _form(kb)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.article_save(
            actor=kb.foreign_agent, service=kb.service, data={"title": "x"}, article=kb.public
        )


def test_a_category_of_another_service_is_refused_and_the_input_kept(kb):
    other = CategoryFactory(name="Scolarité")
    response = _client(kb.agent).post(reverse("knowledge:create"), _form(kb, categories=[other.pk]))
    assert response.status_code == 400
    assert "Imprimer depuis le wifi" in response.content.decode()


def test_every_save_keeps_a_revision_shown_as_history(kb):
    client = _client(kb.head)
    url = reverse("knowledge:edit", kwargs={"pk": kb.public.pk})
    response = client.post(url, _form(kb, title="eduroam, pas à pas", note="Nouvelles étapes"))
    assert response.status_code == 302
    revisions = list(ArticleRevision.objects.filter(article=kb.public))
    assert [r.title for r in revisions] == ["eduroam, pas à pas", "Se connecter à eduroam"]
    assert revisions[0].editor == kb.head
    page = client.get(url).content.decode()
    assert "Nouvelles étapes" in page
    assert "Se connecter à eduroam" in page


def test_french_and_english_versions_point_at_each_other(kb):
    english = write(
        kb.agent, kb.service, "Connecting to eduroam", "Install the profile.", language="en"
    )
    _client(kb.agent).post(
        reverse("knowledge:edit", kwargs={"pk": kb.public.pk}),
        _form(kb, title=kb.public.title, translation=english.pk),
    )
    kb.public.refresh_from_db()
    english.refresh_from_db()
    assert kb.public.translation == english
    assert english.translation == kb.public
    page = Client().get(kb.public.get_absolute_url()).content.decode()
    assert english.get_absolute_url() in page
    assert 'hreflang="en"' in page


def test_a_translation_in_the_same_language_is_refused(kb):
    response = _client(kb.agent).post(
        reverse("knowledge:edit", kwargs={"pk": kb.public.pk}),
        _form(kb, translation=kb.members.pk),
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.article_save(
            actor=kb.agent,
            service=kb.service,
            data={},
            article=kb.public,
            translation=kb.members,
        )


def test_the_body_is_sanitized_like_comments(kb):
    article = write(
        kb.agent, kb.service, "XSS", "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page


def test_an_article_made_from_a_ticket_is_prefilled(kb):
    ticket = ticket_services.ticket_create(
        requester=kb.student,
        category=kb.category,
        subject="Imprimante wifi",
        description="Je ne vois pas l'imprimante.",
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolution="Ajoutez la file Salle B.")
    page = _client(kb.agent).get(reverse("knowledge:create"), {"ticket": ticket.pk})
    html = page.content.decode()
    assert "Imprimante wifi" in html
    assert "Ajoutez la file Salle B." in html
    assert "Je ne vois pas l&#x27;imprimante." in html
    assert (
        _client(kb.foreign_agent)
        .get(reverse("knowledge:create"), {"ticket": ticket.pk})
        .status_code
        == 404
    )
    response = _client(kb.agent).post(
        reverse("knowledge:create"), {**_form(kb), "source_ticket": ticket.pk}
    )
    assert response.status_code == 302
    assert Article.objects.get(title="Imprimer depuis le wifi").source_ticket == ticket


def test_a_reply_linking_an_article_is_counted(kb):
    ticket = ticket_services.ticket_create(
        requester=kb.student, category=kb.category, subject="eduroam", description="KO"
    )
    workflow.take(ticket=ticket, actor=kb.agent)
    link = f"Voir https://helpdesk.example{kb.public.get_absolute_url()}"
    ticket_services.comment_add(ticket=ticket, author=kb.agent, text=link)
    ticket_services.comment_add(ticket=ticket, author=kb.agent, text=link, internal=True)
    ticket_services.comment_add(ticket=ticket, author=kb.student, text=link)
    linked = ArticleEvent.objects.filter(kind=ArticleEvent.Kind.LINKED)
    assert [(e.article, e.ticket) for e in linked] == [(kb.public, ticket)]


def test_the_reply_box_offers_the_articles_to_link(kb):
    ticket = ticket_services.ticket_create(
        requester=kb.student, category=kb.category, subject="eduroam", description="KO"
    )
    client = _client(kb.agent)
    desk = client.get(reverse("desk:detail", kwargs={"pk": ticket.pk})).content.decode()
    assert reverse("knowledge:reply_links") in desk
    assert f"{reverse('knowledge:create')}?ticket={ticket.pk}" in desk
    fragment = client.get(
        reverse("knowledge:reply_links"),
        {"ticket": ticket.pk, "target": "id_text"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f"[{kb.public.title}](http://testserver{kb.public.get_absolute_url()})" in fragment
    assert kb.agents.title not in fragment  # the requester could not read it
    assert kb.draft.title not in fragment
    assert (
        _client(kb.foreign_agent)
        .get(reverse("knowledge:reply_links"), {"ticket": ticket.pk})
        .status_code
        == 404
    )


def test_the_closure_request_offers_the_articles_and_counts_the_link(kb):
    ticket = ticket_services.ticket_create(
        requester=kb.student, category=kb.category, subject="eduroam", description="KO"
    )
    workflow.take(ticket=ticket, actor=kb.agent)
    client = _client(kb.agent)
    url = reverse("desk:move", kwargs={"pk": ticket.pk, "action": "request_closure"})
    page = client.get(url).content.decode()
    assert f"{reverse('knowledge:reply_links')}?ticket={ticket.pk}&amp;target=" in page
    workflow.request_closure(
        ticket=ticket,
        actor=kb.agent,
        resolution=f"Suivez https://helpdesk.example{kb.public.get_absolute_url()}",
    )
    linked = ArticleEvent.objects.get(kind=ArticleEvent.Kind.LINKED)
    assert (linked.article, linked.ticket) == (kb.public, ticket)


def test_the_personal_data_export_lists_the_articles_written(kb):
    from accounts import personal_data

    exported = personal_data.export(kb.agent)["knowledge_base"]
    assert {a["title"] for a in exported["articles_written"]} >= {kb.public.title}
    assert len(exported["changes_made"]) == 4
