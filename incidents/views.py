"""The incidents' pages: the public status page, its feed and an incident's public page (no
sign-in needed); "Je suis concerné"; and the desk pages where a service declares, links, updates
and resolves. Views read through `selectors`, write through `services`, and stay thin.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from categories.models import Service
from incidents import exports, forms, permissions, selectors, services
from incidents.models import IncidentLink
from incidents.permissions import Action
from tickets import bulk, forms_queue
from tickets import permissions as ticket_permissions
from tickets.selectors import ticket_pages
from tickets.views import stats as stats_views

# Where the per-ticket results of a batch wait for the page the POST redirects to.
RESULTS_KEY = "incident_results"
# The queue page shows its own batches' results from this session key (tickets.views.desk).
QUEUE_RESULTS_KEY = "desk_bulk_results"


def desk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Agents, heads and superusers; anyone else gets the desk's 403 page."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_use_incidents_desk(request.user):
            return render(request, "tickets/agent/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Public ------------------------------------------------------------------------------------


@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """Ongoing and recent incidents per service, for everyone (a portal may link or frame it)."""
    context = {"services": selectors.status_page(), "recent_days": selectors.RECENT_DAYS}
    return render(request, "incidents/status.html", context)


@require_safe
def public_detail(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """One public incident, its updates, and "Je suis concerné" while it is ongoing."""
    incident = selectors.public_incident(incident_pk)
    affected = bool(selectors.affected_ids(request.user, [incident]))
    return render(
        request, "incidents/public_detail.html", {"incident": incident, "affected": affected}
    )


@require_POST
@login_required
def affected(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """Records the person as affected ("Je suis concerné"), or no longer affected."""
    incident = selectors.public_incident(incident_pk)
    if request.POST.get("affected") == "no":
        services.unsubscribe(incident=incident, user=request.user)
        messages.success(request, _("You will no longer receive news of this incident."))
    else:
        services.subscribe(incident=incident, user=request.user)
        messages.success(
            request,
            _(
                "You are recorded as affected: you will receive the incident's updates and its "
                "resolution by email, without filing a ticket."
            ),
        )
    return redirect(_safe_next(request, incident.get_public_url()))


# --- The desk ----------------------------------------------------------------------------------


@require_GET
@desk_required
def desk_list(request: HttpRequest) -> HttpResponse:
    """The incidents of the agent's services, ongoing first."""
    incidents = list(selectors.desk_incidents(request.user)[:100])
    return render(
        request, "incidents/desk_list.html", {"incidents": incidents, "desk_page": "incidents"}
    )


def _services_of(user: Any) -> Any:
    services_qs = Service.objects.filter(is_active=True).order_by("name")
    if user.is_superuser:
        return services_qs
    return services_qs.filter(pk__in=ticket_permissions.agent_service_ids(user))


