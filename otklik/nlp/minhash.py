"""MinHash signatures of character shingles for a whole batch of texts in a few numpy passes.

The values are bit for bit those of `datasketch.MinHash.bulk(sets, num_perm, hashfunc=crc32)`
with its default "affine32" scheme, which `otklik.nlp.duplicates` used one text and one shingle
at a time: each shingle (the text's UTF-8 bytes of `k` characters, the whole text when shorter)
is hashed with zlib's CRC-32, pre-mixed with the MurmurHash3 finalizer, then permutation `i` maps
it to `a[i] * h + b[i] mod 2**32` (the permutations datasketch draws from seed 1), and a text's
signature is the minimum of each permutation over its shingles. Nothing depends on Python's
salted `hash`, so every process computes the same signatures.

How: the texts of a chunk (~8,000 shingles) are joined and encoded once; each shingle is a byte
span of that buffer. CRC-32 is linear, so a shingle's CRC is its CRC from a zero register (where
leading zero bytes change nothing) xor a constant of its length; the spans are left-padded with
zeros to whole 32-bit words and folded a word per step with two 16-bit lookup tables
(slicing-by-4), all shingles at once, the shorter ones dropping out as they end. The permutations
are a (permutations x shingles) uint32 product, 16 permutations at a time, reduced per text with
`np.minimum.reduceat`. Chunks keep the temporaries small: on this machine a page fault costs
~2.5 us, and fresh multi-megabyte arrays per batch cost more than the arithmetic.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash

_POLY = np.uint32(0xEDB88320)  # zlib's CRC-32, reflected
_CHUNK = 8192  # shingles per pass
_PERMS = 16  # permutations per pass: 16 x 8192 x 4 bytes = 512 KB of permuted hashes


def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """Tables folding one little-endian 32-bit word into a zero-based CRC-32 register.

    `by_byte[d][v]` is the register after byte `v` followed by `d` zero bytes; a word's low half
    is followed by two more bytes (`lo`), its high half by none (`hi`).
    """
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ _POLY, t >> 1).astype(np.uint32)
    by_byte = [t]
    for _ in range(3):
        prev = by_byte[-1]
        by_byte.append((prev >> 8) ^ t[prev & 0xFF])
    v = np.arange(1 << 16, dtype=np.uint32)
    lo = by_byte[3][v & 0xFF] ^ by_byte[2][v >> 8]
    hi = by_byte[1][v & 0xFF] ^ by_byte[0][v >> 8]
    return lo, hi


_LO, _HI = _crc_tables()
_MAX_BYTES = 4 * 64  # a shingle of up to 64 characters of 4 UTF-8 bytes
# CRC-32 of n bytes = their zero-register CRC xor the CRC-32 of n zero bytes
_ZERO_CRC = np.array([zlib.crc32(bytes(n)) for n in range(_MAX_BYTES + 1)], dtype=np.uint32)
_KEEP = np.array([0xFFFFFFFF, 0xFFFFFF00, 0xFFFF0000, 0xFF000000], dtype=np.uint32)  # by padding


def shingle_crc32(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """`zlib.crc32` of every character `k`-gram's UTF-8 bytes, texts after each other.

    Returns the CRCs and the offsets where each text's shingles start (one more than texts). A
    text of at most `k` characters is one shingle, itself (the empty text too).
    """
    if not 1 <= k <= _MAX_BYTES // 4:
        raise ValueError("shingle length must be in 1..64")
    raw = "".join(texts).encode("utf-8")
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    count = np.maximum(lens - k + 1, 1)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    total = int(offsets[-1])
    if total == 0:
        return np.zeros(0, dtype=np.uint32), offsets
    # the buffer: three zero bytes, the texts' UTF-8, four zero bytes (so a padded first word
    # and the last one read inside it)
    buf = np.zeros(len(raw) + 7, dtype=np.uint8)
    body = buf[3:-4]
    body[:] = np.frombuffer(raw, dtype=np.uint8)
    # where each character starts in it (a UTF-8 continuation byte is 10xxxxxx), and the end
    at = np.empty(int(lens.sum()) + 1, dtype=np.int64)
    at[:-1] = np.flatnonzero((body & 0xC0) != 0x80)
    at[-1] = len(raw)
    at += 3
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    first = np.arange(total, dtype=np.int64)
    first += np.repeat(starts - offsets[:-1], count)
    begin = at[first]
    if lens.min() >= k:
        first += k
    else:
        first += np.repeat(np.minimum(lens, k), count)
    size = at[first] - begin
    words = (size + 3) >> 2
    pad = (words << 2) - size
    # `word[i]` is the little-endian word of the four buffer bytes from byte i
    word = np.ndarray((len(buf) - 3,), dtype="<u4", buffer=buf.data, strides=(1,)).copy()
    # word 0 of each shingle, its padding bytes (of the text before) masked to zero
    ptr = begin - pad
    x = np.take(word, ptr) & np.take(_KEEP, pad)
    x[words == 0] = 0  # the empty text: no word, the register stays zero
    crc = np.take(_LO, x & 0xFFFF) ^ np.take(_HI, x >> 16)
    for step in range(1, int(words.max())):
        ptr += 4
        longer = None if words.min() > step else np.flatnonzero(words > step)
        if longer is None:
            x = np.take(word, ptr) ^ crc
            crc = np.take(_LO, x & 0xFFFF) ^ np.take(_HI, x >> 16)
        else:
            x = np.take(word, ptr[longer]) ^ crc[longer]
            crc[longer] = np.take(_LO, x & 0xFFFF) ^ np.take(_HI, x >> 16)
    crc ^= np.take(_ZERO_CRC, size)
    return crc, offsets


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch pre-mixes an input hash."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


class ShingleMinHash:
    """Signatures of texts' character `k`-gram sets under `num_perm` permutations."""

    def __init__(self, num_perm: int, k: int, seed: int = 1) -> None:
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self.a = np.ascontiguousarray(a, dtype=np.uint32)[:, None]
        self.b = np.ascontiguousarray(b, dtype=np.uint32)[:, None]
        self.num_perm = num_perm
        self.k = k
        # Permuted hashes, _PERMS permutations x _CHUNK shingles at a time, in one buffer kept
        # for the index's life: a fresh one per batch costs more in page faults than it is used.
        self._buf = np.empty((min(num_perm, _PERMS), _CHUNK), dtype=np.uint32)
        self._lock = threading.Lock()

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """A (texts x num_perm) uint32 array, row i the MinHash of text i's shingles."""
        sig = np.empty((self.num_perm, len(texts)), dtype=np.uint32)
        # whole texts per pass, up to _CHUNK shingles (a longer text alone)
        cut, rows = 0, 0
        for end, text in enumerate(texts):
            more = max(len(text) - self.k + 1, 1)
            if rows + more > _CHUNK and rows:
                self._fold(texts[cut:end], sig[:, cut:end])
                cut, rows = end, 0
            rows += more
        if cut < len(texts):
            self._fold(texts[cut:], sig[:, cut:])
        return sig.T

    def _fold(self, texts: Sequence[str], out: np.ndarray) -> None:
        hv, offsets = shingle_crc32(texts, self.k)
        hv = _fmix32(hv)[None, :]
        with self._lock:
            buf = self._buf if hv.shape[1] <= _CHUNK else np.empty((len(self._buf), hv.shape[1]),
                                                                   dtype=np.uint32)
            for p in range(0, self.num_perm, len(buf)):
                q = min(p + len(buf), self.num_perm)
                phv = buf[: q - p, : hv.shape[1]]
                # permutations along rows: each product is a vector times a scalar
                np.multiply(self.a[p:q], hv, out=phv)
                phv += self.b[p:q]
                np.minimum.reduceat(phv, offsets[:-1], axis=1, out=out[p:q])
