from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts import profile_sections
        from notifications import forms, metrics, personal_data

        personal_data.register()
        metrics.register()
        profile_sections.register(
            profile_sections.Section(
                name="notifications",
                template="notifications/preferences_form.html",
                form=forms.preferences_form,
                saved=_("Your email preferences have been saved."),
            )
        )
