"""RFC 6962 Merkle trees (RFC 9162 section 2.1), written from the RFC.

Hashing, with SHA-256::

    MTH({})    = SHA-256()
    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    MTH(D[n])  = node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n

Storage-agnostic: a tree is read through ``NodeReader``, which returns the hash of a
*perfect* subtree by (level, index): level 0 holds the leaf hashes, and node (L, i)
covers leaves [i * 2**L, (i + 1) * 2**L). A log stores each such node once, when it
becomes complete (``Frontier.append`` says which), so any root, inclusion proof or
consistency proof needs O(log n) stored hashes, read in one batch: O(log n) work per
proof whatever the size of the log, and O(1) amortized writes per appended entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]  # (level, index)


class ProofError(ValueError):
    """A proof that does not hold; the message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class NodeReader(Protocol):
    def nodes(self, keys: Sequence[NodeKey]) -> Sequence[bytes]:
        """The hashes of these complete subtrees, in the order asked."""
        ...


# -- the subtrees a range decomposes into -----------------------------------------------
def perfect_subtrees(start: int, end: int) -> list[NodeKey]:
    """The maximal perfect subtrees covering leaves [start, end), left to right.

    For the ranges RFC 6962's recursion produces (``start`` a multiple of a power of two
    at least ``end - start``) their sizes strictly decrease, and the range's hash is
    their fold from the right.
    """
    keys: list[NodeKey] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def _fold(hashes: Sequence[bytes]) -> bytes:
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _hash_ranges(reader: NodeReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """The hash of each range, with one batched read for all of them."""
    layout = [perfect_subtrees(start, end) for start, end in ranges]
    wanted = list(dict.fromkeys(key for keys in layout for key in keys))
    found = dict(zip(wanted, reader.nodes(wanted), strict=True))
    return [_fold([found[key] for key in keys]) for keys in layout]


def root(reader: NodeReader, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges(reader, [(0, size)])[0]


# -- proofs ------------------------------------------------------------------------------
def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form PATH(index, D[size]), in proof order (leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form PROOF(old_size, D[new_size]) (RFC 9162 2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges = []
    m, start, end, complete = old_size, 0, new_size, True
    while True:
        if m == end - start:
            if not complete:
                ranges.append((start, end))
            break
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    ranges.reverse()
    return ranges


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    return _hash_ranges(reader, inclusion_ranges(index, size))


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    return _hash_ranges(reader, consistency_ranges(old_size, new_size))


def _check_hashes(proof: Iterable[bytes]) -> list[bytes]:
    hashes = list(proof)
    for value in hashes:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError("a proof hash is not 32 bytes")
    return hashes


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Iterable[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2)."""
    path = _check_hashes(proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Iterable[bytes], expected_root: bytes
) -> None:
    if root_from_inclusion(leaf, index, size, proof) != expected_root:
        raise ProofError(
            f"the inclusion proof of entry {index} does not lead to the root of the tree "
            f"of size {size}"
        )


def verify_consistency(
    old_size: int, new_size: int, proof: Iterable[bytes], old_root: bytes, new_root: bytes
) -> None:
    """RFC 9162 section 2.1.4.2; the empty tree is consistent with every tree."""
    path = _check_hashes(proof)
    if old_size > new_size:
        raise ProofError(f"the older tree (size {old_size}) is larger than the newer ({new_size})")
    if old_size == new_size:
        if path:
            raise ProofError("a proof between trees of the same size must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old_size}")
        return
    if old_size == 0:
        if path:
            raise ProofError("a proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree is wrong")
        return
    if not path:
        raise ProofError("the consistency proof is empty")
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than expected")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than expected")
    if fr != old_root:
        raise ProofError(f"the consistency proof does not lead to the older root (size {old_size})")
    if sr != new_root:
        raise ProofError(f"the consistency proof does not lead to the newer root (size {new_size})")


# -- appending ---------------------------------------------------------------------------
class Frontier:
    """The right edge of a tree: the roots of its maximal perfect subtrees (a compact
    range over [0, size)). Appending a leaf completes at most log2(size) subtrees;
    ``append`` returns each, as (level, index, hash), for the storage to keep."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        keys = perfect_subtrees(0, size)
        if len(keys) != len(hashes):
            raise ValueError(f"a tree of size {size} has {len(keys)} frontier hashes")
        self.size = size
        self._levels = [level for level, _ in keys]
        self._hashes = list(hashes)

    @staticmethod
    def keys(size: int) -> list[NodeKey]:
        """Which stored nodes to read to resume appending at ``size``."""
        return perfect_subtrees(0, size)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        index = self.size
        created = [(0, index, leaf)]
        level, value = 0, leaf
        while self._levels and self._levels[-1] == level:
            self._levels.pop()
            value = node_hash(self._hashes.pop(), value)
            level += 1
            index >>= 1
            created.append((level, index, value))
        self._levels.append(level)
        self._hashes.append(value)
        self.size += 1
        return created

    def root(self) -> bytes:
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT


def root_of_leaves(leaves: Iterable[bytes]) -> bytes:
    """MTH of a list of leaf hashes, in O(n) time and O(log n) memory."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()
