"""Settings of the Celery worker the end-to-end tests start: the delivery tests' worker, whose own
tasks (the emails a reply or a new ticket causes) go to the test's queue."""

import os

from tests.notifications.worker_settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["MAILGATEWAY_TEST_QUEUE"]
