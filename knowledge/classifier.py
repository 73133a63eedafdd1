"""The right category suggested: a small text classifier learned from the university's own tickets.

Words of the subject and description (TF-IDF of words and word pairs, accents kept) feed a linear
model (scikit-learn's SGD with logistic loss); its three best categories are offered to someone
who does not know where to file. Everything runs on the server: training reads the tickets table,
the model is stored in the database (`CategoryModel`) and nothing is sent anywhere. A beat task
retrains it (knowledge.tasks); each training measures its top-3 accuracy on held-out tickets.
"""

from __future__ import annotations

import logging
import pickle  # noqa: S403 - the helpdesk's own model, written by `train` below
import random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from categories import selectors as category_selectors
from categories.models import Category
from knowledge.models import CategoryModel
from tickets.models import Ticket

logger = logging.getLogger(__name__)

MAX_TICKETS = 60_000
MIN_TICKETS = 20
MIN_PER_CATEGORY = 3
HELD_OUT = 0.2
TOP = 3

_cache = threading.local()


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(
            lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=200_000
        ),
        SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=15, tol=None, random_state=0),
    )


def ticket_text(subject: str, description: str) -> str:
    """What the classifier reads of a ticket: the subject counts twice."""
    return f"{subject} {subject} {description}"


def top_k(model, texts: Sequence[str], k: int = TOP) -> list[list[int]]:
    """The model's k best category ids for each text, best first."""
    scores = model.decision_function(list(texts))
    classes = model.classes_
    if scores.ndim == 1:  # two classes: one score, positive for classes_[1]
        return [
            [int(classes[1]), int(classes[0])] if s > 0 else [int(classes[0]), int(classes[1])]
            for s in scores
        ]
    order = (-scores).argsort(axis=1)[:, :k]
    return [[int(classes[i]) for i in row] for row in order]


def top_k_accuracy(model, texts: Sequence[str], labels: Sequence[int], k: int = TOP) -> float:
    """The share of texts whose true category is among the model's k best."""
    if not texts:
        return 0.0
    hits = sum(label in best for best, label in zip(top_k(model, texts, k), labels, strict=True))
    return hits / len(texts)


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[int]


def examples(tickets: Iterable[tuple[str, str, int]]) -> Examples:
    """Training examples from (subject, description, category id) rows; categories with too few
    tickets to learn from are left out."""
    rows = list(tickets)
    counts: dict[int, int] = {}
    for _s, _d, category_id in rows:
        counts[category_id] = counts.get(category_id, 0) + 1
    kept = [row for row in rows if counts[row[2]] >= MIN_PER_CATEGORY]
    return Examples([ticket_text(s, d) for s, d, _c in kept], [c for _s, _d, c in kept])


def fit(data: Examples, *, seed: int = 0) -> tuple[object, float | None]:
    """A model fitted on all the examples, and its top-3 accuracy measured beforehand by a model
    fitted on 80% of them and tested on the other 20%."""
    indices = list(range(len(data.texts)))
    random.Random(seed).shuffle(indices)  # noqa: S311 - a reproducible split, not a secret
    cut = int(len(indices) * (1 - HELD_OUT))
    train_idx, test_idx = indices[:cut], indices[cut:]
    accuracy = None
    train_labels = {data.labels[i] for i in train_idx}
    if test_idx and len(train_labels) >= 2:
        probe = _pipeline().fit(
            [data.texts[i] for i in train_idx], [data.labels[i] for i in train_idx]
        )
        accuracy = top_k_accuracy(
            probe, [data.texts[i] for i in test_idx], [data.labels[i] for i in test_idx]
        )
    model = _pipeline().fit(data.texts, data.labels)
    return model, accuracy


def train() -> CategoryModel | None:
    """Learns the categories from the latest tickets and stores the model; None when there are
    too few tickets (or categories) to learn from."""
    rows = Ticket.objects.order_by("-pk").values_list("subject", "description", "category_id")[
        :MAX_TICKETS
    ]
    data = examples(rows)
    if len(data.texts) < MIN_TICKETS or len(set(data.labels)) < 2:
        logger.info("Category classifier not trained: %d usable tickets.", len(data.texts))
        return None
    model, accuracy = fit(data)
    stored = CategoryModel.objects.create(
        tickets=len(data.texts), top3_accuracy=accuracy, blob=pickle.dumps(model)
    )
    # Older models are of no further use.
    CategoryModel.objects.exclude(pk=stored.pk).delete()
    return stored


def current_model() -> object | None:
    """The latest stored model, unpickled once per process (and again when a newer one exists)."""
    latest = (
        CategoryModel.objects.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    )
    if latest is None:
        return None
    cached = getattr(_cache, "model", None)
    if cached is not None and cached[0] == latest:
        return cached[1]
    blob = CategoryModel.objects.filter(pk=latest).values_list("blob", flat=True).first()
    if blob is None:
        return None
    model = pickle.loads(bytes(blob))  # noqa: S301 - written by `train` on this server
    _cache.model = (latest, model)
    return model


def suggest_categories(text: str, k: int = TOP, user: Any = None) -> list[Category]:
    """Up to k categories a ticket with these words likely belongs to, among those open for new
    tickets (and offered to `user`, when given: audiences), best first; none before a model was
    trained."""
    model = current_model()
    if model is None or not text.strip():
        return []
    fileable = {category.pk: category for category in category_selectors.fileable_categories()}
    if user is not None:
        offered = category_selectors.offered_category_ids(user)
        fileable = {pk: category for pk, category in fileable.items() if pk in offered}
    ranked = top_k(model, [text[:2000]], k=max(k * 2, k))[0]
    return [fileable[pk] for pk in ranked if pk in fileable][:k]
