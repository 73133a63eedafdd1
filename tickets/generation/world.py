"""The world a history happens in: services, their category trees, agents and requesters.

`build_world` makes the benchmark's university from a seed: 15 services, about 150 categories,
200 agents and 60,000 requesters. The demo assembles a smaller one around the rows it already has
(`tickets.generation.demo`). Either way rows are tuples of plain Python values in the order of
`COLUMNS` (times as Unix seconds, booleans as bools), their ids decided here; a writer
(`pgcopy` or `portable`) puts them in the database.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from tickets.generation import corpus

PASSWORD = "helpdesk-bench-2026"  # noqa: S105 - generated benchmark accounts only
DAY = 86_400.0
TICKETS_PER_DAY = 275  # ~100,000 a year
# Changes whenever the same seed would give other benchmark data: a database of another version is
# generated again (bench/run.py compares it).
GENERATOR_VERSION = 2
# The service of the reference agent and head (the benchmark's accounts).
REFERENCE_SERVICE = "dsi"
# One ticket in RARE_EVERY carries a rare sentence ("sismographe"), the first at index RARE_FIRST,
# all in the reference service: a search for a rare word finds something at every size.
RARE_EVERY = 20_000
RARE_FIRST = 17

# The columns of each table's rows, in the order of the tuples.
COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts_user": (
        "id",
        "password",
        "last_login",
        "is_superuser",
        "email",
        "full_name",
        "preferred_language",
        "is_staff",
        "is_active",
        "date_joined",
    ),
    "categories_service": (
        "id",
        "name",
        "slug",
        "description",
        "alert_email",
        "is_active",
        "closure_approval_days",
        "reopen_window_days",
        "requester_can_set_priority",
    ),
    "categories_category": (
        "id",
        "name",
        "slug",
        "help_text",
        "ordering",
        "is_active",
        "depth",
        "tree_path",
        "parent_id",
        "handling_service_id",
        "service_id",
        "assignment_agent_id",
        "assignment_mode",
    ),
    "categories_servicemembership": (
        "id",
        "role",
        "is_available",
        "service_id",
        "user_id",
        "last_auto_assigned_at",
    ),
    "tickets_ticket": (
        "id",
        "subject",
        "description",
        "priority",
        "status",
        "created_at",
        "updated_at",
        "first_response_at",
        "closure_requested_at",
        "closed_at",
        "resolution",
        "assignee_id",
        "category_id",
        "requester_id",
        "service_id",
    ),
    "tickets_attachment": (
        "id",
        "file",
        "original_name",
        "content_type",
        "size",
        "created_at",
        "visibility",
        "uploaded_by_id",
        "ticket_id",
    ),
    "tickets_ticketevent": (
        "kind",
        "action",
        "created_at",
        "visibility",
        "before",
        "after",
        "text",
        "actor_id",
        "attachment_id",
        "ticket_id",
    ),
}
# Columns holding a time (Unix seconds in the rows).
TIME_COLUMNS = frozenset(
    {
        "last_login",
        "date_joined",
        "last_auto_assigned_at",
        "created_at",
        "updated_at",
        "first_response_at",
        "closure_requested_at",
        "closed_at",
    }
)
REFERENCE_TABLES = (
    "accounts_user",
    "categories_service",
    "categories_category",
    "categories_servicemembership",
)


@dataclass(frozen=True)
class Pin:
    """What one ticket of the history must be (the demo's stories); what is left None is drawn
    as for any other ticket."""

    requester: int | None = None  # an index into World.requester_ids
    service: int | None = None  # an index into World.service_ids
    agent: int | None = None  # an index into World.agents[service]
    status: str | None = None
    moves: tuple[str, ...] | None = None  # the moves that lead to the status, comments aside


@dataclass
class World:
    """Everything the ticket chunks need, built once from the seed (inherited by the workers).

    The last fields change the history's habits; the benchmark leaves them as they are, so that a
    seed gives the same data as before they existed.
    """

    seed: int
    tickets: int
    now: float
    ticket_offset: int
    service_ids: list[int] = field(default_factory=list)
    reference_service: int = 0
    # Per service (same order): leaf category (id, name) list and agent (id, name) list.
    leaves: list[list[tuple[int, str]]] = field(default_factory=list)
    agents: list[list[tuple[int, str]]] = field(default_factory=list)
    service_weights: list[float] = field(default_factory=list)
    requester_ids: list[int] = field(default_factory=list)
    requester_english: bytes = b""
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    # How many tickets arrive a day: the history spans tickets / tickets_per_day days.
    tickets_per_day: float = TICKETS_PER_DAY
    # Tickets whose requester, service, agent or status is decided in advance, by index.
    pins: dict[int, Pin] = field(default_factory=dict)
    # Share of the closure requests the requester refuses once (with a reason) before agreeing.
    refusals: float = 0.0
    # When set, a closure request left unanswered closes after this many days, never sooner, and
    # tickets still awaiting approval were asked within that delay.
    closure_days: int | None = None
    # Per leaf category id, the texts its tickets are written with; empty: `corpus` for all.
    texts: dict[int, ModuleType | SimpleNamespace] = field(default_factory=dict)
    # Attachment ids follow this offset (None: an attachment has its ticket's id, as in an
    # empty database).
    attachment_offset: int | None = None


def ascii_name(text: str) -> str:
    """A name as it appears in an email address: no accents, no spaces, lower case."""
    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "")
    )


def agent_person(rng: random.Random, number: int, domain: str) -> tuple[str, str, str]:
    """An agent's (email, full name, language)."""
    full = f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"
    first, last = full.split(" ", 1)
    email = f"{ascii_name(first)}.{ascii_name(last)}.{number}@{domain}"
    return email, full, "fr" if rng.random() < 0.85 else "en"


def requester_person(rng: random.Random, number: int, domain: str) -> tuple[str, str, bool]:
    """A requester's (email, full name, reads English): staff at `domain`, students at etu."""
    first = rng.choice(corpus.FIRST_NAMES)
    last = rng.choice(corpus.LAST_NAMES)
    staff = rng.random() < 0.12
    is_english = rng.random() < 0.15
    where = domain if staff else f"etu.{domain}"
    return f"{ascii_name(first)}.{ascii_name(last)}{number}@{where}", f"{first} {last}", is_english


def agent_counts(agents: int, shares: list[float]) -> list[int]:
    """Agents per service in proportion to its share, at least 4 each, `agents` in all."""
    counts = [max(4, round(agents * share)) for share in shares]
    while sum(counts) > agents:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < agents:
        counts[counts.index(max(counts))] += 1
    return counts


def build_world(
    *, seed: int, tickets: int, requesters: int, agents: int, offsets: dict[str, int], now: float
) -> World:
    """The benchmark's services, categories, memberships and people, with their ids decided
    here (after `offsets`, the highest ids already used per table)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable data, not secrets
    world = World(seed=seed, tickets=tickets, now=now, ticket_offset=offsets["ticket"])
    password = make_password(PASSWORD)
    joined = now - 4 * 365 * DAY
    users: list[tuple] = []
    services: list[tuple] = []
    categories: list[tuple] = []
    memberships: list[tuple] = []
    user_id = offsets["user"]

    def add_user(email: str, name: str, language: str) -> int:
        nonlocal user_id
        user_id += 1
        users.append((user_id, password, None, False, email, name, language, False, True, joined))
        return user_id

    counts = agent_counts(agents, [share for _, _, _, share in corpus.SERVICES])
    category_id = offsets["category"]
    membership_id = offsets["membership"]
    used_slugs: set[str] = set()
    agent_number = 0
    for index, (slug, name, ticket_share, _) in enumerate(corpus.SERVICES):
        service_id = offsets["service"] + index + 1
        world.service_ids.append(service_id)
        world.service_weights.append(ticket_share)
        services.append((service_id, name, slug, "", "", True, 14, 30, False))
        service_agents: list[tuple[int, str]] = []
        for position in range(counts[index]):
            agent_number += 1
            email, full, language = agent_person(rng, agent_number, "univ.example")
            uid = add_user(email, full, language)
            membership_id += 1
            role = "head" if position == 0 else "agent"
            memberships.append((membership_id, role, True, service_id, uid, None))
            if slug == REFERENCE_SERVICE:
                world.reference_service = index
            if position == 0 and slug == REFERENCE_SERVICE:
                world.accounts["head"] = email
            elif position == 1 and slug == REFERENCE_SERVICE:
                world.accounts["agent"] = email
            service_agents.append((uid, full))
        world.agents.append(service_agents)

        leaves: list[tuple[int, str]] = []

        def add_category(
            name: str, parent: tuple[int, str] | None, ordering: int, depth: int, service: int
        ) -> tuple[int, str]:
            nonlocal category_id
            category_id += 1
            slug = slugify(name)[:140] or f"categorie-{category_id}"
            while slug in used_slugs:
                slug = f"{slug}-{category_id}"
            used_slugs.add(slug)
            path = (parent[1] if parent else "") + f"{ordering:05d}.{category_id:08d}/"
            categories.append(
                (
                    category_id,
                    name,
                    slug,
                    "",
                    ordering,
                    True,
                    depth,
                    path,
                    parent[0] if parent else None,
                    service,
                    service if parent is None else None,
                    None,
                    "none",
                )
            )
            return category_id, path

        root = add_category(name, None, index, 0, service_id)
        for order, (child_name, grandchildren) in enumerate(corpus.CATEGORIES[slug]):
            child = add_category(child_name, root, order, 1, service_id)
            if not grandchildren:
                leaves.append((child[0], child_name))
            for sub_order, grandchild_name in enumerate(grandchildren):
                grandchild = add_category(grandchild_name, child, sub_order, 2, service_id)
                leaves.append((grandchild[0], f"{child_name} ({grandchild_name})"))
        world.leaves.append(leaves)

    english = bytearray()
    for number in range(requesters):
        email, full, is_english = requester_person(rng, number, "univ.example")
        world.requester_ids.append(add_user(email, full, "en" if is_english else "fr"))
        english.append(is_english)
        if number == 0:
            world.accounts["requester"] = email
    world.requester_english = bytes(english)
    world.rows = {
        "accounts_user": users,
        "categories_service": services,
        "categories_category": categories,
        "categories_servicemembership": memberships,
    }
    return world
