from allauth.account.apps import AccountConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        from accounts import receivers

        receivers.connect()


class EmailAddressesConfig(AccountConfig):
    """allauth's accounts app, named in the admin after what it holds: its own "Accounts" title
    would be a second section beside the people."""

    verbose_name = _("Email addresses")
