"""RFC 6962 trees: our roots and proofs against a naive reading of the RFC and against
pymerkle, an independent implementation (test-only dependency), for many sizes."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest
from pymerkle import InmemoryTree, verify_consistency, verify_inclusion

from glasshouse.evidence import merkle

SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255]


def entry(i: int) -> bytes:
    return f"entry-{i}".encode()


def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH exactly as RFC 9162 section 2.1.1 writes it, recursively."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return merkle.node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


class Nodes:
    """A tree built through Frontier.append, as a log builds it."""

    def __init__(self, count: int) -> None:
        self.store: dict[merkle.NodeKey, bytes] = {}
        self.leaves = [merkle.leaf_hash(entry(i)) for i in range(count)]
        frontier = merkle.Frontier()
        for leaf in self.leaves:
            for level, index, value in frontier.append(leaf):
                self.store[(level, index)] = value

    def nodes(self, keys: Sequence[merkle.NodeKey]) -> Sequence[bytes]:
        return [self.store[k] for k in keys]


@pytest.fixture(scope="module")
def tree() -> Nodes:
    return Nodes(max(SIZES))


@pytest.fixture(scope="module")
def theirs() -> InmemoryTree:
    # RFC 6962 hashing: SHA-256 with the 0x00 / 0x01 prefixes (pymerkle's "security",
    # on by default; disable_security=True would drop the prefixes).
    other = InmemoryTree(algorithm="sha256")
    for i in range(max(SIZES)):
        other.append_entry(entry(i))
    return other


def test_hash_prefixes() -> None:
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        merkle.node_hash(b"a" * 32, b"b" * 32)
        == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


@pytest.mark.parametrize("size", SIZES)
def test_roots_agree_with_the_rfc_and_pymerkle(
    size: int, tree: Nodes, theirs: InmemoryTree
) -> None:
    ours = merkle.root(tree, size)
    assert ours == naive_root(tree.leaves[:size])
    assert ours == theirs.get_root(size)
    assert merkle.root_of_leaves(tree.leaves[:size]) == ours


@pytest.mark.parametrize("size", [s for s in SIZES if s])
def test_inclusion_proofs_agree_with_pymerkle(size: int, tree: Nodes, theirs: InmemoryTree) -> None:
    root = merkle.root(tree, size)
    for index in range(size):
        proof = merkle.inclusion_proof(tree, index, size)
        merkle.verify_inclusion(tree.leaves[index], index, size, proof, root)
        their_proof = theirs.prove_inclusion(index + 1, size)  # pymerkle counts from one
        # pymerkle's path is the leaf hash followed by the RFC 6962 audit path
        assert [bytes.fromhex(h) for h in their_proof.serialize()["path"]][1:] == proof
        verify_inclusion(tree.leaves[index], root, their_proof)


@pytest.mark.parametrize("new_size", [s for s in SIZES if s])
def test_consistency_proofs_agree_with_pymerkle(
    new_size: int, tree: Nodes, theirs: InmemoryTree
) -> None:
    new_root = merkle.root(tree, new_size)
    for old_size in range(0, new_size + 1):
        old_root = merkle.root(tree, old_size)
        proof = merkle.consistency_proof(tree, old_size, new_size)
        merkle.verify_consistency(old_size, new_size, proof, old_root, new_root)
        if old_size:
            their_proof = theirs.prove_consistency(old_size, new_size)
            # pymerkle proves consistency between our roots with its own proof (its
            # path layout differs from RFC 6962's, so the two are not compared hash by hash)
            verify_consistency(old_root, new_root, their_proof)


def test_proof_sizes_are_logarithmic(tree: Nodes) -> None:
    assert len(merkle.inclusion_proof(tree, 0, 255)) == 8
    assert len(merkle.inclusion_proof(tree, 254, 255)) <= 8
    assert len(merkle.consistency_proof(tree, 100, 255)) <= 2 * 8


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_tampered_inclusion_proofs_fail(tree: Nodes) -> None:
    size, index = 100, 37
    root = merkle.root(tree, size)
    proof = merkle.inclusion_proof(tree, index, size)
    with pytest.raises(merkle.ProofError, match="does not lead to the root"):
        merkle.verify_inclusion(tree.leaves[index + 1], index, size, proof, root)
    with pytest.raises(merkle.ProofError, match="does not lead to the root"):
        merkle.verify_inclusion(tree.leaves[index], index + 1, size, proof, root)
    for position in range(len(proof)):
        changed = list(proof)
        changed[position] = _flip(changed[position])
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(tree.leaves[index], index, size, changed, root)
    with pytest.raises(merkle.ProofError, match="shorter"):
        merkle.verify_inclusion(tree.leaves[index], index, size, proof[:-1], root)
    with pytest.raises(merkle.ProofError, match="longer"):
        merkle.verify_inclusion(tree.leaves[index], index, size, [*proof, root], root)
    with pytest.raises(merkle.ProofError, match="outside"):
        merkle.verify_inclusion(tree.leaves[index], size, size, proof, root)
    with pytest.raises(merkle.ProofError, match="32 bytes"):
        merkle.verify_inclusion(tree.leaves[index], index, size, [b"short"], root)


def test_tampered_consistency_proofs_fail(tree: Nodes) -> None:
    old, new = 37, 100
    old_root, new_root = merkle.root(tree, old), merkle.root(tree, new)
    proof = merkle.consistency_proof(tree, old, new)
    for position in range(len(proof)):
        changed = list(proof)
        changed[position] = _flip(changed[position])
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, changed, old_root, new_root)
    with pytest.raises(merkle.ProofError, match="older root"):
        merkle.verify_consistency(old, new, proof, merkle.root(tree, 38), new_root)
    with pytest.raises(merkle.ProofError, match="newer root"):
        merkle.verify_consistency(old, new, proof, old_root, merkle.root(tree, 99))
    with pytest.raises(merkle.ProofError, match="empty"):
        merkle.verify_consistency(old, new, [], old_root, new_root)
    with pytest.raises(merkle.ProofError, match="larger"):
        merkle.verify_consistency(new, old, proof, new_root, old_root)
    with pytest.raises(merkle.ProofError, match="same tree size"):
        merkle.verify_consistency(old, old, [], old_root, new_root)


def test_a_rewritten_history_is_not_consistent() -> None:
    honest = Nodes(50)
    rewritten = Nodes(50)
    # the operator swaps two early entries and rebuilds everything after them
    rewritten.leaves[3], rewritten.leaves[4] = rewritten.leaves[4], rewritten.leaves[3]
    frontier = merkle.Frontier()
    rewritten.store.clear()
    for leaf in rewritten.leaves:
        for level, index, value in frontier.append(leaf):
            rewritten.store[(level, index)] = value
    proof = merkle.consistency_proof(rewritten, 20, 50)
    with pytest.raises(merkle.ProofError, match="older root"):
        merkle.verify_consistency(
            20, 50, proof, merkle.root(honest, 20), merkle.root(rewritten, 50)
        )


def test_random_ranges_decompose_into_perfect_subtrees() -> None:
    rng = random.Random(7)
    for _ in range(200):
        size = rng.randrange(1, 5000)
        covered = 0
        for level, index in merkle.perfect_subtrees(0, size):
            assert index << level == covered
            covered += 1 << level
        assert covered == size
