"""Benchmark of verifiable evidence: what signing and logging add to a gate run, and how
the transparency log scales to 100,000 entries.

Prints, in one run:
- the cost of signing inside a gate run: building the in-toto statement from a report
  (1,000 findings, 100 waivers), the JSON report digest, the Ed25519 DSSE signature and
  writing the envelope; and the whole `glasshouse scan` process on a small git
  repository with and without `--sign-key/--attestation` (median of several runs);
- the cost of logging one decision on the server's side: counter-signature, append,
  signed checkpoint and receipt, on SQLite with fsync (`synchronous=FULL`);
- appending 100,000 entries (in memory, and to SQLite in batches), then inclusion and
  consistency proofs at that size: time per proof, verification time, proof size, and
  the size of a receipt.

Run: python bench/bench_evidence.py [--entries 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from glasshouse.evidence import attestation as att
from glasshouse.evidence import dsse, keys, merkle
from glasshouse.evidence.log import LogStorage, MemoryStorage, TransparencyLog
from glasshouse.evidence.receipt import LogEntry
from glasshouse.evidence.sqlite_store import SQLiteStorage
from glasshouse.fingerprint import fingerprint
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    Finding,
    FindingKind,
    Fix,
    Location,
    Report,
    ScanStats,
    Severity,
    Waiver,
)
from glasshouse.report.json_report import render

ORIGIN = "glasshouse.bench/log"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def big_report(findings: int = 1000, waivers: int = 100) -> Report:
    severities = list(Severity)
    found = tuple(
        Finding(
            kind=FindingKind.MISCONFIGURATION,
            rule_id=f"rule-{i % 50}",
            title=f"Finding {i}",
            severity=severities[i % len(severities)],
            location=Location(f"deploy/{i}.yaml", i % 300 + 1),
            fingerprint=fingerprint(FindingKind.MISCONFIGURATION, f"rule-{i % 50}", str(i), "p"),
            fix=Fix("Set the attribute."),
        )
        for i in range(findings)
    )
    policy = Policy(
        waivers=tuple(
            Waiver(
                id=f"W-{i}",
                reason="accepted risk",
                expires=date(2027, 1, 1),
                rule=f"rule-{i % 50}",
                owner="team",
                approver="security",
            )
            for i in range(waivers)
        ),
        sources=(".glasshouse.toml",),
    )
    return Report(
        target=".",
        tool_version="bench",
        started_at="2026-01-01T00:00:00Z",
        findings=found,
        problems=(),
        packages=(),
        decision=decide(found, (), policy, today=date(2026, 1, 1)),
        stats=ScanStats(files_scanned=findings),
    )


def signing_in_process(out: Path) -> dict[str, float]:
    key = keys.generate()
    report = big_report()
    commit = "a" * 40

    def sign_once(rendered: str) -> None:
        context = att.DecisionContext(
            subjects=(att.commit_subject(commit, "https://git.example/org/app"),),
            resource_uri=att.commit_resource_uri(commit, "https://git.example/org/app"),
            report_json=rendered.encode(),
            scanners=("dependencies", "secrets", "iac"),
        )
        envelope = att.sign_statement(att.build_statement(report, context), key)
        (out / "decision.intoto.json").write_text(envelope.to_json())

    rendered = render(report)
    return {
        "statement + sign + write (JSON report already rendered)": timed(
            lambda: sign_once(rendered)
        ),
        "the same, rendering the JSON report for its digest": timed(
            lambda: sign_once(render(report))
        ),
    }


def scan_process(repo: Path, home: Path, extra: list[str]) -> float:
    environ = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(home / "cache"), "CI": "true"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "glasshouse", "scan", ".", "--offline", "--format", "json", *extra],
        cwd=repo,
        env=environ,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started


def python_process(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def signing_end_to_end(home: Path, runs: int) -> dict[str, float]:
    """What --sign-key/--attestation adds to a real scan: in process, the CLI's own
    preparation (key, git subject, 4 git calls) and signing; the imports it loads; and
    whole processes, alternated so that noise falls on both alike."""
    from glasshouse.cli.evidence import prepare_signing, write_attestation

    repo = home / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    for i in range(50):
        (repo / f"module_{i}.py").write_text(f"def f{i}():\n    return {i}\n" * 40)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=repo, check=True)
    keys.write_key_pair(home / "keys")
    key_file, out = home / "keys/glasshouse.key", home / "a.json"
    report = big_report(findings=50, waivers=5)

    def prepare_and_sign() -> None:
        with contextlib.redirect_stderr(io.StringIO()):  # the CLI's "decision signed" line
            plan = prepare_signing(repo, key_file, out, (), None)
            assert plan is not None
            write_attestation(
                plan,
                report,
                render(report),
                report_uri=None,
                policy=Policy(),
                scanners=("x",),
                sarif=(),
            )

    baseline = "import glasshouse.cli.main"
    loaded = baseline + "; from glasshouse.evidence import attestation, dsse, keys"
    imports = [python_process(baseline) - python_process(loaded) for _ in range(runs)]
    sign = ["--sign-key", str(key_file), "--attestation", str(out)]
    scan_process(repo, home, [])  # warm the file cache
    plain, signed = [], []
    for _ in range(runs):
        plain.append(scan_process(repo, home, []))
        signed.append(scan_process(repo, home, sign))
    return {
        "in process: check the options, git subject, sign, write": timed(prepare_and_sign),
        "imports it adds (cryptography, evidence modules)": -statistics.median(imports),
        "whole process without signing (median)": statistics.median(plain),
        "whole process with signing (median)": statistics.median(signed),
    }


def logging_one_decision(home: Path, count: int = 200) -> float:
    key, log_key = keys.generate(), keys.generate()
    envelope = dsse.sign(att.PAYLOAD_TYPE, b'{"_type":"https://in-toto.io/Statement/v1"}', key)
    with SQLiteStorage(home / "decisions.db", durable=True) as storage:
        log = TransparencyLog(storage, log_key, ORIGIN)
        started = time.perf_counter()
        for _ in range(count):
            log.append_decision(envelope)
        return (time.perf_counter() - started) / count


def append_many(storage: LogStorage, entries: int, batch: int) -> tuple[TransparencyLog, float]:
    log = TransparencyLog(storage, keys.generate(), ORIGIN)
    body = {"id": "W-1", "action": "approved", "approver": "security-lead", "pad": "x" * 200}
    started = time.perf_counter()
    for first in range(0, entries, batch):
        log.append(
            [
                LogEntry("waiver", "2026-01-01T00:00:00Z", {**body, "n": n})
                for n in range(first, min(entries, first + batch))
            ]
        )
    return log, time.perf_counter() - started


def proofs(log: TransparencyLog, samples: int = 1000) -> dict[str, float]:
    rng = random.Random(1)
    size = log.size
    root = log.root()
    indices = [rng.randrange(size) for _ in range(samples)]
    started = time.perf_counter()
    made = [log.inclusion_proof(i, size) for i in indices]
    inclusion = (time.perf_counter() - started) / samples
    leaves = [merkle.leaf_hash(log.entry(i).encode()) for i in indices]
    started = time.perf_counter()
    for i, leaf, proof in zip(indices, leaves, made, strict=True):
        merkle.verify_inclusion(leaf, i, size, proof, root)
    verify = (time.perf_counter() - started) / samples
    olds = [rng.randrange(1, size) for _ in range(samples)]
    started = time.perf_counter()
    consistency = [log.consistency_proof(old, size) for old in olds]
    consistency_time = (time.perf_counter() - started) / samples
    roots = {old: log.root(old) for old in olds[:100]}
    started = time.perf_counter()
    for old, proof in zip(olds[:100], consistency[:100], strict=True):
        merkle.verify_consistency(old, size, proof.proof, roots[old], root)
    consistency_verify = (time.perf_counter() - started) / 100
    receipt = log.receipt(indices[0])
    return {
        "inclusion proof (ms)": inclusion * 1000,
        "inclusion verify (ms)": verify * 1000,
        "inclusion hashes (max)": max(len(p) for p in made),
        "consistency proof (ms)": consistency_time * 1000,
        "consistency verify (ms)": consistency_verify * 1000,
        "consistency hashes (max)": max(len(p.proof) for p in consistency),
        "receipt bytes (without its envelope)": len(
            json.dumps({**receipt.to_dict(), "entry": None})
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        print("== signing a gate decision (in process, 1,000 findings, 100 waivers)")
        for name, seconds in signing_in_process(home).items():
            print(f"  {name}: {seconds * 1000:.1f} ms")
        print(f"== what --sign-key/--attestation adds to glasshouse scan ({args.runs} runs)")
        for name, seconds in signing_end_to_end(home, args.runs).items():
            print(f"  {name}: {seconds * 1000:.0f} ms")
        per = logging_one_decision(home)
        print("== logging one decision (server side: counter-sign, append, checkpoint, receipt)")
        print(f"  SQLite with fsync: {per * 1000:.2f} ms per decision")
        print(f"== appending {args.entries:,} entries")
        memory_log, memory_time = append_many(MemoryStorage(), args.entries, 1000)
        print(f"  memory, batches of 1,000: {memory_time:.2f} s "
              f"({args.entries / memory_time:,.0f} entries/s)")  # fmt: skip
        with SQLiteStorage(home / "bench.db", durable=True) as storage:
            sqlite_log, sqlite_time = append_many(storage, args.entries, 1000)
            print(f"  SQLite (fsync per batch of 1,000): {sqlite_time:.2f} s "
                  f"({args.entries / sqlite_time:,.0f} entries/s), "
                  f"{(home / 'bench.db').stat().st_size / 1e6:.1f} MB")  # fmt: skip
            started = time.perf_counter()
            audit = sqlite_log.audit()
            print(f"  audit of the SQLite log (recompute every hash): "
                  f"{time.perf_counter() - started:.2f} s, ok={audit.ok}")  # fmt: skip
            print(f"== proofs at size {args.entries:,} (1,000 random entries)")
            for label, store_log in (("memory", memory_log), ("SQLite", sqlite_log)):
                figures = proofs(store_log)
                shown = ", ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in figures.items()
                )
                print(f"  {label}: {shown}")
            assert memory_log.root() == sqlite_log.root()


if __name__ == "__main__":
    main()
