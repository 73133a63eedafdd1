"""The project's URLs plus views that refuse, for tests of the refusal page."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from helpdesk.urls import urlpatterns as project_urlpatterns
from tickets.exceptions import TextRequired, TransitionRefused


def refuse(request: HttpRequest, code: int) -> HttpResponse:
    if code == 400:
        raise TextRequired("Please write your question.")
    if code == 999:
        raise PermissionDenied
    raise TransitionRefused("This ticket was already taken by Bob.", code)


urlpatterns = [
    *project_urlpatterns,
    path("tickets/refuse/<int:code>/", refuse),
    path("elsewhere/refuse/<int:code>/", refuse),
    path("desk/refuse/<int:code>/", refuse),
]
