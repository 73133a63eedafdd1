"""The words of the demo's tickets: what each service asks, answers and notes, and the subjects
and problems people write in each category, in French and English. Plain data, read by
`tickets.generation.demo`."""

from __future__ import annotations

SERVICE_TEXTS: dict[str, dict[str, list[str]]] = {
    "numerique": {
        "REQUESTER_REPLIES_FR": [
            "Depuis mon ordinateur portable, sous Windows.",
            "Voici la capture d'écran demandée.",
            "Toujours le même problème ce matin.",
            "Merci, cela fonctionne de nouveau.",
        ],
        "REQUESTER_REPLIES_EN": [
            "From my laptop, on Windows.",
            "Still the same problem this morning.",
        ],
        "QUESTIONS_FR": [
            "Depuis quel appareil essayez-vous de vous connecter ?",
            "Pouvez-vous nous envoyer une capture d'écran du message d'erreur ?",
            "Quel est le numéro d'inventaire collé sous l'ordinateur ?",
        ],
        "QUESTIONS_EN": [
            "Which device are you trying to connect from?",
            "Could you send a screenshot of the error message?",
        ],
        "RESOLUTIONS_FR": [
            "Le mot de passe a été réinitialisé, vous pouvez vous connecter.",
            "Le profil Wi-Fi a été recréé sur votre poste.",
            "Le pilote de l'imprimante a été réinstallé.",
            "Vos droits dans l'application ont été corrigés.",
        ],
        "RESOLUTIONS_EN": [
            "Your password was reset, you can log in.",
            "Your access rights in the application were fixed.",
        ],
        "AGENT_REPLIES_FR": [
            "Nous avons bien reçu votre demande, un technicien s'en occupe.",
            "Pouvez-vous essayer de vous reconnecter maintenant ?",
            "Un technicien passera demain matin dans votre bureau.",
        ],
        "AGENT_REPLIES_EN": [
            "We received your request, a technician is on it.",
            "Could you try to log in again now?",
        ],
        "INTERNAL_NOTES": [
            "Incident connu sur les bornes du bâtiment B, ticket ouvert chez le prestataire.",
            "Compte vérifié dans l'annuaire, rien d'anormal.",
            "Même problème que la semaine dernière pour cette salle.",
        ],
    },
    "scolarite": {
        "REQUESTER_REPLIES_FR": [
            "Mon numéro étudiant est le 21904512.",
            "Je suis inscrit en deuxième année de licence de droit.",
            "Avez-vous des nouvelles de mon dossier ?",
        ],
        "REQUESTER_REPLIES_EN": ["My student number is 21904512.", "Any news about my file?"],
        "QUESTIONS_FR": [
            "Pouvez-vous nous indiquer votre numéro étudiant ?",
            "Dans quelle formation êtes-vous inscrit cette année ?",
        ],
        "QUESTIONS_EN": ["Could you give us your student number?"],
        "RESOLUTIONS_FR": [
            "L'attestation est disponible dans votre espace.",
            "Votre dossier est complet, l'inscription est validée.",
            "La note a été saisie par l'enseignant.",
        ],
        "RESOLUTIONS_EN": [
            "The certificate is available in your account.",
            "Your file is complete, the registration is confirmed.",
        ],
        "AGENT_REPLIES_FR": [
            "Nous avons transmis votre demande au gestionnaire de votre formation.",
            "Votre dossier est en cours de vérification.",
        ],
        "AGENT_REPLIES_EN": ["Your file is being checked."],
        "INTERNAL_NOTES": [
            "Demande transmise au secrétariat pédagogique de la composante.",
            "Pièce justificative reçue par courrier.",
        ],
    },
    "rh": {
        "REQUESTER_REPLIES_FR": [
            "Il s'agit de la paie du mois de mars.",
            "Mon numéro d'agent est le 45012.",
            "Merci pour ces précisions.",
        ],
        "REQUESTER_REPLIES_EN": ["It is about March's pay.", "Thank you for the details."],
        "QUESTIONS_FR": [
            "Pouvez-vous nous indiquer votre numéro d'agent ?",
            "De quel mois de paie s'agit-il ?",
        ],
        "QUESTIONS_EN": ["Which month's pay is it about?"],
        "RESOLUTIONS_FR": [
            "La régularisation figurera sur votre prochain bulletin.",
            "Votre demande de congés a été enregistrée.",
        ],
        "RESOLUTIONS_EN": ["The correction will appear on your next payslip."],
        "AGENT_REPLIES_FR": [
            "Votre demande a été transmise au gestionnaire de paie.",
            "Nous vérifions votre dossier avec votre composante.",
        ],
        "AGENT_REPLIES_EN": ["Your request was passed to the payroll officer."],
        "INTERNAL_NOTES": [
            "Vérifié avec la trésorerie : virement en cours.",
            "Arrêté signé par la présidence, à saisir.",
        ],
    },
    "bibliotheques": {
        "REQUESTER_REPLIES_FR": [
            "Il s'agit du manuel de droit civil, 12e édition.",
            "J'utilise Firefox à jour.",
            "Merci, l'accès fonctionne.",
        ],
        "REQUESTER_REPLIES_EN": [
            "It is the civil law textbook, 12th edition.",
            "Thanks, it works now.",
        ],
        "QUESTIONS_FR": [
            "Quel est le titre exact de l'ouvrage ?",
            "Depuis quel navigateur accédez-vous à la ressource ?",
        ],
        "QUESTIONS_EN": ["What is the exact title of the book?"],
        "RESOLUTIONS_FR": [
            "Votre prêt a été prolongé de trois semaines.",
            "L'accès distant a été rétabli par l'éditeur.",
        ],
        "RESOLUTIONS_EN": ["Your loan was extended by three weeks."],
        "AGENT_REPLIES_FR": [
            "Nous avons signalé le problème à l'éditeur.",
            "L'ouvrage est réservé à votre nom.",
        ],
        "AGENT_REPLIES_EN": ["We reported the problem to the publisher."],
        "INTERNAL_NOTES": ["Licence renouvelée en janvier, vérifier les plages d'adresses IP."],
    },
    "patrimoine": {
        "REQUESTER_REPLIES_FR": [
            "Bâtiment B, bureau 214, au deuxième étage.",
            "Le problème est permanent depuis lundi.",
            "Merci pour l'intervention rapide.",
        ],
        "REQUESTER_REPLIES_EN": [
            "Building B, office 214, second floor.",
            "Thanks for the quick repair.",
        ],
        "QUESTIONS_FR": [
            "Dans quel bâtiment et quelle salle se trouve le problème ?",
            "Le problème est-il permanent ou seulement le matin ?",
        ],
        "QUESTIONS_EN": ["Which building and room is it?"],
        "RESOLUTIONS_FR": [
            "Le technicien a remplacé la pièce défectueuse.",
            "Votre badge a été reprogrammé.",
            "Le radiateur a été purgé et fonctionne de nouveau.",
        ],
        "RESOLUTIONS_EN": ["The technician replaced the faulty part."],
        "AGENT_REPLIES_FR": [
            "Une intervention est prévue dans la semaine.",
            "Le prestataire de maintenance a été prévenu.",
        ],
        "AGENT_REPLIES_EN": ["A technician will come this week."],
        "INTERNAL_NOTES": ["Bon d'intervention envoyé au prestataire chauffage."],
    },
}

