"""Reports: a brand's period, compared with the one before, for people who never open the desk.

`figures` reads the store (the same indexed ranges and functions the overview and the care desk
use, so the numbers agree), `summary` tells them in sentences, `pdf`, `xlsx` and `rows` write
them out. `build.write_report` picks the format from the file's extension.
"""
