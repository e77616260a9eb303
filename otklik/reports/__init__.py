"""Reports: a brand's period, compared with the one before, for people who never open the desk.

`figures` (with `care` and `events`) reads the store through the same indexed ranges and functions
the overview and the care desk use, so the numbers agree; `summary` tells them in sentences;
`pdf` (with `charts`), `xlsx` (with `sheet`, the mentions sheet's row writer) and `rows` (the
mentions, streamed; CSV) write them out;
`build.write_report` picks the format from the file's extension; `delivery` e-mails them on a
schedule.
"""
