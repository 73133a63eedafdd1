"""The knowledge base's figures: the category classifier's top-3 accuracy on the benchmark's
generated tickets, the search's requests per second and the suggestions' latency.

    .venv/bin/python bench/knowledge.py accuracy [--tickets 30000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_kbbench \
        .venv/bin/python bench/knowledge.py search [--articles 5000] [--seconds 10]

`accuracy` generates the benchmark's history in memory (tickets.generation, the same seed as the
benchmark) and measures, as `knowledge.classifier.fit` does at every training, the share of
held-out tickets whose category is among the three best guesses; once on the tickets as generated
and once with the category's name taken out of the subject (the generator writes it there, which
real people rarely do).

`search` fills the database named by DATABASE_URL (migrated first; its articles are replaced) with
`--articles` published articles spread over the benchmark's services and categories, then, in one
process through Django's test client (no HTTP server, one core), asks the search page for words
common and rare for `--seconds`, and the filing suggestions as a student types a subject, and
prints requests per second and latencies (p50, p95).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

SEED = 20261203


def accuracy(tickets: int) -> None:
    from knowledge import classifier
    from tickets.generation import history
    from tickets.generation.world import COLUMNS, build_world

    world = build_world(
        seed=1,
        tickets=tickets,
        requesters=max(100, tickets // 20),
        agents=60,
        offsets={"ticket": 0, "user": 0, "category": 0, "membership": 0, "service": 0},
        now=time.time(),
    )
    names = {cid: name for leaves in world.leaves for cid, name in leaves}
    rows = []
    chunk = 0
    while len(rows) < tickets:
        rows += history.generate_chunk(world, chunk).tickets
        chunk += 1
    columns = COLUMNS["tickets_ticket"]
    index = [columns.index(name) for name in ("subject", "description", "category_id")]
    triples = [tuple(row[i] for i in index) for row in rows[:tickets]]
    for label, data in (
        ("as generated", triples),
        (
            "category name taken out of the subject",
            [(s.replace(names[c], "").replace(names[c].lower(), ""), d, c) for s, d, c in triples],
        ),
    ):
        examples = classifier.examples(data)
        started = time.perf_counter()
        _model, measured = classifier.fit(examples)
        took = time.perf_counter() - started
        print(
            f"{label}: {len(examples.texts)} tickets, {len(set(examples.labels))} categories, "
            f"top-3 accuracy {measured:.1%} (two fits in {took:.1f} s)"
        )


def _fill(articles: int) -> list[str]:
    from django.db import connection

    from categories.models import Category, Service
    from knowledge.models import Article
    from tickets.generation import corpus

    rng = random.Random(SEED)  # noqa: S311 - repeatable data
    Article.objects.all().delete()
    services = []
    for slug, name, *_rest in corpus.SERVICES:
        service, _created = Service.objects.get_or_create(
            slug=f"kb-{slug}", defaults={"name": name}
        )
        services.append(service)
    categories = {}
    for service in services:
        category, _created = Category.objects.get_or_create(
            slug=f"{service.slug}-general", defaults={"name": service.name, "service": service}
        )
        categories[service.pk] = category
    words = [w for text in corpus.PROBLEMS_FR + corpus.DETAILS_FR for w in text.split()]
    rows = []
    for i in range(articles):
        service = services[i % len(services)]
        title = " ".join(rng.choices(words, k=6))
        body = " ".join(rng.choices(words, k=120))
        if i % 500 == 7:
            body += " sismographe"
        rows.append(
            Article(
                title=title[:200],
                body=body,
                service=service,
                language="fr" if i % 4 else "en",
                visibility=("public", "members", "agents")[i % 3],
                status="published",
            )
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    through = Article.categories.through
    through.objects.bulk_create(
        [through(article_id=a.pk, category_id=categories[a.service_id].pk) for a in rows],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE knowledge_article SET search_vector = "
            "setweight(to_tsvector(CASE language WHEN 'fr' THEN 'french'::regconfig "
            "ELSE 'english'::regconfig END, title), 'A') || "
            "setweight(to_tsvector(CASE language WHEN 'fr' THEN 'french'::regconfig "
            "ELSE 'english'::regconfig END, body), 'B')"
        )
        # Earlier runs left dead rows behind: the table is measured as a fresh one would be.
        cursor.execute("VACUUM (FULL, ANALYZE) knowledge_article")
    return [categories[s.pk].slug for s in services]


CPU: list[float] = []  # this process's CPU time per request of the last `_timed` run


def _timed(client, url: str, params: dict, seconds: float) -> list[float]:
    latencies = []
    CPU.clear()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        cpu = time.process_time()
        response = client.get(url, params)
        CPU.append(time.process_time() - cpu)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code}")
    return latencies


def _report(label: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    cpu = f", Django's CPU {statistics.median(CPU) * 1000:.1f} ms/request" if CPU else ""
    print(
        f"{label}: {len(latencies) / sum(latencies):.0f} req/s, "
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
        f"({len(latencies)} requests{cpu})"
    )


def search(articles: int, seconds: float) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        sys.exit("search: DATABASE_URL must name a PostgreSQL database")
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from knowledge.models import Article

    slugs = _fill(articles)
    student, _created = User.objects.get_or_create(email="kb-bench@univ.example")
    print(f"{Article.objects.count()} articles")
    client = Client()
    client.force_login(student)
    _timed(client, "/kb/", {}, 0.5)
    _report(
        "answers' home (no search: the request's own cost)", _timed(client, "/kb/", {}, seconds)
    )
    for word in ("connexion", "sismographe", "mot de passe oublié"):
        _timed(client, "/kb/", {"q": word}, 0.5)  # warm up
        _report(f"search '{word}'", _timed(client, "/kb/", {"q": word}, seconds))
    from knowledge import selectors

    visible = selectors.articles_visible_to(student)
    CPU.clear()
    for word in ("connexion", "sismographe"):
        latencies = []
        deadline = time.perf_counter() + seconds / 2
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            list(selectors.search_articles(visible, word).only("id", "title")[:50])
            latencies.append(time.perf_counter() - started)
        _report(f"search query alone '{word}' (the database's part)", latencies)
    subject = "impossible de me connecter au wifi depuis ce matin"
    typed = [subject[:n] for n in range(8, len(subject) + 1, 6)]
    latencies = []
    CPU.clear()
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        params = {"category": slugs[i % len(slugs)], "subject": typed[i % len(typed)]}
        started = time.perf_counter()
        cpu = time.process_time()
        status = client.get("/kb/suggest/", params).status_code
        CPU.append(time.process_time() - cpu)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            sys.exit(f"/kb/suggest/: {status}")
        i += 1
    _report("suggestions while typing", latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    acc = sub.add_parser("accuracy")
    acc.add_argument("--tickets", type=int, default=30_000)
    sea = sub.add_parser("search")
    sea.add_argument("--articles", type=int, default=5000)
    sea.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    if arguments.what == "accuracy":
        import django

        django.setup()
        accuracy(arguments.tickets)
    else:
        search(arguments.articles, arguments.seconds)


if __name__ == "__main__":
    main()
