from django.urls import path

from incidents import feeds, views

app_name = "incidents"

urlpatterns = [
    # Public: no sign-in needed ("Je suis concerné" asks for it).
    path("status/", views.status, name="status"),
    path("status/feed/atom/", feeds.StatusAtomFeed(), name="feed_atom"),
    path("status/feed/rss/", feeds.StatusFeed(), name="feed_rss"),
    path("status/incidents/<int:incident_pk>/", views.public_detail, name="public_detail"),
    path("status/incidents/<int:incident_pk>/affected/", views.affected, name="affected"),
    # The desk.
    path("desk/incidents/", views.desk_list, name="desk_list"),
    path("desk/incidents/new/", views.declare, name="declare"),
    path("desk/incidents/from-queue/", views.link_from_queue, name="link_from_queue"),
    path("desk/incidents/export/", views.export, name="export"),
    path("desk/incidents/<int:incident_pk>/", views.detail, name="detail"),
    path("desk/incidents/<int:incident_pk>/link/", views.link, name="link"),
    path("desk/incidents/<int:incident_pk>/update/", views.update, name="update"),
    path("desk/incidents/<int:incident_pk>/resolve/", views.resolve, name="resolve"),
]
