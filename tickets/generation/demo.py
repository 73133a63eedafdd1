"""The demo: a university's helpdesk with five months of history, to try the application.

`load` makes what is missing and leaves the rest as it is: services, the category tree, the named
accounts (their password set again), their memberships and the services' canned responses; then,
once, the history: generated requesters and agents and a few hundred tickets, made by the
benchmark's generator (`tickets.generation.history`) at a small scale and written by the portable
writer, attachments as real small files. The named accounts' own tickets are pinned (`STORIES`),
so that signing in as one of them shows something at once. Generated rows send no email.
"""

from __future__ import annotations

import random
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction

from accounts.models import User
from categories.models import CannedResponse, Category, Service, ServiceMembership
from tickets.generation import corpus, portable
from tickets.generation.demo_corpus import (
    ACCOUNTS,
    CANNED_RESPONSES,
    CATEGORIES,
    COMMON_TEXTS,
    DEMO_DOMAIN,
    MEMBERSHIPS,
    SERVICES,
    STORIES,
)
from tickets.generation.demo_texts import CATEGORY_TEXTS, SERVICE_TEXTS
from tickets.generation.world import (
    COLUMNS,
    DAY,
    Pin,
    World,
    agent_person,
    requester_person,
)

DEFAULT_PASSWORD = "demo-helpdesk-2026"  # noqa: S105 - public on purpose: demo accounts only
SEED = 2026
TICKETS = 360
DAYS = 150
REQUESTERS = 150
AGENTS_PER_SERVICE = 3
# The service whose tickets may carry the generator's rare sentence (the benchmark's search word).
REFERENCE_SERVICE = "numerique"
# Share of the closure requests refused once before the requester agrees.
REFUSALS = 0.12


def load(password: str) -> int:
    """Makes the demo's missing rows; returns how many tickets were generated (0 once the
    history is there)."""
    with transaction.atomic():
        _site()
        services = _services()
        categories = _categories(services)
        people = _accounts(password)
        _memberships(people, services)
        _canned_responses(services)
    world = build_world(services, categories, people, now=float(int(time.time()) // 60 * 60))
    email = COLUMNS["accounts_user"].index("email")
    generated = [row[email] for row in world.rows["accounts_user"]]
    if User.objects.filter(email__in=generated).exists():
        return 0  # the history and its people are written in one transaction: it is all there
    tickets, _events = portable.write(world, files=True)
    with transaction.atomic():
        _set_aside_and_merged()
    return tickets


# How many of the demo's tickets in progress are postponed, and how many duplicates merged.
POSTPONED = 4
MERGED = 2


def _set_aside_and_merged() -> None:
    """A few tickets in progress postponed until a coming day, and a few new tickets merged into
    an older one of their service, so that every status is there to see; written as history
    (events and fields that agree, as the generator's), so no email goes."""
    from datetime import timedelta

    from django.utils import timezone

    from tickets import events
    from tickets.models import Attachment, Invitation, Ticket, TicketEvent

    Status, Kind = Ticket.Status, TicketEvent.Kind
    now = timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - repeatable data
    history: list[TicketEvent] = []
    in_progress = Ticket.objects.filter(status=Status.IN_PROGRESS, assignee__isnull=False)
    for ticket in in_progress.order_by("pk")[:POSTPONED]:
        at = max(ticket.updated_at, now - timedelta(days=2)) + timedelta(seconds=1)
        until = timezone.localdate() + timedelta(days=rng.randint(3, 20))
        history.append(
            events.past_event(
                ticket=ticket, kind=Kind.STATUS_CHANGED, action="postpone",
                actor_id=ticket.assignee_id, created_at=at, before=Status.IN_PROGRESS,
                after=Status.POSTPONED, text="En attente du fournisseur.",
            )
        )  # fmt: skip
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Status.POSTPONED, postponed_until=until, postponed_at=at, updated_at=at
        )
    merged = 0
    for service_id in Service.objects.order_by("pk").values_list("pk", flat=True):
        if merged >= MERGED:
            break
        # New tickets no agent has answered: the duplicate's messages are its requester's, who
        # follows the other ticket as an invitee, so neither ticket's first response changes.
        untouched = Ticket.objects.filter(
            service_id=service_id, status=Status.OPEN, first_response_at__isnull=True
        ).order_by("pk")
        into = untouched.first()
        duplicate = untouched.exclude(pk=getattr(into, "pk", None)).first()
        new = [t for t in (into, duplicate) if t is not None]
        agent = ServiceMembership.objects.filter(service_id=service_id).first()
        if len(new) < 2 or agent is None:
            continue
        into, duplicate = sorted(new, key=lambda t: t.created_at)
        at = max(into.updated_at, duplicate.updated_at, now - timedelta(days=1))
        at += timedelta(seconds=1)
        moved = TicketEvent.objects.filter(
            ticket=duplicate, kind__in=(Kind.COMMENT, Kind.ATTACHMENT)
        )
        moved.update(ticket=into)
        Attachment.objects.filter(ticket=duplicate).update(ticket=into)
        history += [
            events.past_event(
                ticket=duplicate, kind=Kind.STATUS_CHANGED, action="merge",
                actor_id=agent.user_id, created_at=at, before=Status.OPEN, after=Status.MERGED,
            ),
            events.past_event(
                ticket=into, kind=Kind.LINKED, action="merged_in", actor_id=agent.user_id,
                created_at=at, before=f"{duplicate.reference} {duplicate.subject}"[:200],
                text=duplicate.description,
            ),
        ]  # fmt: skip
        Ticket.objects.filter(pk=duplicate.pk).update(
            status=Status.MERGED, merged_into=into, closed_at=at, updated_at=at
        )
        Ticket.objects.filter(pk=into.pk).update(updated_at=at)
        if duplicate.requester_id != into.requester_id:
            Invitation.objects.get_or_create(
                ticket=into,
                user_id=duplicate.requester_id,
                defaults={"invited_by_id": agent.user_id, "created_at": at},
            )
        merged += 1
    events.load_history(history)


# --- Reference rows ------------------------------------------------------------------------------


def _site() -> None:
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )


