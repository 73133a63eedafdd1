"""Renders a results file of bench/run.py (--output) as the Markdown of bench/README.md.

.venv/bin/python bench/report.py bench/results.json > /tmp/report.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text())
    results = data["results"]
    sizes = sorted({result["size"] for result in results})
    pages = list(dict.fromkeys(result["page"] for result in results))
    by_key = {(result["page"], result["size"]): result for result in results}
    machine = data["machine"]
    print(
        f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gb']} GB "
        f"RAM, PostgreSQL {machine['postgresql']}, Python {machine['python']}; load average "
        f"when the run started: {machine['load_average']}.\n"
    )
    print("| page | tickets | req/s | p50 ms | p99 ms | errors | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        for size in sizes:
            result = by_key.get((page, size))
            if result is None:
                continue
            queries = "–" if result["queries"] is None else result["queries"]
            print(
                f"| {page} | {size:,} | {result['rps']:.1f} | {result['p50_ms']:.1f} | "
                f"{result['p99_ms']:.1f} | {result['errors']} | {queries} |"
            )
    print()
    for size, email in sorted(data["emails"].items(), key=lambda item: int(item[0])):
        print(
            f"- Emails at {int(size):,} tickets: {email['delivered']}/{email['queued']} "
            f"delivered, **{email['per_second']:.1f} emails/s** by one worker "
            f"({email['seconds_with_startup']:.1f} s including the worker's start)."
        )
    for size, computed in sorted(data.get("computed_stats", {}).items(), key=lambda i: int(i[0])):
        print(
            f"- Statistics computed with the cache off at {int(size):,} tickets: "
            f"**{computed['elapsed_ms']:.0f} ms** for one request in-process, "
            f"{computed['queries']} queries."
        )
    print("\n## p50 growth from the smallest to the largest size\n")
    print("| page | p50 growth |")
    print("|---|---:|")
    for page in pages:
        first, last = by_key.get((page, sizes[0])), by_key.get((page, sizes[-1]))
        if first and last and first["p50_ms"]:
            print(f"| {page} | {last['p50_ms'] / first['p50_ms']:.2f}× |")
    print(f"\n## EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query at {sizes[-1]:,}\n")
    computed = data.get("computed_stats", {}).get(str(sizes[-1]))
    extra = []
    if computed and computed.get("explain"):
        extra = [("statistics (90 days), computed with the cache off", computed)]
    for page, result in [(page, by_key.get((page, sizes[-1]))) for page in pages] + extra:
        if not result or not result.get("explain"):
            continue
        print(f"### {page} ({result['slowest_ms']:.1f} ms in the counting run)\n")
        print("```sql")
        print(result["slowest_sql"])
        print("```\n")
        print("```")
        print(result["explain"])
        print("```\n")


if __name__ == "__main__":
    main()
