"""Ticket pages: `requester` for the people who file tickets, `agent` for the service desk."""
