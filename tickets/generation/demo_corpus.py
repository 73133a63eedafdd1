"""What the demo university is made of: its services, category tree, named accounts, canned
responses, and the words its tickets are written with, per category.

Plain data, no logic (`tickets.generation.demo` reads it). Texts not given here come from
`tickets.generation.corpus`, shared with the benchmark.
"""

from __future__ import annotations

DEMO_DOMAIN = "demo.univ.example"

# slug, name, description, requesters choose the priority, share of the tickets
SERVICES: list[tuple[str, str, str, bool, float]] = [
    (
        "numerique",
        "Direction du numérique",
        "Postes de travail, réseau, applications.",
        False,
        0.36,
    ),
    ("scolarite", "Scolarité", "Inscriptions, examens, diplômes.", False, 0.22),
    ("rh", "Ressources humaines", "Paie, congés, recrutement.", True, 0.12),
    ("bibliotheques", "Bibliothèques", "Prêts, ressources électroniques.", False, 0.14),
    ("patrimoine", "Patrimoine et bâtiments", "Chauffage, accès, salles.", False, 0.16),
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
    (
        "batiments",
        "Bâtiments et locaux",
        "patrimoine",
        "Un problème dans un bâtiment : chauffage, porte, salle.",
        [
            (
                "chauffage",
                "Chauffage et climatisation",
                None,
                "Pièce trop froide, trop chaude.",
                [],
            ),
            ("badges", "Badges et clés", None, "Badge qui n'ouvre plus, clé perdue.", []),
            ("salles", "Salles et équipements", None, "Vidéoprojecteur, mobilier, éclairage.", []),
        ],
    ),
]

# email (before @DEMO_DOMAIN), full name, what the account is for, superuser, language
ACCOUNTS: list[tuple[str, str, str, bool, str]] = [
    ("etudiant", "Camille Martin", "requester (student)", False, "fr"),
    ("personnel", "Jordan Bernard", "requester (staff, reads English)", False, "en"),
    ("agent", "Alice Durand", "agent, Direction du numérique", False, "fr"),
    ("agent2", "Bruno Petit", "agent, Scolarité and Direction du numérique", False, "fr"),
    ("chef", "Claire Moreau", "head of Direction du numérique", False, "fr"),
    ("admin", "Admin Helpdesk", "administrator", True, "fr"),
]
# account, service slug, role
MEMBERSHIPS: list[tuple[str, str, str]] = [
    ("agent", "numerique", "agent"),
    ("agent2", "scolarite", "agent"),
    ("agent2", "numerique", "agent"),
    ("chef", "numerique", "head"),
]

# What the named accounts find when they sign in, and the waiting tickets every queue tab of the
# Direction du numérique shows: (how many tickets before the newest, requester, service, agent,
# status, moves or None for the usual ones); None is drawn as for any ticket.
STORIES: list[tuple[int, str | None, str, str | None, str, tuple[str, ...] | None]] = [
    (1, "etudiant", "numerique", None, "open", None),
    (4, "etudiant", "numerique", "agent", "info_requested", None),
    (7, "etudiant", "numerique", "agent", "closure_pending", None),
    (10, "etudiant", "scolarite", "agent2", "in_progress", None),
    (
        40,
        "etudiant",
        "numerique",
        "agent",
        "closed",
        ("take", "request_closure", "refuse_closure", "request_closure", "approve_closure"),
    ),
    (
        70,
        "etudiant",
        "bibliotheques",
        None,
        "closed",
        ("take", "request_closure", "expire_closure"),
    ),
    (100, "etudiant", "scolarite", None, "cancelled", None),
    (2, "personnel", "numerique", "chef", "in_progress", None),
    (5, "personnel", "rh", None, "reopened", None),
    (13, "personnel", "bibliotheques", None, "rejected", None),
    (16, "personnel", "rh", None, "closure_pending", None),
    (3, None, "numerique", "agent", "in_progress", None),
    (6, None, "numerique", "agent2", "in_progress", None),
    (8, None, "scolarite", "agent2", "in_progress", None),
    (9, None, "numerique", "agent", "in_progress", None),
    (11, None, "numerique", "agent", "info_requested", None),
    (12, None, "numerique", "agent2", "closure_pending", None),
    (14, None, "scolarite", "agent2", "info_requested", None),
    (15, None, "numerique", None, "open", None),
    (18, None, "numerique", None, "reopened", None),
]

