"""Settings of the Celery worker the delivery tests start: the project's, with quick retries."""

from helpdesk.settings import *  # noqa: F403

# Seconds before retrying an email the mail server refused (doubled after each failure).
NOTIFICATION_RETRY_DELAY = 1
NOTIFICATION_MAX_ATTEMPTS = 10