def _services() -> dict[str, Service]:
    result = {}
    for slug, name, description, priority, _share in SERVICES:
        result[slug], _created = Service.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "requester_can_set_priority": priority,
            },
        )
    return result


def _categories(services: dict[str, Service]) -> dict[str, Category]:
    result: dict[str, Category] = {}

    def add(nodes: list, parent: Category | None) -> None:
        for ordering, (slug, name, service_slug, help_text, children) in enumerate(nodes):
            result[slug], _created = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "parent": parent,
                    "service": services[service_slug] if service_slug else None,
                    "help_text": help_text,
                    "ordering": (ordering + 1) * 10,
                },
            )
            add(children, result[slug])

    add(CATEGORIES, None)
    return result


def _accounts(password: str) -> dict[str, User]:
    people = {}
    for key, full_name, _role, superuser, language in ACCOUNTS:
        email = f"{key}@{DEMO_DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                full_name=full_name,
                preferred_language=language,
                is_staff=superuser,
                is_superuser=superuser,
            )
        user.set_password(password)
        user.save()
        people[key] = user
    return people


def _memberships(people: dict[str, User], services: dict[str, Service]) -> None:
    for key, service_slug, role in MEMBERSHIPS:
        ServiceMembership.objects.get_or_create(
            user=people[key], service=services[service_slug], defaults={"role": role}
        )


def _canned_responses(services: dict[str, Service]) -> None:
    for service_slug, responses in CANNED_RESPONSES.items():
        for title, body in responses:
            CannedResponse.objects.get_or_create(
                service=services[service_slug], title=title, defaults={"body": body}
            )


# --- The history ---------------------------------------------------------------------------------