@desk_required
def declare(request: HttpRequest) -> HttpResponse:
    """Declare an incident; `?ticket=<id>` (from a ticket's "Similar tickets") starts from that
    ticket's service and category, and links it."""
    user = request.user
    source = None
    ticket_id = request.GET.get("ticket") or request.POST.get("ticket")
    if ticket_id:
        try:
            source = (
                ticket_pages.tickets_visible_to(user)
                .select_related("category")
                .get(pk=int(ticket_id))
            )
        except (ValueError, TypeError, ticket_pages.Ticket.DoesNotExist) as error:
            raise Http404 from error
    services_qs = _services_of(user)
    if request.method == "POST":
        form = forms.DeclareForm(request.POST, services=services_qs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.declare(
                    actor=user,
                    service=data["service"],
                    title=data["title"],
                    message=data["message"],
                    categories=data["categories"],
                    started_at=data["started_at"],
                    from_ticket=source,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The incident %(reference)s is declared.")
                    % {"reference": incident.reference},
                )
                return redirect(incident)
        status_code = 400
    else:
        initial: dict[str, Any] = {}
        if source is not None:
            initial = {
                "service": source.service_id,
                "categories": [source.category_id],
                "title": source.subject,
            }
        form = forms.DeclareForm(initial=initial, services=services_qs)
        status_code = 200
    context = {"form": form, "source": source, "desk_page": "incidents"}
    return render(request, "incidents/declare.html", context, status=status_code)


def _detail(
    request: HttpRequest, incident: Any, status_code: int = 200, **forms_given: Any
) -> HttpResponse:
    proposed = selectors.proposed_tickets(incident, request.user) if incident.is_ongoing else []
    updates = list(incident.updates.all())
    context = {
        "incident": incident,
        "desk_page": "incidents",
        "proposed": proposed,
        "link_form": forms_given.get("link_form") or forms.LinkForm(prefix="link"),
        "update_form": forms_given.get("update_form") or forms.TextForm(prefix="update"),
        "resolve_form": forms_given.get("resolve_form") or forms.ResolveForm(prefix="resolve"),
        "results": request.session.pop(f"{RESULTS_KEY}_{incident.pk}", None),
        "latest": updates[-1] if updates else None,
        "is_public": permissions.is_public(incident),
        "may_act": permissions.may(Action.LINK, request.user, incident),
        "vias": IncidentLink.Via,
    }
    return render(request, "incidents/desk_detail.html", context, status=status_code)


@require_GET
@desk_required
def detail(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """An incident's desk page: what the public reads, the linked tickets, the tickets proposed
    for linking, and the forms to link, post an update and resolve."""
    return _detail(request, selectors.desk_incident(incident_pk, request.user))


def _done(request: HttpRequest, incident: Any, results: list[bulk.BulkResult]) -> HttpResponse:
    request.session[f"{RESULTS_KEY}_{incident.pk}"] = [r.as_dict() for r in results]
    return redirect(incident)


@require_POST
@desk_required
def link(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """Links the tickets typed or ticked on the incident's page."""
    incident = selectors.desk_incident(incident_pk, request.user)
    form = forms.LinkForm(request.POST, prefix="link")
    if not form.is_valid():
        return _detail(request, incident, 400, link_form=form)
    via = IncidentLink.Via.PROPOSED if form.cleaned_data["tickets"] else IncidentLink.Via.DESK
    try:
        results = services.link_tickets(
            incident=incident, actor=request.user, ticket_ids=form.cleaned_data["ids"], via=via
        )
    except bulk.BatchTooLarge:
        form.add_error(None, _("At most %(limit)s tickets at once.") % {"limit": bulk.BULK_LIMIT})
        return _detail(request, incident, 400, link_form=form)
    return _done(request, incident, results)


@require_POST
@desk_required
def update(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """Posts a public update to the incident, its linked tickets and the people affected."""
    incident = selectors.desk_incident(incident_pk, request.user)
    form = forms.TextForm(request.POST, prefix="update")
    if not form.is_valid():
        return _detail(request, incident, 400, update_form=form)
    services.post_update(incident=incident, actor=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("The update is posted."))
    return redirect(incident)


@require_POST
@desk_required
def resolve(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """Resolves the incident; optionally requests the closure of every linked ticket."""
    incident = selectors.desk_incident(incident_pk, request.user)
    form = forms.ResolveForm(request.POST, prefix="resolve")
    if not form.is_valid():
        return _detail(request, incident, 400, resolve_form=form)
    services.resolve(
        incident=incident,
        actor=request.user,
        text=form.cleaned_data["text"],
        request_closure=form.cleaned_data["request_closure"],
    )
    messages.success(request, _("The incident is resolved."))
    return redirect(incident)


@require_POST
@desk_required
def link_from_queue(request: HttpRequest) -> HttpResponse:
    """The queue's "Link to an incident": the checked tickets, then the incident to link them
    to (a page of its own, so it works without JavaScript); the queue then lists the results."""
    query = request.POST.get("query", "")
    kept = forms_queue.queue_query(query)
    back = reverse("desk:queue") + (f"?{kept}" if kept else "")
    ids = [value for value in request.POST.getlist("bulk-tickets") if value.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one ticket."))
        return redirect(back)
    if len(ids) > bulk.BULK_LIMIT:
        messages.error(
            request, _("At most %(limit)s tickets at once.") % {"limit": bulk.BULK_LIMIT}
        )
        return redirect(back)
    incidents = selectors.linkable_incidents(request.user)
    chosen = request.POST.get("incident", "")
    incident = next((i for i in incidents if str(i.pk) == chosen), None)
    if incident is None:
        context = {
            "incidents": incidents,
            "ids": ids,
            "query": query,
            "back": back,
            "error": bool(chosen),
            "desk_page": "incidents",
        }
        return render(
            request, "incidents/link_from_queue.html", context, status=400 if chosen else 200
        )
    results = services.link_tickets(
        incident=incident,
        actor=request.user,
        ticket_ids=[int(pk) for pk in ids],
        via=IncidentLink.Via.QUEUE,
    )
    request.session[QUEUE_RESULTS_KEY] = [result.as_dict() for result in results]
    return redirect(back)


@require_GET
@login_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The incidents of the statistics' service and period as CSV."""
    form = stats_views._stats_form(request)
    if not form.is_valid():
        raise Http404
    service = form.cleaned_data["service"]
    period = form.period_value()
    rows = selectors.figures(service, period.start, period.end)
    filename = f"incidents-{service.slug}-{period.first_day}-{period.last_day}.csv"
    return exports.csv_response(rows, filename)
