"""Real esup-helpdesk databases for the import: a PostgreSQL database and, where MariaDB is
installed, a MariaDB one, each created empty with esup-helpdesk's tables for one test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from esupimport.source import Source
from tests.conftest import require_service


def _pg_server() -> str:
    """The PostgreSQL server the helpdesk's own tests use (its URL without the database)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def pg_source(postgres) -> Iterator[tuple[Source, str]]:
    import psycopg2

    server = _pg_server()
    name = f"esup_source_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server)
    admin = psycopg2.connect(
        dbname="postgres",
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    url = f"{server}/{name}"
    source = Source.open(url, writable=True)
    source.create_schema()
    try:
        yield source, url
    finally:
        source.close()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[str]:
    """A MariaDB server: ESUP_MARIADB_URL, the one on 127.0.0.1:3306, or a private one started
    here from Debian's mariadb-server on a free loopback port."""
    url = os.environ.get("ESUP_MARIADB_URL", "")
    if url:
        yield url
        return
    if _reachable("127.0.0.1", 3306):
        try:
            import pymysql

            pymysql.connect(host="127.0.0.1", port=3306, user="root", password="").close()
            yield "mysql://root@127.0.0.1:3306"
            return
        except Exception:  # noqa: BLE001, S110 - a server we may not use: start our own
            pass
    daemon = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    installer = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    require_service(
        Path(daemon).exists() and Path(installer).exists(),
        "needs MariaDB (Debian package mariadb-server) for the esup-helpdesk import on MySQL",
    )
    home = Path(tempfile.mkdtemp(prefix="esup-mariadb-"))
    shutil.chown(home, "mysql", "mysql") if os.geteuid() == 0 else None
    user = ["--user=mysql"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            installer,
            "--no-defaults",
            f"--datadir={home / 'data'}",
            *user,
            "--auth-root-authentication-method=normal",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            daemon,
            "--no-defaults",
            f"--datadir={home / 'data'}",
            f"--socket={home / 'mysql.sock'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--skip-grant-tables",
            *user,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not _reachable("127.0.0.1", port):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("the private MariaDB server did not start")
        time.sleep(0.2)
    try:
        yield f"mysql://root@127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def mariadb_source(mariadb_server: str, db) -> Iterator[tuple[Source, str]]:
    import pymysql

    parts = urlsplit(mariadb_server)
    name = f"esup_source_{uuid.uuid4().hex[:10]}"
    admin = pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        autocommit=True,
    )
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    url = f"{mariadb_server}/{name}"
    source = Source.open(url, writable=True)
    source.create_schema()
    try:
        yield source, url
    finally:
        source.close()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
