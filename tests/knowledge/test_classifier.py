"""The right category suggested: a classifier learned from the university's own tickets, stored
in the database, retrained by a beat task, offering up to three open categories."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from knowledge import classifier, tasks
from knowledge.models import CategoryModel
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

WORDS = {
    "wifi": ["eduroam", "wifi", "réseau", "borne", "connexion sans fil"],
    "notes": ["relevé de notes", "examen", "note manquante", "jury", "moyenne"],
    "paie": ["bulletin de salaire", "paie", "prime", "virement", "salaire"],
    "badge": ["badge", "porte", "accès bâtiment", "clé", "serrure"],
}


@pytest.fixture
def history(db):
    categories = {
        slug: CategoryFactory(slug=slug, name=slug.title(), service=ServiceFactory())
        for slug in WORDS
    }
    for slug, words in WORDS.items():
        for i in range(12):
            TicketFactory(
                category=categories[slug],
                subject=f"Problème {words[i % len(words)]}",
                description=f"Bonjour, {words[(i + 2) % len(words)]} ne va pas. Merci.",
            )
    return categories


def test_training_stores_a_model_and_its_top3_accuracy(history):
    stored = classifier.train()
    assert stored is not None
    assert stored.tickets == 48
    assert stored.top3_accuracy is not None and stored.top3_accuracy >= 0.9
    assert CategoryModel.objects.count() == 1


def test_the_likely_category_comes_first(history):
    classifier.train()
    guesses = classifier.suggest_categories("ma borne eduroam refuse la connexion")
    assert 1 <= len(guesses) <= 3
    assert guesses[0] == history["wifi"]
    assert classifier.suggest_categories("bulletin de salaire faux")[0] == history["paie"]


def test_a_closed_category_is_never_suggested(history):
    classifier.train()
    history["wifi"].is_active = False
    history["wifi"].save()
    assert history["wifi"] not in classifier.suggest_categories("eduroam wifi borne")


def test_too_few_tickets_train_nothing(db):
    TicketFactory(subject="eduroam")
    assert classifier.train() is None
    assert classifier.suggest_categories("eduroam") == []


def test_the_beat_task_retrains_and_keeps_one_model(history):
    assert tasks.retrain_category_classifier() == 48
    assert tasks.retrain_category_classifier() == 48
    assert CategoryModel.objects.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["knowledge-retrain-categories"]
    assert schedule["task"] == "knowledge.tasks.retrain_category_classifier"


def test_the_which_category_page_links_to_the_form_with_the_words(history):
    classifier.train()
    client = Client()
    client.force_login(UserFactory())
    page = client.get(reverse("knowledge:category_hint"), {"text": "badge porte"}).content.decode()
    assert f"?category={history['badge'].slug}&amp;subject=badge%20porte" in page
