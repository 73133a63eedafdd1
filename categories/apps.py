from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CategoriesConfig(AppConfig):
    name = "categories"
    verbose_name = _("Services and categories")

    def ready(self) -> None:
        from categories import personal_data

        personal_data.register()
