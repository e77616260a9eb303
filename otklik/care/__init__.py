"""The response desk: case rules, templates, follow-up classification, metrics, outbound factory.

The writers are in `otklik.actions.cases` and `otklik.actions.send`; `desk_tick` in `tick` is the
periodic step the scheduler runs.
"""
