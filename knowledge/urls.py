from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/solved/", views.solved, name="solved"),
    path("solved/", views.thanks, name="thanks"),
    path("suggest/", views.suggest, name="suggest"),
    path("which-category/", views.category_hint, name="category_hint"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/reply-links/", views.reply_links, name="reply_links"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
]
