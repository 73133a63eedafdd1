"""Every read a page needs, each with a fixed number of SQL queries whatever the data.

- `ticket_pages`: which tickets a person sees, a ticket's page and timeline, file downloads;
- `requester_pages`: "Mes tickets" and the categories offered when filing a ticket;
- `queues`: the desk's shared queues, their filters, rows, counts and pages;
- `search`: tickets by their words (the queues' search box, the similar tickets);
- `desk_pages`: the rest of the desk's home page and of the agent's ticket page;
- `stats`: the statistics of a service over a period.

Visibility comes from `tickets.permissions` alone, so a list never shows what a page refuses.
Every list of tickets starts from `ticket_pages.tickets_visible_to(user)` or
`queues.desk_tickets(user)`, which apply `ticket_pages.confidentiality_filter(user)`: a
confidential category's tickets stay with the agents named for it.
"""
