"""The demo's answers: a few articles per service of `load_demo_data`'s university, some in both
languages, filed under the categories people ask about most. Safe to run again: an article that
exists (same service and title) is left as it is."""

from __future__ import annotations

from django.db import transaction

from categories.models import Category, Service
from knowledge import services
from knowledge.models import Article

V = Article.Visibility

# service slug -> [(category slugs, visibility, {language: (title, body)})]
ARTICLES: dict[str, list[tuple[list[str], str, dict[str, tuple[str, str]]]]] = {
    "numerique": [
        (
            ["wifi"],
            V.PUBLIC,
            {
                "fr": (
                    "Se connecter au Wi-Fi eduroam",
                    "1. Téléchargez le profil **eduroam** sur https://cat.eduroam.org.\n"
                    "2. Identifiant : votre adresse universitaire complète ; mot de passe : "
                    "celui de l'ENT.\n"
                    "3. Si la connexion échoue, oubliez le réseau puis recommencez.",
                ),
                "en": (
                    "Connecting to the eduroam Wi-Fi",
                    "1. Download the **eduroam** profile from https://cat.eduroam.org.\n"
                    "2. Login: your full university address; password: your ENT password.\n"
                    "3. If it fails, forget the network and start again.",
                ),
            },
        ),
        (
            ["messagerie-ent"],
            V.MEMBERS,
            {
                "fr": (
                    "Mot de passe oublié ou expiré",
                    "Rendez-vous sur la page *Mon compte* de l'ENT, choisissez "
                    "« Mot de passe oublié » et suivez le lien reçu sur votre adresse de secours.",
                ),
                "en": (
                    "Forgotten or expired password",
                    "Open the *My account* page of the ENT, choose “Forgotten password” and "
                    "follow the link sent to your backup address.",
                ),
            },
        ),
        (
            ["apogee"],
            V.AGENTS,
            {
                "fr": (
                    "Apogée : déverrouiller une saisie de notes",
                    "Procédure interne : dans Apogée, menu *Résultats* > *Verrous*, retirer le "
                    "verrou de l'épreuve puis prévenir la scolarité.",
                )
            },
        ),
    ],
    "scolarite": [
        (
            ["diplomes"],
            V.PUBLIC,
            {
                "fr": (
                    "Obtenir une attestation de réussite",
                    "L'attestation est téléchargeable dans l'ENT, rubrique *Scolarité* > "
                    "*Mes documents*, dès la publication des résultats.",
                ),
                "en": (
                    "Getting a certificate of achievement",
                    "Download it from the ENT, *Scolarité* > *My documents*, once the results "
                    "are published.",
                ),
            },
        ),
        (
            ["inscriptions"],
            V.PUBLIC,
            {
                "fr": (
                    "Inscription administrative : les pièces à fournir",
                    "Pièce d'identité, attestation CVEC, photo d'identité. Déposez-les en ligne "
                    "avant la date limite indiquée sur votre dossier.",
                )
            },
        ),
    ],
    "rh": [
        (
            ["paie"],
            V.MEMBERS,
            {
                "fr": (
                    "Consulter son bulletin de salaire",
                    "Les bulletins sont dans l'espace numérique sécurisé de l'agent (ENSAP), "
                    "disponibles le 25 de chaque mois.",
                )
            },
        ),
        (
            ["conges"],
            V.MEMBERS,
            {
                "fr": (
                    "Poser un congé",
                    "La demande se fait dans l'application de gestion des congés ; votre "
                    "responsable la valide.",
                )
            },
        ),
    ],
    "bibliotheques": [
        (
            ["prets"],
            V.PUBLIC,
            {
                "fr": (
                    "Prolonger un prêt",
                    "Depuis votre compte lecteur, choisissez *Prolonger*. Un prêt en retard ou "
                    "réservé ne peut pas être prolongé.",
                ),
                "en": (
                    "Renewing a loan",
                    "From your reader account, choose *Renew*. A late or reserved loan cannot "
                    "be renewed.",
                ),
            },
        ),
        (
            ["ressources-electroniques"],
            V.MEMBERS,
            {
                "fr": (
                    "Accéder aux revues en ligne depuis chez soi",
                    "Passez par le portail documentaire et connectez-vous avec votre compte "
                    "universitaire : l'accès distant est automatique.",
                )
            },
        ),
    ],
    "patrimoine": [
        (
            ["badges"],
            V.MEMBERS,
            {
                "fr": (
                    "Badge d'accès perdu ou qui ne fonctionne plus",
                    "Signalez-le à l'accueil de votre bâtiment : le badge perdu est désactivé et "
                    "un nouveau est remis sous 48 heures.",
                )
            },
        ),
        (
            ["chauffage"],
            V.PUBLIC,
            {
                "fr": (
                    "Il fait trop froid dans une salle",
                    "Indiquez le bâtiment, la salle et la température relevée. Le chauffage se "
                    "règle par zone : comptez une demi-journée.",
                )
            },
        ),
    ],
}


@transaction.atomic
def load() -> int:
    """Writes the demo's missing articles as an agent (or head) of each service; returns how many
    were created."""
    created = 0
    for service_slug, entries in ARTICLES.items():
        service = Service.objects.filter(slug=service_slug).first()
        if service is None:
            continue
        membership = service.memberships.select_related("user").order_by("role", "pk").first()
        if membership is None:
            continue
        author = membership.user
        for category_slugs, visibility, versions in entries:
            categories = list(
                Category.objects.filter(slug__in=category_slugs, handling_service=service)
            )
            saved: list[Article] = []
            for language, (title, body) in versions.items():
                existing = Article.objects.filter(service=service, title=title).first()
                if existing is not None:
                    saved.append(existing)
                    continue
                data = {
                    "title": title,
                    "body": body,
                    "language": language,
                    "visibility": visibility,
                    "status": Article.Status.PUBLISHED,
                }
                translation = saved[0] if saved else None
                saved.append(
                    services.article_save(
                        actor=author,
                        service=service,
                        data=data,
                        categories=categories,
                        translation=translation,
                    )
                )
                created += 1
    return created
