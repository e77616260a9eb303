"""Train the packaged sentiment model from the shared labelled sets.

    make navec   # once: navec's Russian word vectors, from its PyPI source package (79 MB)
    nice -n 10 .venv/bin/python scripts/train_sentiment.py [--data DIR] [--out PATH] [--mode M]

`--mode release` (default) trains on every chosen set and writes the packaged artifact;
`--mode holdout` keeps back the evaluation splits (what bench/sentiment.py measures on).
`--mode later` also keeps back SemEval's 2016 test set (see `corpus.build`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from otklik.nlp.sentiment.model import DEFAULT_PATH  # noqa: E402
from otklik.nlp.sentiment.training import train_from_dir  # noqa: E402
from otklik.nlp.sentiment.wordvec import NAVEC_FILE  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled sets folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="artifact to write")
    parser.add_argument("--mode", choices=("release", "holdout", "later"), default="release")
    parser.add_argument("--navec", type=Path, default=ROOT / "build" / "navec" / NAVEC_FILE,
                        help="navec hudlit .tar")
    parser.add_argument("--no-word-vectors", action="store_true", help="USE alone in the cascade")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"error: {args.data}: no such folder", file=sys.stderr)
        return 2
    navec = None if args.no_word_vectors else args.navec
    if navec is not None and not navec.is_file():
        print(f"error: {navec}: no such file (run `make navec`)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    model, corpus = train_from_dir(args.data, args.mode, navec=navec)
    path = model.save(args.out)
    print(f"trained on {corpus.sizes()} examples in {time.perf_counter() - start:.0f}s")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
