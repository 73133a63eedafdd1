"""The "Mes tickets" widget for the ENT (/ent/mine/): a page without header that the portal's
origins (`ENT_FRAME_ANCESTORS`) may frame, and every other origin may not; its JSON is
/api/v1/ent/mine/. Its links open in the portal's whole window (the helpdesk's other pages refuse
framing)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import ent
from api import serializers as api_serializers
from helpdesk import security


@require_safe
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """The widget; a visitor not signed in gets a link to sign in (in the whole window)."""
    context = {"summary": ent.summary(request.user) if request.user.is_authenticated else None}
    response = render(request, "api/ent_widget.html", context)
    response["Content-Security-Policy"] = security.content_security_policy(
        security.sso_origins(), frame_ancestors=ent.frame_ancestors()
    )
    response["Cache-Control"] = "private, no-store"
    return response


class EntSummaryView(APIView):
    """The widget's data: open tickets waiting for the person, the other open ones."""

    @extend_schema(
        responses=inline_serializer(
            "EntSummary",
            {
                "waiting": api_serializers.TicketRowSerializer(many=True),
                "open": api_serializers.TicketRowSerializer(many=True),
                "more": serializers.BooleanField(),
                "file_url": serializers.CharField(),
                "mine_url": serializers.CharField(),
            },
        ),
        operation_id="ent_summary",
    )
    def get(self, request: Request) -> Response:
        summary = ent.summary(request.user)
        return Response(
            {
                "waiting": api_serializers.TicketRowSerializer(summary.waiting, many=True).data,
                "open": api_serializers.TicketRowSerializer(summary.open, many=True).data,
                "more": summary.more,
                "file_url": request.build_absolute_uri("/tickets/new/"),
                "mine_url": request.build_absolute_uri("/tickets/"),
            }
        )
