from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import landing, personal_data, queue_cache

        personal_data.register()
        landing.register()
        queue_cache.register()
