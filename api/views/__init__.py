"""The API's views: thin doors onto the selectors (reads) and onto `tickets.workflow` and
`tickets.services` (writes), like the pages' views.

- `requester`: who am I, the categories, "my tickets", filing a ticket, one ticket;
- `desk`: the agents' queues and their view of a ticket (internal notes included);
- `moves`: one endpoint per move of the lifecycle, for requesters and agents alike.
"""
