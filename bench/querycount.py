"""Counts the SQL queries of each benchmarked page, in-process, against the benchmark's database.

    python bench/querycount.py < pages.json > counts.json

Run by bench/run.py with the production stack's environment (same database, settings and
collected static files); reads the pages to visit as JSON on standard input, writes for each the
HTTP status, the number of queries, the time of the request in this process, the slowest query's
SQL and, when asked, its `EXPLAIN (ANALYZE, BUFFERS)` plan. Each GET is made twice and the second
is measured (warm caches, as under load); a page may bring settings of its own (`settings`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

# A 1×1 PNG: the smallest real image the upload checks accept.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def measure(page: dict, clients: dict[str, Client]) -> dict:
    client = clients.setdefault(page["user"] or "", Client())
    if page["user"] and not getattr(client, "_logged_in", False):
        client.force_login(get_user_model().objects.get(email=page["user"]))
        client._logged_in = True
    data = dict(page.get("data") or {})
    if page.get("attachment"):
        data["attachments"] = SimpleUploadedFile("capture.png", PNG, content_type="image/png")
    with override_settings(**(page.get("settings") or {})):
        if page["method"] == "GET":
            client.get(page["path"])  # warm-up
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            if page["method"] == "GET":
                response = client.get(page["path"])
            else:
                response = client.post(page["path"], data)
        elapsed_ms = (time.perf_counter() - started) * 1000
    queries = captured.captured_queries
    result = {
        "status": response.status_code,
        "queries": len(queries),
        "elapsed_ms": round(elapsed_ms, 1),
    }
    selects = [query for query in queries if query["sql"].lstrip().upper().startswith("SELECT")]
    if selects:
        slowest = max(selects, key=lambda query: float(query["time"]))
        result["slowest_sql"] = slowest["sql"]
        result["slowest_ms"] = round(float(slowest["time"]) * 1000, 2)
        if page.get("explain"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                result["explain"] = "\n".join(row[0] for row in cursor.fetchall())
    return result


def main() -> None:
    pages = json.load(sys.stdin)
    clients: dict[str, Client] = {}
    # Which services have webhooks is read once and kept in the cache for five minutes (a move
    # pays for it once in that time): warm, as under load, like the GETs' warm-up.
    from webhooks import services as webhooks

    webhooks.services_with_webhooks()
    results = {page["name"]: measure(page, clients) for page in pages}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
