"""How long the people search waits for the LDAP directory, at a university's size.

    .venv/bin/python bench/directory_search.py [--people 50000] [--queries 200]

Loads a private slapd (tests/ldap_server: its schemas and access rules) with `--people`
SupAnn-shaped entries (French names, a few in English, students and staff), then times the
directory half of `accounts.directory.search_people` (`accounts.ldap.find_people`, limit 10, as the
invitation and filing pages ask) for queries people type: two letters, a surname, a first name and
a surname, a login. Prints the median and the 95th percentile per kind, in milliseconds. Needs
slapd (apt install slapd). The accounts half is one indexed-less `icontains` query of the
helpdesk's database, measured by the pages' benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = "Camille Jeanne Martine Pierre Louis Emma Léa Hugo Chloé Lucas Manon Nathan Inès Jules "
FIRST += "Sarah Théo Zoé Adam Alice Paul Anaïs Tom Julie Noah Lina Enzo Clara Mathis Jade Yanis"
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
LAST += "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
LAST += "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin"
UNITS = ["UFR-SCIENCES", "UFR-LETTRES", "UFR-DROIT", "UFR-MEDECINE", "DSI", "DRH", "BU", "IUT"]


def people_ldif(count: int, seed: int = 8) -> tuple[str, list[tuple[str, str, str]]]:
    """The LDIF of `count` people, and their (first name, surname, login)."""
    rng = random.Random(seed)  # noqa: S311 - made-up people
    first_names, last_names = FIRST.split(), LAST.split()
    entries, people = [], []
    for number in range(count):
        first, last = rng.choice(first_names), rng.choice(last_names)
        login = f"{first[0].lower()}{last.lower()}{number}"
        student = rng.random() < 0.85
        affiliations = ["student", "member"] if student else ["staff", "employee", "member"]
        entries.append(
            "\n".join(
                [
                    f"dn: uid={login},ou=people,dc=univ-test,dc=fr",
                    "objectClass: inetOrgPerson",
                    "objectClass: eduPerson",
                    "objectClass: supannPerson",
                    f"uid: {login}",
                    f"cn: {first} {last}",
                    f"displayName: {first} {last}",
                    f"givenName: {first}",
                    f"sn: {last}",
                    f"mail: {login}@univ-test.fr",
                    f"preferredLanguage: {'en' if rng.random() < 0.15 else 'fr'}",
                    *(f"eduPersonAffiliation: {a}" for a in affiliations),
                    f"supannEntiteAffectation: {rng.choice(UNITS)}",
                ]
            )
        )
        people.append((first, last, login))
    return "\n\n".join(entries) + "\n", people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.conf import settings

    from accounts import ldap
    from tests import ldap_server

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        base = (ldap_server.HERE / "people.ldif").read_text()
        generated, people = people_ldif(arguments.people)
        tree = directory / "tree.ldif"
        tree.write_text(base + "\n" + generated)
        (directory / "slapd").mkdir()
        started = time.perf_counter()
        with ldap_server.start_slapd(directory / "slapd", tree=tree) as server:
            print(f"{arguments.people} people loaded in {time.perf_counter() - started:.1f} s")
            settings.LDAP_URL = server.url
            settings.LDAP_BIND_DN = server.bind_dn
            settings.LDAP_BIND_PASSWORD = server.bind_password
            settings.LDAP_PEOPLE_BASE = server.people_base
            settings.LDAP_PEOPLE_FILTER = "(objectClass=inetOrgPerson)"
            settings.LDAP_CA_FILE = ""
            rng = random.Random(1)  # noqa: S311 - made-up queries
            kinds = {
                "two letters": lambda p: p[1][:2],
                "surname": lambda p: p[1],
                "first name and surname": lambda p: f"{p[0]} {p[1]}",
                "login": lambda p: p[2],
            }
            print("| query | median ms | p95 ms |\n| --- | --- | --- |")
            for kind, query_of in kinds.items():
                timings = []
                for _ in range(arguments.queries):
                    query = query_of(rng.choice(people))
                    start = time.perf_counter()
                    ldap.find_people(query, 10)
                    timings.append((time.perf_counter() - start) * 1000)
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(f"| {kind} | {statistics.median(timings):.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
