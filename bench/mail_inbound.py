"""Inbound email at scale: how many messages one Celery worker applies per second, and how long a
reply takes to show on its ticket with the default polling interval.

    .venv/bin/python bench/mail_inbound.py [--messages 300] [--replies 8] [--spread 120]

Everything is real: a private Dovecot (tests/mailgateway/dovecot.py), PostgreSQL (a database
`helpdesk_bench_mail`, created and migrated), Redis as broker and cache (database 12), one
`celery worker -P solo`, and `celery beat` for the second part.

1. Throughput: `--messages` replies (each from its own requester, through the signed reply
   address of their ticket) are appended to the mailbox, then one poll task is queued: the time
   from the task's start to the last message recorded gives messages/s. The worker also sends
   the emails the replies cause (to Django's in-memory backend) after the poll.
2. Delay: beat runs with INBOUND_POLL_SECONDS (default 30); `--replies` replies are appended at
   random moments over `--spread` seconds, and for each the time from its append to its comment
   in the database is measured.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; another: BENCH_DATABASE_SERVER) and
Redis on 127.0.0.1:6379 (BENCH_REDIS_URL), and Dovecot (apt install dovecot-imapd).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "helpdesk_bench_mail"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/12"
PASSWORD_ENV = "BENCH_MAILBOX_PASSWORD"  # noqa: S105 - the name of a variable
REPLY_ADDRESS = "helpdesk@univ.example"


def database_url() -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + DATABASE


def create_database() -> None:
    import psycopg2

    connection = psycopg2.connect(SERVER)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def environment(dovecot) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS,
        "REDIS_URL": REDIS,
        "INBOUND_REPLY_ADDRESS": REPLY_ADDRESS,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SITE_URL": "https://helpdesk.univ.example",
        "LOG_LEVEL": "WARNING",
        PASSWORD_ENV: dovecot.password,
    }


def start(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    with open(log, "w") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter's celery
            [str(celery), "-A", "helpdesk", *arguments],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reply(ticket, person, text: str) -> bytes:
    from notifications.reply_address import reply_address
    from tests.mailgateway.conftest import gmail_reply

    return gmail_reply(
        sender=f"{person.full_name} <{person.email}>",
        to=reply_address(ticket.pk, person.pk),
        subject=f"Re: [Helpdesk #{ticket.pk}] {ticket.subject}",
        text=text,
        quoted="Bonjour,\nQuel navigateur utilisez-vous ?\n",
    )


def people_and_tickets(count: int, category) -> list:
    from tests.factories import TicketFactory, UserFactory

    return [
        TicketFactory(
            requester=UserFactory(email=f"bench{n}@univ.example", full_name=f"Personne {n}"),
            category=category,
            subject=f"Demande {n}",
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--replies", type=int, default=8)
    parser.add_argument("--spread", type=float, default=120.0)
    arguments = parser.parse_args()

    from tests.mailgateway.dovecot import Dovecot

    dovecot = Dovecot()
    dovecot.start()
    env = environment(dovecot)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    create_database()

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from mailgateway import tasks
    from mailgateway.models import InboundMessage, Mailbox
    from tests.factories import CategoryFactory, ServiceFactory
    from tickets.models import TicketEvent

    # Accounts are created by the thousand; their passwords are never used.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    redis.Redis.from_url(REDIS).flushdb()
    call_command("migrate", verbosity=0)
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(name="Messagerie", service=service)
    folder = dovecot.new_folder()
    Mailbox.objects.create(
        service=service,
        name="Support",
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=dovecot.user,
        password_env=PASSWORD_ENV,
        folder=folder,
        category=category,
    )
    work = Path(tempfile.mkdtemp(prefix="helpdesk-mail-bench-"))
    worker = start(["worker", "-P", "solo", "--loglevel=WARNING"], env, work / "worker.log")
    beat = None
    try:
        time.sleep(5)
        # 1. Throughput.
        tickets = people_and_tickets(arguments.messages, category)
        raws = [reply(t, t.requester, f"Réponse numéro {t.pk}.") for t in tickets]
        dovecot.append(folder, *raws)
        size = sum(len(raw) for raw in raws) / len(raws)
        queued = time.monotonic()
        cpu_before = cpu_seconds(worker.pid)
        tasks.poll_mailboxes.delay()
        while InboundMessage.objects.count() < arguments.messages:
            time.sleep(0.05)
        total = time.monotonic() - queued
        cpu = cpu_seconds(worker.pid) - cpu_before
        first = InboundMessage.objects.order_by("received_at").first().received_at
        last = InboundMessage.objects.order_by("-received_at").first().received_at
        processing = (last - first).total_seconds()
        processed = InboundMessage.objects.filter(status="processed").count()
        comments = TicketEvent.objects.filter(action="comment").count()
        print(
            f"throughput: {arguments.messages} replies (mean {size / 1024:.1f} KiB) applied in "
            f"{processing:.2f} s from the first to the last: "
            f"{(arguments.messages - 1) / processing:.1f} messages/s "
            f"({total:.2f} s from queuing the task, login and folder included); "
            f"{processed} processed, {comments} comments; the worker's CPU: {cpu:.2f} s, "
            f"{arguments.messages / cpu:.1f} messages per CPU second"
        )

        # 2. Delay with beat's default interval.
        interval = settings.INBOUND_POLL_SECONDS
        beat = start(
            [
                *("beat", "--loglevel=WARNING"),
                f"--schedule={work / 'beat-schedule'}",
                f"--pidfile={work / 'beat.pid'}",
            ],
            env,
            work / "beat.log",
        )
        more = people_and_tickets(arguments.replies, category)
        moments = sorted(random.uniform(0, arguments.spread) for _ in more)  # noqa: S311
        schedule = list(zip(moments, more, strict=True))
        appended: dict[int, datetime.datetime] = {}
        delays: list[float] = []
        began = time.monotonic()
        deadline = began + arguments.spread + interval * 3 + 60
        while (schedule or len(delays) < len(appended)) and time.monotonic() < deadline:
            while schedule and began + schedule[0][0] <= time.monotonic():
                _moment, ticket = schedule.pop(0)
                appended[ticket.pk] = timezone.now()
                dovecot.append(folder, reply(ticket, ticket.requester, "Réponse en direct."))
            shown = TicketEvent.objects.filter(
                ticket_id__in=appended, action="comment"
            ).values_list("ticket_id", "created_at")
            delays = [(created - appended[pk]).total_seconds() for pk, created in shown]
            time.sleep(0.2)
        if len(delays) < len(more):
            print(f"delay: {len(more) - len(delays)} replies never showed (see {work})")
        if delays:
            print(
                f"delay: {len(delays)} replies over {arguments.spread:.0f} s, beat every "
                f"{interval} s: mean {statistics.mean(delays):.1f} s, "
                f"max {max(delays):.1f} s (append to comment)"
            )
        load = os.getloadavg()
        print(f"load average during the run: {load[1]:.1f} (last minute: {load[0]:.1f})")
    finally:
        if beat is not None:
            stop(beat)
        stop(worker)
        dovecot.stop()


if __name__ == "__main__":
    main()
