"""Moving a university's esup-helpdesk into the helpdesk, as often as needed.

Each esup-helpdesk row becomes at most one helpdesk row, and a `SourceLink` remembers which: a
re-run updates what changed and creates nothing twice, and a run stopped halfway starts again
where its last committed batch ended. Tickets go a batch at a time (the ticket rows, their
actions as timeline events, their files as attachments), each batch in its own transaction.

People are matched to the accounts the helpdesk already has by their university login, then by
email address; nobody is made an administrator by an import.
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils.text import slugify

from accounts.models import User
from categories.models import CannedResponse, Category, Service, ServiceMembership
from categories.services import category_save
from esupimport import fast, mapping
from esupimport.models import SourceLink
from esupimport.source import Source
from mailgateway.html_text import html_to_text
from tickets import events
from tickets.models import Attachment, Invitation, Ticket, TicketEvent, Watcher
from tickets.moves import MOVES, Move

Kind = SourceLink.Kind
Visibility = TicketEvent.Visibility
UNKNOWN_DOMAIN = "esup-import.invalid"
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


@dataclass(slots=True)
class NewTicket:
    """A ticket of the batch not written yet (PostgreSQL copies it after its events): what its
    files and events need of it."""

    pk: int
    created_at: Any


class DryRunRollback(Exception):
    """Raised at the end of a dry run to roll back everything it wrote."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # What arrived but has no equivalent here, with how many rows.
    unmapped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def add(self, other: Report) -> None:
        """Counts another report's rows in this one (a worker's share of the tickets)."""
        for kind, theirs in other.tallies.items():
            tally = self.tallies[kind]
            tally.created += theirs.created
            tally.updated += theirs.updated
            tally.unchanged += theirs.unchanged
            tally.skipped.update(theirs.skipped)
        self.unmapped.update(other.unmapped)
        self.notes.update(other.notes)

    def __getstate__(self) -> dict[str, Any]:
        # The defaultdict's factory is a lambda, which does not pickle (a worker sends its
        # report to the main process).
        return {**self.__dict__, "tallies": dict(self.tallies)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.tallies = defaultdict(Tally, state["tallies"])

    def lines(self) -> list[str]:
        out = [f"{'rows':<24}{'created':>9}{'updated':>9}{'unchanged':>11}{'skipped':>9}"]
        for kind, tally in self.tallies.items():
            out.append(
                f"{kind:<24}{tally.created:>9}{tally.updated:>9}{tally.unchanged:>11}"
                f"{sum(tally.skipped.values()):>9}"
            )
        for kind, tally in self.tallies.items():
            for reason, count in sorted(tally.skipped.items()):
                out.append(f"  skipped {kind}: {reason}: {count}")
        for what, count in sorted(self.unmapped.items()):
            out.append(f"  not mapped: {what}: {count}")
        for what, count in sorted(self.notes.items()):
            out.append(f"  note: {what}: {count}")
        return out


# What esup-helpdesk's editor writes most: paragraphs, line breaks and inline emphasis.
_SIMPLE_TAG = re.compile(r"<\s*(/?)\s*(p|br|div|strong|b|em|i|u|span)\b[^>]*>", re.IGNORECASE)
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/div)\s*>", re.IGNORECASE)


def text_of(message: str | None) -> str:
    """An esup-helpdesk message (HTML from its editor, or plain text) as the helpdesk's text."""
    if not message:
        return ""
    repaired = mapping.repair(message)
    if not _TAG.search(repaired):
        return repaired.strip()
    if not _TAG.search(_SIMPLE_TAG.sub("", repaired)):
        # Only simple tags: a line per paragraph, the rest as it reads (the full converter
        # handles lists, tables, links and the rest).
        text = _SIMPLE_TAG.sub("", _BLOCK_END.sub("\n", repaired))
        lines = [line.strip() for line in html.unescape(text).split("\n")]
        return "\n".join(line for line in lines if line).strip()
    return html_to_text(repaired).strip()


def _move_shape(move: Move) -> str:
    """Which of the action's columns the event's before and after come from."""
    if move == Move.CREATED:
        return "created"
    if move in (Move.TAKE, Move.ASSIGN, Move.RELEASE):
        return "manager"
    if move == Move.TRANSFER:
        return "service"
    if move == Move.CHANGE_CATEGORY:
        return "category"
    if move == Move.EDIT_SUBJECT:
        return "subject"
    if move == Move.CHANGE_PRIORITY:
        return "priority"
    if move in (Move.INVITE, Move.LEAVE):
        return "invitee"
    if move == Move.ATTACHMENT:
        return "attachment"
    if MOVES[move].target is not None:
        return "status"
    return ""


# Each move's event kind, its name as stored and its shape, worked out once rather than for each
# of the hundreds of thousands of actions a history holds.
_MOVE_ROWS: dict[Move, tuple[str, str, str]] = {
    move: (rule.kind, move.value, _move_shape(move)) for move, rule in MOVES.items()
}


