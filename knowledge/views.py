"""The knowledge base's pages: browsing and searching the answers (public), the suggestions while
filing, and the agents' pages that write articles.

Reads go through `knowledge.selectors` (who may read what is decided there), writes through
`knowledge.services`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from categories.models import Category, Service
from knowledge import classifier, selectors, services
from knowledge.forms import ArticleForm, SearchForm
from knowledge.models import Article, ArticleEvent
from tickets import exports, permissions
from tickets.models import Ticket
from tickets.views import stats as stats_views

ARTICLES_PER_PAGE = 25
MAX_SEARCH_RESULTS = 50


def _filing_category(request: HttpRequest) -> Category | None:
    """The category being filed in, when the person came from "Déposer un ticket"."""
    slug = (request.GET.get("category") or request.POST.get("category") or "").strip()
    if not slug:
        return None
    # What the pages use of it: its name and slug, and the service whose answers are offered.
    return (
        Category.objects.filter(slug=slug, is_active=True)
        .only("id", "name", "slug", "handling_service_id", "tree_path")
        .first()
    )


def _continue_url(category: Category | None, subject: str) -> str:
    """Back to the ticket form of the category, with what was typed."""
    if category is None:
        return reverse("tickets:create")
    query = {"category": category.slug}
    if subject:
        query["subject"] = subject[:200]
    return reverse("tickets:create") + "?" + urlencode(query)


# --- Reading ---------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The answers, by service and category, and their search."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    service = None
    category = None
    if request.GET.get("service"):
        service = get_object_or_404(Service, slug=request.GET["service"], is_active=True)
    filing = _filing_category(request)
    if request.GET.get("category") and filing is None:
        raise Http404
    if filing is not None and not text:
        category = filing
    if text:
        service_ids = [] if service is None else [service.pk]
        if filing is not None:
            service_ids.append(filing.handling_service_id)
        # The best matches only: ranking is what costs, and counting every match would cost
        # as much again for a page nobody reads past.
        articles = selectors.search_results(
            request.user, text, service_ids=service_ids, limit=MAX_SEARCH_RESULTS
        )
    elif service is not None or category is not None:
        articles = selectors.articles_for_browsing(
            request.user, service=service, category=category
        ).values_list(*selectors.LINK_FIELDS)
    else:
        articles = None
    page = None
    if articles is not None:
        page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors.article_links(page.object_list)
    context = {
        "form": form,
        "text": text,
        "service": service,
        "category": category,
        "filing": filing,
        "continue_url": _continue_url(filing, text) if filing else "",
        "page": page,
        "services": selectors.services_with_articles(request.user) if articles is None else [],
        "service_categories": selectors.categories_of(service) if service is not None else [],
        "is_editor": selectors.is_editor_somewhere(request.user),
    }
    return render(request, "knowledge/index.html", context)


@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """One article at its stable address; a person filing a ticket may say it solved the problem.
    Someone who may not read it gets a 404, as for an address that does not exist."""
    found = selectors.article_for_page(request.user, pk)
    if found is None:
        raise Http404
    filing = _filing_category(request)
    if found.is_published:
        services.record(found, ArticleEvent.Kind.VIEW, category=filing)
    translation = found.translation
    if (
        translation is not None
        and not selectors.articles_visible_to(request.user).filter(pk=translation.pk).exists()
    ):
        translation = None
    context = {
        "article": found,
        "translation": translation,
        "filing": filing,
        "subject": request.GET.get("subject", "")[:200],
        "continue_url": _continue_url(filing, request.GET.get("subject", "")) if filing else "",
        "can_edit": selectors.can_edit(request.user, found),
    }
    return render(request, "knowledge/article.html", context)


@require_POST
def solved(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cela a résolu mon problème": counts an avoided ticket and files nothing."""
    found = selectors.articles_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    services.record(found, ArticleEvent.Kind.AVOIDED, category=_filing_category(request))
    return redirect(reverse("knowledge:thanks") + "?" + urlencode({"article": found.pk}))


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    """The page after "Cela a résolu mon problème": no ticket was filed."""
    article_id = request.GET.get("article", "")
    found = (
        selectors.articles_visible_to(request.user).filter(pk=article_id).first()
        if article_id.isdigit()
        else None
    )
    return render(request, "knowledge/thanks.html", {"article": found})


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """The answers matching what someone types as a subject while filing (an htmx fragment)."""
    category = _filing_category(request)
    if category is None:
        return HttpResponse(status=400)
    subject = request.GET.get("subject", "")[:200]
    context = {
        "category": category,
        "subject": subject,
        "articles": selectors.suggestions(
            request.user, category, subject, language=request.LANGUAGE_CODE[:2]
        ),
    }
    return render(request, "knowledge/_suggestions.html", context)


@login_required
@require_safe
def category_hint(request: HttpRequest) -> HttpResponse:
    """ "Which category?": up to three likely categories for the words someone types, learned
    from the university's own tickets."""
    text = request.GET.get("text", "")[:1000]
    guesses = classifier.suggest_categories(text, user=request.user) if text.strip() else []
    context = {"text": text, "guesses": guesses, "subject": text[:200]}
    template = (
        "knowledge/_category_guesses.html" if request.htmx else "knowledge/category_hint.html"
    )
    return render(request, template, context)


# --- Writing (the service's agents and heads) --------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not selectors.is_editor_somewhere(request.user):
        raise PermissionDenied(_("Only the services' agents write articles."))


@login_required
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """The articles of the person's services, drafts included."""
    _require_editor(request)
    page = Paginator(selectors.editable_articles(request.user), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "knowledge/manage.html", {"page": page})


