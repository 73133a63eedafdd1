"""/api/v1/: the REST API, its OpenAPI schema and its documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views import desk, ent, moves, requester

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("me/", requester.MeView.as_view(), name="me"),
    path("categories/", requester.CategoryListView.as_view(), name="categories"),
    path("tickets/", requester.MyTicketsView.as_view(), name="tickets"),
    path("tickets/<int:pk>/", requester.TicketView.as_view(), name="ticket"),
    path("ent/mine/", ent.EntSummaryView.as_view(), name="ent_mine"),
    path("desk/queues/<slug:key>/", desk.QueueView.as_view(), name="desk_queue"),
    path("desk/tickets/<int:pk>/", desk.DeskTicketView.as_view(), name="desk_ticket"),
]
urlpatterns += [
    path(
        f"tickets/<int:pk>/{api_move.name}/",
        moves.move_view(api_move),
        name=f"move_{api_move.name}",
    )
    for api_move in moves.API_MOVES
]
