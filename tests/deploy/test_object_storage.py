"""Attachments on object storage, for real: the S3 settings of helpdesk/settings.py against an
S3-compatible server (moto in server mode, a process of its own on a loopback port).

The storage settings are read from a child interpreter given the AWS_* variables, exactly as
production computes them, then used by the test run: uploads land in the bucket, downloads are
streamed through the app after its permission check, the bucket stays private and no page hands
out a URL of the storage; a missing bucket or a stopped server is a clear message, never a 500,
and leaves no half-created ticket.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import require_service
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tests.production_env import PRODUCTION_ENV, settings_values
from tests.support import free_port, wait_until
from tickets import services
from tickets.models import Attachment, Ticket

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

ACCESS_KEY = "helpdesk-test-access"
SECRET_KEY = "helpdesk-test-secret"  # noqa: S105 - the test server's own
REGION = "eu-west-3"
PDF = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"  # larger than one streamed chunk


@dataclass
class S3Server:
    """moto_server on a free loopback port; `stop()` leaves nothing answering on it."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        require_service(
            importlib.util.find_spec("moto") is not None,
            "needs moto in server mode (pip install 'moto[server]')",
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_until(self._answers, 30):
            self.stop()
            raise RuntimeError("moto_server did not answer")

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.endpoint}/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


def s3_storage(endpoint: str, bucket: str) -> dict:
    """STORAGES["default"] as helpdesk/settings.py computes it in production for these AWS_*
    variables (one child interpreter per module run; the bucket and address put in after)."""
    storage = copy.deepcopy(_production_s3_storage())
    storage["OPTIONS"].update(bucket_name=bucket, endpoint_url=endpoint)
    return storage


@functools.cache
def _production_s3_storage() -> dict:
    variables = {
        **PRODUCTION_ENV,
        "AWS_STORAGE_BUCKET_NAME": "helpdesk-attachments",
        "AWS_S3_ENDPOINT_URL": "https://s3.univ.example",
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    return settings_values(variables, ["STORAGES"])["STORAGES"]["default"]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, request) -> str:
    """A new private bucket, and the app's default storage pointed at it (S3 settings)."""
    name = f"helpdesk-{request.node.name.replace('_', '-')[:40].strip('-')}"
    s3_server.client().create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_server.endpoint, name)}
    return name


@pytest.fixture
def world():
    service = ServiceFactory(name="Direction du numérique", slug="dn")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    requester = UserFactory(email="etudiante@univ.example")
    agent = agent_of(service, user__email="agent@univ.example")
    return {"category": category, "requester": requester, "agent": agent}


def pdf(name: str = "attestation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def file_through_the_web(client, category, upload) -> requests.Response:
    return client.post(
        reverse("tickets:create"),
        {
            "category": category.slug,
            "subject": "Attestation illisible",
            "description": "Le document joint ne s'ouvre pas.",
            "attachments": upload,
        },
    )


def test_production_settings_make_a_private_s3_storage():
    storage = _production_s3_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "helpdesk-attachments"
    assert options["endpoint_url"] == "https://s3.univ.example"
    assert options["default_acl"] is None  # objects inherit the private bucket's ACL
    assert options["file_overwrite"] is False


def test_a_file_filed_through_the_web_lands_in_the_bucket_and_comes_back_through_the_app(
    client, bucket, world, s3_server
):
    client.force_login(world["requester"])
    response = file_through_the_web(client, world["category"], pdf())
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = s3_server.client().get_object(Bucket=bucket, Key=attachment.file.name)
    assert stored["Body"].read() == PDF
    assert attachment.original_name == "attestation.pdf"
    assert "attestation" not in attachment.file.name  # random key, the name stays in the database

    url = reverse("tickets:attachment", args=[attachment.ticket_id, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert download.streaming  # streamed by the app, not a redirect to the storage
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"


def test_only_people_who_may_see_the_ticket_download_its_file(client, bucket, world):
    ticket = services.ticket_create(
        requester=world["requester"],
        category=world["category"],
        subject="Attestation",
        description="Ci-joint.",
        files=[pdf()],
    )
    url = reverse("tickets:attachment", args=[ticket.pk, ticket.attachments.get().pk])
    client.force_login(world["agent"])
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(email="autre@univ.example"))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_bucket_is_private_and_no_page_hands_out_a_storage_url(
    client, bucket, world, s3_server
):
    ticket = services.ticket_create(
        requester=world["requester"],
        category=world["category"],
        subject="Attestation",
        description="Ci-joint.",
        files=[pdf()],
    )
    attachment = ticket.attachments.get()
    s3 = s3_server.client()
    grants = s3.get_object_acl(Bucket=bucket, Key=attachment.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)
    bucket_grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in bucket_grants)
    # Nobody reaches the file without the app: the storage's own URL is never shown.
    for person in (world["requester"], world["agent"]):
        client.force_login(person)
        page = client.get(ticket.get_absolute_url(), follow=True).content.decode()
        assert reverse("tickets:attachment", args=[ticket.pk, attachment.pk]) in page
        assert s3_server.endpoint not in page
        assert f"127.0.0.1:{s3_server.port}" not in page
        assert "X-Amz-Signature" not in page and "AWSAccessKeyId" not in page


def test_a_missing_bucket_is_a_clear_error_and_no_ticket_is_filed(
    client, world, s3_server, settings
):
    storage = s3_storage(s3_server.endpoint, "helpdesk-nobody-created-this")
    client.force_login(world["requester"])
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    response = file_through_the_web(client, world["category"], pdf())
    body = response.content.decode()
    assert response.status_code == 400
    assert "could not be stored" in body or "n’a pas pu être enregistré" in body
    assert "Attestation illisible" in body  # the form keeps what was typed
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_a_stopped_server_is_a_clear_error_for_uploads_and_downloads(client, world, settings):
    server = S3Server(free_port())
    server.start()
    try:
        server.client().create_bucket(
            Bucket="helpdesk-soon-gone",
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_storage(server.endpoint, "helpdesk-soon-gone"),
        }
        ticket = services.ticket_create(
            requester=world["requester"],
            category=world["category"],
            subject="Avant la panne",
            description="Ci-joint.",
            files=[pdf()],
        )
    finally:
        server.stop()
    client.force_login(world["requester"])
    attachment = ticket.attachments.get()
    download = client.get(reverse("tickets:attachment", args=[ticket.pk, attachment.pk]))
    assert download.status_code == 503
    assert "does not answer" in download.content.decode() or "ne répond pas" in (
        download.content.decode()
    )

    response = file_through_the_web(client, world["category"], pdf("deuxieme.pdf"))
    assert response.status_code == 400
    assert Ticket.objects.count() == 1  # only the one filed before the outage
    # A message or files added to the ticket: the same message, nothing half-added.
    events_before = ticket.events.count()
    comment = client.post(
        reverse("tickets:comment", args=[ticket.pk]),
        {"comment-text": "Voici une autre version.", "comment-files": pdf("troisieme.pdf")},
    )
    assert comment.status_code == 400
    assert "ne répond pas" in comment.content.decode()
    assert "Voici une autre version." in comment.content.decode()
    added = client.post(
        reverse("tickets:add_attachment", args=[ticket.pk]),
        {"attachment-files": pdf("quatrieme.pdf")},
    )
    assert added.status_code == 400
    assert "ne répond pas" in added.content.decode()
    assert ticket.events.count() == events_before
    assert Attachment.objects.count() == 1