# Links read back from the database by batch, never from `Importer.links`: not kept in memory
# (a history holds hundreds of thousands of actions).
_UNREMEMBERED_LINKS = {Kind.ACTION, Kind.ARCHIVED_ACTION, Kind.FILE}


class Importer:
    def __init__(
        self,
        source: Source,
        *,
        dry_run: bool = False,
        files_dir: Path | None = None,
        batch_size: int = 1000,
        source_timezone: str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        workers: int = 1,
    ) -> None:
        self.source = source
        self.workers = workers
        self.dry_run = dry_run
        self.files_dir = files_dir
        self.batch_size = batch_size
        self.zone = ZoneInfo(source_timezone or settings.TIME_ZONE)
        self.progress = progress or (lambda step, done, total: None)
        self.report = Report()
        self.links: dict[str, dict[str, int]] = defaultdict(dict)
        self._user_links = self.links[Kind.USER]  # read for each person an action names
        self.users: dict[int, User] = {}
        self.services: dict[int, Service] = {}
        self.categories: dict[int, Category] = {}
        self._placeholder_categories: dict[int, Category] = {}
        self._used_emails: set[str] = set()

    # --- Running ------------------------------------------------------------------------------

    STEPS = (
        "users",
        "departments",
        "managers",
        "categories",
        "category_members",
        "responses",
        "tickets",
        "archived_tickets",
        "invitations",
        "monitoring",
        "faq",
    )

    def run(self) -> Report:
        if not self.dry_run:
            for step in self.STEPS:
                getattr(self, f"import_{step}")()
            return self.report
        try:
            with transaction.atomic():
                for step in self.STEPS:
                    getattr(self, f"import_{step}")()
                raise DryRunRollback
        except DryRunRollback:
            pass
        return self.report

    def _batch(self) -> Any:
        """One transaction per batch; a dry run is one transaction rolled back at the end."""
        return transaction.atomic()

    def _load_links(self, kind: str, source_ids: Iterable[Any] | None = None) -> dict[str, int]:
        if source_ids is not None and fast.available():
            found = fast.links(kind, [str(i) for i in source_ids])
            if kind not in _UNREMEMBERED_LINKS:
                self.links[kind].update(found)
            return found
        query = SourceLink.objects.filter(kind=kind)
        if source_ids is not None:
            query = query.filter(source_id__in=[str(i) for i in source_ids])
        found = dict(query.values_list("source_id", "target_id"))
        self.links[kind].update(found)
        return found

    def _link(self, kind: str, pairs: list[tuple[Any, int]]) -> None:
        sources = [str(s) for s, _t in pairs]
        if fast.available():
            # The links' own ids come from the table's default: nothing refers to them.
            escape = fast.escape
            fast.copy_rows(
                SourceLink._meta.db_table,
                ["kind", "source_id", "target_id"],
                [f"{kind}\t{escape(s)}\t{t}" for s, (_s, t) in zip(sources, pairs, strict=True)],
            )
        else:
            SourceLink.objects.bulk_create(
                [
                    SourceLink(kind=kind, source_id=s, target_id=t)
                    for s, (_s, t) in zip(sources, pairs, strict=True)
                ]
            )
        if kind not in _UNREMEMBERED_LINKS:
            self.links[kind].update(zip(sources, (t for _s, t in pairs), strict=True))

    @staticmethod
    def _changed(instance: Any, values: dict[str, Any]) -> list[str]:
        """Sets the values that differ and names them. Relations compare by key, so that
        comparing reads no related row."""
        changed = []
        for name, value in values.items():
            field = instance._meta.get_field(name)
            if field.many_to_one:
                key = value.pk if value is not None else None
                if getattr(instance, field.attname) != key:
                    setattr(instance, name, value)
                    changed.append(name)
            elif getattr(instance, name) != value:
                setattr(instance, name, value)
                changed.append(name)
        return changed

    # --- People -------------------------------------------------------------------------------

    def import_users(self) -> None:
        tally = self.report.tallies["people"]
        known = self._load_links(Kind.USER)
        total = self.source.count("h_user")
        done = 0
        for rows in self.source.pages("h_user", self.batch_size):
            with self._batch():
                for row in rows:
                    self._import_user(row, known, tally)
            done += len(rows)
            self.progress("people", done, total)
        self.users = {u.pk: u for u in User.objects.filter(pk__in=self.links[Kind.USER].values())}

    def _import_user(self, row: dict, known: dict[str, int], tally: Tally) -> None:
        uid = str(row["id"])
        email = mapping.repair(row["email"]).strip().lower()
        name = mapping.repair(row["disp_name"]).strip()[:200]
        language = mapping.LANGUAGES.get((row["lang"] or "").strip().lower()[:2], "fr")
        login = (mapping.repair(row["real_id"]).strip() or uid)[:150]
        directory_login = (
            login if (row["auth_type"] or "").lower() in ("cas", "ldap", "shibboleth") else None
        )
        if row["admi"]:
            self.report.notes["esup-helpdesk administrators (not made administrators here)"] += 1
        if uid in known:
            user = User.objects.get(pk=known[uid])
            values = {"full_name": name or user.full_name, "preferred_language": language}
            if self._changed(user, values):
                user.save(update_fields=list(values))
                tally.updated += 1
            else:
                tally.unchanged += 1
            return
        user = None
        if directory_login:
            user = User.objects.filter(directory_id=directory_login).first()
        if user is None and email:
            user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            # An account the helpdesk already had: fill what it lacks, never overwrite it.
            if not user.full_name and name:
                user.full_name = name
            if not user.directory_id and directory_login:
                user.directory_id = directory_login
            user.save()
            self.report.notes["people matched to existing accounts"] += 1
            tally.updated += 1
        else:
            if not email or email in self._used_emails:
                tally.skipped["no email address: account created inactive"] += 1
                email = self._unknown_email(uid)
            user = User(
                email=email,
                full_name=name,
                preferred_language=language,
                directory_id=directory_login
                if directory_login
                and not User.objects.filter(directory_id=directory_login).exists()
                else None,
                is_active="@" in email and not email.endswith(UNKNOWN_DOMAIN),
            )
            user.set_unusable_password()
            user.save()
            tally.created += 1
        self._used_emails.add(user.email)
        self._link(Kind.USER, [(uid, user.pk)])

    def _unknown_email(self, uid: str) -> str:
        return f"{slugify(uid)[:60] or 'unknown'}@{UNKNOWN_DOMAIN}"

    def user(self, uid: Any) -> User | None:
        """The account of an esup-helpdesk user id; someone the tables name but no longer hold
        (a deleted user) gets an inactive account so their tickets keep a requester."""
        if uid is None:
            return None
        uid = str(uid)
        if not uid or uid.isspace():
            return None
        target = self._user_links.get(uid)
        if target is not None:
            user = self.users.get(target)
            if user is None:
                user = self.users[target] = User.objects.get(pk=target)
            return user
        email = self._unknown_email(uid)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=uid[:200], is_active=False)
            user.set_unusable_password()
            user.save()
            self.report.tallies["people"].skipped[
                "missing from h_user: account created inactive"
            ] += 1
        self._link(Kind.USER, [(uid, user.pk)])
        self.users[user.pk] = user
        return user

    # --- Services and categories --------------------------------------------------------------

    def import_departments(self) -> None:
        tally = self.report.tallies["services"]
        known = self._load_links(Kind.DEPARTMENT)
        rows = [row for page in self.source.pages("h_depa", self.batch_size) for row in page]
        # Virtual departments point at a real one: their tickets go to the real service.
        real = [row for row in rows if not row["real_depa_id"]]
        virtual = [row for row in rows if row["real_depa_id"]]
        with self._batch():
            for row in real:
                label = mapping.repair(row["labe"]).strip()[:150] or f"Service {row['id']}"
                values = {
                    "description": mapping.repair(row["xlab"] or row["url"] or "").strip(),
                    "is_active": bool(row["visi"]),
                }
                if row["auto_expi2"] and int(row["auto_expi2"]) > 0:
                    values["closure_approval_days"] = min(int(row["auto_expi2"]), 365)
                sid = str(row["id"])
                if sid in known:
                    service = Service.objects.get(pk=known[sid])
                    values["name"] = service.name if service.name.startswith(label) else label
                    if self._changed(service, values):
                        service.save()
                        tally.updated += 1
                    else:
                        tally.unchanged += 1
                else:
                    service = Service(name=self._unique_name(label), **values)
                    service.slug = self._unique_slug(Service, label)
                    service.save()
                    self._link(Kind.DEPARTMENT, [(sid, service.pk)])
                    tally.created += 1
                self.services[row["id"]] = service
            for row in virtual:
                target = self.services.get(row["real_depa_id"])
                if target is None:
                    tally.skipped["virtual department whose real department is missing"] += 1
                    continue
                self.services[row["id"]] = target
                self.report.notes["virtual departments joined to their real department"] += 1
        self.progress("services", len(rows), len(rows))

    def _unique_name(self, label: str) -> str:
        name, n = label, 2
        while Service.objects.filter(name=name).exists():
            name, n = f"{label} ({n})", n + 1
        return name

    @staticmethod
    def _unique_slug(model: Any, label: str) -> str:
        base = slugify(label)[:140] or "import"
        slug, n = base, 2
        while model.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def import_managers(self) -> None:
        tally = self.report.tallies["service members"]
        for page in self.source.pages("h_depa_mana", self.batch_size):
            with self._batch():
                for row in page:
                    service = self.services.get(row["depa_id"])
                    user = self.user(row["user_id"])
                    if service is None or user is None:
                        tally.skipped["department or user missing"] += 1
                        continue
                    head = bool(row["mana_mana"] or row["mana_prop"])
                    self._member(service, user, head, bool(row["avai"]), tally)

    def _member(
        self, service: Service, user: User, head: bool, available: bool, tally: Tally
    ) -> None:
        role = ServiceMembership.Role.HEAD if head else ServiceMembership.Role.AGENT
        membership = ServiceMembership.objects.filter(service=service, user=user).first()
        if membership is None:
            ServiceMembership.objects.create(
                service=service, user=user, role=role, is_available=available
            )
            tally.created += 1
            return
        # Never demote a head the helpdesk already has.
        values = {"role": ServiceMembership.Role.HEAD if head else membership.role}
        if self._changed(membership, values):
            membership.save()
            tally.updated += 1
        else:
            tally.unchanged += 1

    def import_categories(self) -> None:
        tally = self.report.tallies["categories"]
        known = self._load_links(Kind.CATEGORY)
        rows = {
            row["id"]: row for page in self.source.pages("h_cate", self.batch_size) for row in page
        }
        has_audience = hasattr(Category, "audience_affiliations")
        has_confidential = hasattr(Category, "is_confidential")
        done: set[int] = set()

        def visit(cid: int, trail: tuple[int, ...] = ()) -> None:
            if cid in done or cid in trail:
                return
            row = rows[cid]
            parent = None
            if row["pare_id"] is not None:
                if row["pare_id"] in rows:
                    visit(row["pare_id"], (*trail, cid))
                    parent = self.categories.get(row["pare_id"])
                else:
                    tally.skipped["parent category missing: placed at the top"] += 0
                    self.report.notes["categories whose parent is missing (placed at the top)"] += 1
            service = self.services.get(row["depa_id"]) or (
                parent.handling_service if parent else None
            )
            if service is None:
                tally.skipped["department missing"] += 1
                done.add(cid)
                return
            label = mapping.repair(row["labe"]).strip()[:150] or f"Category {cid}"
            values: dict[str, Any] = {
                "name": label,
                "help_text": mapping.repair(row["xlab"] or "").strip(),
                "parent": parent,
                "service": service,
                "ordering": max(int(row["orde"] or 0), 0),
                "is_active": not row["cate_invi"],
            }
            if has_confidential:
                values["is_confidential"] = bool(row["cate_confi"])
            if has_audience and row["hide_to_exte_user"]:
                values["audience_affiliations"] = ["member"]
            sid = str(cid)
            if sid in known:
                category = Category.objects.get(pk=known[sid])
                if self._changed(category, values):
                    category_save(category)
                    tally.updated += 1
                else:
                    tally.unchanged += 1
            else:
                category = Category(**values)
                category.slug = self._unique_slug(Category, f"{service.slug}-{label}")
                category_save(category)
                self._link(Kind.CATEGORY, [(sid, category.pk)])
                tally.created += 1
            self.categories[cid] = category
            done.add(cid)

        with self._batch():
            for cid in sorted(rows, key=lambda i: (rows[i]["real_cate_id"] is not None, i)):
                if rows[cid]["real_cate_id"] is not None and rows[cid]["real_cate_id"] in rows:
                    continue
                visit(cid)
            # A category that is a shortcut to another ("real category") files there.
            for cid, row in rows.items():
                if row["real_cate_id"] is not None and row["real_cate_id"] in self.categories:
                    self.categories[cid] = self.categories[row["real_cate_id"]]
                    self.report.notes["shortcut categories joined to their real category"] += 1
        self.progress("categories", len(rows), len(rows))

    def category_for(self, cid: Any, service: Service) -> Category:
        """The ticket's category, or the service's "deleted category" when it no longer exists."""
        category = self.categories.get(cid) if cid is not None else None
        if category is not None:
            return category
        self.report.notes["tickets whose category was deleted (filed under a hidden category)"] += 1
        return self.deleted_category(service)

    def deleted_category(self, service: Service) -> Category:
        """The service's hidden category for tickets whose category no longer exists."""
        placeholder = self._placeholder_categories.get(service.pk)
        if placeholder is None:
            slug = f"{service.slug}-esup-deleted"[:150]
            placeholder = Category.objects.filter(slug=slug).first()
            if placeholder is None:
                placeholder = Category(
                    name="Catégorie supprimée (esup-helpdesk)",
                    slug=slug,
                    service=service,
                    is_active=False,
                    ordering=9999,
                )
                category_save(placeholder)
            self._placeholder_categories[service.pk] = placeholder
        return placeholder

    def import_category_members(self) -> None:
        tally = self.report.tallies["category members"]
        for page in self.source.pages("h_cate_memb", self.batch_size):
            with self._batch():
                for row in page:
                    category = self.categories.get(row["cate_id"])
                    user = self.user(row["user_id"])
                    if category is None or user is None:
                        tally.skipped["category or user missing"] += 1
                        continue
                    # The helpdesk assigns within a service: a category's members are its agents.
                    self._member(category.handling_service, user, False, True, tally)

    def import_responses(self) -> None:
        tally = self.report.tallies["canned responses"]
        known = self._load_links(Kind.RESPONSE)
        for page in self.source.pages("h_resp", self.batch_size):
            with self._batch():
                for row in page:
                    service = self.services.get(row["depa_id"])
                    if service is None:
                        tally.skipped["personal response (no department)"] += 1
                        continue
                    values = {
                        "service": service,
                        "title": mapping.repair(row["labe"]).strip()[:150] or "Réponse",
                        "body": text_of(row["mess"]),
                    }
                    sid = str(row["id"])
                    if sid in known:
                        response = CannedResponse.objects.get(pk=known[sid])
                        if self._changed(response, values):
                            response.save()
                            tally.updated += 1
                        else:
                            tally.unchanged += 1
                    else:
                        response = CannedResponse.objects.create(**values)
                        self._link(Kind.RESPONSE, [(sid, response.pk)])
                        tally.created += 1

    # --- Tickets ------------------------------------------------------------------------------

    def import_tickets(self) -> None:
        total = self.source.count("h_tick")
        if (
            self.workers > 1
            and fast.available()
            and not self.dry_run
            and self.source.url
            # Workers see only what is committed: inside a transaction, one process.
            and not connection.in_atomic_block
        ):
            from esupimport import parallel

            parallel.import_tickets(self, total)
            return
        done = 0

        def tell(rows: int) -> None:
            nonlocal done
            done += rows
            self.progress("tickets", done, total)

        self.import_ticket_range(None, None, tell)

    def import_ticket_range(
        self,
        after: Any,
        upto: Any,
        tell: Callable[[int], None],
        *,
        share: int = 1,
        analyze: bool = True,
    ) -> None:
        """The tickets with ids in (after, upto], a batch per transaction; `tell` hears how many
        each batch held. The range holds one in `share` of all tickets; `analyze` refreshes the
        planner's statistics as the tables grow (one worker does it for all)."""
        done = 0
        analyzed_at = 0
        for rows in self.source.pages("h_tick", self.batch_size, after, upto):
            ids = [row["id"] for row in rows]
            actions = self.source.rows_for("h_acti", "tick_id", ids)
            files = self.source.rows_for("h_file_info", "tick_id", ids)
            with self._batch():
                self._import_ticket_batch(rows, actions, files, archived=False)
            done += len(rows)
            if analyze and not self.dry_run and done * share >= 3 * analyzed_at:
                # Each time the tables have grown threefold (into an empty helpdesk, at the
                # first batches): without it each event's search trigger scans every ticket.
                fast.analyze(
                    {
                        Ticket: ["id"],
                        TicketEvent: ["ticket_id"],
                        SourceLink: ["kind", "source_id"],
                        Attachment: ["id", "ticket_id"],
                    }
                )
                analyzed_at = done * share
            tell(len(rows))

    def prepare_shared_rows(self) -> None:
        """Makes, before tickets are imported by several processes at once, the rows two of them
        could otherwise both make: the accounts of people the tickets name but `h_user` lacks,
        and the services' hidden categories for tickets whose category was deleted."""
        named = self.source.distinct("h_tick", ["owne_id", "mana_id", "creator_id"])
        named |= self.source.distinct(
            "h_acti", ["user_id", "mana_befo_id", "mana_afte_id", "invi_user_id"]
        )
        named |= self.source.distinct("h_file_info", ["user_id"])
        missing = sorted(str(uid) for uid in named if str(uid) not in self.links[Kind.USER])
        with self._batch():
            for uid in missing:
                self.user(uid)
            for depa_id, cate_id in self.source.distinct_pairs("h_tick", "depa_id", "cate_id"):
                service = self.services.get(depa_id)
                if service is not None and (cate_id is None or cate_id not in self.categories):
                    self.deleted_category(service)

    def import_archived_tickets(self) -> None:
        total = self.source.count("h_arch_tick")
        done = 0
        for rows in self.source.pages("h_arch_tick", self.batch_size):
            ids = [row["id"] for row in rows]
            actions = self.source.rows_for("h_arch_acti", "arch_tick_id", ids)
            for action in actions:
                action["tick_id"] = action["arch_tick_id"]
            with self._batch():
                self._import_ticket_batch(rows, actions, [], archived=True)
            done += len(rows)
            self.progress("archived tickets", done, total)

    def _import_ticket_batch(
        self, rows: list[dict], actions: list[dict], files: list[dict], *, archived: bool
    ) -> None:
        ticket_kind = Kind.ARCHIVED_TICKET if archived else Kind.TICKET
        action_kind = Kind.ARCHIVED_ACTION if archived else Kind.ACTION
        tally = self.report.tallies["archived tickets" if archived else "tickets"]
        known = self._load_links(ticket_kind, [row["id"] for row in rows])
        by_ticket: dict[Any, list[dict]] = defaultdict(list)
        for action in actions:
            by_ticket[action["tick_id"]].append(action)
        for history in by_ticket.values():
            history.sort(key=lambda a: (a["date"], a["id"]))

        new: list[tuple[Any, dict[str, Any]]] = []
        existing = Ticket.objects.in_bulk(known.values()) if known else {}
        to_update: list[Ticket] = []
        update_fields: set[str] = set()
        for row in rows:
            values = self._ticket_values(row, by_ticket.get(row["id"], []), archived, tally)
            if values is None:
                continue
            sid = str(row["id"])
            if sid in known and known[sid] in existing:
                ticket = existing[known[sid]]
                status = values.pop("status")
                changed = self._changed(ticket, values)
                if ticket.status != status:
                    Ticket.objects.filter(pk=ticket.pk).update(status=status)
                    changed.append("status")
                if changed:
                    to_update.append(ticket)
                    update_fields.update(f for f in changed if f != "status")
                    tally.updated += 1
                else:
                    tally.unchanged += 1
            else:
                new.append((row["id"], values))
        deferred = fast.available()
        made: list[tuple[Any, Ticket | NewTicket]] = []
        if new and deferred:
            # Written after their events (see esupimport.fast), as rows rather than model
            # instances; their ids are known now, which is all their files and events need.
            ids = fast.reserve_ids(Ticket, len(new))
            made = [
                (sid, NewTicket(pk, values["created_at"]))
                for pk, (sid, values) in zip(ids, new, strict=True)
            ]
        elif new:
            made = [(sid, Ticket(**values)) for sid, values in new]
            Ticket.objects.bulk_create([ticket for _sid, ticket in made])
        if made:
            self._link(ticket_kind, [(sid, ticket.pk) for sid, ticket in made])
            tally.created += len(made)
        if to_update and update_fields:
            Ticket.objects.bulk_update(to_update, sorted(update_fields))
        tickets: dict[Any, Ticket | NewTicket] = dict(made)
        tickets.update(
            (int(sid) if sid.isdigit() else sid, existing[pk])
            for sid, pk in known.items()
            if pk in existing
        )
        attachments = self._import_files(files, tickets, known)
        self._import_actions(actions, tickets, attachments, action_kind, known)
        if deferred and new:
            fast.copy_values(
                Ticket,
                [
                    {"id": ticket.pk, **values}
                    for (_sid, ticket), (_sid2, values) in zip(made, new, strict=True)
                ],
            )

    def _ticket_values(
        self, row: dict, history: list[dict], archived: bool, tally: Tally
    ) -> dict[str, Any] | None:
        service = self.services.get(row["depa_id"])
        if service is None:
            tally.skipped["department missing"] += 1
            return None
        requester = self.user(row["owne_id"])
        if requester is None:
            tally.skipped["no owner"] += 1
            return None
        created = mapping.when(row["crea_date"], self.zone)
        if archived:
            last_status = history[-1]["stat_afte"] if history else "CLOSED"
            status, known_status = mapping.status(last_status)
            if status not in mapping.CLOSING_STATUSES:
                status = Ticket.Status.CLOSED
            last = mapping.when(row["arch_date"], self.zone) or created
        else:
            status, known_status = mapping.status(row["stat"])
            last = mapping.when(row["last_acti_date"], self.zone) or created
        if not known_status:
            self.report.unmapped[f"ticket status {row.get('stat') or last_status!r} (closed)"] += 1
        origin, known_origin = mapping.origin(row["orig_id"])
        if not known_origin:
            self.report.unmapped[f"ticket origin {row['orig_id']!r} (web)"] += 1
        subject = mapping.repair(row["labe"]).strip()[:200] or f"Ticket {row['id']}"
        description = next(
            (text_of(a["mess"]) for a in history if a["acti_type"] == "CREATE" and a["mess"]), ""
        )
        closed_at = None
        if status in mapping.CLOSING_STATUSES:
            closed_at = mapping.when(history[-1]["date"], self.zone) if history else last
        first_response = next(
            (
                mapping.when(a["date"], self.zone)
                for a in history
                if a["mess"]
                and str(a["user_id"]) != str(row["owne_id"])
                and a["acti_type"] in ("REQUEST_INFORMATION", "CLOSE", "GIVE_INFORMATION", "REFUSE")
                and mapping.visibility(a["scop"]) == Visibility.PUBLIC
            ),
            None,
        )
        values: dict[str, Any] = {
            "requester": requester,
            "service": service,
            "category": self.category_for(row["cate_id"], service),
            "subject": subject,
            "description": description or subject,
            "priority": mapping.priority(row["prio_leve"]),
            "origin": origin,
            "assignee": self.user(row["mana_id"]),
            "status": status,
            "created_at": created,
            "updated_at": max(last or created, created),
            "first_response_at": first_response,
            "closed_at": closed_at,
        }
        if not archived:
            creator = self.user(row["creator_id"])
            if creator is not None and creator.pk != requester.pk:
                values["filed_by"] = creator
            if status == Ticket.Status.POSTPONED and row["reca_date"]:
                values["postponed_until"] = (
                    mapping.when(row["reca_date"], self.zone).astimezone(self.zone).date()
                )
        return values

    def _import_files(
        self,
        files: list[dict],
        tickets: dict[Any, Ticket | NewTicket],
        known_tickets: dict[str, int],
    ) -> dict[tuple, Attachment]:
        tally = self.report.tallies["files"]
        # A file's link is written in the same transaction as its ticket's: only the files of
        # tickets an earlier run imported can have one.
        known = self._load_links(
            Kind.FILE, [row["id"] for row in files if str(row["tick_id"]) in known_tickets]
        )
        by_pk = Attachment.objects.in_bulk(known.values()) if known else {}
        found: dict[tuple, Attachment] = {}
        new: list[tuple[Any, Attachment]] = []
        for row in files:
            ticket = tickets.get(row["tick_id"])
            if ticket is None:
                tally.skipped["ticket not imported"] += 1
                continue
            name = mapping.repair(row["file_name"]).strip()[:255] or f"file-{row['id']}"
            sid = str(row["id"])
            if sid in known and known[sid] in by_pk:
                found[(row["tick_id"], name)] = by_pk[known[sid]]
                tally.unchanged += 1
                continue
            content = row["cont"]
            if content is None and self.files_dir is not None:
                path = self.files_dir / str(row["id"])
                content = path.read_bytes() if path.is_file() else None
            if content is None:
                tally.skipped["content missing (neither in the table nor in --files-dir)"] += 1
                continue
            content = bytes(content)
            attachment = Attachment(
                ticket_id=ticket.pk,
                original_name=name,
                content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                size=len(content),
                uploaded_by=self.user(row["user_id"]),
                created_at=mapping.when(row["date"], self.zone) or ticket.created_at,
                visibility=mapping.visibility(row["scop"]),
            )
            if not self.dry_run:
                attachment.file.save(name, ContentFile(content), save=False)
            new.append((row["id"], attachment))
            found[(row["tick_id"], name)] = attachment
        if new:
            fast.create(Attachment, [a for _sid, a in new])
            self._link(Kind.FILE, [(sid, a.pk) for sid, a in new])
            tally.created += len(new)
        return found

    def _import_actions(
        self,
        actions: list[dict],
        tickets: dict[Any, Ticket | NewTicket],
        attachments: dict[tuple, Attachment],
        kind: str,
        known_tickets: dict[str, int],
    ) -> None:
        tally = self.report.tallies[
            "archived history" if kind == Kind.ARCHIVED_ACTION else "history"
        ]
        # An action's link is written in the same transaction as its ticket's: only the actions
        # of tickets an earlier run imported can have one.
        known = self._load_links(
            kind, [a["id"] for a in actions if str(a["tick_id"]) in known_tickets]
        )
        existing = TicketEvent.objects.in_bulk(known.values()) if known else {}
        new: list[tuple[Any, dict[str, Any]]] = []
        changed: list[TicketEvent] = []
        skipped = 0
        event_values = self._event_values
        for action in actions:
            ticket = tickets.get(action["tick_id"])
            if ticket is None:
                tally.skipped["ticket not imported"] += 1
                continue
            values = event_values(action, ticket, attachments)
            if values is None:
                skipped += 1
                continue
            if known:
                sid = str(action["id"])
                if sid in known and known[sid] in existing:
                    event = existing[known[sid]]
                    if self._changed(event, values):
                        changed.append(event)
                        tally.updated += 1
                    else:
                        tally.unchanged += 1
                    continue
            values["ticket"] = ticket
            new.append((action["id"], values))
        if skipped:
            tally.skipped["no move and no message"] += skipped
        if new and fast.available():
            ids = fast.reserve_ids(TicketEvent, len(new))
            for pk, (_sid, values) in zip(ids, new, strict=True):
                values["id"] = pk
            events.load_history_rows([values for _sid, values in new], fast.copy_values)
            self._link(kind, [(sid, pk) for pk, (sid, _values) in zip(ids, new, strict=True)])
            tally.created += len(new)
        elif new:
            made = [events.past_event(**values) for _sid, values in new]
            events.load_history(made)
            self._link(kind, [(sid, event.pk) for (sid, _v), event in zip(new, made, strict=True)])
            tally.created += len(new)
        if changed:
            TicketEvent.objects.bulk_update(changed, ["text", "visibility", "before", "after"])

    def _event_values(
        self, action: dict, ticket: Ticket | NewTicket, attachments: dict[tuple, Attachment]
    ) -> dict[str, Any] | None:
        type_ = (action["acti_type"] or "?").strip().upper()
        text = text_of(action["mess"])
        visibility = mapping.visibility(action["scop"])
        move = mapping.ACTIONS.get(type_)
        before, after = "", ""
        attachment = None
        get = action.get
        if move is None:
            self.report.unmapped[
                f"action type {type_} (kept as an internal note)"
                if text
                else f"action type {type_}"
            ] += 1
            if not text:
                return None
            move, visibility = Move.INTERNAL_NOTE, Visibility.INTERNAL
        elif move is Move.RECEIVE_INFO and get("stat_befo") == get("stat_afte"):
            # A message that changed nothing: a comment, or an internal note for managers only.
            move = Move.INTERNAL_NOTE if visibility == Visibility.INTERNAL else Move.COMMENT
        kind, action_name, shape = _MOVE_ROWS[move]
        if shape == "created":
            text = ""  # the ticket's description holds it
            after = Ticket.Status.OPEN
        elif shape == "manager":
            before_user, after_user = self.user(get("mana_befo_id")), self.user(get("mana_afte_id"))
            before = before_user.display_name if before_user else ""
            after = after_user.display_name if after_user else ""
        elif shape == "service":
            before_service = self.services.get(get("depa_befo_id"))
            after_service = self.services.get(get("depa_afte_id"))
            before = before_service.name if before_service else ""
            after = after_service.name if after_service else ""
            visibility = Visibility.INTERNAL
        elif shape == "category":
            before_category = self.categories.get(get("cate_befo_id"))
            after_category = self.categories.get(get("cate_afte_id"))
            before = before_category.name if before_category else ""
            after = after_category.name if after_category else ""
        elif shape == "subject":
            before = mapping.repair(get("labe_befo"))
            after = mapping.repair(get("labe_afte"))
        elif shape == "priority":
            before = str(mapping.priority(get("prio_leve_befo")))
            after = str(mapping.priority(get("prio_leve_afte")))
        elif shape == "invitee":
            invited = self.user(get("invi_user_id"))
            after = invited.display_name if invited else ""
        elif shape == "attachment":
            name = mapping.repair(get("file_name")).strip()
            attachment = attachments.get((action["tick_id"], name))
            after = name
            if attachment is not None:
                visibility = attachment.visibility
        elif shape == "status":
            before = mapping.status(get("stat_befo"))[0]
            after = mapping.status(get("stat_afte"))[0]
        return {
            "kind": kind,
            "action": action_name,
            "actor": self.user(action["user_id"]),
            "created_at": mapping.when(action["date"], self.zone) or ticket.created_at,
            "visibility": visibility,
            "before": before[:200],
            "after": after[:200],
            "text": text,
            "attachment": attachment,
        }

    # --- People around tickets ----------------------------------------------------------------

    def _people_pages(self, table: str, tally: Tally) -> Any:
        """Pages of (ticket id, user) pairs whose ticket and person were imported."""
        for page in self.source.pages(table, self.batch_size):
            tickets = self._load_links(Kind.TICKET, [row["tick_id"] for row in page])
            pairs = []
            for row in page:
                target = tickets.get(str(row["tick_id"]))
                user = self.user(row["user_id"])
                if target is None or user is None:
                    tally.skipped["ticket or user missing"] += 1
                    continue
                pairs.append((target, user.pk))
            yield list(dict.fromkeys(pairs))

    def _add_missing(
        self, model: Any, person_field: str, pairs: list[tuple[int, int]], tally: Tally
    ) -> None:
        if not pairs:
            return
        existing = set(
            model.objects.filter(ticket_id__in={t for t, _u in pairs}).values_list(
                "ticket_id", f"{person_field}_id"
            )
        )
        missing = [pair for pair in pairs if pair not in existing]
        model.objects.bulk_create(
            [model(ticket_id=t, **{f"{person_field}_id": u}) for t, u in missing]
        )
        tally.created += len(missing)
        tally.unchanged += len(pairs) - len(missing)

    def import_invitations(self) -> None:
        tally = self.report.tallies["invitations"]
        for pairs in self._people_pages("h_invi", tally):
            with self._batch():
                self._add_missing(Invitation, "user", pairs, tally)

    def import_monitoring(self) -> None:
        """Agents who monitored a ticket watch it; anyone else follows it as an invitee."""
        tally = self.report.tallies["monitoring"]
        for pairs in self._people_pages("h_tick_moni", tally):
            services = dict(
                Ticket.objects.filter(pk__in={t for t, _u in pairs}).values_list("pk", "service_id")
            )
            agents = set(
                ServiceMembership.objects.filter(
                    service_id__in=set(services.values()), user_id__in={u for _t, u in pairs}
                ).values_list("service_id", "user_id")
            )
            watching = [(t, u) for t, u in pairs if (services.get(t), u) in agents]
            following = [(t, u) for t, u in pairs if (services.get(t), u) not in agents]
            if following:
                self.report.notes["monitoring by non-agents imported as invitations"] += len(
                    following
                )
            with self._batch():
                self._add_missing(Watcher, "agent", watching, tally)
                self._add_missing(Invitation, "user", following, tally)

    def import_faq(self) -> None:
        total = self.source.count("h_faq2")
        if not total:
            return
        if not apps.is_installed("knowledge"):
            self.report.tallies["FAQ"].skipped["no knowledge base installed"] += total
            return
        from esupimport.faq import import_faq_entries

        import_faq_entries(self)
