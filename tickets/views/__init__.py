"""Ticket pages: `requester` for the people who file tickets; for the service desk, `desk` (its
home and queues), `agent_ticket` (the agent's ticket page and its moves) and `stats`; `common`
for file downloads and refused moves."""
