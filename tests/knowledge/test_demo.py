"""The demo has a few answers per service, and the category classifier learned from its
history."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from categories.models import Service
from knowledge.models import Article, CategoryModel

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_articles_per_service(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_articles", stdout=out)
    for service in Service.objects.all():
        assert Article.objects.filter(service=service, status="published").count() >= 2, service
    english = Article.objects.filter(language="en").select_related("translation")
    assert english and all(a.translation and a.translation.language == "fr" for a in english)
    assert set(Article.objects.values_list("visibility", flat=True)) == {
        "public",
        "members",
        "agents",
    }
    model = CategoryModel.objects.get()
    assert model.tickets > 100
    assert model.top3_accuracy is not None
    count = Article.objects.count()
    call_command("load_demo_articles", stdout=io.StringIO())
    assert Article.objects.count() == count  # run again: nothing new
