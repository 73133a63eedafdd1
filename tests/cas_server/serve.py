"""Runs the test CAS server: `python -m tests.cas_server.serve` (from the project root).

Reads CAS_TEST_DATA_DIR, CAS_TEST_PORT, CAS_TEST_PEOPLE_FILE, CAS_TEST_SERVICE_PATTERN and
CAS_TEST_ATTRIBUTES (comma-separated names to release); creates the database and the service
pattern (single logout on), then serves on 127.0.0.1 until it is terminated.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.cas_server.settings"
    import django

    django.setup()

    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    pattern = ServicePattern.objects.create(
        name="helpdesk",
        pattern=os.environ["CAS_TEST_SERVICE_PATTERN"],
        single_log_out=True,
    )
    for name in os.environ["CAS_TEST_ATTRIBUTES"].split(","):
        ReplaceAttributName.objects.create(name=name, service_pattern=pattern)
    run("127.0.0.1", int(os.environ["CAS_TEST_PORT"]), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
