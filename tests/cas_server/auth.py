"""The test CAS server's people: a JSON file of username -> password and attributes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cas_server.auth import AuthUser


def _people() -> dict[str, Any]:
    return json.loads(Path(os.environ["CAS_TEST_PEOPLE_FILE"]).read_text())


class JsonAuthUser(AuthUser):
    """Reads the file at each call, so a test changes a person between two sign-ins."""

    def test_password(self, password: str) -> bool:
        person = _people().get(self.username)
        return person is not None and person["password"] == password

    def attributs(self) -> dict[str, Any]:
        person = _people().get(self.username)
        return dict(person["attributes"]) if person else {}
