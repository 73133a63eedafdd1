"""How many inbound messages `mailgateway.parsing.parse_message` reads per second on one core.

    .venv/bin/python bench/mail_parsing.py [--seconds 5]

Reads every message of tests/mailgateway/corpus in turn for the given time (after one warm-up
pass) and prints messages/s and MB/s; the time is the process's CPU time, so the figure is one
core's whatever else runs on the machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailgateway.parsing import parse_message  # noqa: E402

CORPUS = ROOT / "tests" / "mailgateway" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    arguments = parser.parse_args()
    messages = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    for raw in messages:
        parse_message(raw)
    count = size = 0
    start = time.process_time()
    while time.process_time() - start < arguments.seconds:
        for raw in messages:
            parse_message(raw)
        count += len(messages)
        size += sum(len(raw) for raw in messages)
    elapsed = time.process_time() - start
    print(
        f"{count} messages ({len(messages)} in the corpus) in {elapsed:.2f} s of CPU: "
        f"{count / elapsed:.0f} messages/s, {size / elapsed / 1e6:.2f} MB/s"
    )


if __name__ == "__main__":
    main()
