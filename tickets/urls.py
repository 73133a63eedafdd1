from django.urls import path  # noqa: F401

from tickets.views import common as common_views

app_name = "tickets"

urlpatterns: list = []
urlpatterns += [
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        common_views.attachment_download,
        name="attachment",
    ),
]