# Per category slug: its subjects and the problems people describe, in French and English.
CATEGORY_TEXTS: dict[str, dict[str, list[str]]] = {
    "apogee": {
        "SUBJECTS_FR": [
            "Saisie des notes impossible dans Apogée",
            "Apogée : accès refusé",
            "Question sur Apogée",
            "Apogée bloqué pendant la saisie",
        ],
        "SUBJECTS_EN": [
            "Apogée: cannot enter marks",
            "Access denied in Apogée",
        ],
        "PROBLEMS_FR": [
            "Impossible de saisir les notes de mon groupe dans Apogée, l'écran reste bloqué.",
            "Apogée affiche « accès refusé » quand j'ouvre les inscriptions pédagogiques.",
        ],
        "PROBLEMS_EN": ["I cannot enter my group's marks in Apogée, the screen freezes."],
    },
    "messagerie-ent": {
        "SUBJECTS_FR": [
            "Mot de passe de messagerie expiré",
            "Plus aucun courriel reçu",
            "Accès à l'ENT impossible",
            "Compte ENT désactivé",
        ],
        "SUBJECTS_EN": [
            "Email password expired",
            "No email received since Monday",
        ],
        "PROBLEMS_FR": [
            "Mon mot de passe de messagerie a expiré et le lien de réinitialisation ne marche pas.",
            "Je ne reçois plus aucun courriel sur ma boîte universitaire depuis lundi.",
            "L'ENT m'indique que mon compte est désactivé.",
        ],
        "PROBLEMS_EN": [
            "My email password expired and the reset link does not work.",
            "I no longer receive any email in my university mailbox.",
        ],
    },
    "wifi": {
        "SUBJECTS_FR": [
            "Pas de connexion eduroam",
            "Wi-Fi instable dans l'amphithéâtre",
            "Coupures du Wi-Fi",
            "Connexion au réseau impossible",
        ],
        "SUBJECTS_EN": [
            "No eduroam connection",
            "Wi-Fi keeps dropping",
        ],
        "PROBLEMS_FR": [
            "Pas de connexion eduroam à la bibliothèque universitaire.",
            "Le Wi-Fi se coupe toutes les cinq minutes dans l'amphithéâtre A.",
        ],
        "PROBLEMS_EN": ["The eduroam Wi-Fi keeps dropping in lecture hall A."],
    },
    "poste-de-travail": {
        "SUBJECTS_FR": [
            "Imprimante en panne",
            "Ordinateur qui redémarre tout seul",
            "Installation d'un logiciel",
            "Poste de travail très lent",
        ],
        "SUBJECTS_EN": [
            "Printer out of order",
            "Software installation",
        ],
        "PROBLEMS_FR": [
            "L'imprimante de la salle B12 n'imprime plus, elle affiche un bourrage papier.",
            "Mon ordinateur redémarre tout seul plusieurs fois par jour.",
            "Je dois installer un logiciel de statistiques pour mes cours.",
        ],
        "PROBLEMS_EN": ["The printer in room B12 shows a paper jam all the time."],
    },
    "inscriptions": {
        "SUBJECTS_FR": [
            "Inscription incomplète",
            "Paiement de la CVEC impossible",
            "Dossier d'inscription bloqué",
        ],
        "SUBJECTS_EN": [
            "Registration shown as incomplete",
            "Cannot pay the student fee",
        ],
        "PROBLEMS_FR": [
            "Mon inscription apparaît comme incomplète alors que j'ai déposé toutes les pièces.",
            "Je n'arrive pas à payer la contribution de vie étudiante en ligne.",
        ],
        "PROBLEMS_EN": ["My registration shows as incomplete although I uploaded every document."],
    },
    "examens": {
        "SUBJECTS_FR": [
            "Note manquante sur mon relevé",
            "Convocation aux rattrapages non reçue",
            "Erreur sur mon relevé de notes",
        ],
        "SUBJECTS_EN": [
            "Missing mark on my transcript",
            "No notice for the resit exams",
        ],
        "PROBLEMS_FR": [
            "Une note manque sur mon relevé du premier semestre.",
            "Je n'ai pas reçu ma convocation pour les rattrapages.",
        ],
        "PROBLEMS_EN": ["A mark is missing from my first-semester transcript."],
    },
    "diplomes": {
        "SUBJECTS_FR": [
            "Demande d'attestation de réussite",
            "Attestation de réussite pour une candidature",
        ],
        "SUBJECTS_EN": ["Certificate of success needed"],
        "PROBLEMS_FR": [
            "J'ai besoin d'une attestation de réussite pour un dossier de candidature."
        ],
        "PROBLEMS_EN": ["I need a certificate of success for an application."],
    },
    "paie": {
        "SUBJECTS_FR": [
            "Prime absente du bulletin de salaire",
            "Remboursement de transport non versé",
            "Erreur sur mon bulletin de salaire",
        ],
        "SUBJECTS_EN": ["Bonus missing from my payslip"],
        "PROBLEMS_FR": [
            "La prime de mars n'apparaît pas sur mon bulletin de salaire.",
            "Mon remboursement de frais de transport n'a pas été versé.",
        ],
        "PROBLEMS_EN": ["My March bonus is missing from my payslip."],
    },
    "conges": {
        "SUBJECTS_FR": [
            "Solde de congés erroné",
            "Déclaration d'un arrêt maladie",
            "Demande de congés bloquée",
        ],
        "SUBJECTS_EN": ["Wrong leave balance"],
        "PROBLEMS_FR": [
            "Mon solde de congés est faux depuis la dernière mise à jour.",
            "Je voudrais savoir comment déclarer un arrêt maladie.",
        ],
        "PROBLEMS_EN": ["My leave balance has been wrong since the last update."],
    },
    "prets": {
        "SUBJECTS_FR": [
            "Prolongation de prêt refusée",
            "Livre rendu mais toujours réclamé",
            "Réservation d'un ouvrage",
        ],
        "SUBJECTS_EN": ["Book returned but still claimed"],
        "PROBLEMS_FR": [
            "Je voudrais prolonger le prêt d'un ouvrage réservé par un autre lecteur.",
            "On me réclame un livre que j'ai rendu la semaine dernière.",
        ],
        "PROBLEMS_EN": ["I am asked to return a book I brought back last week."],
    },
    "ressources-electroniques": {
        "SUBJECTS_FR": [
            "Revues en ligne inaccessibles",
            "Accès distant aux bases de données",
            "Identifiant demandé par une base",
        ],
        "SUBJECTS_EN": ["Online journals unreachable from home"],
        "PROBLEMS_FR": [
            "Je n'ai plus accès aux revues en ligne depuis chez moi.",
            "La base de données juridique demande un identifiant que je n'ai pas.",
        ],
        "PROBLEMS_EN": ["I cannot reach the online journals from home any more."],
    },
    "chauffage": {
        "SUBJECTS_FR": [
            "Plus de chauffage au bureau 214",
            "Salle informatique surchauffée",
            "Radiateur froid",
        ],
        "SUBJECTS_EN": ["No heating in office 214"],
        "PROBLEMS_FR": [
            "Le chauffage ne fonctionne plus dans le bureau 214 du bâtiment B.",
            "Il fait plus de 30 degrés dans la salle informatique du rez-de-chaussée.",
        ],
        "PROBLEMS_EN": ["The heating no longer works in office 214, building B."],
    },
    "badges": {
        "SUBJECTS_FR": [
            "Badge refusé à l'entrée du laboratoire",
            "Clé de bureau perdue",
            "Badge à reprogrammer",
        ],
        "SUBJECTS_EN": ["Badge no longer opens the lab"],
        "PROBLEMS_FR": [
            "Mon badge n'ouvre plus la porte du laboratoire depuis la mise à jour des accès.",
            "J'ai perdu la clé de mon bureau.",
        ],
        "PROBLEMS_EN": ["My badge no longer opens the lab door."],
    },
    "salles": {
        "SUBJECTS_FR": [
            "Vidéoprojecteur de la salle 105 en panne",
            "Chaises cassées en amphithéâtre",
            "Éclairage défectueux en salle 12",
        ],
        "SUBJECTS_EN": ["Projector in room 105 not working"],
        "PROBLEMS_FR": [
            "Le vidéoprojecteur de la salle 105 ne détecte pas l'ordinateur portable.",
            "Plusieurs chaises sont cassées dans l'amphithéâtre C.",
        ],
        "PROBLEMS_EN": ["The projector in room 105 does not detect the laptop."],
    },
}
