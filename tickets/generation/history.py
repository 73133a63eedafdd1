"""Tickets and their timelines, as rows: who filed what, when, and every move until today.

Tickets arrive at a steady rate (`World.tickets_per_day`) during office hours, so the number of
open tickets is the same at every size and only the history grows: most tickets are closed, the
recent ones are still being handled. Each ticket has 3 to 10 events (comments, moves, internal
notes, a file) consistent with its status, and its fields follow its events as `tickets.events`
keeps them: `updated_at` is the last event, `first_response_at` the service's first public
message, `closure_requested_at` and `closed_at` the moves that set them.

Chunk `n` holds tickets [n * CHUNK, (n + 1) * CHUNK) and draws from its own random generator, so
chunks can be made in any order, by any process, and the same seed gives the same rows.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field

from tickets.generation import corpus
from tickets.generation.world import DAY, RARE_EVERY, RARE_FIRST, World

CHUNK = 10_000

# Arrivals by hour of the week (Monday 00:00 UTC first): office hours, quiet nights and weekends.
_HOUR_WEIGHTS = [
    (0.2 if day >= 5 else 1.0)
    * (3.0 if 7 <= hour <= 15 else 1.2 if hour in (6, 16, 17, 18) else 0.15)
    for day in range(7)
    for hour in range(24)
]
_CUMULATIVE = []
_total = 0.0
for _weight in _HOUR_WEIGHTS:
    _total += _weight
    _CUMULATIVE.append(_total)
_WEEK = 7 * DAY
_MONDAY = 4 * DAY  # 1970-01-05 was a Monday


def _weight_until(moment: float) -> float:
    """Office-hour time from the first Monday of 1970 to `moment` (in hour weights)."""
    since = moment - _MONDAY
    weeks = math.floor(since / _WEEK)
    hours = (since - weeks * _WEEK) / 3600.0
    hour = min(int(hours), 167)
    before = _CUMULATIVE[hour - 1] if hour else 0.0
    return weeks * _total + before + (hours - hour) * _HOUR_WEIGHTS[hour]


def _moment_at(weight: float) -> float:
    """The inverse of `_weight_until`."""
    weeks = math.floor(weight / _total)
    rest = weight - weeks * _total
    hour = min(bisect_right(_CUMULATIVE, rest), 167)
    before = _CUMULATIVE[hour - 1] if hour else 0.0
    return _MONDAY + weeks * _WEEK + (hour + (rest - before) / _HOUR_WEIGHTS[hour]) * 3600.0


def _arrival(world: World, index: int, jitter: float) -> float:
    """The creation time of the ticket number `index`: evenly spread over the history in
    office-hour time, the last one a few minutes ago, so ids increase with creation time."""
    span = world.tickets / world.tickets_per_day * DAY
    first = _weight_until(world.now - span)
    last = _weight_until(world.now - 300)
    return _moment_at(first + (index + jitter) / world.tickets * (last - first))


ACTIVE = ("open", "in_progress", "info_requested", "closure_pending", "reopened")
ACTIVE_WEIGHTS = (0.3, 0.4, 0.12, 0.13, 0.05)
TERMINAL = ("closed", "cancelled", "rejected")


def _status(rng: random.Random, age_days: float) -> str:
    active = 0.9 * math.exp(-age_days / 12) + (0.003 if age_days < 365 else 0.0)
    if rng.random() < active:
        if age_days < 0.2:
            return "open" if rng.random() < 0.8 else "in_progress"
        return rng.choices(ACTIVE, ACTIVE_WEIGHTS)[0]
    draw = rng.random()
    return "closed" if draw < 0.9 else "cancelled" if draw < 0.95 else "rejected"


def _skeleton(rng: random.Random, status: str) -> tuple[list[str], int]:
    """The moves that lead to `status`, and where comments fit in (an index into the list)."""
    if status == "open":
        return ([], 0) if rng.random() < 0.85 else (["take", "release"], 1)
    if status == "in_progress":
        return ["take"], 1
    if status == "info_requested":
        return ["take", "request_info"], 1
    if status == "closure_pending":
        return ["take", "request_closure"], 1
    if status == "reopened":
        return ["take", "request_closure", "approve_closure", "reopen"], 1
    if status == "cancelled":
        return ["cancel"], 0
    if status == "rejected":
        return ["take", "reject"], 1
    draw = rng.random()
    if draw < 0.5:
        return ["take", "request_closure", "approve_closure"], 1
    if draw < 0.7:
        return ["take", "request_closure", "expire_closure"], 1
    if draw < 0.85:
        return ["take", "mark_solved"], 1
    return [
        "take",
        "request_info",
        "answer",
        "receive_info",
        "request_closure",
        "approve_closure",
    ], 1


def _refused(rng: random.Random, world: World, moves: list[str], status: str) -> list[str]:
    """With `World.refusals`, some closure requests are refused once and asked again; a ticket
    in progress may be one whose closure was refused."""
    if "request_closure" in moves and rng.random() < world.refusals:
        at = moves.index("request_closure") + 1
        return [*moves[:at], "refuse_closure", *moves[at - 1 :]]
    if status == "in_progress" and rng.random() < world.refusals:
        return [*moves, "request_closure", "refuse_closure"]
    return moves


# A move is made by the requester, by the helpdesk (expire_closure, actor None) or by the agent.
FIRST_RESPONSE = {"comment_agent", "request_info", "request_closure", "reject"}
STATUS_FLOW = {
    "request_info": ("in_progress", "info_requested"),
    "receive_info": ("info_requested", "in_progress"),
    "request_closure": ("in_progress", "closure_pending"),
    "approve_closure": ("closure_pending", "closed"),
    "refuse_closure": ("closure_pending", "in_progress"),
    "expire_closure": ("closure_pending", "closed"),
    "mark_solved": ("in_progress", "closed"),
    "reopen": ("closed", "reopened"),
    "cancel": ("open", "cancelled"),
    "reject": ("in_progress", "rejected"),
}
REQUESTER_MOVES = {
    "approve_closure",
    "refuse_closure",
    "mark_solved",
    "reopen",
    "cancel",
    "receive_info",
    "answer",
}


@dataclass
class Chunk:
    """The rows of one chunk, in the order of `world.COLUMNS`."""

    tickets: list[tuple] = field(default_factory=list)
    attachments: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


def _times(rng: random.Random, world: World, created: float, status: str, moves: list) -> list:
    """When each move happened: from the creation to the closure (terminal) or to some time
    before now (active); distinct, increasing seconds."""
    if status in TERMINAL:
        duration = min(rng.lognormvariate(math.log(2 * DAY), 1.2), 120 * DAY)
        end = min(created + max(duration, 600.0), world.now - 60)
    else:
        end = created + (world.now - created) * (0.3 + 0.7 * rng.random())
    days = world.closure_days
    if days and status == "closure_pending" and world.now - end > (days - 1) * DAY:
        end = max(created + 600.0, world.now - rng.uniform(0.2, days - 1) * DAY)
    steps = len(moves)
    offsets = sorted(rng.random() for _ in range(steps - 2)) if steps > 2 else []
    times = [created, *(created + (end - created) * value for value in offsets)]
    if steps > 1:
        times.append(end)
    for position in range(1, steps):
        if times[position] < times[position - 1] + 1:
            times[position] = times[position - 1] + 1
    if days and moves[-1] == "expire_closure":
        # The hourly task closes it within the hour after the delay; until then it is pending.
        expiry = times[-2] + days * DAY + rng.uniform(60.0, 3600.0)
        if expiry < world.now - 60:
            times[-1] = expiry
        else:
            moves[-1] = "approve_closure"
    return times


def generate_chunk(world: World, chunk: int) -> Chunk:
    """The rows of tickets [chunk * CHUNK, ...): tickets, their attachments and events."""
    rng = random.Random(world.seed * 1_000_003 + chunk)  # noqa: S311 - repeatable data
    first = chunk * CHUNK
    last = min(world.tickets, first + CHUNK)
    rows = Chunk()
    ticket_rows, attachment_rows, event_rows = rows.tickets, rows.attachments, rows.events
    service_count = len(world.service_ids)
    requesters = world.requester_ids
    n_requesters = len(requesters)
    for index in range(first, last):
        ticket_id = world.ticket_offset + index + 1
        created = _arrival(world, index, rng.random())
        age_days = (world.now - created) / DAY
        service = rng.choices(range(service_count), world.service_weights)[0]
        rare = index % RARE_EVERY == RARE_FIRST
        if rare:
            service = world.reference_service
        service_id = world.service_ids[service]
        category_id, topic = rng.choice(world.leaves[service])
        agent_id, agent_name = rng.choice(world.agents[service])
        who = int(n_requesters * rng.random() ** 1.5)
        requester_id = requesters[who]
        english = world.requester_english[who]
        status = _status(rng, age_days)
        pin = world.pins.get(index) if world.pins else None
        if pin is not None:
            if pin.service is not None and pin.service != service:
                service = pin.service
                service_id = world.service_ids[service]
                category_id, topic = rng.choice(world.leaves[service])
                agent_id, agent_name = rng.choice(world.agents[service])
            if pin.agent is not None:
                agent_id, agent_name = world.agents[service][pin.agent]
            if pin.requester is not None:
                who = pin.requester
                requester_id, english = requesters[who], world.requester_english[who]
            status = pin.status or status
        words = world.texts.get(category_id, corpus) if world.texts else corpus

        if english:
            subject = rng.choice(words.SUBJECTS_EN).format(topic=topic)
            problem = rng.choice(words.PROBLEMS_EN)
            opening, detail, closing = (
                rng.choice(words.OPENINGS_EN),
                rng.choice(words.DETAILS_EN),
                rng.choice(words.CLOSINGS_EN),
            )
        else:
            subject = rng.choice(words.SUBJECTS_FR).format(topic=topic.lower())
            problem = rng.choice(words.PROBLEMS_FR)
            opening, detail, closing = (
                rng.choice(words.OPENINGS_FR),
                rng.choice(words.DETAILS_FR),
                rng.choice(words.CLOSINGS_FR),
            )
        if rare:
            problem = corpus.RARE_SENTENCES[english]
        description = f"{opening}\n\n{problem} {detail}\n\n{closing}"

        moves, insert_at = _skeleton(rng, status)
        if pin is not None and pin.moves is not None:
            moves = list(pin.moves)
        if world.refusals:
            moves = _refused(rng, world, moves, status)
        attach = rng.random() < 0.08
        target = rng.randint(3, 10)
        padding = max(0, target - 1 - attach - len(moves))
        comments = []
        for _ in range(padding):
            draw = rng.random()
            if status in ("open", "cancelled") or (insert_at == 0):
                comments.append("comment_requester" if draw < 0.6 else "internal_note")
            else:
                comments.append(
                    "comment_agent"
                    if draw < 0.4
                    else "comment_requester"
                    if draw < 0.75
                    else "internal_note"
                )
        moves[insert_at:insert_at] = comments
        moves.insert(0, "created")
        if attach:
            moves.insert(1, "attachment")
        times = _times(rng, world, created, status, moves)

        first_response = None
        closure_requested = None
        resolution = ""
        assignee: int | None = None
        current = "open"
        for move, moment in zip(moves, times, strict=True):
            kind = "comment"
            action = move
            actor: int | None = requester_id
            visibility = "public"
            before = after = text = ""
            attachment_id = None
            if move == "created":
                kind, after = "created", "open"
            elif move == "attachment":
                name, content_type = rng.choice(words.ATTACHMENT_NAMES)
                attachment_id = (
                    ticket_id
                    if world.attachment_offset is None
                    else world.attachment_offset + index + 1
                )
                kind, after = "attachment", name
                day = time.gmtime(moment)
                attachment_rows.append(
                    (
                        attachment_id,
                        f"attachments/{day.tm_year}/{day.tm_mon:02d}/{rng.getrandbits(128):032x}",
                        name,
                        content_type,
                        rng.randint(20_000, 2_000_000),
                        moment,
                        "public",
                        requester_id,
                        ticket_id,
                    )
                )
            elif move == "comment_requester" or move == "answer":
                action = "comment"
                text = rng.choice(
                    words.REQUESTER_REPLIES_EN if english else words.REQUESTER_REPLIES_FR
                )
            elif move == "comment_agent":
                action, actor = "comment", agent_id
                text = rng.choice(words.AGENT_REPLIES_EN if english else words.AGENT_REPLIES_FR)
            elif move == "internal_note":
                actor, visibility = agent_id, "internal"
                text = rng.choice(words.INTERNAL_NOTES)
            elif move == "take":
                kind, actor, after = "assigned", agent_id, agent_name
                assignee, current = agent_id, "in_progress"
            elif move == "release":
                kind, actor, before = "assigned", agent_id, agent_name
                assignee, current = None, "open"
            else:
                kind = "status_changed"
                before, after = STATUS_FLOW[move]
                before = current if move == "reject" else before
                current = after
                if move in REQUESTER_MOVES:
                    actor = requester_id
                elif move == "expire_closure":
                    actor = None
                else:
                    actor = agent_id
                if move == "request_info":
                    text = rng.choice(words.QUESTIONS_EN if english else words.QUESTIONS_FR)
                elif move == "request_closure":
                    text = rng.choice(words.RESOLUTIONS_EN if english else words.RESOLUTIONS_FR)
                    resolution, closure_requested = text, moment
                elif move == "refuse_closure":
                    text = rng.choice(words.REFUSALS_EN if english else words.REFUSALS_FR)
                    closure_requested = None
                elif move == "reject":
                    text = rng.choice(words.REJECTIONS_EN if english else words.REJECTIONS_FR)
                    resolution = text
                elif move == "reopen":
                    pool = words.REOPEN_REASONS_EN if english else words.REOPEN_REASONS_FR
                    text = rng.choice(pool)
                    assignee, closure_requested = None, None
                elif move == "cancel":
                    pool = words.CANCEL_REASONS_EN if english else words.CANCEL_REASONS_FR
                    text = rng.choice(pool)
            if first_response is None and move in FIRST_RESPONSE:
                first_response = moment
            event_rows.append(
                (
                    kind,
                    action,
                    moment,
                    visibility,
                    before,
                    after,
                    text,
                    actor,
                    attachment_id,
                    ticket_id,
                )
            )
        closed_at = times[-1] if status in TERMINAL else None
        priority = rng.choices((1, 2, 3, 4), (0.1, 0.7, 0.15, 0.05))[0]
        ticket_rows.append(
            (
                ticket_id,
                subject[:200],
                description,
                priority,
                status,
                created,
                times[-1],
                first_response,
                closure_requested,
                closed_at,
                resolution,
                assignee,
                category_id,
                requester_id,
                service_id,
            )
        )
    return rows
