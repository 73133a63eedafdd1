"""Names and sentences of the generated history: a university's services, categories and the words
its students and staff write, in French and English.

Plain data, no logic. Texts are assembled from these fragments so that search finds common words
in many tickets ("connexion", "password") and rare ones in few ("sismographe").
"""

from __future__ import annotations

# (slug, name, share of the tickets, share of the agents)
SERVICES: list[tuple[str, str, float, float]] = [
    ("dsi", "Direction du numérique", 0.26, 0.20),
    ("scolarite", "Scolarité", 0.14, 0.12),
    ("bibliotheques", "Bibliothèques", 0.07, 0.07),
    ("rh", "Ressources humaines", 0.07, 0.07),
    ("finances", "Finances et achats", 0.05, 0.06),
    ("patrimoine", "Patrimoine et bâtiments", 0.07, 0.07),
    ("international", "Relations internationales", 0.04, 0.05),
    ("vie-etudiante", "Vie étudiante", 0.05, 0.05),
    ("sante", "Service de santé universitaire", 0.03, 0.04),
    ("handicap", "Mission handicap", 0.02, 0.03),
    ("communication", "Communication", 0.02, 0.03),
    ("recherche", "Direction de la recherche", 0.04, 0.05),
    ("logistique", "Logistique et courrier", 0.04, 0.04),
    ("formation-continue", "Formation continue", 0.03, 0.04),
    ("pedagogie", "Appui à la pédagogie", 0.07, 0.08),
]

# Category tree under each service's root: (name, [sub-category names]).
CATEGORIES: dict[str, list[tuple[str, list[str]]]] = {
    "dsi": [
        ("Messagerie", ["Boîte pleine", "Redirection", "Listes de diffusion"]),
        ("Compte et mot de passe", ["Mot de passe oublié", "Compte bloqué"]),
        ("Wi-Fi et réseau", ["Eduroam", "Réseau filaire", "VPN"]),
        ("Poste de travail", ["Installation de logiciel", "Panne matérielle"]),
        ("Impression", ["Imprimantes de service", "Copieurs", "Quotas d'impression"]),
        ("Environnement numérique de travail", ["Agenda", "Stockage en ligne"]),
        ("Téléphonie", ["Téléphone fixe", "Mobile professionnel"]),
        ("Visioconférence", []),
    ],
    "scolarite": [
        ("Inscriptions", ["Inscription administrative", "Inscription pédagogique"]),
        ("Examens et notes", ["Convocations", "Relevés de notes"]),
        ("Diplômes et attestations", []),
        ("Bourses", ["Bourses sur critères sociaux", "Aides d'urgence"]),
        ("Carte étudiante", []),
        ("Transferts et réorientation", []),
    ],
    "bibliotheques": [
        ("Prêts et retours", ["Prolongation", "Pénalités"]),
        ("Ressources électroniques", ["Accès distant", "Revues en ligne"]),
        ("Salles de travail", []),
        ("Formation documentaire", []),
    ],
    "rh": [
        ("Paie", ["Bulletin de salaire", "Primes"]),
        ("Congés et absences", ["Congés annuels", "Arrêts maladie", "Télétravail"]),
        ("Recrutement", []),
        ("Formation des personnels", []),
        ("Carrière", []),
    ],
    "finances": [
        ("Missions et déplacements", ["Ordres de mission", "Remboursements"]),
        ("Commandes", ["Bons de commande", "Marchés publics"]),
        ("Factures fournisseurs", []),
        ("Régies", []),
    ],
    "patrimoine": [
        ("Chauffage et climatisation", []),
        ("Plomberie", []),
        ("Électricité", []),
        ("Serrurerie et accès", ["Badges", "Clés"]),
        ("Nettoyage", ["Bureaux", "Sanitaires"]),
        ("Aménagement de bureaux", []),
    ],
    "international": [
        ("Mobilité sortante", ["Erasmus", "Hors Europe"]),
        ("Accueil des étudiants étrangers", []),
        ("Visas et titres de séjour", []),
    ],
    "vie-etudiante": [
        ("Associations", []),
        ("Logement", ["Résidences universitaires", "Aide au logement"]),
        ("Sport universitaire", ["Inscriptions aux activités", "Compétitions"]),
        ("Culture", []),
    ],
    "sante": [
        ("Rendez-vous médicaux", ["Médecine générale", "Gynécologie"]),
        ("Vaccinations", []),
        ("Soutien psychologique", []),
    ],
    "handicap": [
        ("Aménagements d'examens", ["Tiers temps", "Matériel adapté"]),
        ("Accompagnement", []),
        ("Accessibilité des locaux", []),
    ],
    "communication": [
        ("Site web", ["Mise à jour de page", "Actualités"]),
        ("Réseaux sociaux", []),
        ("Charte graphique", []),
        ("Événements", ["Journée portes ouvertes", "Colloques"]),
    ],
    "recherche": [
        ("Contrats de recherche", []),
        ("Doctorat", ["Inscription en thèse", "Soutenance"]),
        ("Publications et archives ouvertes", []),
        ("Données de la recherche", []),
    ],
    "logistique": [
        ("Courrier", ["Envois recommandés", "Colis"]),
        ("Déménagements", []),
        ("Véhicules de service", []),
        ("Fournitures", []),
    ],
    "formation-continue": [
        ("Inscriptions en formation continue", []),
        ("Validation des acquis", []),
        ("Financement", ["CPF", "Employeur"]),
    ],
    "pedagogie": [
        ("Moodle", ["Création de cours", "Devoirs et tests", "Inscriptions aux cours"]),
        ("Salles équipées", ["Vidéoprojecteurs", "Captation"]),
        ("Emplois du temps", ["Réservation de salles", "Conflits d'horaires"]),
        ("Examens en ligne", []),
    ],
}

