from django.urls import path

from tickets.views import agent
from tickets.views import stats as stats_views

app_name = "desk"

urlpatterns = [
    path("", agent.home, name="home"),
    path("availability/", agent.availability, name="availability"),
    path("queue/", agent.queue, name="queue"),
    path("tickets/<int:pk>/", agent.detail, name="detail"),
    path("tickets/<int:pk>/actions/<slug:action>/", agent.act, name="action"),
    path("stats/", stats_views.page, name="stats"),
    path("stats/export/", stats_views.export, name="stats_export"),
    path("queue/export/", stats_views.queue_export, name="queue_export"),
]
