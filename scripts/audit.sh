#!/usr/bin/env bash
# Known vulnerabilities in the locked dependencies: pip-audit over requirements.lock.
#
#   scripts/audit.sh            audit requirements.lock (exit 1 on a known vulnerability, and on
#                               a package the advisory source could not look up: --strict)
#   scripts/audit.sh --lock     rewrite requirements.lock from the virtualenv, then audit it
#
# The advisories come from PyPI's JSON API (/pypi/<name>/<version>/json, "vulnerabilities"),
# i.e. the Python Packaging Advisory Database; AUDIT_SERVICE=osv uses osv.dev instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
LOCK=requirements.lock

if [[ "${1:-}" == "--lock" ]]; then
    shift
    {
        echo "# Every package of the virtualenv, pinned: what scripts/audit.sh checks."
        echo "# Regenerate with: scripts/audit.sh --lock"
        "$PYTHON" -m pip freeze --exclude-editable --disable-pip-version-check |
            grep -v -i -E '^(helpdesk)[=@ ]' | LC_ALL=C sort -f
    } >"$LOCK"
fi

exec "$PYTHON" -m pip_audit \
    --requirement "$LOCK" \
    --no-deps \
    --disable-pip \
    --strict \
    --progress-spinner off \
    --vulnerability-service "${AUDIT_SERVICE:-pypi}" \
    "$@"
