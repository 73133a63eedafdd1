"""A university's helpdesk history, generated: the benchmark's data and the demo's.

`world` decides the services, categories and people, `history` the tickets and their timelines,
as rows of plain values; `pgcopy` writes them to PostgreSQL with COPY (the benchmark, up to a
million tickets), `portable` to any database through bulk_create (the demo, on SQLite).
`demo` builds the demo's world around its named accounts.
"""
