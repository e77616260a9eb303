"""Sentiment benchmark: quality on held-back data, throughput and memory of the default model.

    nice -n 10 .venv/bin/python bench/sentiment.py [--data DIR]

Quality: a model is trained here with the packaged recipe in "holdout" mode (the SentiRuEval-2015
test sets, 20% of RuSentiTweet and of the airline tweets, and the TweetEval validation set kept
back) and measured on what it did not see. Speed and memory: the packaged artifact, in a fresh
process limited to one thread, predicting mixed Russian/English texts in batches of 256.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def quality(data: Path) -> None:
    from otklik.nlp.sentiment.training import evaluate, train_from_dir

    start = time.perf_counter()
    model, corpus = train_from_dir(data, "holdout")
    print(f"holdout model trained on {corpus.sizes()} in {time.perf_counter() - start:.0f}s")
    rows = [
        ("sentirueval2015_banks_test", "official_f1", "SentiRuEval-2015 banks test, F1(pos,neg)"),
        ("sentirueval2015_telecoms_test", "official_f1",
         "SentiRuEval-2015 telecoms test, F1(pos,neg)"),
        ("rusentitweet_heldout", "macro_f1", "RuSentiTweet held-back 20%, 3-class macro-F1"),
        ("airline_heldout", "macro_recall", "Airline held-back 20%, macro-recall"),
        ("tweeteval_val", "macro_recall", "TweetEval validation (held out), macro-recall"),
    ]
    for name, measure, title in rows:
        exs = corpus.heldout.get(name)
        if not exs:
            print(f"{title:55s} (no data)")
            continue
        r = evaluate(model, exs)
        print(f"{title:55s} {r[measure]:.3f}   (macro-F1 {r['macro_f1']:.3f}, n={len(exs)})")
        if name.startswith("sentirueval"):
            plain = evaluate(model, [type(e)(e.text, e.label, e.lang, None, e.source) for e in exs])
            print(f"{'   same, brand not given (no masking)':55s} {plain[measure]:.3f}")


def speed(data: Path) -> None:
    from threadpoolctl import threadpool_limits

    from otklik.nlp.sentiment import datasets as ds
    from otklik.nlp.sentiment.model import SentimentModel

    texts = [e.text for e in ds.rusentitweet(data / "rusentitweet_train.csv")[:5000]]
    texts += [e.text for e in ds.airline(data / "airline_tweets.csv")[:5000]]
    with threadpool_limits(1):
        t0 = time.perf_counter()
        model = SentimentModel.load()
        load_s = time.perf_counter() - t0
        model.predict(texts[:256])
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), 256):
            model.predict(texts[i : i + 256])
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"default model ({len(texts)} texts, lang guessed from script, one thread):")
    print(f"  {len(texts) / cpu:,.0f} texts per CPU-second (one core's throughput); "
          f"{len(texts) / elapsed:,.0f} texts/s wall-clock on this (shared) machine")
    print(f"  load {load_s:.1f}s wall, peak RSS {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"error: {args.data}: no such folder", file=sys.stderr)
        return 2
    if args.speed_only:
        speed(args.data)
        return 0
    quality(args.data)
    sys.stdout.flush()
    env = {**os.environ, **ONE_THREAD}
    cmd = [sys.executable, __file__, "--data", str(args.data), "--speed-only"]
    return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
