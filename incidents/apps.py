from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Known incidents")

    def ready(self) -> None:
        from incidents import filing, personal_data
        from tickets import filing_panels

        personal_data.register()
        filing_panels.filing_panels.connect(filing.panel, dispatch_uid="incidents-panel")
        filing_panels.ticket_filed.connect(filing.ticket_filed, dispatch_uid="incidents-filed")
