from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """A department that handles tickets: its agents share one queue."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    alert_email = models.EmailField(
        _("alert address"),
        blank=True,
        help_text=_("Optional address told of every new ticket (e.g. the service's mailing list)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    closure_approval_days = models.PositiveSmallIntegerField(
        _("closure approval delay (days)"),
        default=14,
        help_text=_("A ticket awaiting the requester's approval is closed after this many days."),
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"),
        default=30,
        help_text=_("The requester may reopen a closed ticket during this many days."),
    )
    requester_can_set_priority = models.BooleanField(
        _("requesters choose the priority"), default=False
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ServiceMembership",
        related_name="services",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceMembership(models.Model):
    """A person working in a service, as an agent or as its head."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        HEAD = "head", _("Service head")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("service")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    is_available = models.BooleanField(
        _("available"),
        default=True,
        help_text=_("Unavailable agents receive no automatic assignments."),
    )
    # Round-robin assignment gives the next ticket to the available member who waited longest.
    last_auto_assigned_at = models.DateTimeField(
        _("last automatic assignment"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("service member")
        verbose_name_plural = _("service members")
        constraints = [
            models.UniqueConstraint(fields=["service", "user"], name="unique_service_member"),
        ]
        indexes = [models.Index(fields=["user", "service"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.service})"


class Affiliation(models.TextChoices):
    """eduPersonAffiliation values (with SupAnn's additions) a category's audience may name."""

    STUDENT = "student", _("Students")
    FACULTY = "faculty", _("Faculty (teaching and research staff)")
    STAFF = "staff", _("Administrative and technical staff")
    EMPLOYEE = "employee", _("Employees")
    MEMBER = "member", _("Members (students and staff)")
    AFFILIATE = "affiliate", _("Affiliates (partners, guests)")
    RESEARCHER = "researcher", _("Researchers")
    TEACHER = "teacher", _("Teachers")
    EMERITUS = "emeritus", _("Emeritus professors")
    RETIRED = "retired", _("Retired staff")
    ALUM = "alum", _("Alumni")
    REGISTERED_READER = "registered-reader", _("Registered library readers")
    LIBRARY_WALK_IN = "library-walk-in", _("Library walk-in users")


class CategoryQuerySet(models.QuerySet):
    def active(self) -> CategoryQuerySet:
        return self.filter(is_active=True)

    def create(self, **kwargs: Any) -> Category:
        """Inserts a new category below its parent, with the depth, place and service that follow
        from it: a new category is a leaf, so no other category changes. Moving a category or
        changing its service or order goes through categories.services.category_save."""
        category = self.model(**kwargs)
        category.inherit_from_parent()
        self._for_write = True
        category.save(force_insert=True, using=self.db)
        category.tree_path = category.path_below_parent()
        if category.is_confidential:
            category.confidential_scope_id = category.pk
        self.filter(pk=category.pk).update(
            tree_path=category.tree_path, confidential_scope=category.confidential_scope_id
        )
        return category


class Category(models.Model):
    """A node of the category tree; the category a requester picks decides which service acts.

    A sub-category inherits its parent's service unless it names one. `handling_service` stores the
    resolved service so that creating a ticket never walks the tree; `depth` and `tree_path` place
    the category in the tree. They follow from the parent: `objects.create` sets them for a new
    category, categories.services.category_save for a changed one and every category below it.
    """

    class AssignmentMode(models.TextChoices):
        NONE = "none", _("None: agents take tickets from the queue")
        FIXED = "fixed", _("A fixed agent")
        ROUND_ROBIN = "round_robin", _("Round-robin among the service's available agents")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    help_text = models.TextField(
        _("help text"), blank=True, help_text=_("Shown to requesters when they choose a category.")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("service"),
        help_text=_("Leave empty to use the parent category's service."),
    )
    handling_service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="handled_categories",
        verbose_name=_("handling service"),
    )
    ordering = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    assignment_mode = models.CharField(
        _("automatic assignment"),
        max_length=16,
        choices=AssignmentMode.choices,
        default=AssignmentMode.NONE,
        help_text=_("Who receives a new ticket of this category without anyone taking it."),
    )
    assignment_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned agent"),
        help_text=_("With a fixed agent: the agent of the service who receives every new ticket."),
    )
    # Audiences: who is offered the category when filing. Empty lists offer it to everyone; a
    # sub-category is offered only to people its ancestors are offered to as well.
    audience_affiliations = models.JSONField(
        _("offered to the affiliations"),
        default=list,
        # Defaults in the database too: bulk loaders (the benchmark's COPY) leave them out.
        db_default=[],
        blank=True,
        help_text=_(
            "Only people with one of these affiliations (or in one of the groups below) may file "
            "in this category and its sub-categories. Leave both empty to offer it to everyone."
        ),
    )
    audience_groups = models.JSONField(
        _("offered to the directory groups"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_("Directory group names, one per line."),
    )
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        db_default=False,
        help_text=_(
            "Tickets of this category and its sub-categories are seen only by the agents named "
            "below, their requester and the people invited to them."
        ),
    )
    confidential_agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="confidential_categories",
        verbose_name=_("agents of the confidential tickets"),
    )
    # The confidential category whose named agents see this category's tickets: itself, its
    # nearest confidential ancestor, or none. Resolved like `handling_service`, so that listing
    # tickets never walks the tree.
    confidential_scope = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("confidential through"),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    # Materialised path of zero-padded orderings and ids: sorting by it lists the tree depth-first.
    tree_path = models.CharField(max_length=1000, default="", editable=False, db_index=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["tree_path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:create") + f"?category={self.slug}"

    def clean(self) -> None:
        """A fixed agent must be named, and be a member of the category's service."""
        super().clean()
        if self.assignment_mode != self.AssignmentMode.FIXED:
            return
        if self.assignment_agent_id is None:
            raise ValidationError(
                {"assignment_agent": _("Choose the agent who receives the new tickets.")}
            )
        service_id = self.service_id or (
            self.parent.handling_service_id if self.parent_id else None
        )
        if (
            service_id is not None
            and not ServiceMembership.objects.filter(
                service_id=service_id, user_id=self.assignment_agent_id
            ).exists()
        ):
            raise ValidationError(
                {"assignment_agent": _("This person is not a member of the category's service.")}
            )

    def inherit_from_parent(self) -> None:
        """Sets the depth, the handling service and the confidential scope from the parent, as it
        is loaded (a new confidential category becomes its own scope once it has a key)."""
        parent = self.parent if self.parent_id is not None else None
        self.depth = parent.depth + 1 if parent is not None else 0
        self.handling_service_id = self.service_id or (
            parent.handling_service_id if parent is not None else None
        )
        if self.is_confidential and self.pk is not None:
            self.confidential_scope_id = self.pk
        else:
            self.confidential_scope_id = (
                parent.confidential_scope_id if parent is not None else None
            )

    def path_below_parent(self) -> str:
        """The tree path this category takes below its parent (it needs the primary key)."""
        prefix = self.parent.tree_path if self.parent_id is not None else ""
        return prefix + self._path_segment()

    def _path_segment(self) -> str:
        return f"{self.ordering:05d}.{self.pk:08d}/"

    @property
    def restricts_audience(self) -> bool:
        """The category itself names affiliations or groups (its ancestors may restrict too)."""
        return bool(self.audience_affiliations or self.audience_groups)

    def ancestors(self) -> list[Category]:
        chain: list[Category] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class CannedResponse(models.Model):
    """A reply a service writes often; agents insert it into a reply and adapt it."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        verbose_name=_("service"),
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["service", "title"]

    def __str__(self) -> str:
        return self.title
