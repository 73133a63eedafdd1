"""The lock file pip-audit checks (requirements.lock) pins every dependency the project declares,
at a version its declared range accepts: what is audited is what is installed."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.production_env import BASE_DIR


def _locked() -> dict[str, Version]:
    pins = {}
    for line in (BASE_DIR / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _sep, version = line.partition("==")
        assert version, f"requirements.lock: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_declared_dependency_is_locked_within_its_range():
    """pyproject.toml's dependencies and test extras are all in requirements.lock, in range."""
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared.extend(extra)
    locked = _locked()
    problems = []
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{name} is not in requirements.lock")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{name}=={locked[name]} is outside {requirement.specifier}")
    assert not problems, "run scripts/audit.sh --lock: " + "; ".join(problems)


def test_the_audit_script_audits_the_lock_file_strictly():
    """scripts/audit.sh runs pip-audit on requirements.lock and fails on what it cannot check."""
    script = (BASE_DIR / "scripts" / "audit.sh").read_text()
    assert "pip_audit" in script
    assert '--requirement "$LOCK"' in script and "LOCK=requirements.lock" in script
    assert "--strict" in script
