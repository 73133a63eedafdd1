"""A representative esup-helpdesk history, written into a real database with esup-helpdesk's
tables: what the import tests and the benchmark read.

It holds what a decade of use leaves behind: every ticket status and action type, messages for
managers only, HTML from the editor, accented text and text that went through a wrong encoding,
people without an email address, tickets whose owner or category was deleted, a virtual
department and a shortcut category, files in the database, invitations, monitoring, responses,
FAQ entries and archived tickets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from esupimport.source import Source

# esup-helpdesk stores naive local times.
START = datetime(2015, 9, 1, 8, 30)  # noqa: DTZ001
SUBJECTS = [
    "Mot de passe oublié pour l'ENT",
    "Connexion eduroam impossible à la bibliothèque",
    "Inscription pédagogique : erreur dans Apogée",
    "Imprimante du bâtiment Érasme hors service",
    "Accès refusé à Moodle après réinscription",
    "Demande de salle équipée pour soutenance",
    "Problème de messagerie : boîte pleine",
    "Relevé de notes du semestre manquant",
]
MESSAGES = [
    "<p>Bonjour,</p><p>je n'arrive plus à me connecter depuis ce matin.</p><p>Merci d'avance.</p>",
    "Bonjour, pouvez-vous préciser votre numéro d'étudiant ?",
    "<p>Voici le message d'erreur : <strong>« accès refusé »</strong></p>",
    "Le problème est résolu après réinitialisation du compte.",
    "Note pour l'équipe : vérifier le quota côté serveur.",
    # UTF-8 read as Latin-1 somewhere along the way: "élève à l'étage".
    "Ã©lÃ¨ve Ã\u00a0 l'Ã©tage",
]

# Every status a ticket can end in, with the actions that lead there.
HISTORIES: dict[str, list[tuple[str, str, str, str]]] = {
    # (action type, status before, status after, scope)
    "FREE": [("CREATE", "FREE", "FREE", "DEFAULT")],
    "INPROGRESS": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("GIVE_INFORMATION", "INPROGRESS", "INPROGRESS", "MANAGER"),
        ("CHANGE_PRIORITY", "INPROGRESS", "INPROGRESS", "DEFAULT"),
    ],
    "INCOMPLETE": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("ASSIGN", "FREE", "INPROGRESS", "DEFAULT"),
        ("REQUEST_INFORMATION", "INPROGRESS", "INCOMPLETE", "DEFAULT"),
    ],
    "POSTPONED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("POSTPONE", "INPROGRESS", "POSTPONED", "DEFAULT"),
    ],
    "CLOSED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("UPLOAD", "INPROGRESS", "INPROGRESS", "DEFAULT"),
        ("CLOSE", "INPROGRESS", "CLOSED", "DEFAULT"),
    ],
    "APPROVED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("REQUEST_INFORMATION", "INPROGRESS", "INCOMPLETE", "DEFAULT"),
        ("GIVE_INFORMATION", "INCOMPLETE", "INPROGRESS", "OWNER"),
        ("INVITE", "INPROGRESS", "INPROGRESS", "DEFAULT"),
        ("CLOSE", "INPROGRESS", "CLOSED", "DEFAULT"),
        ("REFUSE_CLOSURE", "CLOSED", "INPROGRESS", "DEFAULT"),
        ("CLOSE", "INPROGRESS", "CLOSED", "DEFAULT"),
        ("APPROVE", "CLOSED", "APPROVED", "DEFAULT"),
    ],
    "EXPIRED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("CLOSE", "INPROGRESS", "CLOSED", "DEFAULT"),
        ("EXPIRE", "CLOSED", "EXPIRED", "DEFAULT"),
    ],
    "CANCELLED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("CHANGE_LABEL", "FREE", "FREE", "DEFAULT"),
        ("CANCEL", "FREE", "CANCELLED", "DEFAULT"),
    ],
    "REFUSED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("CHANGE_DEPARTMENT", "FREE", "FREE", "MANAGER"),
        ("CHANGE_CATEGORY", "FREE", "FREE", "DEFAULT"),
        ("CHANGE_ORIGIN", "FREE", "FREE", "MANAGER"),
        ("REFUSE", "FREE", "REFUSED", "DEFAULT"),
    ],
    "REOPENED": [
        ("CREATE", "FREE", "FREE", "DEFAULT"),
        ("TAKE", "FREE", "INPROGRESS", "DEFAULT"),
        ("FREE", "INPROGRESS", "FREE", "DEFAULT"),
        ("CANCEL_POSTPONEMENT", "FREE", "FREE", "DEFAULT"),
        ("REOPEN", "FREE", "FREE", "DEFAULT"),
        ("REMOVE_INVITATION", "FREE", "FREE", "DEFAULT"),
        ("CLOSE_APPROVE", "FREE", "APPROVED", "DEFAULT"),
    ],
}
STATUS_OF = {
    name: (history[-1][2] if name != "REOPENED" else "APPROVED")
    for name, history in HISTORIES.items()
}
MESSAGE_TYPES = {
    "CREATE",
    "REQUEST_INFORMATION",
    "GIVE_INFORMATION",
    "CLOSE",
    "REFUSE",
    "REFUSE_CLOSURE",
    "CHANGE_ORIGIN",
}


@dataclass
class Sample:
    """What was written, for the tests to compare the import against."""

    tickets: int
    actions: int
    files: int
    users: int
    departments: int
    categories: int


def fill(
    source: Source, *, tickets: int = 60, seed: int = 7, archived: int = 5, files_every: int = 4
) -> Sample:
    rng = random.Random(seed)  # noqa: S311 - repeatable sample data, not secrets
    users = [
        {
            "id": "admin",
            "auth_type": "application",
            "real_id": "admin",
            "disp_name": "Administrateur",
            "email": "admin@univ.example",
            "pass": "x",
            "admi": True,
            "lang": "fr",
        },
        {
            "id": "agent1",
            "auth_type": "cas",
            "real_id": "mdupont",
            "disp_name": "Marie Dupont",
            "email": "marie.dupont@univ.example",
            "pass": None,
            "admi": False,
            "lang": "fr",
        },
        {
            "id": "agent2",
            "auth_type": "cas",
            "real_id": "jlefevre",
            "disp_name": "Jérôme Lefèvre",
            "email": "Jerome.Lefevre@univ.example",
            "pass": None,
            "admi": False,
            "lang": "fr",
        },
        {
            "id": "agent3",
            "auth_type": "cas",
            "real_id": "awong",
            "disp_name": "Alice Wong",
            "email": "alice.wong@univ.example",
            "pass": None,
            "admi": False,
            "lang": "en",
        },
        # No email address: an account nobody can sign in to.
        {
            "id": "noemail",
            "auth_type": "cas",
            "real_id": "xnomail",
            "disp_name": "Xavier Sans-Adresse",
            "email": None,
            "pass": None,
            "admi": False,
            "lang": "fr",
        },
        # A display name that went through a wrong encoding.
        {
            "id": "mojibake",
            "auth_type": "cas",
            "real_id": "hgarcon",
            "disp_name": "HÃ©lÃ¨ne GarÃ§on",
            "email": "helene.garcon@etu.univ.example",
            "pass": None,
            "admi": False,
            "lang": "fr",
        },
    ]
    for n in range(40):
        users.append(
            {
                "id": f"etu{n:03d}",
                "auth_type": "cas",
                "real_id": f"etu{n:03d}",
                "disp_name": f"Étudiant·e {n}",
                "email": f"etu{n:03d}@etu.univ.example",
                "pass": None,
                "admi": False,
                "lang": rng.choice(["fr", "fr", "en"]),
            }
        )
    departments = [
        {
            "id": 1,
            "labe": "Direction du numérique",
            "xlab": "Informatique et réseaux",
            "visi": True,
            "url": None,
            "auto_expi2": 10,
            "spen_time_need": False,
            "filt": None,
            "orde": 1,
            "defa_tick_scop": "DEFAULT",
            "tick_temp_prio_leve": 2,
            "real_depa_id": None,
            "hide_to_exte_user": False,
            "moni_emai": None,
        },
        {
            "id": 2,
            "labe": "Scolarité",
            "xlab": None,
            "visi": True,
            "url": None,
            "auto_expi2": None,
            "spen_time_need": False,
            "filt": None,
            "orde": 2,
            "defa_tick_scop": "DEFAULT",
            "tick_temp_prio_leve": 2,
            "real_depa_id": None,
            "hide_to_exte_user": False,
            "moni_emai": None,
        },
        {
            "id": 3,
            "labe": "Ancien service",
            "xlab": None,
            "visi": False,
            "url": None,
            "auto_expi2": None,
            "spen_time_need": False,
            "filt": None,
            "orde": 3,
            "defa_tick_scop": "DEFAULT",
            "tick_temp_prio_leve": 2,
            "real_depa_id": None,
            "hide_to_exte_user": False,
            "moni_emai": None,
        },
        # A virtual department: its tickets belong to the real one.
        {
            "id": 4,
            "labe": "Assistance (virtuel)",
            "xlab": None,
            "visi": True,
            "url": None,
            "auto_expi2": None,
            "spen_time_need": False,
            "filt": None,
            "orde": 4,
            "defa_tick_scop": "DEFAULT",
            "tick_temp_prio_leve": 2,
            "real_depa_id": 1,
            "hide_to_exte_user": False,
            "moni_emai": None,
        },
    ]
    managers = [
        {
            "id": 1,
            "user_id": "agent1",
            "depa_id": 1,
            "avai": True,
            "refu_tick": True,
            "mana_prop": True,
            "mana_mana": True,
            "mana_cate": True,
            "mana_faq": True,
            "rate": 100,
            "orde": 1,
        },
        {
            "id": 2,
            "user_id": "agent2",
            "depa_id": 1,
            "avai": False,
            "refu_tick": False,
            "mana_prop": False,
            "mana_mana": False,
            "mana_cate": False,
            "mana_faq": False,
            "rate": 100,
            "orde": 2,
        },
        {
            "id": 3,
            "user_id": "agent3",
            "depa_id": 2,
            "avai": True,
            "refu_tick": False,
            "mana_prop": False,
            "mana_mana": False,
            "mana_cate": False,
            "mana_faq": False,
            "rate": 100,
            "orde": 1,
        },
        {
            "id": 4,
            "user_id": "ghost-manager",
            "depa_id": 2,
            "avai": True,
            "refu_tick": False,
            "mana_prop": False,
            "mana_mana": False,
            "mana_cate": False,
            "mana_faq": False,
            "rate": 100,
            "orde": 2,
        },
    ]
    base = {
        "url": None,
        "auto_expi": None,
        "defa_tick_scop": "DEFAULT",
        "tick_temp_prio_leve": 2,
        "defa_prio_leve": 2,
        "inhe_memb": True,
        "hide_to_exte_user": False,
        "cate_invi": False,
        "cate_confi": False,
        "moni_emai": None,
        "real_cate_id": None,
        "xlab": None,
    }
    categories = [
        {
            **base,
            "id": 10,
            "labe": "Comptes et mots de passe",
            "xlab": "ENT, messagerie, Moodle",
            "depa_id": 1,
            "pare_id": None,
            "orde": 1,
        },
        {**base, "id": 11, "labe": "Mot de passe", "depa_id": 1, "pare_id": 10, "orde": 1},
        {
            **base,
            "id": 12,
            "labe": "Réseau et Wi-Fi",
            "depa_id": 1,
            "pare_id": None,
            "orde": 2,
            "hide_to_exte_user": True,
        },
        {**base, "id": 13, "labe": "Eduroam", "depa_id": 1, "pare_id": 12, "orde": 1},
        {**base, "id": 20, "labe": "Inscriptions", "depa_id": 2, "pare_id": None, "orde": 1},
        {
            **base,
            "id": 21,
            "labe": "Situation personnelle",
            "depa_id": 2,
            "pare_id": None,
            "orde": 2,
            "cate_confi": True,
        },
        {
            **base,
            "id": 22,
            "labe": "Ancienne catégorie",
            "depa_id": 2,
            "pare_id": None,
            "orde": 3,
            "cate_invi": True,
        },
        # A shortcut to "Eduroam" shown under Scolarité.
        {
            **base,
            "id": 23,
            "labe": "Wi-Fi (raccourci)",
            "depa_id": 2,
            "pare_id": None,
            "orde": 4,
            "real_cate_id": 13,
        },
    ]
    members = [
        {"id": 1, "user_id": "agent2", "cate_id": 13, "orde": 1},
        {"id": 2, "user_id": "agent1", "cate_id": 20, "orde": 1},
    ]
    responses = [
        {
            "id": 1,
            "labe": "Réinitialisation du mot de passe",
            "mess": "<p>Rendez-vous sur <em>sesame.univ.example</em>.</p>",
            "depa_id": 1,
            "user_id": None,
        },
        {
            "id": 2,
            "labe": "Réponse personnelle",
            "mess": "Merci !",
            "depa_id": None,
            "user_id": "agent1",
        },
    ]
    faqs = [
        {
            "id": 1,
            "labe": "Comment changer mon mot de passe ?",
            "scop": "ALL",
            "orde": 1,
            "cont": "<p>Allez sur <strong>sesame</strong>.</p>",
            "last_upda": START,
            "depa_id": 1,
            "pare_id": None,
            "effe_scop": "ALL",
        },
        {
            "id": 2,
            "labe": "Se connecter à eduroam",
            "scop": "ALL",
            "orde": 2,
            "cont": "<p>Identifiant : votre adresse complète.</p>",
            "last_upda": START,
            "depa_id": 1,
            "pare_id": 1,
            "effe_scop": "ALL",
        },
        {
            "id": 3,
            "labe": "Procédure interne",
            "scop": "DEPARTMENT",
            "orde": 3,
            "cont": "Réservé aux agents.",
            "last_upda": None,
            "depa_id": 2,
            "pare_id": None,
            "effe_scop": "DEPARTMENT",
        },
    ]
    ticket_rows, action_rows, file_rows, invitations, monitoring = [], [], [], [], []
    requesters = [u["id"] for u in users[4:]] + ["deleted-user"]
    kinds = list(HISTORIES)
    action_id = file_id = 0
    for n in range(1, tickets + 1):
        kind = kinds[(n - 1) % len(kinds)]
        depa = 1 if n % 3 else 2
        category = rng.choice([11, 13, 10, 12] if depa == 1 else [20, 21, 22])
        if n % 17 == 0:
            category = 999  # a category deleted since
        if n % 29 == 0:
            depa, category = 4, 13  # filed in the virtual department
        owner = requesters[(n * 7) % len(requesters)]
        manager = "agent1" if depa != 2 else "agent3"
        created = START + timedelta(days=n % 3000 // 3, hours=n % 9, minutes=n % 60)
        history = HISTORIES[kind]
        when = created
        for step, (type_, before, after, scope) in enumerate(history):
            action_id += 1
            when = when + timedelta(hours=1 + step)
            user = (
                owner
                if type_
                in (
                    "CREATE",
                    "GIVE_INFORMATION",
                    "APPROVE",
                    "REFUSE_CLOSURE",
                    "CANCEL",
                    "CLOSE_APPROVE",
                )
                and scope != "MANAGER"
                else manager
            )
            message = None
            if type_ == "CREATE":
                message = MESSAGES[n % 3] if n % 11 else MESSAGES[5]
            elif type_ in MESSAGE_TYPES:
                message = MESSAGES[4] if scope == "MANAGER" else MESSAGES[(n + step) % 4]
            row = {
                "id": action_id,
                "tick_id": n,
                "user_id": user,
                "date": when,
                "acti_type": type_,
                "stat_befo": before,
                "stat_afte": after,
                "scop": scope,
                "mess": message,
                "file_id": None,
                "mana_befo_id": None,
                "mana_afte_id": None,
                "labe_befo": None,
                "labe_afte": None,
                "prio_leve_befo": None,
                "prio_leve_afte": None,
                "depa_befo_id": None,
                "depa_afte_id": None,
                "cate_befo_id": None,
                "cate_afte_id": None,
                "invi_user_id": None,
                "orig_befo": None,
                "orig_afte": None,
                "file_name": None,
                "reca_date": None,
            }
            if type_ in ("TAKE", "ASSIGN"):
                row["mana_afte_id"] = manager
            elif type_ == "FREE":
                row["mana_befo_id"] = manager
            elif type_ == "CHANGE_PRIORITY":
                row["prio_leve_befo"], row["prio_leve_afte"] = 2, 4
            elif type_ == "CHANGE_LABEL":
                row["labe_befo"], row["labe_afte"] = "pb", SUBJECTS[n % len(SUBJECTS)]
            elif type_ == "CHANGE_DEPARTMENT":
                row["depa_befo_id"], row["depa_afte_id"] = 2, depa
            elif type_ == "CHANGE_CATEGORY":
                row["cate_befo_id"], row["cate_afte_id"] = 20, category
            elif type_ in ("INVITE", "REMOVE_INVITATION"):
                row["invi_user_id"] = "etu001"
            elif type_ == "POSTPONE":
                row["reca_date"] = when + timedelta(days=30)
            elif type_ == "UPLOAD":
                file_id += 1
                name = f"capture-écran-{n}.png" if n % 2 else f"relevé {n}.pdf"
                row["file_name"] = name
                content = (
                    b"%PDF-1.4 sample " if name.endswith(".pdf") else b"\x89PNG sample "
                ) + bytes(str(n), "ascii")
                file_rows.append(
                    {
                        "id": file_id,
                        "tick_id": n,
                        "user_id": manager,
                        "date": when,
                        "file_name": name,
                        "file_size": len(content),
                        "scop": "MANAGER" if n % 4 == 1 else "DEFAULT",
                        "cont": content,
                    }
                )
            action_rows.append(row)
        if n % files_every == 0 and kind != "CLOSED":
            file_id += 1
            content = b"requester file " + bytes(str(n), "ascii")
            file_rows.append(
                {
                    "id": file_id,
                    "tick_id": n,
                    "user_id": owner,
                    "date": created,
                    "file_name": f"pièce-jointe-{n}.txt",
                    "file_size": len(content),
                    "scop": "DEFAULT",
                    "cont": content,
                }
            )
        status = STATUS_OF[kind]
        ticket_rows.append(
            {
                "id": n,
                "owne_id": owner,
                "mana_id": manager if kind not in ("FREE", "CANCELLED", "REFUSED") else None,
                "depa_id": depa,
                "cate_id": category,
                "stat": status,
                "orig_id": ["WEB", "EMAIL", "PHONE", "MANAGER_PORTLET"][n % 4],
                "comp": None,
                "labe": SUBJECTS[n % len(SUBJECTS)] + ("" if n % 13 else " \x07"),
                "prio_leve": n % 5,
                "scop": "DEFAULT",
                "conn_tick_id": None,
                "crea_date": created,
                "last_acti_date": when,
                "spen_time": None,
                "crea_depa_id": depa,
                "creator_id": "agent1" if n % 10 == 0 else owner,
                "effe_scop": "DEFAULT",
                "reca_date": when + timedelta(days=30) if status == "POSTPONED" else None,
                "char_time": None,
                "clos_time": None,
                "mana_disp_name": None,
            }
        )
        if kind == "APPROVED":
            invitations.append({"id": len(invitations) + 1, "user_id": "etu001", "tick_id": n})
        if n % 5 == 0:
            monitoring.append(
                {
                    "id": len(monitoring) + 1,
                    "user_id": "agent2" if depa != 2 else "etu002",
                    "tick_id": n,
                }
            )
    invitations.append(
        {"id": len(invitations) + 1, "user_id": "etu003", "tick_id": tickets + 1000}
    )  # ticket gone
    archived_rows, archived_actions = [], []
    for n in range(1, archived + 1):
        created = START - timedelta(days=400 + n)
        archived_rows.append(
            {
                "id": n,
                "tick_id": 90000 + n,
                "owne_id": requesters[n],
                "mana_id": "agent1",
                "depa_id": 1,
                "cate_id": 11,
                "orig_id": "WEB",
                "labe": f"Ancienne demande {n} – réglée",
                "prio_leve": 2,
                "scop": "DEFAULT",
                "crea_date": created,
                "arch_date": created + timedelta(days=30),
            }
        )
        for step, (type_, before, after) in enumerate(
            [
                ("CREATE", "FREE", "FREE"),
                ("TAKE", "FREE", "INPROGRESS"),
                ("CLOSE", "INPROGRESS", "CLOSED"),
                ("APPROVE", "CLOSED", "APPROVED"),
            ]
        ):
            archived_actions.append(
                {
                    "id": len(archived_actions) + 1,
                    "arch_tick_id": n,
                    "user_id": requesters[n] if type_ in ("CREATE", "APPROVE") else "agent1",
                    "date": created + timedelta(hours=step),
                    "acti_type": type_,
                    "stat_befo": before,
                    "stat_afte": after,
                    "scop": "DEFAULT",
                    "mess": "Demande archivée" if type_ == "CREATE" else None,
                }
            )
    source.insert("h_user", users)
    source.insert("h_depa", departments)
    source.insert("h_depa_mana", managers)
    source.insert("h_cate", categories)
    source.insert("h_cate_memb", members)
    source.insert("h_resp", responses)
    source.insert("h_faq2", faqs)
    for start in range(0, len(ticket_rows), 5000):
        source.insert("h_tick", ticket_rows[start : start + 5000])
    for start in range(0, len(action_rows), 5000):
        source.insert("h_acti", action_rows[start : start + 5000])
    source.insert("h_file_info", file_rows)
    source.insert("h_invi", invitations)
    source.insert("h_tick_moni", monitoring)
    source.insert("h_arch_tick", archived_rows)
    source.insert("h_arch_acti", archived_actions)
    return Sample(
        tickets=len(ticket_rows),
        actions=len(action_rows),
        files=len(file_rows),
        users=len(users),
        departments=len(departments),
        categories=len(categories),
    )
