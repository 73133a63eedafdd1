"""The Celery application: workers send the emails and run the periodic sweeps."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """Around each task, what Django does around each request: a connection older than
    CONN_MAX_AGE, broken, or left in a transaction is closed, and the next query checks the one it
    reuses. (Celery's own fixup would close it every time: CELERY_DB_REUSE_MAX.)

    Not for a task run in-process: it runs inside the caller's request or transaction.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
