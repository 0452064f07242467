"""The evidence commands end to end, in a real git repository made for each test."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from glasshouse.evidence import dsse, keys
from glasshouse.evidence.log import TransparencyLog
from glasshouse.evidence.note import NoteSigner
from glasshouse.evidence.sqlite_store import SQLiteStorage
from glasshouse.model import Severity
from glasshouse.secrets.catalogue import load_rules

GLASSHOUSE = [sys.executable, "-m", "glasshouse"]
ORIGIN = "glasshouse.test/log"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def run(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "BUILD_"))
    }
    environ.update({"GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true"})
    return subprocess.run(
        [*GLASSHOUSE, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path, str]:
    repo = tmp_path / "service"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# service\n")
    (repo / ".glasshouse.toml").write_text('[gate]\nfail_on = "high"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    return tmp_path, repo, git(repo, "rev-parse", "HEAD")


def test_keys_generate_then_sign_and_verify(workspace: tuple[Path, Path, str]) -> None:
    home, repo, commit = workspace
    cache = home / "cache"
    made = run(["keys", "generate", "--out", str(home / "keys")], home, cache)
    assert made.returncode == 0, made.stderr
    private = home / "keys" / "glasshouse.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = run(["keys", "generate", "--out", str(home / "keys")], home, cache)
    assert again.returncode == 3
    assert "already exists" in again.stderr

    attestation = home / "decision.intoto.json"
    scan = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(private),
            "--attestation",
            str(attestation),
            "--output",
            f"json={home / 'report.json'}",
        ],
        repo,
        cache,
    )
    assert scan.returncode == 0, scan.stderr
    envelope = json.loads(attestation.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["subject"][0]["digest"] == {"gitCommit": commit}
    predicate = statement["predicate"]
    # the digest names the JSON report exactly as written
    report_digest = predicate["inputAttestations"][0]["digest"]["sha256"]
    assert report_digest == keys.hashlib.sha256((home / "report.json").read_bytes()).hexdigest()
    policy_source = predicate["glasshouse"]["policy"]["sources"][0]
    assert policy_source["digest"]["sha256"] == (
        keys.hashlib.sha256((repo / ".glasshouse.toml").read_bytes()).hexdigest()
    )

    public = str(home / "keys" / "glasshouse.pub")
    good = run(["verify", str(attestation), "--key", public, "--commit", commit], home, cache)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "verified: PASSED" in good.stdout

    head = run(["verify", str(attestation), "--key", public, "--commit", "HEAD"], repo, cache)
    assert head.returncode == 0, head.stdout + head.stderr

    wrong = run(["verify", str(attestation), "--key", public, "--commit", "f" * 40], home, cache)
    assert wrong.returncode == 1
    assert f"the decision is about {commit}, not commit {'f' * 40}" in wrong.stderr

    other = home / "other"
    run(["keys", "generate", "--out", str(other)], home, cache)
    wrong_key = run(
        ["verify", str(attestation), "--key", str(other / "glasshouse.pub")], home, cache
    )
    assert wrong_key.returncode == 1
    assert "no signature by key" in wrong_key.stderr


def test_flipping_one_payload_byte_fails_verification(workspace: tuple[Path, Path, str]) -> None:
    home, repo, _ = workspace
    cache = home / "cache"
    keys.write_key_pair(home / "keys")
    attestation = home / "a.json"
    scan = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(home / "keys/glasshouse.key"),
            "--attestation",
            str(attestation),
        ],
        repo,
        cache,
    )
    assert scan.returncode == 0, scan.stderr
    data = json.loads(attestation.read_text())
    payload = bytearray(base64.b64decode(data["payload"]))
    payload[payload.index(b"PASSED")] ^= 0x01  # "PASSED" -> "QASSED"
    data["payload"] = base64.b64encode(bytes(payload)).decode()
    attestation.write_text(json.dumps(data))
    result = run(
        ["verify", str(attestation), "--key", str(home / "keys/glasshouse.pub")], home, cache
    )
    assert result.returncode == 1
    assert "verification failed: signature" in result.stderr
    assert "does not verify" in result.stderr


def test_a_failed_gate_does_not_verify_unless_allowed(workspace: tuple[Path, Path, str]) -> None:
    home, repo, commit = workspace
    cache = home / "cache"
    rule = next(r for r in load_rules() if r.severity >= Severity.HIGH and r.examples)
    (repo / "settings.conf").write_text(f"[main]\n{rule.examples[0]}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "oops")
    commit = git(repo, "rev-parse", "HEAD")
    keys.write_key_pair(home / "keys")
    attestation = home / "a.json"
    scan = run(
        [
            "scan",
            ".",
            "--offline",
            "--scanners",
            "secrets",
            "--sign-key",
            str(home / "keys/glasshouse.key"),
            "--attestation",
            str(attestation),
        ],
        repo,
        cache,
    )
    assert scan.returncode == 1, scan.stdout + scan.stderr
    assert attestation.exists()  # a failing decision is evidence too
    public = str(home / "keys/glasshouse.pub")
    refused = run(["verify", str(attestation), "--key", public, "--commit", commit], home, cache)
    assert refused.returncode == 1
    assert "the gate FAILED" in refused.stderr
    audited = run(
        ["verify", str(attestation), "--key", public, "--commit", commit, "--allow-failed"],
        home,
        cache,
    )
    assert audited.returncode == 0, audited.stdout + audited.stderr


def test_artifact_subjects(workspace: tuple[Path, Path, str]) -> None:
    home, repo, _ = workspace
    cache = home / "cache"
    keys.write_key_pair(home / "keys")
    artifact = home / "app.tar.gz"
    artifact.write_bytes(b"release bits")
    attestation = home / "a.json"
    scan = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(home / "keys/glasshouse.key"),
            "--attestation",
            str(attestation),
            "--subject",
            str(artifact),
        ],
        repo,
        cache,
    )
    assert scan.returncode == 0, scan.stderr
    public = str(home / "keys/glasshouse.pub")
    ok = run(["verify", str(attestation), "--key", public, "--subject", str(artifact)], home, cache)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    artifact.write_bytes(b"other bits")
    changed = run(
        ["verify", str(attestation), "--key", public, "--subject", str(artifact)], home, cache
    )
    assert changed.returncode == 1
    assert "is not a subject of the decision" in changed.stderr


def test_usage_errors_exit_3(workspace: tuple[Path, Path, str], tmp_path: Path) -> None:
    home, repo, _ = workspace
    cache = home / "cache"
    keys.write_key_pair(home / "keys")
    no_key = run(["scan", ".", "--offline", "--attestation", "a.json"], repo, cache)
    assert no_key.returncode == 3
    assert "go together" in no_key.stderr
    bad_key = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(home / "keys/glasshouse.pub"),
            "--attestation",
            "a.json",
        ],
        repo,
        cache,
    )
    assert bad_key.returncode == 3
    plain = tmp_path / "plain"
    plain.mkdir()
    no_subject = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(home / "keys/glasshouse.key"),
            "--attestation",
            "a.json",
        ],
        plain,
        cache,
    )
    assert no_subject.returncode == 3
    assert "give --commit SHA or --subject FILE" in no_subject.stderr
    missing = run(
        ["verify", "missing.json", "--key", str(home / "keys/glasshouse.pub")], home, cache
    )
    assert missing.returncode == 3
    no_pub = run(["verify", "missing.json", "--key", "nope.pub"], home, cache)
    assert no_pub.returncode == 3


def test_receipts_and_consistency_verify_offline(
    workspace: tuple[Path, Path, str], log_signer: keys.SigningKey
) -> None:
    home, repo, commit = workspace
    cache = home / "cache"
    keys.write_key_pair(home / "keys")
    (home / "log.pub").write_bytes(keys.public_pem(log_signer))
    attestation = home / "a.json"
    scan = run(
        [
            "scan",
            ".",
            "--offline",
            "--sign-key",
            str(home / "keys/glasshouse.key"),
            "--attestation",
            str(attestation),
        ],
        repo,
        cache,
    )
    assert scan.returncode == 0, scan.stderr
    with SQLiteStorage(home / "log.db") as storage:
        log = TransparencyLog(storage, log_signer, ORIGIN)
        old_receipt = log.append_decision(dsse.from_json(attestation.read_bytes()))
        for n in range(5):
            log.append_event("waiver", {"id": f"W-{n}", "action": "approved"})
        receipt = log.receipt(0)
        proof = log.consistency_proof(1, log.size)
    (home / "receipt.json").write_text(receipt.to_json())
    (home / "old.checkpoint").write_text(old_receipt.checkpoint)
    (home / "new.checkpoint").write_text(receipt.checkpoint)
    (home / "proof.json").write_text(proof.to_json())
    public = str(home / "keys/glasshouse.pub")
    log_pub = str(home / "log.pub")

    ok = run(
        ["verify", "receipt.json", "--key", public, "--commit", commit, "--log-key", log_pub],
        home,
        cache,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    for name in ("signature", "subject", "checkpoint", "counter-signature", "inclusion"):
        assert f"ok      {name}:" in ok.stdout
    vkey = NoteSigner(ORIGIN, log_signer).verifier.vkey()
    (home / "log.vkey").write_text(vkey + "\n")
    by_vkey = run(["verify", "receipt.json", "--key", public, "--log-key", "log.vkey"], home, cache)
    assert by_vkey.returncode == 0, by_vkey.stdout + by_vkey.stderr

    needs_log_key = run(["verify", "receipt.json", "--key", public], home, cache)
    assert needs_log_key.returncode == 3

    # swap the checkpoint for the older one: the proof no longer leads to its root
    data = json.loads(receipt.to_json())
    data["checkpoint"] = old_receipt.checkpoint
    (home / "swapped.json").write_text(json.dumps(data))
    swapped = run(["verify", "swapped.json", "--key", public, "--log-key", log_pub], home, cache)
    assert swapped.returncode == 1
    assert "verification failed: inclusion" in swapped.stderr

    # a different leaf index
    data = json.loads(receipt.to_json())
    data["leaf_index"] = 1
    (home / "moved.json").write_text(json.dumps(data))
    moved = run(["verify", "moved.json", "--key", public, "--log-key", log_pub], home, cache)
    assert moved.returncode == 1
    assert "inclusion" in moved.stderr

    consistent = run(
        [
            "verify",
            "--checkpoint",
            "old.checkpoint",
            "--checkpoint",
            "new.checkpoint",
            "--consistency-proof",
            "proof.json",
            "--log-key",
            log_pub,
        ],
        home,
        cache,
    )
    assert consistent.returncode == 0, consistent.stdout + consistent.stderr
    assert "extends the tree of size 1" in consistent.stdout
    # a checkpoint from another log key: named
    other = keys.generate()
    (home / "other.pub").write_bytes(keys.public_pem(other))
    foreign = run(
        [
            "verify",
            "--checkpoint",
            "old.checkpoint",
            "--checkpoint",
            "new.checkpoint",
            "--consistency-proof",
            "proof.json",
            "--log-key",
            "other.pub",
        ],
        home,
        cache,
    )
    assert foreign.returncode == 1
    assert "no signature by a trusted key" in foreign.stderr


def test_a_scan_that_signs_nothing_never_loads_the_evidence_code() -> None:
    code = (
        "import sys, glasshouse.cli.main; "
        "prefixes = ('cryptography', 'glasshouse.evidence'); "
        "print(sorted(m for m in sys.modules if m.startswith(prefixes)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_cli_knows_every_framework() -> None:
    from glasshouse.cli.evidence import FRAMEWORKS
    from glasshouse.evidence.pack import CONTROLS
    from glasshouse.evidence.pack import FRAMEWORKS as PACK_FRAMEWORKS

    assert FRAMEWORKS == PACK_FRAMEWORKS == tuple(CONTROLS)
