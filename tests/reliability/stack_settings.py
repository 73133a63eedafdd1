"""Settings of the stack the load and fault tests start: production's, with delays a test can wait
for. An email the mail server refused is tried again after a second (not a minute), and the sweep
re-queues every pending row that is due (not only those fifteen minutes late)."""

from helpdesk.settings import *  # noqa: F403

NOTIFICATION_RETRY_DELAY = 1
NOTIFICATION_MAX_ATTEMPTS = 10
NOTIFICATION_STALE_MINUTES = 0