# Plain words: a literal list would take a line per name.
FIRST_NAMES = """
    Camille Léa Manon Chloé Emma Inès Jade Louise Sarah Zoé Lucie Clara Juliette Alice Anaïs
    Mathilde Pauline Marie Julie Laura Hugo Lucas Louis Nathan Gabriel Arthur Jules Raphaël Léo
    Tom Théo Paul Antoine Maxime Thomas Nicolas Alexandre Baptiste Clément Romain Mohamed Yanis
    Adam Rayan Amine Sofia Yasmine Nour Lina Aya Mehdi Karim Samir Fatima Anh Minh Wei Mei
    Giulia Marco Ana Pedro Lukas Hannah Olga Ivan Noah Liam Olivia Emily Daniel Sophie Elena
""".split()  # noqa: SIM905
LAST_NAMES = """
    Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
    Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine
    Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier
    François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu
    Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun
    Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche
    Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas
    Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq
    Guillaume Lecomte Lopez Jean Dupuy Nguyen Tran Benali Haddad Rossi Silva Schneider Kowalski
    Smith
""".split()  # noqa: SIM905

# Subjects: "{topic}" is the category's name, lower-cased where it reads better.
SUBJECTS_FR = [
    "Problème de connexion : {topic}",
    "Impossible d'accéder à {topic}",
    "Demande d'information sur {topic}",
    "{topic} : erreur depuis ce matin",
    "Question concernant {topic}",
    "{topic} ne fonctionne plus",
    "Demande urgente : {topic}",
    "Relance : {topic}",
    "{topic} - besoin d'aide",
    "Mot de passe refusé pour {topic}",
]
SUBJECTS_EN = [
    "Cannot connect: {topic}",
    "No access to {topic}",
    "Question about {topic}",
    "{topic}: error since this morning",
    "{topic} stopped working",
    "Urgent request: {topic}",
    "Follow-up: {topic}",
    "Help needed with {topic}",
    "Password rejected for {topic}",
]

