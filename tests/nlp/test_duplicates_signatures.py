"""The vectorised MinHash of the near-duplicate index: datasketch's values, the same clusters.

`otklik.nlp.minhash` replaced `datasketch.MinHash.bulk` over CRC-32'd shingle sets (one text and
one shingle at a time, issue 26); its signatures must be those values bit for bit, so the LSH
proposes the same candidates and the index answers as before, in every process.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from otklik.nlp.duplicates import DuplicateIndex, _content_or_floor, canonical, content_length
from otklik.nlp.minhash import ShingleMinHash, shingle_crc32

ROOT = Path(__file__).resolve().parents[2]
TELECOMS = ROOT.parent / "shared" / "data" / "sentiment" / "sentirueval2015_telecoms_train.csv"
FIXTURE = ROOT / "tests" / "fixtures" / "nlp" / "duplicates.jsonl"
ODD = ["", "a", "abcd", "abcde", "abcdef", "ж", "ёжик", "привет мир", "x y z 1 2 3",
       "中文字符的文本 and latin", "𝔸𝔹ℂ𝔻𝔼 four-byte letters 𝔽𝔾", "e\u0301 combining", "a" * 9000,
       "".join(random.Random(5).choice("аб cd 中𝔸") for _ in range(20_000))]


def _shingles(text: str, k: int) -> set[str]:
    return {text} if len(text) <= k else {text[i : i + k] for i in range(len(text) - k + 1)}


def _datasketch(texts: list[str], k: int, num_perm: int = 64) -> np.ndarray:
    """The signatures as the index computed them before issue 26."""
    sets = [_shingles(t, k) for t in texts]
    bulk = MinHash.bulk(sets, num_perm=num_perm, hashfunc=lambda s: zlib.crc32(s.encode()))
    return np.array([m.hashvalues for m in bulk], dtype=np.uint32)


def _real_texts(n: int) -> list[str]:
    if not TELECOMS.exists():
        return []
    with TELECOMS.open(encoding="utf-8") as f:
        return [canonical(r["text"]) for r in csv.DictReader(f)][:n]


@pytest.mark.parametrize("k", [1, 3, 5, 9])
def test_shingle_crcs_are_zlib_crc32_of_the_utf8(k: int) -> None:
    texts = ODD + _real_texts(200) + ODD[:4]
    crcs, offsets = shingle_crc32(texts, k)
    want = [zlib.crc32(t[i : i + k].encode()) for t in texts for i in range(max(len(t) - k + 1, 1))]
    assert crcs.tolist() == want
    assert np.diff(offsets).tolist() == [max(len(t) - k + 1, 1) for t in texts]


@pytest.mark.parametrize(("k", "num_perm"), [(5, 64), (4, 96), (3, 20)])
def test_signatures_are_datasketch_minhash_values(k: int, num_perm: int) -> None:
    texts = _real_texts(1500) + ODD  # several chunks, and texts longer than one
    assert (ShingleMinHash(num_perm, k).signatures(texts) == _datasketch(texts, k, num_perm)).all()
    assert ShingleMinHash(num_perm, k).signatures([]).shape == (0, num_perm)


def test_the_content_floor_never_crosses_a_threshold() -> None:
    rng = random.Random(3)
    words = ["xxurl", "xxuser", "a", "ab", "слово", "xxurlx", "axxuser", "https://t.co/x", "@u"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 16))) for _ in range(5000)]
    for canon in map(canonical, texts + [r["text"] for r in _fixture_rows()]):
        exact = content_length(canon)
        for floor in (0, 5, 16, 30, 45):
            got = _content_or_floor(canon, floor)
            assert got == exact or (got >= floor and exact >= floor), (canon, floor)


def _fixture_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def _edited(text: str, rng: random.Random) -> str:
    """One small edit: a word dropped, two swapped, one added, a typo or a word at the end."""
    words = text.split()
    i = rng.randrange(len(words))
    op = rng.choice(["drop", "swap", "add", "typo", "tail"])
    extra = ["очень", "реально", "!!!", "😡", "https://t.co/x1", "@mts_support", "really"]
    if op == "drop" and len(words) > 4:
        del words[i]
    elif op == "swap" and len(words) > 2:
        j = min(i + 1, len(words) - 1)
        words[i], words[j] = words[j], words[i]
    elif op == "add":
        words.insert(i, rng.choice(extra))
    elif op == "typo" and len(words[i]) > 3:
        k = rng.randrange(len(words[i]))
        words[i] = words[i][:k] + words[i][k + 1 :]
    else:
        words.append(rng.choice(extra))
    return " ".join(words)


def _telecom_stream() -> list[tuple[str, str]]:
    """1,000 real tweets about telecoms, edited copies of 500 and twice-edited of 200, mixed."""
    with TELECOMS.open(encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f)][:1000]
    rng = random.Random(26)
    items = [(f"o{i}", t) for i, t in enumerate(texts)]
    items += [(f"e{i}", _edited(t, rng)) for i, t in enumerate(texts[:500])]
    items += [(f"f{i}", _edited(_edited(t, rng), rng)) for i, t in enumerate(texts[:200])]
    rng.shuffle(items)
    return items


@pytest.mark.skipif(not TELECOMS.exists(), reason="needs ../shared/data/sentiment")
def test_clusters_on_real_texts_are_those_of_the_datasketch_index() -> None:
    """Recorded with the datasketch index of a093271 (the same under PYTHONHASHSEED 0-3): 667
    of the 1,700 texts join a cluster, and every answer is the same. If `canonical` changes on
    purpose, re-record the figures."""
    index = DuplicateIndex()
    items = _telecom_stream()
    answers: list[object] = []
    for k in range(0, len(items), 150):
        answers += index.add_batch([(key, text, None) for key, text in items[k : k + 150]])
    assert sum(a is not None for a in answers) == 667
    assert hashlib.sha256(json.dumps(answers).encode()).hexdigest() == (
        "83bacf6bfaffb81eecc9836bb472edba87bd399a726c1c76e787a0db9d16cf0d"
    )


_RUN = """
import hashlib, json, random, sys
from otklik.nlp.duplicates import DuplicateIndex, canonical
from otklik.nlp.minhash import ShingleMinHash
texts = json.loads(sys.stdin.read())
index = DuplicateIndex()
answers = index.add_batch([(f"k{i}", t, None) for i, t in enumerate(texts)])
sig = ShingleMinHash(64, 5).signatures([canonical(t) for t in texts])
print(json.dumps([answers, hashlib.sha256(sig.tobytes()).hexdigest()]))
"""


def test_results_are_identical_across_processes() -> None:
    """String keys hash differently in every process (PYTHONHASHSEED); the answers must not."""
    rng = random.Random(7)
    base = [r["text"] for r in _fixture_rows()] + [t for t in _real_texts(300) if t]
    texts = base + [_edited(t, rng) for t in base for _ in range(2)]
    rng.shuffle(texts)
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", _RUN], input=json.dumps(texts), env=env,
                              capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    answers, _ = runs[0]
    assert sum(a is not None for a in answers) > len(base)  # edited copies did join
    here = DuplicateIndex().add_batch([(f"k{i}", t, None) for i, t in enumerate(texts)])
    assert here == answers
