"""Runs the test identity provider: `python -m tests.sso_idp.serve` (from the project root).

Reads SSO_IDP_DATA_DIR, SSO_IDP_PORT, SSO_IDP_CLIENT_ID, SSO_IDP_CLIENT_SECRET, SSO_IDP_REDIRECT_URI
and SSO_IDP_USER (JSON: username, password, first_name, last_name, email); creates the database,
the person and the registered client, then serves on 127.0.0.1 until it is terminated.
"""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso_idp.settings"
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    person = json.loads(os.environ["SSO_IDP_USER"])
    user = get_user_model().objects.create_user(
        username=person["username"],
        password=person["password"],
        email=person["email"],
        first_name=person["first_name"],
        last_name=person["last_name"],
    )
    Application.objects.create(
        name="Helpdesk",
        user=user,
        client_id=os.environ["SSO_IDP_CLIENT_ID"],
        client_secret=os.environ["SSO_IDP_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["SSO_IDP_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        # The university's IdP does not ask people to consent to the helpdesk.
        skip_authorization=True,
    )
    run("127.0.0.1", int(os.environ["SSO_IDP_PORT"]), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
