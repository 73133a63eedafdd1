from django.urls import path

from tickets.views import common as common_views
from tickets.views import people, requester

app_name = "tickets"

urlpatterns: list = [
    path("", requester.mine, name="mine"),
    path("new/", requester.create, name="create"),
    path("<int:pk>/", requester.detail, name="detail"),
    path("<int:pk>/created/", requester.created, name="created"),
    path("<int:pk>/closure/", requester.closure, name="closure"),
    path("<int:pk>/closure/approve/", requester.approve_closure, name="approve_closure"),
    path("<int:pk>/closure/refuse/", requester.refuse_closure, name="refuse_closure"),
    path("<int:pk>/comment/", requester.comment, name="comment"),
    path("<int:pk>/attachments/", requester.add_attachment, name="add_attachment"),
    # The form's former address and field names, for pages opened before it was renamed.
    path("<int:pk>/attach/", requester.add_attachment, {"prefix": "attach"}, name="former_attach"),
    path("<int:pk>/solved/", requester.mark_solved, name="mark_solved"),
    path("<int:pk>/cancel/", requester.cancel, name="cancel"),
    path("<int:pk>/reopen/", requester.reopen, name="reopen"),
    path("<int:pk>/invite/", people.invite, name="invite"),
    path("<int:pk>/leave/", people.leave, name="leave"),
    path("<int:pk>/invitations/<int:user_pk>/remove/", people.uninvite, name="uninvite"),
]
urlpatterns += [
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        common_views.attachment_download,
        name="attachment",
    ),
]
