"""`manage.py load_demo_data`: services, categories, accounts and tickets to try the helpdesk.

Run by `make run`. Safe to run again: what exists is left as it is (passwords of the demo
accounts are set back to the demo password). Tickets are filed and moved through
`tickets.services` and `tickets.workflow`, so their timelines and emails are real ones.
Refuses to run with DEBUG off unless `--force` is given: the demo passwords are public.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from categories.models import Category, Service, ServiceMembership
from tickets import services, workflow
from tickets.models import Ticket

DEMO_DOMAIN = "demo.univ.example"
DEFAULT_PASSWORD = "demo-helpdesk-2026"  # noqa: S105 - public on purpose: demo accounts only

SERVICES = [
    # slug, name, description, requesters choose the priority
    ("numerique", "Direction du numérique", "Postes de travail, réseau, applications.", False),
    ("scolarite", "Scolarité", "Inscriptions, examens, diplômes.", False),
    ("rh", "Ressources humaines", "Paie, congés, recrutement.", True),
    ("bibliotheques", "Bibliothèques", "Prêts, ressources électroniques.", False),
]

# (slug, name, service slug or None to inherit, help text, children)
CATEGORIES: list[tuple[str, str, str | None, str, list]] = [
    (
        "numerique",
        "Informatique et numérique",
        "numerique",
        "Problèmes d'ordinateur, de réseau, de messagerie ou d'application.",
        [
            (
                "apogee",
                "Applications de scolarité (Apogée)",
                None,
                "Support technique pour les applications de scolarité",
                [],
            ),
            (
                "messagerie-ent",
                "Messagerie et ENT",
                None,
                "Accès à votre messagerie, à l'ENT et à votre compte numérique.",
                [],
            ),
            ("wifi", "Wi-Fi et réseau", None, "Connexion au Wi-Fi (eduroam) et au réseau.", []),
            (
                "poste-de-travail",
                "Poste de travail",
                None,
                "Ordinateur, imprimante, logiciels installés sur votre poste.",
                [],
            ),
        ],
    ),
    (
        "scolarite",
        "Scolarité",
        "scolarite",
        "Vos démarches d'étudiant : inscription, examens, diplômes.",
        [
            ("inscriptions", "Inscriptions", None, "Inscription administrative, pédagogique.", []),
            ("examens", "Examens et notes", None, "Convocations, relevés de notes, résultats.", []),
            ("diplomes", "Diplômes et attestations", None, "Attestations de réussite.", []),
        ],
    ),
    (
        "ressources-humaines",
        "Ressources humaines",
        "rh",
        "Pour les personnels : paie, congés, carrière.",
        [
            ("paie", "Paie", None, "Bulletins de salaire, primes, remboursements.", []),
            ("conges", "Congés et absences", None, "Demandes de congés, arrêts maladie.", []),
        ],
    ),
    (
        "bibliotheques",
        "Bibliothèques",
        "bibliotheques",
        "Prêts, réservations et accès aux ressources en ligne.",
        [
            ("prets", "Prêts et retours", None, "Prolongations, retards, réservations.", []),
            (
                "ressources-electroniques",
                "Ressources électroniques",
                None,
                "Accès aux revues, bases de données et livres numériques.",
                [],
            ),
        ],
    ),
]


@dataclass(frozen=True)
class Account:
    email: str
    full_name: str
    role: str
    superuser: bool = False
    language: str = "fr"


ACCOUNTS = [
    Account(f"etudiant@{DEMO_DOMAIN}", "Camille Martin", "requester (student)"),
    Account(f"personnel@{DEMO_DOMAIN}", "Jordan Bernard", "requester (staff)", language="en"),
    Account(f"agent@{DEMO_DOMAIN}", "Alice Durand", "agent, Direction du numérique"),
    Account(f"agent2@{DEMO_DOMAIN}", "Bruno Petit", "agent, Scolarité and Direction du numérique"),
    Account(f"chef@{DEMO_DOMAIN}", "Claire Moreau", "head of Direction du numérique"),
    Account(f"admin@{DEMO_DOMAIN}", "Admin Helpdesk", "administrator", superuser=True),
]

MEMBERSHIPS = [
    (f"agent@{DEMO_DOMAIN}", "numerique", ServiceMembership.Role.AGENT),
    (f"agent2@{DEMO_DOMAIN}", "scolarite", ServiceMembership.Role.AGENT),
    (f"agent2@{DEMO_DOMAIN}", "numerique", ServiceMembership.Role.AGENT),
    (f"chef@{DEMO_DOMAIN}", "numerique", ServiceMembership.Role.HEAD),
]


class Command(BaseCommand):
    help = "Creates demo services, categories, accounts and tickets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have public passwords).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: demo accounts with public passwords are not created. "
                "Use --force on a demonstration server."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            self._site()
            services_by_slug = self._services()
            categories = self._categories(services_by_slug)
            people = self._accounts(password)
            self._memberships(people, services_by_slug)
        # Tickets after the commit above: each move runs in its own transaction, as in the app.
        # Their emails are really rendered and "sent", but kept in memory: printed to the console
        # they would bury the list of accounts below. Emails of what people do next are printed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = self._tickets(people, categories)
            emails = len(getattr(mail, "outbox", []))
        if emails:
            self.stdout.write(f"{emails} demo email(s) rendered (not printed).")
        self._report(password, created)

    # --- Reference data ----------------------------------------------------------------------

    def _site(self) -> None:
        domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
        )

    def _services(self) -> dict[str, Service]:
        result = {}
        for slug, name, description, priority in SERVICES:
            service, _created = Service.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "requester_can_set_priority": priority,
                },
            )
            result[slug] = service
        return result

    def _categories(self, services_by_slug: dict[str, Service]) -> dict[str, Category]:
        result: dict[str, Category] = {}

        def add(nodes: list, parent: Category | None) -> None:
            for ordering, (slug, name, service_slug, help_text, children) in enumerate(nodes):
                category, _created = Category.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "name": name,
                        "parent": parent,
                        "service": services_by_slug[service_slug] if service_slug else None,
                        "help_text": help_text,
                        "ordering": (ordering + 1) * 10,
                    },
                )
                result[slug] = category
                add(children, category)

        add(CATEGORIES, None)
        return result

    def _accounts(self, password: str) -> dict[str, Any]:
        user_model = get_user_model()
        people = {}
        for account in ACCOUNTS:
            user = user_model.objects.filter(email__iexact=account.email).first()
            if user is None:
                user = user_model(
                    email=account.email,
                    full_name=account.full_name,
                    preferred_language=account.language,
                    is_staff=account.superuser,
                    is_superuser=account.superuser,
                )
            user.set_password(password)
            user.save()
            people[account.email.split("@")[0]] = user
        return people

    def _memberships(self, people: dict[str, Any], services_by_slug: dict[str, Service]) -> None:
        for email, service_slug, role in MEMBERSHIPS:
            ServiceMembership.objects.get_or_create(
                user=people[email.split("@")[0]],
                service=services_by_slug[service_slug],
                defaults={"role": role},
            )

    # --- Tickets -----------------------------------------------------------------------------

    def _tickets(self, people: dict[str, Any], categories: dict[str, Category]) -> int:
        """Files the demo tickets the requesters do not have yet; returns how many."""
        student, staff = people["etudiant"], people["personnel"]
        agent, agent2, head = people["agent"], people["agent2"], people["chef"]
        stories = [
            (student, "apogee", "Impossible de saisir une note dans Apogée", []),
            (student, "wifi", "Pas de connexion eduroam à la bibliothèque", ["take"]),
            (
                student,
                "messagerie-ent",
                "Mot de passe de messagerie expiré",
                [
                    "take",
                    ("request_info", "Depuis quel appareil essayez-vous de vous connecter ?"),
                ],
            ),
            (
                student,
                "poste-de-travail",
                "L'imprimante de la salle B12 n'imprime pas",
                [("take",), ("request_closure", "Le pilote de l'imprimante a été réinstallé.")],
            ),
            (
                student,
                "examens",
                "Note manquante sur mon relevé",
                [("take", agent2), ("request_closure", "La note a été saisie.", agent2), "approve"],
            ),
            (staff, "paie", "Prime non versée sur le bulletin de mars", []),
            (staff, "apogee", "Access to the Apogée test server", [("take", head)]),
        ]
        created = 0
        for requester, category_slug, subject, moves in stories:
            if Ticket.objects.filter(requester=requester, subject=subject).exists():
                continue
            ticket = services.ticket_create(
                requester=requester,
                category=categories[category_slug],
                subject=subject,
                description=(
                    f"{subject}.\n\nExemple : le problème se produit depuis ce matin, "
                    "à chaque essai."
                ),
            )
            for move in moves:
                ticket = self._move(ticket, move, requester=requester, agent=agent)
            created += 1
        return created

    def _move(self, ticket: Ticket, move: Any, *, requester: Any, agent: Any) -> Ticket:
        """One step of a demo story: ("take", who), ("request_info", question, who)..."""
        name, *rest = (move,) if isinstance(move, str) else move
        actor = rest[-1] if rest and not isinstance(rest[-1], str) else agent
        text = rest[0] if rest and isinstance(rest[0], str) else ""
        if name == "take":
            return workflow.take(ticket=ticket, actor=actor)
        if name == "request_info":
            return workflow.request_info(ticket=ticket, actor=actor, question=text)
        if name == "request_closure":
            return workflow.request_closure(ticket=ticket, actor=actor, resolution=text)
        if name == "approve":
            return workflow.approve_closure(ticket=ticket, actor=requester)
        raise CommandError(f"Unknown demo move: {name}")

    def _report(self, password: str, created: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new ticket(s))."))
        self.stdout.write("Demo accounts (log in with email and password):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.email:<32} {password}   {account.role}")
