"""A local SMTP server (delivery tests, benchmark): every message it accepts becomes a .eml file.

    python bench/smtp_sink.py --port 2525 --folder /tmp/mailbox [--delay 5]

Run as a separate process so a test can stop it (the mail server is down) and start it again on
the same port. Prints "ready" on standard output once it accepts connections.

`--delay` makes it wait that many seconds after receiving a message and before accepting it (it
prints "delaying" when it starts waiting): a slow mail server, so a test can kill the sender
mid-send. A sender that disconnects meanwhile has sent nothing, as with a real server that had
not answered "250" yet: aiosmtpd cancels the handler and the message is not kept.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder: Path, delay: float = 0) -> None:
        self.folder = folder
        self.delay = delay

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        if self.delay:
            print(f"delaying {self.delay}s before accepting", flush=True)
            await asyncio.sleep(self.delay)
        name = uuid.uuid4().hex
        recipients = ", ".join(envelope.rcpt_tos)
        data = f"X-Envelope-To: {recipients}\r\n".encode() + envelope.original_content
        # Written under a temporary name then renamed: a reader never sees half a message.
        partial = self.folder / f".{name}.tmp"
        partial.write_bytes(data)
        os.replace(partial, self.folder / f"{name}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0, help="seconds before accepting")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        SaveToFolder(args.folder, args.delay), hostname=args.host, port=args.port
    )
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