def _leaves(nodes: list) -> list[str]:
    """The slugs of the categories without children, depth first."""
    slugs = []
    for slug, _name, _service, _help, children in nodes:
        slugs.extend(_leaves(children) if children else [slug])
    return slugs


def _texts(service_slug: str, category_slug: str) -> SimpleNamespace:
    """The shared corpus, then the demo's common texts, its service's and its category's."""
    words = {name: value for name, value in vars(corpus).items() if name.isupper()}
    words.update(COMMON_TEXTS)
    words.update(SERVICE_TEXTS[service_slug])
    words.update(CATEGORY_TEXTS[category_slug])
    return SimpleNamespace(**words)


def build_world(
    services: dict[str, Service],
    categories: dict[str, Category],
    people: dict[str, User],
    *,
    now: float,
) -> World:
    """The demo's world: its services and categories, the named accounts, and generated agents
    and requesters (rows with ids after the highest ones in the database)."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable data, not secrets
    ids = portable.offsets()
    world = World(
        seed=SEED,
        tickets=TICKETS,
        now=now,
        ticket_offset=ids["ticket"],
        attachment_offset=ids["attachment"],
        tickets_per_day=TICKETS / DAYS,
        refusals=REFUSALS,
        closure_days=min(service.closure_approval_days for service in services.values()),
    )
    users: list[tuple] = []
    memberships: list[tuple] = []
    user_id, membership_id = ids["user"], ids["membership"]
    joined = now - 2 * 365 * DAY
    unusable = "!demo"  # generated people do not sign in

    def add_user(email: str, name: str, language: str) -> int:
        nonlocal user_id
        user_id += 1
        users.append((user_id, unusable, None, False, email, name, language, False, True, joined))
        return user_id

    leaves = _leaves(CATEGORIES)
    number = 0
    for index, (slug, _name, _description, _priority, share) in enumerate(SERVICES):
        service = services[slug]
        world.service_ids.append(service.pk)
        world.service_weights.append(share)
        agents = [
            (people[key].pk, people[key].display_name)
            for key, service_slug, _role in MEMBERSHIPS
            if service_slug == slug
        ]
        for _ in range(AGENTS_PER_SERVICE):
            number += 1
            email, full, language = agent_person(rng, number, DEMO_DOMAIN)
            uid = add_user(email, full, language)
            membership_id += 1
            memberships.append((membership_id, "agent", True, service.pk, uid, None))
            agents.append((uid, full))
        world.agents.append(agents)
        own = [categories[leaf] for leaf in leaves]
        own = [category for category in own if category.handling_service_id == service.pk]
        world.leaves.append([(category.pk, category.name) for category in own])
        for category in own:
            world.texts[category.pk] = _texts(slug, category.slug)
        if slug == REFERENCE_SERVICE:
            world.reference_service = index

    named = [key for key, *_rest in ACCOUNTS if key in {"etudiant", "personnel"}]
    english = bytearray(people[key].preferred_language == "en" for key in named)
    world.requester_ids = [people[key].pk for key in named]
    for number in range(REQUESTERS):
        email, full, is_english = requester_person(rng, number, DEMO_DOMAIN)
        world.requester_ids.append(add_user(email, full, "en" if is_english else "fr"))
        english.append(is_english)
    world.requester_english = bytes(english)
    world.rows = {"accounts_user": users, "categories_servicemembership": memberships}
    world.pins = _pins(world, people, named)
    return world


def _pins(world: World, people: dict[str, User], named: list[str]) -> dict[int, Pin]:
    slugs = [slug for slug, *_rest in SERVICES]
    pins = {}
    for before_newest, requester, service_slug, agent, status, moves in STORIES:
        service = slugs.index(service_slug)
        agent_ids = [agent_id for agent_id, _name in world.agents[service]]
        pins[world.tickets - before_newest] = Pin(
            requester=named.index(requester) if requester else None,
            service=service,
            agent=agent_ids.index(people[agent].pk) if agent else None,
            status=status,
            moves=moves,
        )
    return pins
