"""Settings of the stack the load and fault tests start: production's, with delays a test can wait
for. An email the mail server refused is tried again after a second (not a minute), and the sweep
re-queues every pending row that is due (not only those fifteen minutes late)."""

from helpdesk.settings import *  # noqa: F403

NOTIFICATION_RETRY_DELAY = 1
NOTIFICATION_MAX_ATTEMPTS = 10
NOTIFICATION_STALE_MINUTES = 0

# Every test client signs in from 127.0.0.1: allauth's limit of 30 logins a minute per address
# (made for one person's browser) would refuse the 31st person.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip"}  # noqa: F405
