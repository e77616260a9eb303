"""Regenerate the initial migration from the models (until the first release, one revision).

Run after changing a model: `python scripts/make_initial_migration.py`. It autogenerates against
an empty SQLite store and appends the dialect DDL (full-text search, audit guard).
"""

from __future__ import annotations

import re
import tempfile

from alembic import command

from otklik.db.engine import make_engine
from otklik.db.migrate import MIGRATIONS, alembic_config

TARGET = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    TARGET.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/empty.db")
        cfg = alembic_config(engine)
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
    (generated,) = (MIGRATIONS / "versions").glob("0001_*.py")
    src = generated.read_text()
    generated.unlink()
    src = src.replace("astext_type=Text()", "astext_type=sa.Text()")
    src = src.replace(
        "import otklik.db.base\n", "import otklik.db.base\nfrom otklik.db import ddl\n"
    )
    src = re.sub(r"(    # ### end Alembic commands ###\n)(\n\ndef downgrade)",
                 r"\1    ddl.install(op.get_bind())\n\2", src, count=1)
    src = src.replace(
        "def downgrade() -> None:\n", "def downgrade() -> None:\n    ddl.uninstall(op.get_bind())\n"
    )
    TARGET.write_text(src)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
