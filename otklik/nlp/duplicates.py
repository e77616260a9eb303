"""Near-duplicate mentions, found as they arrive.

Copy-pasted complaints, reposts with a word changed and bot campaigns should land in one cluster,
so the desk answers once and the attack detector sees the copying. Two steps, cheapest first:

1. an exact hash of the normalised text (links, @handles, case, ё, repeats already folded);
2. MinHash LSH over character shingles, for texts with small edits: the signatures of a batch
   are computed in a few numpy passes (`otklik.nlp.minhash`, the values datasketch's `MinHash`
   gives with CRC-32), banded as datasketch's `MinHashLSH` bands them; a candidate must also reach
   the threshold on the exact Jaccard similarity of the two shingle sets.

The index is incremental (`add` answers for one new text against everything kept) and bounded:
it keeps at most `max_items` texts and forgets texts older than `window` before the newest one, so
memory stays flat on an endless stream. Each cluster is a star: `add` returns the cluster's first
key, which the pipeline stores as the cluster.

Cost (issue 26; `.venv/bin/python bench/enrich.py`, 2-CPU AMD EPYC, load ~2-3, CPU time): with
datasketch's `MinHash.bulk` and `MinHashLSH` (a093271) `add_batch` took 0.100 ms a text on 2,000
tweets and the DuplicateEnricher 111.5 ms per 1,000 mentions; vectorised, 0.032 ms and 38.4 ms,
of which `canonical()` is 0.024 ms a text. Memory per kept text is unchanged (2.3 KB), the
answers are the same (tests/nlp/test_duplicates_signatures.py), and now the same in every
process: datasketch returned candidates in set order, which varies with PYTHONHASHSEED for
string keys, and the most similar cluster can depend on that order.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import repeat
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from otklik.nlp.minhash import ShingleMinHash
from otklik.nlp.normalize import URL_TOKEN, USER_TOKEN, normalize

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TOKENS = re.compile(rf"\b(?:{URL_TOKEN}|{USER_TOKEN})\b\s*")


def canonical(text: str) -> str:
    """The text as hashed: normalised, punctuation and spacing dropped, words kept in order."""
    return _NON_WORD.sub(" ", normalize(text)).strip()


def content_length(canon: str) -> int:
    """Characters of a canonical text that are not link or @handle tokens."""
    if URL_TOKEN not in canon and USER_TOKEN not in canon:
        return len(canon.strip())
    return len(_TOKENS.sub("", canon).strip())


def _content_or_floor(canon: str, floor: int) -> int:
    """`content_length`, or a number at least `floor` when the content surely reaches it.

    Dropping a token takes it and the space after it, and a space may be left at the end, so
    the content is at least `len(canon) - tokens * (longest token + 1) - 1`: most texts are
    known to be long enough without the regex pass.
    """
    tokens = canon.count(URL_TOKEN) + canon.count(USER_TOKEN)
    if len(canon) - tokens * (max(len(URL_TOKEN), len(USER_TOKEN)) + 1) - 1 >= floor:
        return len(canon)
    return content_length(canon)


def shingles(text: str, k: int) -> set[str]:
    """Character k-grams of a canonical text (the whole text when shorter than k)."""
    if len(text) <= k:
        return {text}
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def _aware(at: datetime | None) -> datetime | None:
    """Times read back from SQLite are naive; they are UTC, and must compare with aware ones."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class _Bands:
    """MinHash LSH tables: one dict per band, from the band's signature bytes to the keys.

    The banding is datasketch's (`MinHashLSH` picks the bands for the threshold), so the same
    texts are proposed. Almost every bucket of a near-duplicate index holds one text, so a lone
    key is stored as itself, not in a list of one; a set per bucket (datasketch's storage) made
    the index ~4.5 KB per text.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.count, self.rows = _banding(threshold, num_perm)
        self.tables: list[dict[bytes, Any]] = [{} for _ in range(self.count)]

    def keys_of(self, sigs: np.ndarray) -> list[list[bytes]]:
        """Band keys of each signature row: the bytes of its `rows` values per band."""
        used = np.ascontiguousarray(sigs[:, : self.count * self.rows])
        keys: list[list[bytes]] = used.view(f"V{4 * self.rows}").tolist()
        return keys

    def query(self, bands: list[bytes]) -> list[Hashable]:
        """Keys sharing a band, each once, in band order then insertion order."""
        if not any(map(dict.__contains__, self.tables, bands)):
            return []  # the usual answer, found in one C-level pass
        hits = [h for h in map(dict.get, self.tables, bands, repeat(_MISSING)) if h is not _MISSING]
        found: dict[Hashable, None] = {}
        for have in hits:
            if isinstance(have, list):
                found.update(dict.fromkeys(have))
            else:
                found[have] = None
        return list(found)

    def insert(self, key: Hashable, bands: list[bytes]) -> None:
        # one C-level pass; only the (few) bands already holding a key need more
        haves = list(map(dict.setdefault, self.tables, bands, repeat(key)))
        for i, have in enumerate(haves):
            if have is key:
                continue
            if isinstance(have, list):
                have.append(key)
            else:
                self.tables[i][bands[i]] = [have, key]

    def remove(self, key: Hashable, bands: list[bytes]) -> None:
        for band, table in zip(bands, self.tables, strict=True):
            have = table.get(band, _MISSING)
            if isinstance(have, list):
                have.remove(key)
                if len(have) == 1:
                    table[band] = have[0]
            elif have is not _MISSING and have == key:
                del table[band]


@lru_cache(maxsize=16)
def _banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band datasketch's `MinHashLSH` picks (it integrates: ~7 ms)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


_MISSING = object()


@dataclass(slots=True)
class _Entry:
    key: Hashable
    root: Hashable
    at: datetime | None
    digest: bytes
    bands: list[bytes] | None  # its LSH band keys while it is an LSH candidate
    canon: str

    @property
    def in_lsh(self) -> bool:
        return self.bands is not None


class DuplicateIndex:
    """Incremental near-duplicate index over a bounded window of recent texts.

    `threshold` is the Jaccard similarity of character `shingle`-grams above which two texts are
    one cluster (a 100-character post with one word changed scores about 0.77; unrelated posts
    on the same topic stay far below). A new text joins through its most similar member but must
    also be within `threshold - drift` of the cluster's first text, so chains of edits stay near.
    Texts shorter than `min_chars` (canonical) are only matched exactly, and those shorter than
    `min_exact_chars` not at all: many people write "спасибо". Memory per kept text is printed
    by `bench/enrich.py`.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        num_perm: int = 64,
        shingle: int = 5,
        max_items: int = 20_000,
        window: timedelta | None = timedelta(days=3),
        min_chars: int = 30,
        min_exact_chars: int = 16,
        drift: float = 0.15,
        max_lsh_per_cluster: int = 64,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if max_items < 1:
            raise ValueError("max_items must be positive")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self.max_items = max_items
        self.window = window
        self.min_chars = min_chars
        self.min_exact_chars = min_exact_chars
        self.drift = drift
        # An information attack posts thousands of near-copies of one text. Each copy in the LSH
        # tables makes every later copy's query longer (the buckets are shared), so a storm
        # cost grew with its own size; past this many variants of a cluster, a new copy joins
        # the cluster without being proposed as a candidate itself.
        self.max_lsh_per_cluster = max_lsh_per_cluster
        self._lsh_members: dict[Hashable, int] = {}
        # LSH only proposes candidates: a lower band threshold misses fewer true pairs, and each
        # candidate is then checked against `threshold` on the exact Jaccard similarity.
        self._minhash = ShingleMinHash(num_perm, shingle)
        self._lsh = _Bands(max(0.3, threshold - 0.15), num_perm)
        self._entries: dict[Hashable, _Entry] = {}
        self._order: deque[Hashable] = deque()
        self._by_digest: dict[bytes, Hashable] = {}
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def add(self, key: Hashable, text: str, at: datetime | None = None) -> Hashable | None:
        """Index one text; return the first key of the cluster it joins, or None if it is new.

        Adding a key that is already indexed answers as before and changes nothing.
        """
        return self.add_batch([(key, text, at)])[0]

    def add_batch(
        self, items: Sequence[tuple[Hashable, str, datetime | None]]
    ) -> list[Hashable | None]:
        """`add` for many texts in order; MinHashes are computed in one vectorised pass.

        Only texts that may reach the LSH step get a signature: long enough, not indexed yet,
        and not an exact copy of a kept text or of an earlier one in the batch.
        """
        canon = [canonical(text or "") for _, text, _ in items]
        # only compared with the two thresholds: the exact figure where it is near them
        floor = max(self.min_chars, self.min_exact_chars)
        sizes = [_content_or_floor(c, floor) for c in canon]
        digests: list[bytes | None] = [
            hashlib.blake2b(c.encode(), digest_size=16).digest() if n >= self.min_exact_chars
            else None for c, n in zip(canon, sizes, strict=True)
        ]
        need: list[int] = []
        seen: set[bytes] = set()
        for i, ((key, _, _), digest) in enumerate(zip(items, digests, strict=True)):
            if digest is None or key in self._entries:
                continue
            if sizes[i] >= self.min_chars and digest not in seen and digest not in self._by_digest:
                need.append(i)
            seen.add(digest)
        bands: dict[int, list[bytes]] = {}
        if need:
            sigs = self._minhash.signatures([canon[i] for i in need])
            bands = dict(zip(need, self._lsh.keys_of(sigs), strict=True))
        return [
            self._add_one(key, canon[i], sizes[i], _aware(at), digests[i], bands.get(i))
            for i, (key, _, at) in enumerate(items)
        ]

    def _add_one(
        self,
        key: Hashable,
        canon: str,
        size: int,
        at: datetime | None,
        digest: bytes | None,
        bands: list[bytes] | None,
    ) -> Hashable | None:
        if key in self._entries:
            entry = self._entries[key]
            return None if entry.root == key else entry.root
        if size < self.min_exact_chars or digest is None:
            return None
        root: Hashable | None = None
        earlier = self._by_digest.get(digest)
        if earlier is not None and earlier in self._entries:
            root = self._entries[earlier].root
            bands = None
        elif size >= self.min_chars:
            if bands is None:  # its exact copy was forgotten earlier in this batch
                bands = self._lsh.keys_of(self._minhash.signatures([canon]))[0]
            root = self._near(canon, bands)
        else:
            bands = None
        if bands is not None and (earlier is not None
                                  or self._lsh_members.get(root, 0) >= self.max_lsh_per_cluster):
            bands = None
        if bands is not None:
            self._lsh.insert(key, bands)
            cluster = root if root is not None else key
            self._lsh_members[cluster] = self._lsh_members.get(cluster, 0) + 1
        self._entries[key] = _Entry(
            key, root if root is not None else key, at, digest, bands,
            canon if bands is not None else "",
        )
        self._by_digest[digest] = key
        self._order.append(key)
        if at is not None and (self._newest is None or at > self._newest):
            self._newest = at
        self._evict()
        return root

    def _near(self, canon: str, bands: list[bytes]) -> Hashable | None:
        """Root of the most similar cluster among the LSH candidates, if similar enough.

        LSH proposes; the exact Jaccard of the shingle sets decides (MinHash estimates on short
        posts are off by ±0.06, enough to join unrelated texts or miss real copies).
        """
        candidates = self._lsh.query(bands)
        if not candidates:
            return None
        grams = shingles(canon, self.shingle)
        best: tuple[float, Hashable] | None = None
        seen_roots: set[Hashable] = set()
        for cand in candidates:
            entry = self._entries.get(cand)
            if entry is None or entry.root in seen_roots:
                continue
            sim = jaccard(grams, shingles(entry.canon, self.shingle))
            if sim < self.threshold:
                continue
            root = self._entries.get(entry.root)
            # Chains of small edits must not drift far from the cluster's first post.
            near_root = (
                root is None
                or root is entry
                or not root.canon
                or jaccard(grams, shingles(root.canon, self.shingle)) >= self.threshold - self.drift
            )
            if not near_root:
                continue
            seen_roots.add(entry.root)
            if best is None or sim > best[0]:
                best = (sim, entry.root)
        return None if best is None else best[1]

    def _evict(self) -> None:
        cutoff = None
        if self.window is not None and self._newest is not None:
            cutoff = self._newest - self.window
        while self._order:
            oldest = self._entries[self._order[0]]
            too_many = len(self._order) > self.max_items
            too_old = cutoff is not None and oldest.at is not None and oldest.at < cutoff
            if not (too_many or too_old):
                break
            self._order.popleft()
            self._forget(oldest)

    def _forget(self, entry: _Entry) -> None:
        del self._entries[entry.key]
        if entry.bands is not None:
            self._lsh.remove(entry.key, entry.bands)
            left = self._lsh_members.get(entry.root, 0) - 1
            if left > 0:
                self._lsh_members[entry.root] = left
            else:
                self._lsh_members.pop(entry.root, None)
        if self._by_digest.get(entry.digest) == entry.key:
            del self._by_digest[entry.digest]
