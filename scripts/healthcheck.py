"""The web container's health check (Dockerfile HEALTHCHECK, docker-compose.yml): exits 0 when
gunicorn answers 200 on /healthz/ready, i.e. the database and the broker answer too.

It asks the way the TLS proxy does, with the public host name and "X-Forwarded-Proto: https":
a plain request to 127.0.0.1 would be refused by ALLOWED_HOSTS or redirected to https.

    python scripts/healthcheck.py [path]      (default /healthz/ready; port from PORT, 8000)
"""

from __future__ import annotations

import http.client
import os
import sys
from urllib.parse import urlsplit


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz/ready"
    host = urlsplit(os.environ.get("SITE_URL", "")).netloc or "localhost"
    connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), 4)
    try:
        connection.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = connection.getresponse().status
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {path} answered {status}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
