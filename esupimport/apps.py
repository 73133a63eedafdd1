from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsupImportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "esupimport"
    verbose_name = _("Import from esup-helpdesk")
