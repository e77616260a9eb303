"""Near-duplicate mentions, found as they arrive.

Copy-pasted complaints, reposts with a word changed and bot campaigns should land in one cluster,
so the desk answers once and the attack detector sees the copying. Two steps, cheapest first:

1. an exact hash of the normalised text (links, @handles, case, ё, repeats already folded);
2. MinHash LSH (datasketch) over character shingles, for texts with small edits; a candidate must
   also reach the Jaccard threshold on its MinHash estimate.

The index is incremental (`add` answers for one new text against everything kept) and bounded:
it keeps at most `max_items` texts and forgets texts older than `window` before the newest one, so
memory stays flat on an endless stream. Each cluster is a star: `add` returns the cluster's first
key, which the pipeline stores as the cluster.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from datasketch import MinHash, MinHashLSH
from datasketch.storage import UnorderedStorage

from otklik.nlp.normalize import URL_TOKEN, USER_TOKEN, normalize

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TOKENS = re.compile(rf"\b(?:{URL_TOKEN}|{USER_TOKEN})\b\s*")


def canonical(text: str) -> str:
    """The text as hashed: normalised, punctuation and spacing dropped, words kept in order."""
    return _NON_WORD.sub(" ", normalize(text)).strip()


def content_length(canon: str) -> int:
    """Characters of a canonical text that are not link or @handle tokens."""
    return len(_TOKENS.sub("", canon).strip())


def shingles(text: str, k: int) -> set[str]:
    """Character k-grams of a canonical text (the whole text when shorter than k)."""
    if len(text) <= k:
        return {text}
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def _hash32(shingle: str) -> int:
    """CRC-32 of the shingle: several times faster than datasketch's SHA-1 and, unlike Python's
    salted `hash`, the same in every process, so results do not vary from run to run (the
    random permutations MinHash applies on top do the mixing).
    """
    return zlib.crc32(shingle.encode())


def _aware(at: datetime | None) -> datetime | None:
    """Times read back from SQLite are naive; they are UTC, and must compare with aware ones."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class _CompactBuckets(UnorderedStorage):  # type: ignore[misc]
    """One LSH band table that stores a lone key as itself, not in a set of one.

    Almost every bucket of a near-duplicate index holds one text; datasketch's default
    `defaultdict(set)` spends a ~250-byte set on each, which made the index ~4.5 KB per text.
    """

    def __init__(self) -> None:
        self._d: dict[Any, Any] = {}

    def keys(self) -> Any:
        return self._d.keys()

    def get(self, key: Any) -> Any:
        v = self._d.get(key, ())
        return v if isinstance(v, list) or v == () else (v,)

    def insert(self, key: Any, *vals: Any, **kwargs: Any) -> None:
        for val in vals:
            have = self._d.get(key, _MISSING)
            if have is _MISSING:
                self._d[key] = val
            elif isinstance(have, list):
                if val not in have:
                    have.append(val)
            elif have != val:
                self._d[key] = [have, val]

    def remove(self, *keys: Any, **kwargs: Any) -> None:
        for key in keys:
            self._d.pop(key, None)

    def remove_val(self, key: Any, val: Any, **kwargs: Any) -> None:
        have = self._d.get(key, _MISSING)
        if isinstance(have, list):
            have.remove(val)
            if len(have) == 1:
                self._d[key] = have[0]
        elif have is not _MISSING and have == val:
            del self._d[key]

    def size(self) -> int:
        return len(self._d)

    def itemcounts(self, **kwargs: Any) -> dict[Any, int]:
        return {k: len(v) if isinstance(v, list) else 1 for k, v in self._d.items()}

    def has_key(self, key: Any) -> bool:
        return key in self._d


_MISSING = object()


@dataclass(slots=True)
class _Entry:
    key: Hashable
    root: Hashable
    at: datetime | None
    digest: bytes
    in_lsh: bool
    canon: str


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
        # candidate is then checked against `threshold` on its MinHash estimate.
        self._lsh = MinHashLSH(threshold=max(0.3, threshold - 0.15), num_perm=num_perm)
        self._lsh.hashtables = [_CompactBuckets() for _ in self._lsh.hashtables]
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
        """`add` for many texts in order; MinHashes are computed in one vectorised pass."""
        canon = [canonical(text or "") for _, text, _ in items]
        sizes = [content_length(c) for c in canon]
        need = [i for i, n in enumerate(sizes) if n >= self.min_chars]
        sets = [shingles(canon[i], self.shingle) for i in need]
        sigs = MinHash.bulk(sets, num_perm=self.num_perm, hashfunc=_hash32) if sets else []
        by_item = dict(zip(need, zip(sigs, sets, strict=True), strict=True))
        return [
            self._add_one(key, canon[i], sizes[i], _aware(at), *by_item.get(i, (None, None)))
            for i, (key, _, at) in enumerate(items)
        ]

    def _add_one(
        self,
        key: Hashable,
        canon: str,
        size: int,
        at: datetime | None,
        sig: MinHash | None,
        grams: set[str] | None,
    ) -> Hashable | None:
        if key in self._entries:
            entry = self._entries[key]
            return None if entry.root == key else entry.root
        if size < self.min_exact_chars:
            return None
        digest = hashlib.blake2b(canon.encode(), digest_size=16).digest()
        root: Hashable | None = None
        earlier = self._by_digest.get(digest)
        if earlier is not None and earlier in self._entries:
            root = self._entries[earlier].root
        elif sig is not None and grams is not None:
            root = self._near(sig, grams)
        in_lsh = (sig is not None and earlier is None
                  and self._lsh_members.get(root, 0) < self.max_lsh_per_cluster)
        if in_lsh and sig is not None:
            self._lsh.insert(key, sig, check_duplication=False)
            cluster = root if root is not None else key
            self._lsh_members[cluster] = self._lsh_members.get(cluster, 0) + 1
        self._entries[key] = _Entry(
            key, root if root is not None else key, at, digest, in_lsh, canon if in_lsh else ""
        )
        self._by_digest[digest] = key
        self._order.append(key)
        if at is not None and (self._newest is None or at > self._newest):
            self._newest = at
        self._evict()
        return root

    def _near(self, sig: MinHash, grams: set[str]) -> Hashable | None:
        """Root of the most similar cluster among the LSH candidates, if similar enough.

        LSH proposes; the exact Jaccard of the shingle sets decides (MinHash estimates on short
        posts are off by ±0.06, enough to join unrelated texts or miss real copies).
        """
        best: tuple[float, Hashable] | None = None
        seen_roots: set[Hashable] = set()
        for cand in self._lsh.query(sig):
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
        if entry.in_lsh:
            self._lsh.remove(entry.key)
            left = self._lsh_members.get(entry.root, 0) - 1
            if left > 0:
                self._lsh_members[entry.root] = left
            else:
                self._lsh_members.pop(entry.root, None)
        if self._by_digest.get(entry.digest) == entry.key:
            del self._by_digest[entry.digest]
