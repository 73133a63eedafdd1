from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from categories.models import Category, Service
from tickets import statuses
from tickets.moves import Kind, Move, fsm_sources, fsm_target
from tickets.statuses import Status


class TicketManager(models.Manager):
    """Tickets without their search vector: only the search reads it, inside its SQL, and it is
    the widest column of the row. Saving such a ticket never writes the vector either."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("search_vector")


class Ticket(FSMModelMixin, models.Model):
    """A request for help filed by a student or staff member, handled by one service.

    Its status changes only through `tickets.workflow`; the transitions below are pure and change
    state fields alone.
    """

    Status = Status

    class Priority(models.IntegerChoices):
        LOW = 1, pgettext_lazy("ticket priority", "Low")
        NORMAL = 2, pgettext_lazy("ticket priority", "Normal")
        HIGH = 3, pgettext_lazy("ticket priority", "High")
        URGENT = 4, pgettext_lazy("ticket priority", "Urgent")

    class Origin(models.TextChoices):
        """How the request reached the helpdesk: agents see it, the statistics count it."""

        WEB = "web", pgettext_lazy("ticket origin", "Web")
        EMAIL = "email", pgettext_lazy("ticket origin", "Email")
        PHONE = "phone", pgettext_lazy("ticket origin", "Phone")
        COUNTER = "counter", pgettext_lazy("ticket origin", "Counter")
        API = "api", pgettext_lazy("ticket origin", "API")

    TERMINAL_STATUSES = statuses.TERMINAL
    UNTAKEN_STATUSES = statuses.UNTAKEN
    WAITING_ON_REQUESTER_STATUSES = statuses.WAITING_ON_REQUESTER
    ACTIVE_STATUSES = statuses.ACTIVE
    SET_ASIDE_STATUSES = statuses.SET_ASIDE

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    origin = models.CharField(
        _("origin"),
        max_length=16,
        choices=Origin.choices,
        default=Origin.WEB,
        # In the table too: bulk loads (COPY) that do not name the column get it.
        db_default=Origin.WEB,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assigned agent"),
    )
    # The agent who filed it for the requester (a phone call, the counter): the requester owns it.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets_filed_for_others",
        verbose_name=_("filed by"),
    )
    status = FSMField(
        _("status"), max_length=32, choices=Status.choices, default=Status.OPEN, protected=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first agent response"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    # Postponed ("Reporter"): the day the ticket comes back in progress, when it was set aside, and
    # the time it spent set aside before, which handling-time statistics report apart.
    postponed_until = models.DateField(_("postponed until"), null=True, blank=True)
    postponed_at = models.DateTimeField(_("postponed at"), null=True, blank=True)
    postponed_for = models.DurationField(
        _("time postponed"),
        default=timedelta,
        # In the table too: bulk loads (COPY) that do not name the column get it.
        db_default=timedelta(0),
    )
    # The ticket a duplicate was merged into: its pages lead there.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    # The subject, the description and every event's text, stemmed in French and in English, for
    # the search (tickets.selectors.search). PostgreSQL's triggers write it (migration 0003) and
    # its GIN index (`ticket_search_vector`) is plain SQL there; other databases leave it empty.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = TicketManager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["service", "status", "-updated_at"], name="ticket_service_status"),
            models.Index(
                fields=["assignee", "status", "-updated_at"], name="ticket_assignee_status"
            ),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_updated"),
            # A requester's open tickets, newest activity first ("my tickets", the ENT widget):
            # most of a long-time requester's tickets are ended, and would be read one by one
            # for their status.
            models.Index(
                fields=["requester", "-updated_at", "-id"],
                name="ticket_requester_open",
                condition=~models.Q(status__in=statuses.TERMINAL),
            ),
            models.Index(fields=["-updated_at"], name="ticket_updated"),
            models.Index(fields=["status", "closure_requested_at"], name="ticket_status_closure"),
            models.Index(fields=["status", "postponed_until"], name="ticket_status_postponed"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL_STATUSES

    # Django's own get_FOO_display() rebuilds a dict of every choice on each call; a queue page
    # calls these twice per row.
    def get_status_display(self) -> str:
        try:
            return str(self.Status(self.status).label)
        except ValueError:
            return str(self.status)

    def get_priority_display(self) -> str:
        try:
            return str(self.Priority(self.priority).label)
        except ValueError:
            return str(self.priority)

    # --- Transitions: pure, state fields only, their sources and targets read from
    # tickets.moves. Permission checks live in tickets.permissions and are applied by
    # tickets.workflow, which is the only caller.

    @transition(field=status, source=fsm_sources(Move.TAKE), target=fsm_target(Move.TAKE))
    def take(self, agent: models.Model) -> None:
        self.assignee = agent

    @transition(field=status, source=fsm_sources(Move.ASSIGN), target=fsm_target(Move.ASSIGN))
    def assign(self, agent: models.Model) -> None:
        self.assignee = agent

    @transition(field=status, source=fsm_sources(Move.RELEASE), target=fsm_target(Move.RELEASE))
    def release(self) -> None:
        self.assignee = None

    @transition(
        field=status,
        source=fsm_sources(Move.REQUEST_INFO),
        target=fsm_target(Move.REQUEST_INFO),
    )
    def request_info(self) -> None:
        pass

    @transition(
        field=status,
        source=fsm_sources(Move.RECEIVE_INFO),
        target=fsm_target(Move.RECEIVE_INFO),
    )
    def receive_info(self) -> None:
        pass

    @transition(
        field=status,
        source=fsm_sources(Move.REQUEST_CLOSURE),
        target=fsm_target(Move.REQUEST_CLOSURE),
    )
    def request_closure(self, resolution: str) -> None:
        self.resolution = resolution
        self.closure_requested_at = timezone.now()

    @transition(
        field=status,
        source=fsm_sources(Move.APPROVE_CLOSURE),
        target=fsm_target(Move.APPROVE_CLOSURE),
    )
    def approve_closure(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=fsm_sources(Move.REFUSE_CLOSURE),
        target=fsm_target(Move.REFUSE_CLOSURE),
    )
    def refuse_closure(self) -> None:
        self.closure_requested_at = None

    @transition(
        field=status,
        source=fsm_sources(Move.EXPIRE_CLOSURE),
        target=fsm_target(Move.EXPIRE_CLOSURE),
    )
    def expire_closure(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status, source=fsm_sources(Move.MARK_SOLVED), target=fsm_target(Move.MARK_SOLVED)
    )
    def mark_solved(self) -> None:
        """The requester says the problem is solved."""
        self.end_postponement()
        self.closed_at = timezone.now()

    @transition(field=status, source=fsm_sources(Move.REOPEN), target=fsm_target(Move.REOPEN))
    def reopen(self) -> None:
        self.closed_at = None
        self.closure_requested_at = None
        self.assignee = None

    @transition(field=status, source=fsm_sources(Move.CANCEL), target=fsm_target(Move.CANCEL))
    def cancel(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=status, source=fsm_sources(Move.REJECT), target=fsm_target(Move.REJECT))
    def reject(self, reason: str) -> None:
        self.end_postponement()
        self.resolution = reason
        self.closed_at = timezone.now()

    @transition(field=status, source=fsm_sources(Move.TRANSFER), target=fsm_target(Move.TRANSFER))
    def transfer(self, category: Category) -> None:
        self.end_postponement()
        self.category = category
        self.service = category.handling_service
        self.assignee = None
        self.closure_requested_at = None

    @transition(field=status, source=fsm_sources(Move.POSTPONE), target=fsm_target(Move.POSTPONE))
    def postpone(self, until: date) -> None:
        if self.postponed_at is None:
            self.postponed_at = timezone.now()
        self.postponed_until = until

    @transition(field=status, source=fsm_sources(Move.RESUME), target=fsm_target(Move.RESUME))
    def resume(self) -> None:
        self.end_postponement()

    @transition(field=status, source=fsm_sources(Move.MERGE), target=fsm_target(Move.MERGE))
    def merge(self, into: Ticket) -> None:
        self.end_postponement()
        self.merged_into = into
        self.closed_at = timezone.now()
        self.closure_requested_at = None

    def end_postponement(self) -> None:
        """Adds the time set aside to `postponed_for` and clears the date (no-op if not postponed).
        Part of the transitions that may leave the postponed status."""
        if self.postponed_at is not None:
            self.postponed_for = (self.postponed_for or timedelta()) + max(
                timezone.now() - self.postponed_at, timedelta()
            )
        self.postponed_at = None
        self.postponed_until = None


class TicketEvent(models.Model):
    """One line of a ticket's timeline; written only by `tickets.events`."""

    Kind = Kind

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Agents only")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The move that produced it (e.g. "request_info", "expire_closure"), for emails and statistics.
    action = models.CharField(_("action"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_events",
        verbose_name=_("actor"),
        help_text=_("Empty when the helpdesk itself acted (e.g. automatic closure)."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    before = models.CharField(_("before"), max_length=200, blank=True)
    after = models.CharField(_("after"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    attachment = models.ForeignKey(
        "Attachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("attachment"),
    )

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.get_kind_display()}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == self.Visibility.INTERNAL


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A random name: the original name is kept in the row, never trusted as a path."""
    import uuid

    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file added to a ticket, at creation or later; served only through a permission check."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=150, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=TicketEvent.Visibility.choices,
        default=TicketEvent.Visibility.PUBLIC,
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "tickets:attachment", kwargs={"pk": self.ticket_id, "attachment_pk": self.pk}
        )


class TicketReadMark(models.Model):
    """When an agent last opened a ticket's page: the queues mark the tickets with activity since
    (someone else's event after `seen_at`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="read_marks", verbose_name=_("ticket")
    )
    seen_at = models.DateTimeField(_("last opened"), default=timezone.now)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="ticket_read_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.ticket_id} · {self.seen_at:%Y-%m-%d %H:%M}"


class SavedQueueView(models.Model):
    """A queue filtered and sorted as an agent likes it, saved under a name: its query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_queue_views",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("query string"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved queue view")
        verbose_name_plural = _("saved queue views")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_queue_view_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('desk:queue')}?{self.query}"


class Invitation(models.Model):
    """A person invited to follow a ticket: a colleague, a tutor, an agent of another service asked
    for advice. Written only by `tickets.workflow.invite` and `leave`; leaving deletes the row, the
    timeline keeps both events."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("ticket")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ticket_invitations",
        verbose_name=_("invitee"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
        help_text=_("Empty when the helpdesk added a permanent invitee."),
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_invitation_once")
        ]
        indexes = [models.Index(fields=["user", "ticket"], name="invitation_user_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.user_id}"


class Watcher(models.Model):
    """An agent following a ticket of their service without owning it: its emails and the
    "tickets I follow" tab."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="watchers", verbose_name=_("ticket")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="watched_tickets",
        verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "agent"], name="ticket_watcher_once")
        ]
        indexes = [models.Index(fields=["agent", "ticket"], name="watcher_agent_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.agent_id}"


class PermanentInvitee(models.Model):
    """A person invited to every new ticket of a service or of a category (a secretariat, a lab
    director): exactly one of the two is set."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="permanent_invitees",
        verbose_name=_("service"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="permanent_invitees",
        verbose_name=_("category"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="permanent_invitations",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("permanent invitee")
        verbose_name_plural = _("permanent invitees")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(service__isnull=False, category__isnull=True)
                    | models.Q(service__isnull=True, category__isnull=False)
                ),
                name="permanent_invitee_service_xor_category",
                violation_error_message=_(
                    "Choose either a service or a category: a permanent invitee follows the new "
                    "tickets of one of them."
                ),
            ),
            models.UniqueConstraint(
                fields=["service", "user"], name="permanent_invitee_service_once"
            ),
            models.UniqueConstraint(
                fields=["category", "user"], name="permanent_invitee_category_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service or self.category} · {self.user}"


class TicketLink(models.Model):
    """Two related tickets (the same problem seen by two people, a cause and its effect), shown
    on both; stored once, the lower id first. Written only by `tickets.workflow.link`/`unlink`."""

    from_ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="links_from", verbose_name=_("ticket")
    )
    to_ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="links_to", verbose_name=_("related ticket")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticket_link_once"),
            models.CheckConstraint(
                condition=models.Q(from_ticket__lt=models.F("to_ticket")),
                name="ticket_link_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} ↔ {self.to_ticket_id}"


class TicketDailyFigures(models.Model):
    """What the statistics count of one day (site time zone), per service, category and origin:
    tickets created that day, and the closing, ending and reopening moves made that day.

    A rollup of the tickets and their timeline (`tickets.rollup`), so that the statistics page
    sums a few rows per day instead of reading the period's tickets and events. Like the page, it
    counts a ticket for the service and category it is in now: a transfer or a correction moves
    the ticket's past, and the rollup recomputes the days that ticket touched.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=16)
    created = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    # Closures made by the helpdesk when the requester did not answer (part of `closed`).
    automatic_closures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily ticket figures")
        verbose_name_plural = _("daily ticket figures")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "day", "category", "origin"], name="daily_figures_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.category_id} {self.origin}"


class TicketHourlyFigures(models.Model):
    """Tickets created per service, day and hour of the day (site time zone): the statistics'
    busy hours, rolled up with `TicketDailyFigures`."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    created = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hourly ticket figures")
        verbose_name_plural = _("hourly ticket figures")
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "hour"], name="hourly_figures_once")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.hour:02d}h"


class TicketDayMoves(models.Model):
    """The moves of one ticket on one day that the closure and reopen rates count.

    The rates count tickets, each once over the period, so they are no sums of days: the page
    counts the distinct tickets of these rows, a few per ticket, rather than the period's events.
    Rolled up with `TicketDailyFigures`, for the ticket's service now.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    closure_requested = models.PositiveSmallIntegerField(default=0)
    closure_refused = models.PositiveSmallIntegerField(default=0)
    closed = models.PositiveSmallIntegerField(default=0)
    reopened = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket's moves of a day")
        verbose_name_plural = _("tickets' moves of a day")
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "ticket"], name="day_moves_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.day}"


class StatsRollupDay(models.Model):
    """A day whose figures are in the rollup tables, and when they were computed. Days without a
    row (today, or history not rolled up yet) are computed from the tickets by the page."""

    day = models.DateField(primary_key=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rolled-up statistics day")
        verbose_name_plural = _("rolled-up statistics days")

    def __str__(self) -> str:
        return str(self.day)
