"""Helpers for ordering tests: a chain like ``"1.0a1 < 1.0 = 1.0.0 < 1.0.post1"``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import VersionScheme

ChainCheck = Callable[[VersionScheme, str], None]


def check_chain(scheme: VersionScheme, chain: str) -> None:
    """Every pair in an ascending chain of ``<`` and ``=`` holds, not just neighbours.

    Checking all pairs also checks that the keys are consistent (transitive) on the
    chain, and ``=`` pairs must hash alike, since callers use keys in dicts and sets.
    """
    words = chain.split()
    versions, ops = words[::2], words[1::2]
    assert set(ops) <= {"<", "="}, f"chains ascend with '<' and '=' only: {chain}"
    assert len(versions) == len(ops) + 1, f"malformed chain: {chain}"
    keys = [scheme.parse(v) for v in versions]
    for i in range(len(versions)):
        for j in range(i + 1, len(versions)):
            a, b, ka, kb = versions[i], versions[j], keys[i], keys[j]
            if all(op == "=" for op in ops[i:j]):
                assert ka == kb, f"{scheme.name}: expected {a} = {b}"
                assert not ka < kb, f"{scheme.name}: {a} = {b} but {a} < {b}"
                assert not kb < ka, f"{scheme.name}: {a} = {b} but {b} < {a}"
                assert hash(ka) == hash(kb), f"{scheme.name}: {a} = {b} but hashes differ"
            else:
                assert ka < kb, f"{scheme.name}: expected {a} < {b}"
                assert not kb < ka, f"{scheme.name}: {b} < {a} as well as {a} < {b}"
                assert ka != kb, f"{scheme.name}: {a} < {b} but keys are equal"


@pytest.fixture
def chain() -> ChainCheck:
    return check_chain
