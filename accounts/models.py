from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a student or staff member filing tickets, an agent, a service head or an admin.

    People are known by their email address; the university SSO supplies it with their name.
    """

    class Language(models.TextChoices):
        FRENCH = "fr", "Français"
        ENGLISH = "en", "English"

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        default=Language.FRENCH,
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # What the university's directory says of the person, refreshed at each sign-in (CAS
    # attributes, OIDC/SAML claims, LDAP entry): audiences and routing read these, people
    # never edit them.
    affiliations = models.JSONField(
        _("affiliations"),
        default=list,
        # Defaults in the database too: bulk loaders (the benchmark's COPY) leave them out.
        db_default=[],
        blank=True,
        help_text=_("eduPersonAffiliation values, lower-case (student, staff, faculty, ...)."),
    )
    directory_groups = models.JSONField(
        _("directory groups"),
        default=list,
        db_default=[],
        blank=True,
        help_text=_("Group names or DNs the directory lists for the person."),
    )
    department = models.CharField(
        _("department"),
        max_length=200,
        blank=True,
        db_default="",
        help_text=_("The person's unit in the directory (supannEntiteAffectation)."),
    )
    # The person's login at the university (CAS user, LDAP uid): it finds their account again when
    # their email address changes. Null, not empty, when unknown, so that it can be unique.
    directory_id = models.CharField(
        _("directory identifier"),
        max_length=150,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The person's login in the university's directory (uid)."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def language(self) -> str:
        codes = {code for code, _name in settings.LANGUAGES}
        return self.preferred_language if self.preferred_language in codes else "fr"