CANNED_RESPONSES: dict[str, list[tuple[str, str]]] = {
    "numerique": [
        (
            "Mot de passe réinitialisé",
            "Bonjour,\n\nVotre mot de passe a été réinitialisé : le lien reçu par SMS permet "
            "d'en choisir un nouveau pendant 24 heures.\n\n"
            "Cordialement,\nLa Direction du numérique",
        ),
        (
            "Configuration d'eduroam",
            "Bonjour,\n\nPour eduroam, l'identifiant est votre adresse complète et le mot de passe "
            "celui de l'ENT. Le guide d'installation est dans l'ENT, rubrique Numérique.\n\n"
            "Cordialement,",
        ),
        (
            "Password reset (English)",
            "Hello,\n\nYour password was reset: the link sent by text message lets you choose a "
            "new one within 24 hours.\n\nBest regards,\nDigital services",
        ),
    ],
    "scolarite": [
        (
            "Attestation disponible",
            "Bonjour,\n\nVotre attestation est disponible dans l'ENT, rubrique Scolarité > Mes "
            "documents.\n\nCordialement,\nLe service de la scolarité",
        ),
        (
            "Pièce manquante au dossier",
            "Bonjour,\n\nIl manque une pièce à votre dossier : merci de la déposer dans l'ENT "
            "avant la fin de la semaine pour que l'inscription soit validée.\n\nCordialement,",
        ),
    ],
    "rh": [
        (
            "Calendrier de la paie",
            "Bonjour,\n\nLes éléments reçus après le 10 du mois sont payés le mois suivant. Votre "
            "demande sera donc prise en compte sur la prochaine paie.\n\nCordialement,",
        ),
        (
            "Demande de congés",
            "Bonjour,\n\nLes congés se demandent dans l'application de gestion des temps ; votre "
            "responsable les valide ensuite.\n\nCordialement,\nLes ressources humaines",
        ),
    ],
    "bibliotheques": [
        (
            "Prolongation de prêt",
            "Bonjour,\n\nVotre prêt est prolongé de trois semaines. Vous pouvez aussi le faire "
            "vous-même depuis votre compte lecteur.\n\nBonne lecture,",
        ),
        (
            "Accès distant aux ressources",
            "Bonjour,\n\nDepuis l'extérieur, passez par le portail documentaire et identifiez-vous "
            "avec votre compte de l'université.\n\nCordialement,",
        ),
    ],
    "patrimoine": [
        (
            "Intervention programmée",
            "Bonjour,\n\nUn technicien interviendra dans les prochains jours ; il passera par "
            "l'accueil du bâtiment avant d'entrer dans le bureau.\n\nCordialement,",
        ),
        (
            "Demande de badge",
            "Bonjour,\n\nVotre badge est prêt : vous pouvez le retirer à l'accueil du bâtiment A, "
            "du lundi au vendredi de 9 h à 17 h.\n\nCordialement,",
        ),
    ],
}

# Texts for every demo ticket (besides corpus): English reasons, and the attachments the demo
# makes real files for.
COMMON_TEXTS: dict[str, list] = {
    "REOPEN_REASONS_EN": ["The problem came back this morning.", "It still does not work."],
    "CANCEL_REASONS_EN": ["I found the solution, thank you.", "Sent by mistake.", ""],
    "ATTACHMENT_NAMES": [
        ("capture.png", "image/png"),
        ("erreur.png", "image/png"),
        ("attestation.pdf", "application/pdf"),
        ("releve.pdf", "application/pdf"),
    ],
}
