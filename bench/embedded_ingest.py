"""CPU and wall time a mention costs the embedded mode's ingest (SQLite, in-process enrichment,
case rules), on a copy of a fresh demo store.

    .venv/bin/python bench/embedded_ingest.py [--batches 20] [--blas-threads 1]

Builds a demo store (`otklik init`, `otklik demo`), then stores batches of 100 of the texts
`bench/load.py` sends (`bench/desk_texts.py`) through `actions.intake` with the app's long-lived
`Enrichment`, after two warm-up batches.
`--blas-threads 0` leaves the numerical libraries their default (a thread per core); `otklik
serve` and the workers run one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from desk_texts import desk_texts  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args()
    if args.blas_threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.blas_threads)
    from otklik.actions.intake import intake
    from otklik.actions.unit import transaction
    from otklik.db.engine import make_engine, make_sessionmaker
    from otklik.domain.payloads import post_from_json
    from otklik.flow.wiring import Enrichment

    store = Path(tempfile.mkdtemp(prefix="otklik-embedded-")) / "demo.db"
    env = {**os.environ, "OTKLIK_DATABASE_URL": f"sqlite:///{store}"}
    for command in ("init", "demo"):
        subprocess.run([str(ROOT / ".venv" / "bin" / "otklik"), command], env=env, check=True,
                       capture_output=True)
    tweets = desk_texts()
    sessions = make_sessionmaker(make_engine(env["OTKLIK_DATABASE_URL"]))
    state = Enrichment()

    def batch(k: int) -> list:  # type: ignore[type-arg]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return [post_from_json({
            "network": "webhook", "external_id": f"e{k}-{i}", "created_at": now,
            "text": tweets[(k * 100 + i) % len(tweets)],
            "author": {"external_id": f"a{(k * 100 + i) % 5000}", "handle": "reader"},
            "place": {"external_id": f"site{i % 50}", "name": "Форум"}}) for i in range(100)]

    def store_batches(first: int, n: int) -> None:
        for k in range(first, first + n):
            with transaction(sessions) as session:
                intake(session, batch(k), enrichers=state.enrichers(session), actor="api")

    store_batches(0, 2)  # warm-up: models loaded, the duplicate index primed
    cpu, wall = time.process_time(), time.perf_counter()
    store_batches(2, args.batches)
    m = 100 * args.batches
    print(f"embedded ingest, {m} mentions in batches of 100, BLAS threads "
          f"{args.blas_threads or 'default'}, load {os.getloadavg()[0]:.1f}: "
          f"{1000 * (time.process_time() - cpu) / m:.2f} CPU-ms a mention, "
          f"{1000 * (time.perf_counter() - wall) / m:.2f} ms wall")


if __name__ == "__main__":
    main()
