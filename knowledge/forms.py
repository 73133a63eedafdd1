"""The knowledge base's forms: an article, a search, an avoided ticket."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from categories.models import Category, Service
from knowledge import selectors
from knowledge.models import Article
from tickets.forms import RequesterForm


class ArticleForm(RequesterForm):
    """An article as its service's agents write it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        help_text=_("Markdown: *emphasis*, **bold**, lists, links, `code`."),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("The categories where this answer is suggested to people filing a ticket."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Article.Language.choices)
    translation = forms.ModelChoiceField(
        label=_("Version in the other language"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("The same answer in the other language, if the service wrote one."),
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Article.Visibility.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    reviewed_on = forms.DateField(
        label=_("Last review"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("What changed (for the history)"), max_length=200, required=False
    )

    def __init__(
        self, *args: Any, user: Any, article: Article | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        services = selectors.editable_services(user)
        self.fields["service"].queryset = services
        self.fields["categories"].queryset = (
            Category.objects.filter(handling_service__in=services, is_active=True)
            .select_related("handling_service")
            .order_by("handling_service__name", "tree_path")
        )
        self.fields["categories"].label_from_instance = lambda c: (
            f"{c.handling_service.name} › {c.name}"
        )
        others = selectors.editable_articles(user)
        if article is not None:
            others = others.exclude(pk=article.pk)
        self.fields["translation"].queryset = others
        self.fields["translation"].label_from_instance = lambda a: (
            f"{a.title} ({a.get_language_display()})"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        service = data.get("service")
        for category in data.get("categories") or []:
            if service is not None and category.handling_service_id != service.pk:
                self.add_error(
                    "categories",
                    _("“%(category)s” belongs to another service.") % {"category": category},
                )
        translation = data.get("translation")
        if translation is not None and translation.language == data.get("language"):
            self.add_error(
                "translation", _("The translation must be written in the other language.")
            )
        return data


class SearchForm(forms.Form):
    """The knowledge base's search box."""

    q = forms.CharField(label=_("Search the answers"), max_length=200, required=False)
