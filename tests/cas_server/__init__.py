"""A real CAS server for the tests: django-cas-server in its own small Django project.

`start_cas_server(...)` runs it in a subprocess on a free loopback port, with the helpdesk's
service URLs allowed, single logout on, and the university attributes released (mail, displayName,
eduPersonAffiliation, supannEntiteAffectation, preferredLanguage, isMemberOf). The people it
knows live in a JSON file the test can rewrite between sign-ins, as a directory update would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.support import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]

# What a French university's CAS releases to its applications.
RELEASED_ATTRIBUTES = [
    "mail",
    "displayName",
    "eduPersonAffiliation",
    "supannEntiteAffectation",
    "preferredLanguage",
    "isMemberOf",
]


@dataclass
class CasServer:
    """The running server, and the people it signs in."""

    base_url: str
    people_file: Path
    log: Path
    people: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/cas/login"

    @property
    def logout_url(self) -> str:
        return f"{self.base_url}/cas/logout"

    def add_person(self, username: str, password: str, **attributes: Any) -> None:
        """Adds or replaces a person; their attributes are read at each sign-in."""
        self.people[username] = {"password": password, "attributes": attributes}
        self.people_file.write_text(json.dumps(self.people))


def cas_server_available() -> bool:
    try:
        import cas_server  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def start_cas_server(directory: Path, service_pattern: str) -> Iterator[CasServer]:
    """django-cas-server on 127.0.0.1, accepting services that match `service_pattern`."""
    require_service(
        cas_server_available(),
        "needs django-cas-server (pip install -e '.[test]')",
    )
    port = free_port()
    server = CasServer(
        base_url=f"http://127.0.0.1:{port}",
        people_file=directory / "people.json",
        log=directory / "cas.log",
    )
    server.people_file.write_text("{}")
    environment = {
        **os.environ,
        "CAS_TEST_DATA_DIR": str(directory),
        "CAS_TEST_PORT": str(port),
        "CAS_TEST_PEOPLE_FILE": str(server.people_file),
        "CAS_TEST_SERVICE_PATTERN": service_pattern,
        "CAS_TEST_ATTRIBUTES": ",".join(RELEASED_ATTRIBUTES),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    with server.log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.cas_server.serve"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"The test CAS server exited:\n{server.log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(server.login_url, timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    try:
        if not wait_until(answers, 60):
            pytest.fail(f"The test CAS server did not answer:\n{server.log.read_text()}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
