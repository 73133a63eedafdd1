"""Periodic work on tickets, run by Celery beat (see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import logging

from celery import shared_task

from tickets import rollup, workflow

logger = logging.getLogger(__name__)


@shared_task(name="tickets.tasks.expire_closures", ignore_result=True)
def expire_closures() -> int:
    """Closes the tickets whose closure request went unanswered past their service's delay.

    Safe to run twice or concurrently: each ticket is closed under its row lock, once.
    """
    closed = workflow.expire_overdue_closures()
    if closed:
        logger.info("Closed %d tickets whose closure request went unanswered.", closed)
    return closed


@shared_task(name="tickets.tasks.resume_postponed", ignore_result=True)
def resume_postponed() -> int:
    """Puts back in progress the tickets postponed until today (or a day missed while the
    scheduler was down), and tells their agents.

    Safe to run twice or concurrently: each ticket is resumed under its row lock, once.
    """
    resumed = workflow.resume_due()
    if resumed:
        logger.info("Resumed %d postponed tickets.", resumed)
    return resumed


@shared_task(name="tickets.tasks.refresh_stats_rollup", ignore_result=True)
def refresh_stats_rollup() -> int:
    """Recomputes the statistics' rollup of the last days and of the days touched by transfers
    and corrections since the previous run (`tickets.rollup.refresh`).

    Safe to run twice or concurrently: a day is recomputed whole, under a lock, in one transaction.
    """
    days = rollup.refresh()
    logger.info("Statistics rollup: %d days recomputed.", len(days))
    return len(days)