def _ticket_initial(request: HttpRequest) -> tuple[Ticket | None, dict[str, Any]]:
    """ "Make an article from this ticket": the question and the resolution, prefilled."""
    ticket_id = request.GET.get("ticket") or request.POST.get("source_ticket") or ""
    if not ticket_id.isdigit():
        return None, {}
    ticket = Ticket.objects.select_related("service", "category").filter(pk=int(ticket_id)).first()
    if ticket is None or not selectors.can_edit(request.user, ticket.service_id):
        raise Http404
    if not permissions.can_view_internal(ticket, request.user):
        # A confidential category's ticket is for its named agents alone.
        raise Http404
    body = "\n\n".join(
        part
        for part in (
            ticket.description.strip(),
            ("**" + _("The answer") + "**\n\n" + ticket.resolution.strip())
            if ticket.resolution.strip()
            else "",
        )
        if part
    )
    initial = {
        "title": ticket.subject,
        "body": body,
        "service": ticket.service,
        "categories": [ticket.category]
        if ticket.category.handling_service_id == ticket.service_id
        else [],
        "visibility": Article.Visibility.MEMBERS,
        "status": Article.Status.DRAFT,
        "language": getattr(ticket.requester, "preferred_language", "fr") or "fr",
    }
    return ticket, initial


def _save(request: HttpRequest, form: ArticleForm, article: Article | None, ticket: Ticket | None):
    data = form.cleaned_data
    return services.article_save(
        actor=request.user,
        service=data["service"],
        data=data,
        article=article,
        categories=list(data["categories"]),
        translation=data["translation"],
        source_ticket=ticket,
        note=data["note"],
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """A new article; `?ticket=<id>` prefills it from a ticket's question and resolution."""
    _require_editor(request)
    ticket, initial = _ticket_initial(request)
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved = _save(request, form, None, ticket)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The article was saved."))
                return redirect("knowledge:edit", pk=saved.pk)
        status = 400
    else:
        initial.setdefault("reviewed_on", timezone.localdate())
        initial.setdefault("language", request.LANGUAGE_CODE[:2])
        form = ArticleForm(initial=initial, user=request.user)
        status = 200
    context = {"form": form, "article": None, "ticket": ticket}
    return render(request, "knowledge/edit.html", context, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An article of the person's services, and its history of changes."""
    _require_editor(request)
    article = get_object_or_404(
        selectors.editable_articles(request.user).select_related("translation"), pk=pk
    )
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user, article=article)
        if form.is_valid():
            try:
                _save(request, form, article, None)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The article was saved."))
                return redirect("knowledge:edit", pk=article.pk)
        status = 400
    else:
        form = ArticleForm(
            initial={
                "title": article.title,
                "body": article.body,
                "service": article.service,
                "categories": list(article.categories.all()),
                "language": article.language,
                "translation": article.translation,
                "visibility": article.visibility,
                "status": article.status,
                "reviewed_on": article.reviewed_on,
            },
            user=request.user,
            article=article,
        )
        status = 200
    revisions = article.revisions.select_related("editor")[:50]
    context = {"form": form, "article": article, "revisions": revisions, "ticket": None}
    return render(request, "knowledge/edit.html", context, status=status)


@login_required
@require_safe
def reply_links(request: HttpRequest) -> HttpResponse:
    """Articles an agent may link in a reply to a ticket (an htmx fragment in the reply box, or a
    page of its own without JavaScript)."""
    _require_editor(request)
    ticket_id = request.GET.get("ticket", "")
    if not ticket_id.isdigit():
        return HttpResponse(_("Which ticket?"), status=400)
    ticket = Ticket.objects.filter(pk=int(ticket_id)).select_related("service").first()
    if ticket is None or not (
        request.user.is_superuser or permissions.is_agent_of(request.user, ticket.service_id)
    ):
        raise Http404
    text = request.GET.get("q", "")[:200]
    articles = selectors.linkable_articles(request.user, ticket.service_id, text)
    links = [
        (found, f"[{found.title}]({request.build_absolute_uri(found.get_absolute_url())})")
        for found in articles
    ]
    context = {
        "ticket": ticket,
        "links": links,
        "q": text,
        "target": request.GET.get("target", "")[:80],
    }
    template = "knowledge/_reply_links.html" if request.htmx else "knowledge/reply_links.html"
    return render(request, template, context)


@login_required
@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    """The knowledge base's figures of the statistics' service and period (the statistics page
    loads them with htmx; a page of their own without JavaScript)."""
    form = stats_views._stats_form(request)
    if not form.is_valid():
        raise Http404
    service = form.cleaned_data["service"]
    period = form.period_value()
    context = {
        "kb": selectors.knowledge_stats(service, period.start, period.end),
        "service": service,
        "period": period,
        "export_query": request.GET.urlencode(),
    }
    template = "knowledge/_stats_figures.html" if request.htmx else "knowledge/stats.html"
    return render(request, template, context)


@login_required
@require_safe
def stats_export(request: HttpRequest) -> StreamingHttpResponse:
    """The knowledge base's figures of the statistics' service and period as CSV."""
    form = stats_views._stats_form(request)
    if not form.is_valid():
        raise Http404
    service = form.cleaned_data["service"]
    period = form.period_value()
    stats = selectors.knowledge_stats(service, period.start, period.end)
    filename = f"knowledge-{service.slug}-{period.first_day}-{period.last_day}.csv"
    return exports.csv_response(selectors.stats_rows(stats), filename)
