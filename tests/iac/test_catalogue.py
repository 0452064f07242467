"""The one shared test of the check catalogue: every check carries its facts (CWE,
ISO/IEC 27001:2022 Annex A controls, a fix) and at least one failing and one passing
example, and each example, run through the real adapters, behaves as it says."""

from __future__ import annotations

import re

import pytest

from glasshouse.iac.check import Check
from glasshouse.iac.engine import evaluate_texts
from glasshouse.iac.registry import CHECKS

# Annex A of ISO/IEC 27001:2022: 5.1-5.37, 6.1-6.8, 7.1-7.14, 8.1-8.34.
ANNEX_A = {5: 37, 6: 8, 7: 14, 8: 34}


def _ids(check: Check) -> str:
    return check.id


@pytest.mark.parametrize("check", CHECKS, ids=_ids)
def test_catalogue_entry_is_complete(check: Check) -> None:
    assert re.fullmatch(r"CWE-\d+", check.cwe), f"{check.id}: cwe {check.cwe!r}"
    assert check.iso27001, f"{check.id}: no ISO/IEC 27001 control"
    for control in check.iso27001:
        match = re.fullmatch(r"A\.([5-8])\.(\d+)", control)
        assert match, f"{check.id}: {control!r} is not an Annex A control"
        assert 1 <= int(match[2]) <= ANNEX_A[int(match[1])], f"{check.id}: {control}"
    assert check.title, check.id
    assert check.title[0].isupper(), check.id
    assert len(check.fix) >= 20, f"{check.id}: the fix should say what to set"
    assert check.failing, f"{check.id}: no failing example"
    assert check.passing, f"{check.id}: no passing example"


@pytest.mark.parametrize("check", CHECKS, ids=_ids)
def test_examples_fail_and_pass_as_they_say(check: Check) -> None:
    for example in check.failing:
        run = evaluate_texts({example.path: example.text})
        assert not [p for p in run.problems if p.blocking], (check.id, run.problems)
        hits = [f for f in run.findings if f.rule_id == check.id]
        assert hits, f"{check.id}: failing example {example.path} found nothing"
        assert all(f.location.path == example.path for f in hits)
        assert all(f.location.line is not None for f in hits), check.id
    for example in check.passing:
        run = evaluate_texts({example.path: example.text})
        assert not [p for p in run.problems if p.blocking], (check.id, run.problems)
        assert run.scanned == [example.path], f"{check.id}: {example.path} was not read"
        hits = [f.title for f in run.findings if f.rule_id == check.id]
        assert not hits, f"{check.id}: passing example {example.path} found {hits}"
