"""Celery tasks of the knowledge base: the category classifier's retraining (beat)."""

from __future__ import annotations

from celery import shared_task

from knowledge import classifier


@shared_task(ignore_result=True)
def retrain_category_classifier() -> int:
    """Learns the categories again from the latest tickets; returns how many it learned from."""
    stored = classifier.train()
    return stored.tickets if stored is not None else 0
