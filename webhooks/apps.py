from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from tickets.models import TicketEvent
        from webhooks import signals
        from webhooks.models import Webhook

        # Every timeline event is written by tickets.events inside its move's transaction: the
        # deliveries are written in it too (bulk loads of history send no signal).
        post_save.connect(signals.event_saved, sender=TicketEvent, dispatch_uid="webhooks")
        for signal in (post_save, post_delete):
            signal.connect(signals.webhook_changed, sender=Webhook, dispatch_uid="webhooks")