OPENINGS_FR = [
    "Bonjour,",
    "Bonjour Madame, Monsieur,",
    "Bonjour, je me permets de vous écrire car j'ai un souci.",
    "Madame, Monsieur,",
    "Bonjour à toute l'équipe,",
]
OPENINGS_EN = ["Hello,", "Dear helpdesk,", "Hi,", "Good morning,"]
PROBLEMS_FR = [
    "Depuis lundi je n'arrive plus à me connecter, le message indique que mon identifiant est "
    "inconnu.",
    "Lorsque j'essaie d'ouvrir la page, j'obtiens une erreur et la connexion est coupée.",
    "Mon mot de passe a expiré et le lien de réinitialisation ne fonctionne pas.",
    "Je n'ai reçu aucune réponse à ma demande envoyée il y a deux semaines.",
    "Le document demandé n'apparaît pas dans mon espace et la date limite approche.",
    "La salle réservée pour jeudi n'est pas disponible, le planning indique une autre réunion.",
    "Mon inscription apparaît comme incomplète alors que j'ai déposé toutes les pièces.",
    "Le chauffage ne fonctionne plus dans le bureau 214 du bâtiment B depuis ce matin.",
    "L'imprimante du deuxième étage affiche une erreur de bourrage papier en permanence.",
    "Je ne trouve pas comment déposer mon devoir sur la plateforme, le bouton est grisé.",
    "Mon badge n'ouvre plus la porte du laboratoire depuis la mise à jour des accès.",
    "Le remboursement de ma mission de mars n'a toujours pas été versé.",
    "La connexion Wi-Fi eduroam se coupe toutes les cinq minutes dans l'amphithéâtre.",
    "Je souhaite obtenir une attestation de réussite pour mon dossier de candidature.",
    "Ma carte étudiante a été perdue et je dois passer mes examens la semaine prochaine.",
    "Le vidéoprojecteur de la salle 105 ne détecte pas l'ordinateur portable.",
]
PROBLEMS_EN = [
    "Since Monday I cannot log in, the page says my username is unknown.",
    "When I try to open the page I get an error and the connection drops.",
    "My password expired and the reset link does not work.",
    "I have had no answer to my request sent two weeks ago.",
    "The requested document does not appear in my account and the deadline is close.",
    "My registration shows as incomplete although I uploaded every document.",
    "The Wi-Fi connection keeps dropping every five minutes in the lecture hall.",
    "I cannot find how to submit my assignment, the button is greyed out.",
    "My student card was lost and I have exams next week.",
    "I need a certificate of enrolment for my visa application.",
]
DETAILS_FR = [
    "J'ai essayé depuis un autre navigateur et depuis mon téléphone, sans succès.",
    "J'ai redémarré l'ordinateur mais le problème persiste.",
    "Vous trouverez une capture d'écran du message d'erreur en pièce jointe.",
    "Mon numéro étudiant est indiqué dans mon profil.",
    "C'est assez urgent car j'en ai besoin pour vendredi.",
    "Plusieurs collègues du service rencontrent le même problème.",
    "Le problème est apparu après la mise à jour de la semaine dernière.",
    "",
]
DETAILS_EN = [
    "I tried another browser and my phone, without success.",
    "I restarted the computer but the problem is still there.",
    "A screenshot of the error message is attached.",
    "It is rather urgent as I need it by Friday.",
    "Several colleagues have the same problem.",
    "",
]
CLOSINGS_FR = ["Merci d'avance.", "Cordialement.", "Bien cordialement,", "Merci pour votre aide."]
CLOSINGS_EN = ["Thanks in advance.", "Best regards.", "Kind regards,", "Thank you for your help."]

