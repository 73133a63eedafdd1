"""Settings of the stack the load and fault tests start: production's, with delays a test can wait
for: an email the mail server refused is tried again after a second (not a minute). The sweep
keeps production's timing, which the fault tests measure."""

from helpdesk.settings import *  # noqa: F403

NOTIFICATION_RETRY_DELAY = 1
NOTIFICATION_MAX_ATTEMPTS = 10
