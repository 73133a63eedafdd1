"""Factories for the helpdesk's models; tests build their data with these."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from categories.models import Category, Service, ServiceMembership
from notifications.models import Notification
from tickets.models import Ticket

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@univ.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    preferred_language = "fr"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = ServiceMembership

    service = factory.SubFactory(ServiceFactory)
    user = factory.SubFactory(UserFactory)
    role = ServiceMembership.Role.AGENT


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    service = factory.LazyAttribute(lambda o: None if o.parent else ServiceFactory())
    parent = None


class TicketFactory(DjangoModelFactory):
    """A ticket as filed (status open). Use tickets.workflow to move it."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    service = factory.LazyAttribute(lambda o: o.category.handling_service)
    subject = factory.Sequence(lambda n: f"Problem {n}")
    description = "Something does not work."


def agent_of(service: Service, **kwargs) -> object:
    """A person who is an agent of the service."""
    return MembershipFactory(service=service, **kwargs).user


def head_of(service: Service, **kwargs) -> object:
    """A person who is the head of the service."""
    return MembershipFactory(service=service, role=ServiceMembership.Role.HEAD, **kwargs).user


def outbox_row(n: int, *, status: str, age: datetime.timedelta, **fields) -> Notification:
    """An outbox row created `age` ago (due then unless `due_at` says otherwise)."""
    created = timezone.now() - age
    return Notification.objects.create(
        email=f"person{n}@univ.example",
        kind="ticket_created",
        language="fr",
        dedup_key=f"key-{n}",
        status=status,
        created_at=created,
        due_at=fields.pop("due_at", created),
        **fields,
    )
