"""The profile page's token pages (/profile/tokens/)."""

from django.urls import path

from api.views import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.create, name="create"),
    path("<int:pk>/revoke/", tokens.revoke, name="revoke"),
]
