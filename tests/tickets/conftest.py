"""Fixtures for the ticket tests (none is automatic: a test asks for what it needs)."""

from tests.tickets.lifecycle import fast_passwords, notified  # noqa: F401 - fixtures
