from django.urls import path

from tickets.views import agent_ticket, desk, people
from tickets.views import stats as stats_views

app_name = "desk"

urlpatterns = [
    path("", desk.home, name="home"),
    path("availability/", desk.availability, name="availability"),
    path("queue/", desk.queue, name="queue"),
    path("queue/counts/", desk.queue_counts, name="queue_counts"),
    path("queue/bulk/", desk.bulk_apply, name="queue_bulk"),
    path("queue/views/", desk.view_save, name="view_save"),
    path("queue/views/<int:pk>/delete/", desk.view_delete, name="view_delete"),
    path("tickets/<int:pk>/", agent_ticket.detail, name="detail"),
    path("tickets/<int:pk>/actions/<slug:action>/", agent_ticket.act, name="action"),
    path("tickets/<int:pk>/moves/<slug:action>/", agent_ticket.move, name="move"),
    path("tickets/<int:pk>/watch/", people.watch, name="watch"),
    path("tickets/<int:pk>/unwatch/", people.unwatch, name="unwatch"),
    path("file/", people.file_for, name="file_for"),
    path("stats/", stats_views.page, name="stats"),
    path("stats/export/", stats_views.export, name="stats_export"),
    path("queue/export/", stats_views.queue_export, name="queue_export"),
]
