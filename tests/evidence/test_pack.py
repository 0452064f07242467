"""Evidence packs: the zip holds what it says, and its figures match the decisions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from glasshouse.evidence import attestation as att
from glasshouse.evidence import keys, pack
from glasshouse.evidence.log import MemoryStorage, TransparencyLog
from glasshouse.evidence.verify import LogTrust

from .helpers import public, sample_report

ORIGIN = "glasshouse.test/log"


def _envelope(signer: keys.SigningKey, n: int, day: str, **report_args: object):  # type: ignore[no-untyped-def]
    commit = f"{n:040x}"
    context = att.DecisionContext(
        subjects=(att.commit_subject(commit, "https://git.example/org/app"),),
        resource_uri=att.commit_resource_uri(commit, "https://git.example/org/app"),
        report_json=b"{}",
        scanners=("dependencies", "secrets"),
        time_verified=f"{day}T12:00:00Z",
    )
    return att.sign_statement(
        att.build_statement(sample_report(**report_args), context),
        signer,  # type: ignore[arg-type]
    )


@pytest.fixture
def decisions(tmp_path: Path, signer: keys.SigningKey, log_signer: keys.SigningKey) -> Path:
    """Six decisions: four in March (2 passed with a waiver, 1 failed, 1 overridden),
    one in February, one in April; three of March's are logged with receipts."""
    folder = tmp_path / "decisions"
    folder.mkdir()
    log = TransparencyLog(MemoryStorage(), log_signer, ORIGIN)
    plan = [
        ("2026-02-27", {}, False),
        ("2026-03-01", {}, True),
        ("2026-03-10", {}, True),
        ("2026-03-15", {"waived": False}, True),
        ("2026-03-31", {"waived": False, "override": "hotfix <INC-42>"}, False),
        ("2026-04-01", {}, False),
    ]
    for n, (day, args, logged) in enumerate(plan):
        envelope = _envelope(signer, n, day, **args)
        if logged:
            receipt = log.append_decision(envelope)
            (folder / f"{n}.receipt.json").write_text(receipt.to_json())
            # the envelope is also there, as the CI wrote it: counted once
            (folder / f"{n}.intoto.json").write_text(envelope.to_json())
        else:
            (folder / f"{n}.intoto.json").write_text(envelope.to_json())
    (folder / "notes.json").write_text('{"hello": "world"}')
    return folder


def test_collect_and_figures(
    decisions: Path, signer: keys.SigningKey, log_signer: keys.SigningKey
) -> None:
    found = pack.collect(
        decisions,
        date(2026, 3, 1),
        date(2026, 3, 31),
        key=public(signer),
        log=LogTrust(public(log_signer), ORIGIN),
    )
    f = pack.figures(found)
    assert f["decisions"] == 4
    assert f["passed"] == 3  # two with the waiver applied, one overridden
    assert f["failed"] == 1
    assert f["overrides"] == 1
    assert f["receipts"] == 3
    assert f["receipts_verified"] == 3
    assert f["signatures_valid"] == 4
    assert f["commits"] == 4
    assert f["findings_by_severity"]["critical"] == 4
    assert f["findings_by_disposition"]["waived"] == 2
    assert f["waivers"] == 1
    assert f["waivers_applied"] == 1
    assert [name for name, _ in found.skipped] == ["notes.json"]


