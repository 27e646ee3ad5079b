"""Near-duplicate signatures: word n-gram shingles, MinHash, LSH band keys (docs/duplicates.md).

Only `signature()` needs numpy (NlpLayer, through spaCy): it is imported when a signature is computed,
which happens only in the process function. Everything the API needs to read a stored signature
(`Signature.from_bytes`, `band_keys`, `similarity`) is plain Python, so the ApiFunction (CoreLayer only)
can query the bands and estimate similarities without numpy.

Stability matters more than speed here: band keys are stored, so the word hash, the permutations and the
band hash are derived from blake2b with fixed personalisation, never from Python's randomised `hash()`
or a numpy random stream (whose output numpy does not promise to keep across versions).
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Scheme:
    """Shingle size, signature length and banding; the defaults are the measured choice (docs/duplicates.md)."""

    ngram: int = 3  # word 3-grams
    num_perm: int = 128  # signature values: standard error of the estimate <= 0.045
    bands: int = 16  # one DynamoDB Query per band at lookup
    rows: int = 3  # values per band: bands * rows <= num_perm (the LSH uses the first 48 values)
    threshold: float = 0.5  # estimated Jaccard similarity at or above which two texts are near-duplicates
    min_shingles: int = 20  # shorter texts get no signature: too few shingles for a meaningful estimate

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")

    def candidate_probability(self, similarity: float) -> float:
        """The chance that two texts of this Jaccard similarity share at least one band bucket."""
        return 1 - (1 - similarity**self.rows) ** self.bands


SCHEME = Scheme()


@dataclass(frozen=True)
class Signature:
    """A MinHash signature: `num_perm` 32-bit minima, stored as little-endian bytes."""

    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return struct.pack(f"<{len(self.values)}I", *self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) % 4:
            raise ValueError("a signature has 4 bytes per value")
        return cls(struct.unpack(f"<{len(data) // 4}I", data))

    def band_keys(self, scheme: Scheme = SCHEME) -> list[str]:
        """One partition key per band: `LSH#<band>#<bucket>`, the bucket a 64-bit hash of the band's values."""
        keys = []
        for band in range(scheme.bands):
            chunk = self.values[band * scheme.rows : (band + 1) * scheme.rows]
            packed = struct.pack(f"<H{len(chunk)}I", band, *chunk)
            bucket = hashlib.blake2b(packed, digest_size=8, person=b"newsproc-band").hexdigest()
            keys.append(f"LSH#{band:02d}#{bucket}")
        return keys

    def similarity(self, other: Signature) -> float:
        """The estimated Jaccard similarity of the two shingle sets: the share of equal minima."""
        if len(self.values) != len(other.values) or not self.values:
            return 0.0
        same = sum(a == b for a, b in zip(self.values, other.values, strict=True))
        return same / len(self.values)


def words(text: str) -> list[str]:
    """Normalised words: NFKC, case-folded, punctuation and spacing dropped (so layout never matters)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8, person=b"newsproc-word").digest(), "little")


def _permutation_constants(num_perm: int) -> list[tuple[int, int]]:
    """(a, b) per permutation, a odd: h -> (a*h + b) mod 2^64, keeping the high 32 bits (multiply-shift)."""
    constants = []
    for k in range(num_perm):
        digest = hashlib.blake2b(k.to_bytes(4, "little"), digest_size=16, person=b"newsproc-perm").digest()
        a = int.from_bytes(digest[:8], "little") | 1
        b = int.from_bytes(digest[8:], "little")
        constants.append((a, b))
    return constants


class _Hasher:
    """The numpy side, built once per scheme: permutation constants as arrays."""

    CHUNK = 4096  # shingles per step: num_perm x CHUNK uint64 stays near 4 MB whatever the text length

    def __init__(self, scheme: Scheme) -> None:
        import numpy as np  # NlpLayer: only the process function computes signatures

        self.np = np
        self.scheme = scheme
        a, b = zip(*_permutation_constants(scheme.num_perm), strict=True)
        self.a = np.array(a, dtype=np.uint64)[:, None]
        self.b = np.array(b, dtype=np.uint64)[:, None]
        # Position multipliers of the n-gram hash: odd, so each word's hash stays a bijection.
        mult = [_word_hash(f"position-{i}") | 1 for i in range(scheme.ngram)]
        self.position = np.array(mult, dtype=np.uint64)

    def shingles(self, tokens: list[str]) -> np.ndarray:
        """The distinct 64-bit hashes of the word n-grams (a text shorter than n: one shingle of all its words)."""
        np = self.np
        cache: dict[str, int] = {}
        hashes = np.array([cache.get(w) or cache.setdefault(w, _word_hash(w)) for w in tokens], dtype=np.uint64)
        n = min(self.scheme.ngram, len(hashes))
        if n == 0:
            return hashes
        count = len(hashes) - n + 1
        with np.errstate(over="ignore"):  # arithmetic mod 2^64 is the point
            combined = np.zeros(count, dtype=np.uint64)
            for i in range(n):
                combined = combined * np.uint64(0x9E3779B97F4A7C15) + hashes[i : i + count] * self.position[i]
            combined = self._fmix64(combined)
        # Sorted distinct values without np.unique, which imports numpy.ma (the NlpLayer drops it: layers/slim.sh).
        combined.sort()
        distinct = np.ones(len(combined), dtype=bool)
        distinct[1:] = combined[1:] != combined[:-1]
        return combined[distinct]

    def _fmix64(self, h: np.ndarray) -> np.ndarray:
        """MurmurHash3's 64-bit finaliser: spreads the linear n-gram combination over all bits."""
        u = self.np.uint64
        h = (h ^ (h >> u(33))) * u(0xFF51AFD7ED558CCD)
        h = (h ^ (h >> u(33))) * u(0xC4CEB9FE1A85EC53)
        return h ^ (h >> u(33))

    def minhash(self, shingles: np.ndarray) -> tuple[int, ...]:
        np = self.np
        minima = np.full(self.scheme.num_perm, np.uint64(_MASK64), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, len(shingles), self.CHUNK):
                chunk = shingles[None, start : start + self.CHUNK]
                permuted = (self.a * chunk + self.b) >> np.uint64(32)
                minima = np.minimum(minima, permuted.min(axis=1))
        return tuple(int(v) for v in minima)


_hashers: dict[Scheme, _Hasher] = {}


def signature(text: str, scheme: Scheme = SCHEME) -> Signature | None:
    """The MinHash signature of the text's word n-grams; None when it has fewer than `min_shingles`.

    Computed anew at each call: a saved result's is computed once, by `store.duplicates.indexed_signature`.
    """
    tokens = words(text)
    result = None
    if len(tokens) - scheme.ngram + 1 >= scheme.min_shingles:  # else too short, decided without numpy
        hasher = _hashers.get(scheme) or _hashers.setdefault(scheme, _Hasher(scheme))
        shingles = hasher.shingles(tokens)
        result = Signature(hasher.minhash(shingles)) if len(shingles) >= scheme.min_shingles else None
    return result