AGENT_REPLIES_FR = [
    "Bonjour, nous avons bien reçu votre demande et nous la traitons.",
    "Pouvez-vous essayer de vous reconnecter maintenant ? Nous avons réinitialisé votre accès.",
    "Le technicien passera demain matin dans votre bureau.",
    "Nous avons transmis votre dossier au gestionnaire concerné.",
    "La connexion devrait fonctionner à nouveau, merci de nous confirmer.",
    "Votre demande est en cours de traitement, nous revenons vers vous rapidement.",
    "Nous avons corrigé la configuration, le problème ne devrait plus se produire.",
]
AGENT_REPLIES_EN = [
    "Hello, we received your request and are working on it.",
    "Could you try to log in again now? We reset your access.",
    "A technician will come to your office tomorrow morning.",
    "The connection should work again, please let us know.",
    "We fixed the configuration, the problem should not happen again.",
]
REQUESTER_REPLIES_FR = [
    "Merci, cela fonctionne de nouveau.",
    "Toujours le même problème ce matin, pouvez-vous regarder à nouveau ?",
    "Je vous joins le message d'erreur complet.",
    "Bonjour, avez-vous des nouvelles de ma demande ?",
    "Je suis disponible toute la journée de demain.",
    "Voici mon numéro étudiant, comme demandé.",
]
REQUESTER_REPLIES_EN = [
    "Thanks, it works again.",
    "Still the same problem this morning, could you look again?",
    "Here is the full error message.",
    "Hello, any news about my request?",
    "Here is my student number, as requested.",
]
INTERNAL_NOTES = [
    "Vu avec l'équipe réseau : incident connu, ticket parent ouvert chez le prestataire.",
    "Compte vérifié dans l'annuaire, rien d'anormal.",
    "À relancer si pas de réponse d'ici lundi.",
    "Même problème que la semaine dernière pour ce bâtiment.",
    "Demande transmise au gestionnaire de scolarité de la composante.",
    "Checked the logs: authentication failures from an old device.",
    "Escalated to the vendor, waiting for their answer.",
]
QUESTIONS_FR = [
    "Pouvez-vous nous indiquer votre numéro étudiant ?",
    "Pouvez-vous nous envoyer une capture d'écran du message d'erreur ?",
    "Depuis quel poste ou quel bâtiment rencontrez-vous le problème ?",
    "Quelle est la date exacte de votre mission ?",
]
QUESTIONS_EN = [
    "Could you give us your student number?",
    "Could you send a screenshot of the error message?",
    "From which computer or building do you see the problem?",
]
RESOLUTIONS_FR = [
    "Le mot de passe a été réinitialisé, vous pouvez vous connecter.",
    "L'attestation est disponible dans votre espace.",
    "La réparation a été effectuée par le technicien.",
    "Votre dossier est complet, l'inscription est validée.",
    "Le remboursement a été mis en paiement.",
]
RESOLUTIONS_EN = [
    "Your password was reset, you can log in.",
    "The certificate is available in your account.",
    "The repair was done by the technician.",
    "Your file is complete, the registration is confirmed.",
]
REJECTIONS_FR = [
    "Cette demande ne relève pas de notre service, merci de contacter votre composante.",
    "Demande en double, voir le ticket précédent.",
]
REJECTIONS_EN = ["This request is not handled by our service.", "Duplicate request."]
REOPEN_REASONS_FR = [
    "Le problème est revenu ce matin.",
    "Finalement cela ne fonctionne toujours pas.",
]
CANCEL_REASONS_FR = ["J'ai trouvé la solution, merci.", "Demande envoyée par erreur.", ""]
# The benchmark's English requesters reopen and cancel in French: its data stays that of
# GENERATOR_VERSION 2. The demo's texts have English ones.
REOPEN_REASONS_EN = REOPEN_REASONS_FR
CANCEL_REASONS_EN = CANCEL_REASONS_FR
REFUSALS_FR = [
    "Le problème n'est pas résolu : le même message d'erreur s'affiche toujours.",
    "Cela a fonctionné une journée, puis le problème est revenu.",
    "Je n'ai pas reçu le document annoncé.",
]
REFUSALS_EN = [
    "The problem is not solved: the same error message still appears.",
    "It worked for a day, then the problem came back.",
    "I did not receive the document you mentioned.",
]
# Rare words: one ticket in about 20,000 mentions one of them (the benchmark's "rare" search).
RARE_SENTENCES = [
    "Le sismographe du laboratoire de géophysique ne transmet plus ses données.",
    "The seismograph of the geophysics lab no longer sends its data.",
]
ATTACHMENT_NAMES = [
    ("capture.png", "image/png"),
    ("erreur.png", "image/png"),
    ("attestation.pdf", "application/pdf"),
    ("releve.pdf", "application/pdf"),
    ("photo.jpg", "image/jpeg"),
    ("facture.pdf", "application/pdf"),
]
