"""/ent/: what the university's portal embeds."""

from django.urls import path

from api.views import ent

app_name = "ent"

urlpatterns = [
    path("mine/", ent.widget, name="mine"),
]