def test_the_zip(
    decisions: Path, tmp_path: Path, signer: keys.SigningKey, log_signer: keys.SigningKey
) -> None:
    found = pack.collect(
        decisions,
        date(2026, 3, 1),
        date(2026, 3, 31),
        key=public(signer),
        log=LogTrust(public(log_signer)),
    )
    out = tmp_path / "pack.zip"
    manifest = pack.build(
        found, "iso27001", out, tool_version="9.9", generated_at="2026-04-02T00:00:00Z"
    )
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert names == {*manifest["files"], "manifest.json"}
        assert len([n for n in names if n.startswith("decisions/")]) == 4
        assert len([n for n in names if n.startswith("receipts/")]) == 3
        assert len([n for n in names if n.startswith("checkpoints/")]) == 3
        controls = json.loads(archive.read("controls.json"))
        assert [c["id"] for c in controls["controls"]] == [
            "A.8.8", "A.8.25", "A.8.28", "A.8.29", "A.8.32", "A.5.21", "A.8.9", "A.8.15",
        ]  # fmt: skip
        a825 = next(c for c in controls["controls"] if c["id"] == "A.8.25")
        assert "4 signed gate decisions" in a825["evidence"]
        assert "3 passed, 1 failed" in a825["evidence"]
        assert controls["cannot_evidence"]
        waivers = list(csv.DictReader(io.StringIO(archive.read("waivers.csv").decode())))
        assert waivers[0]["id"] == "W-7"
        assert waivers[0]["approver"] == "security-lead"
        assert waivers[0]["expires"] == "2026-12-20"
        assert waivers[0]["decisions"] == "2"  # the two March decisions that carried it
        overrides = json.loads(archive.read("overrides.json"))
        assert overrides[0]["reason"] == "hotfix <INC-42>"
        page = archive.read("report.html").decode()
        assert "default-src 'none'" in page
        assert "<script" not in page
        assert "<b>here</b>" not in page  # the waiver reason is escaped
        assert "&lt;b&gt;here&lt;/b&gt;" in page
        assert "hotfix &lt;INC-42&gt;" in page
        assert "What this pack cannot evidence" in page


@pytest.mark.parametrize(
    ("framework", "ids"),
    [
        ("soc2", ["CC7.1", "CC8.1"]),
        ("pci-dss", ["6.3.1", "6.3.2", "6.3.3", "6.5.1", "8.6.2"]),
    ],
)
def test_other_frameworks(framework: str, ids: list[str], decisions: Path, tmp_path: Path) -> None:
    found = pack.collect(decisions, date(2026, 1, 1), date(2026, 12, 31))
    assert pack.figures(found)["decisions"] == 6
    assert not pack.figures(found)["signatures_checked"]
    pack.build(found, framework, tmp_path / "p.zip", tool_version="9.9")
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        controls = json.loads(archive.read("controls.json"))
    assert [c["id"] for c in controls["controls"]] == ids
    assert any("not checked" in c["evidence"] for c in controls["controls"]) or framework == "soc2"


def test_a_tampered_decision_is_flagged(decisions: Path, signer: keys.SigningKey) -> None:
    path = decisions / "0.intoto.json"
    data = json.loads(path.read_text())
    data["signatures"][0]["sig"] = data["signatures"][0]["sig"][:-4] + "AAA="
    path.write_text(json.dumps(data))
    found = pack.collect(decisions, date(2026, 2, 1), date(2026, 2, 28), key=public(signer))
    assert [r.signature for r in found.records] == [False]
    assert pack.figures(found)["signatures_invalid"] == 1


def test_bad_periods_and_frameworks(decisions: Path) -> None:
    with pytest.raises(pack.PackError, match="ends"):
        pack.collect(decisions, date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(pack.PackError, match="unknown framework"):
        pack.controls(
            "hipaa", pack.figures(pack.collect(decisions, date(2026, 1, 1), date(2026, 1, 2)))
        )


def test_spreadsheet_formulas_are_defused() -> None:
    data = pack._csv([{"id": "=HYPERLINK(1)", "rule": "-1"}], ("id", "rule"))
    assert data.decode().splitlines()[1] == "'=HYPERLINK(1),'-1"


def test_cli_export(
    decisions: Path, tmp_path: Path, signer: keys.SigningKey, log_signer: keys.SigningKey
) -> None:
    (tmp_path / "signer.pub").write_bytes(keys.public_pem(signer))
    (tmp_path / "log.pub").write_bytes(keys.public_pem(log_signer))
    out = tmp_path / "pack.zip"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "glasshouse",
            "evidence",
            "export",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--framework",
            "soc2",
            "--receipts",
            str(decisions),
            "--out",
            str(out),
            "--key",
            str(tmp_path / "signer.pub"),
            "--log-key",
            str(tmp_path / "log.pub"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 decision(s) (3 passed, 1 failed), 3 receipt(s)" in result.stdout
    assert zipfile.ZipFile(out).testzip() is None
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "glasshouse",
            "evidence",
            "export",
            "--from",
            "2026-13-01",
            "--to",
            "2026-03-31",
            "--framework",
            "soc2",
            "--receipts",
            str(decisions),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 3
    assert "expected a date" in bad.stderr
