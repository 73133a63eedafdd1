"""A private Dovecot IMAP server on a loopback port, for the mail gateway's tests and benchmark.

`dovecot -c <own conf>` with its own run, state and mail folders (under a folder readable by the
`nobody` user Dovecot delivers as: it refuses uid 0), plain-text login on the loopback without
TLS, and one account in a passwd-file. Messages go in by IMAP APPEND, as a mail server's delivery
would leave them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from imapclient import IMAPClient

from tests.support import free_port, wait_until

USER = "helpdesk"
PASSWORD = "imap-test-password"  # noqa: S105 - a throw-away account on a private server

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap {{
  process_limit = 64
}}
"""


def available() -> bool:
    return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()


def executable() -> str:
    return shutil.which("dovecot") or "/usr/sbin/dovecot"


class Dovecot:
    """One Dovecot process; `start()` waits for its IMAP port, `stop()` stops it and removes its
    folders."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.port = free_port()
        self.config = self.root / "dovecot.conf"
        self.user = USER
        self.password = PASSWORD

    def start(self) -> None:
        self.root.chmod(0o755)
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.config.write_text(CONFIG.format(root=self.root, port=self.port))
        if os.geteuid() == 0:
            shutil.chown(self.root / "mail", "nobody", "nogroup")
        subprocess.run([executable(), "-c", str(self.config)], check=True, timeout=30)

        def listening() -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        if not wait_until(listening, timeout=20, interval=0.1):
            log = self.root / "dovecot.log"
            raise RuntimeError(f"Dovecot did not start:\n{log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        subprocess.run(
            [executable(), "-c", str(self.config), "stop"],
            check=False,
            timeout=30,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def new_folder(self) -> str:
        """A folder of its own for one test: tests never see each other's messages."""
        name = f"T{uuid.uuid4().hex[:12]}"
        with self.client() as client:
            client.create_folder(name)
        return name

    def append(self, folder: str, *messages: bytes) -> None:
        """Delivers messages into the folder (unread), in order."""
        with self.client() as client:
            for raw in messages:
                client.append(folder, raw)

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return {uid: data[b"FLAGS"] for uid, data in client.fetch("1:*", ["FLAGS"]).items()}

    def recreate(self, folder: str) -> None:
        """Deletes and creates the folder again: the server gives it a new UIDVALIDITY."""
        with self.client() as client:
            client.delete_folder(folder)
            client.create_folder(folder)
