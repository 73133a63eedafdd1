from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from accounts import profile_sections
        from api import forms, personal_data

        personal_data.register()

        profile_sections.register(
            profile_sections.Section(
                name="api_tokens",
                template="api/_profile_tokens.html",
                form=forms.token_form,
                saved=_("Your token is created."),
            )
        )
