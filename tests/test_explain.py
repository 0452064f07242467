"""`glasshouse explain ID`: advisories by id or alias from the real OSV exports, offline."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from glasshouse.advisories.importer import import_path
from glasshouse.advisories.store import STORE_FILENAME, AdvisoryStore, NewRecord, StoreError
from glasshouse.explain import (
    NO_DATABASE,
    NotAnAdvisory,
    UnknownAdvisory,
    find_records,
    markdown_to_text,
    render_json,
    render_text,
)

JSON = ("--format", "json")


def run_explain(cache: Path, *args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GLASSHOUSE_CACHE_DIR": str(cache),
        "COLUMNS": str(columns),
        "GLASSHOUSE_OSV_URL": "http://127.0.0.1:9",  # explain must never fetch anything
    }
    env.pop("GLASSHOUSE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "glasshouse", "explain", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def stored_document(osv_exports: dict[str, Path], ecosystem: str, ident: str) -> object:
    with zipfile.ZipFile(osv_exports[ecosystem]) as archive:
        return json.loads(archive.read(f"{ident}.json"))


# -- the store's index of ids and aliases -----------------------------------------------


def test_find_by_id_and_by_every_alias_ignoring_case(imported_cache: Path) -> None:
    with AdvisoryStore.in_dir(imported_cache) as store:
        for name in ("PYSEC-2023-192", "CVE-2023-43804", "ghsa-v845-jxx5-vc9f", "pysec-2023-192"):
            assert [a.id for a in store.find(name)] == ["PYSEC-2023-192"], name
        assert [a.id for a in store.find("CVE-2024-43406")] == ["GO-2024-3078", "PYSEC-2024-72"]
        assert store.find("CVE-1999-0000") == []
        assert store.find("") == []


def record(ident: str, aliases: list[str], modified: str = "2024-01-01T00:00:00Z") -> NewRecord:
    body = json.dumps({"id": ident, "modified": modified, "aliases": aliases}).encode()
    return NewRecord(ident, modified, body, frozenset({("PyPI", "demo")}))


def test_replacing_a_source_replaces_its_aliases(tmp_path: Path) -> None:
    with AdvisoryStore.in_dir(tmp_path) as store:
        store.replace_source(
            name="a", kind="import", location="a", records=[record("X-1", ["CVE-1"])]
        )
        assert [a.id for a in store.find("CVE-1")] == ["X-1"]
        store.replace_source(
            name="a", kind="import", location="a", records=[record("X-1", ["CVE-2"])]
        )
        assert store.find("CVE-1") == []
        assert [a.id for a in store.find("cve-2")] == ["X-1"]


def test_find_keeps_the_newest_copy_of_an_id_held_by_two_sources(tmp_path: Path) -> None:
    with AdvisoryStore.in_dir(tmp_path) as store:
        old = record("X-1", ["CVE-1"], "2020-01-01T00:00:00Z")
        new = record("X-1", ["CVE-1"], "2024-01-01T00:00:00Z")
        store.replace_source(name="a", kind="import", location="a", records=[new])
        store.replace_source(name="b", kind="import", location="b", records=[old])
        (found,) = store.find("CVE-1")
        assert found.modified == "2024-01-01T00:00:00Z"


def test_aliases_given_with_the_record_are_indexed_and_a_bad_body_keeps_the_id(
    tmp_path: Path,
) -> None:
    with AdvisoryStore.in_dir(tmp_path) as store:
        given = NewRecord("X-1", "m", b"{}", frozenset(), aliases=("CVE-9",))
        broken = NewRecord("X-2", "m", b"not json", frozenset())
        store.replace_source(name="a", kind="import", location="a", records=[given, broken])
        assert [a.id for a in store.find("CVE-9")] == ["X-1"]
        assert [a.id for a in store.find("X-2")] == ["X-2"]


# -- the pure lookup and rendering ------------------------------------------------------


def test_find_records_puts_the_advisory_named_first(imported_cache: Path) -> None:
    with AdvisoryStore.in_dir(imported_cache) as store:
        records = find_records(store, " PYSEC-2024-72 ")
        assert [r.advisory.id for r in records] == ["PYSEC-2024-72"]
        records = find_records(store, "CVE-2024-43406")
        assert [r.advisory.id for r in records] == ["GO-2024-3078", "PYSEC-2024-72"]
        with pytest.raises(UnknownAdvisory, match="CVE-1999-0000"):
            find_records(store, "CVE-1999-0000")
        for other in ("semgrep:python.lang.security.audit.eval", "aws access key", "B101"):
            with pytest.raises(NotAnAdvisory, match="knows advisories only"):
                find_records(store, other)


def test_no_database_and_an_empty_database_say_what_the_scan_says(tmp_path: Path) -> None:
    store = AdvisoryStore.in_dir(tmp_path / "none")
    with pytest.raises(StoreError) as missing:
        find_records(store, "CVE-2023-43804")
    assert str(missing.value) == NO_DATABASE
    assert not store.path.exists()  # looking does not create a database
    empty = AdvisoryStore.in_dir(tmp_path)
    sqlite3.connect(empty.path).close()  # a file that nothing was ever imported into
    with empty, pytest.raises(StoreError) as nothing:
        find_records(empty, "CVE-2023-43804")
    assert str(nothing.value) == NO_DATABASE


def test_terminal_escapes_in_advisory_text_never_reach_the_terminal(tmp_path: Path) -> None:
    hostile = {
        "id": "GHSA-xxxx-yyyy-zzzz",
        "modified": "2024-01-01T00:00:00Z",
        "summary": "clear \x1b]0;owned\x07 title \x1b[2J",
        "details": "line \x1b[31mred\x1b[0m and \x9b31m C1",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo\x1b[1m"}}],
        "references": [{"type": "WEB", "url": "https://example.org/\x1b[5m"}],
    }
    advisory_file = tmp_path / "hostile.json"
    advisory_file.write_text(json.dumps(hostile), encoding="utf-8")
    with AdvisoryStore.in_dir(tmp_path / "cache") as store:
        import_path(store, advisory_file)
        records = find_records(store, "GHSA-xxxx-yyyy-zzzz")
    text = render_text("GHSA-xxxx-yyyy-zzzz", records)
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in text
    assert "clear ]0;owned title [2J" in text
    as_json = render_json(records)
    assert "\x1b" not in as_json
    assert "\x9b" not in as_json
    assert json.loads(as_json) == [hostile]


def test_markdown_becomes_wrapped_plain_text() -> None:
    markdown = (
        "### Impact\n"
        "A **bold** claim with *emphasis*, a [link](https://example.org/a) and\n"
        "<https://example.org/b>; `code_name` and snake_case_names stay.\n"
        "\n"
        "- first item that is long enough to need wrapping when the width is small\n"
        "  and continues here\n"
        "  - nested [ref]\n"
        "1. numbered\n"
        "\n"
        "```python\n"
        "very_long_code_line = call(argument_one, argument_two, argument_three)\n"
        "```\n"
        "\n"
        "[ref]: https://example.org/ref\n"
    )
    lines = markdown_to_text(markdown, width=50, indent="  ")
    assert lines[0] == "  Impact"
    text = "\n".join(lines)
    flat = " ".join(line.strip() for line in lines)
    assert "A bold claim with emphasis, a link (https://example.org/a) and" in flat
    assert "https://example.org/b; `code_name` and snake_case_names stay." in flat
    assert "  - first item that is long enough to need" in lines
    assert "    wrapping when the width is small and continues" in lines
    assert "    - nested ref (https://example.org/ref)" in lines
    assert "  1. numbered" in lines
    assert "      very_long_code_line = call(argument_one, argument_two, argument_three)" in lines
    for markup in ("[ref]:", "```", "###", "**", "<https"):
        assert markup not in text
    assert all(len(line) <= 50 for line in lines if "very_long_code_line" not in line)


# -- the command ------------------------------------------------------------------------


def test_explain_by_pysec_id(imported_cache: Path) -> None:
    result = run_explain(imported_cache, "PYSEC-2023-192")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("PYSEC-2023-192\n")
    assert "aliases     CVE-2023-43804, GHSA-v845-jxx5-vc9f" in out
    assert "published   2023-10-04T17:15:00Z" in out
    assert "modified    2023-10-10T14:28:19.389317Z" in out
    assert "severity    high, from its CVSS v3 vector (base score 8.1)" in out
    assert "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N" in out
    assert "fixed in    urllib3 (PyPI): 1.26.17, 2.0.6" in out
    assert "      introduced 0, fixed 1.26.17\n" in out
    assert "      introduced 2.0.0, fixed 2.0.6\n" in out
    assert "85 affected versions listed" in out
    assert "1 git commit range (not used for version matching)" in out
    assert "references (4)" in out  # six entries, four distinct urls
    assert "https://osv.dev/vulnerability/PYSEC-2023-192" in out
    assert "leak information via HTTP" in out  # the details
    assert all(len(line) <= 100 for line in out.splitlines())


def test_explain_by_cve_alias_and_by_ghsa_alias(imported_cache: Path) -> None:
    by_id = run_explain(imported_cache, "PYSEC-2023-192").stdout
    for alias in ("CVE-2023-43804", "ghsa-v845-jxx5-vc9f"):
        result = run_explain(imported_cache, alias)
        assert result.returncode == 0, result.stderr
        assert result.stdout == by_id


def test_explain_a_go_id(imported_cache: Path) -> None:
    result = run_explain(imported_cache, "GO-2022-0969")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "aliases     CVE-2022-27664, GHSA-69cg-p879-7622" in out
    assert "modified    not given (0001-01-01T00:00:00Z)" in out
    assert "severity    unknown: no CVSS vector and no database rating" in out
    assert "    stdlib (Go)\n      introduced 0, fixed 1.18.6\n" in out
    assert "      introduced 1.19.0-0, fixed 1.19.1\n" in out
    assert "golang.org/x/net (Go): 0.0.0-20220906165146-f3363e06e74c" in out
    assert "REPORT     https://go.dev/issue/54658" in out


def test_explain_rustsec_ids(imported_cache: Path) -> None:
    result = run_explain(imported_cache, "RUSTSEC-2026-0223")
    assert result.returncode == 0, result.stderr
    assert "severity    low, from its CVSS v4 vector (base score 2.0)" in result.stdout
    assert "fixed in    wasmtime (crates.io): 46.0.2, 47.0.3" in result.stdout
    unmaintained = run_explain(imported_cache, "RUSTSEC-2016-0005")
    assert unmaintained.returncode == 0, unmaintained.stderr
    assert "informational (unmaintained), not a vulnerability" in unmaintained.stdout
    # reference-style markdown links are resolved in place
    assert "`ring` (https://crates.io/crates/ring)" in unmaintained.stdout


def test_an_alias_shared_across_ecosystems_shows_every_record(imported_cache: Path) -> None:
    result = run_explain(imported_cache, "CVE-2024-43406")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(
        "CVE-2024-43406: 2 advisories go by this name: GO-2024-3078, PYSEC-2024-72\n"
    )
    assert out.index("\nGO-2024-3078\n") < out.index("\nPYSEC-2024-72\n")


def test_json_output_is_the_stored_osv_records(
    imported_cache: Path, osv_exports: dict[str, Path]
) -> None:
    result = run_explain(imported_cache, "CVE-2024-43406", "--format", "json")
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)
    assert documents == [
        stored_document(osv_exports, "Go", "GO-2024-3078"),
        stored_document(osv_exports, "PyPI", "PYSEC-2024-72"),
    ]
    single = json.loads(run_explain(imported_cache, "RUSTSEC-2024-0366", "--format=json").stdout)
    assert single == [stored_document(osv_exports, "crates.io", "RUSTSEC-2024-0366")]


def test_a_cve_finds_the_pypa_and_the_github_record_with_its_database_rating(
    tmp_path: Path, osv_exports: dict[str, Path]
) -> None:
    """Exports from osv.dev carry GHSA records beside PYSEC ones; both answer the CVE."""
    ghsa = {
        "id": "GHSA-v845-jxx5-vc9f",
        "modified": "2024-02-01T00:00:00Z",
        "published": "2023-10-02T23:19:09Z",
        "aliases": ["CVE-2023-43804", "PYSEC-2023-192"],
        "summary": "Cookie HTTP header isn't stripped on cross-origin redirects",
        "details": "## Impact\nurllib3 doesn't treat the `Cookie` header special.",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "urllib3"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": "2.0.0"}, {"fixed": "2.0.6"}],
                    },
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.26.17"}]},
                ],
            }
        ],
        "database_specific": {"severity": "MODERATE"},
    }
    (tmp_path / "ghsa").mkdir()
    (tmp_path / "ghsa" / "GHSA-v845-jxx5-vc9f.json").write_text(json.dumps(ghsa))
    cache = tmp_path / "cache"
    with AdvisoryStore.in_dir(cache) as store:
        import_path(store, osv_exports["PyPI"])
        import_path(store, tmp_path / "ghsa")
    result = run_explain(cache, "CVE-2023-43804")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("CVE-2023-43804: 2 advisories go by this name:")
    assert "\nGHSA-v845-jxx5-vc9f\n" in out
    assert "\nPYSEC-2023-192\n" in out
    assert "severity    medium, the advisory database's own rating (no CVSS vector)" in out
    # asked by its own id, the GHSA record comes first; the PYSEC one names it too
    first = run_explain(cache, "GHSA-v845-jxx5-vc9f").stdout
    assert first.index("\nGHSA-v845-jxx5-vc9f\n") < first.index("\nPYSEC-2023-192\n")


def test_unknown_id_is_a_one_line_usage_error(imported_cache: Path) -> None:
    result = run_explain(imported_cache, "CVE-1999-0000")
    assert result.returncode == 3
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "CVE-1999-0000" in line
    assert "glasshouse db update" in line


@pytest.mark.parametrize(
    ("ident", "says"),
    [
        ("bandit:B602", "a rule of bandit, imported from its SARIF report"),
        ("aws-access-key id", "not an advisory id"),
        ("[/bold]", "not an advisory id"),  # no markup injection into the error line
    ],
)
def test_rule_ids_of_other_kinds_are_not_advisories(
    imported_cache: Path, ident: str, says: str
) -> None:
    result = run_explain(imported_cache, ident)
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert says in line
    assert "knows advisories only, for now" in line
    assert ident in line


def test_no_database_gives_the_scans_message_and_exit_2(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "requirements.txt").write_text("urllib3==1.26.0\n")
    scan = subprocess.run(
        [sys.executable, "-m", "glasshouse", "scan", str(tmp_path / "repo"), "--offline", *JSON],
        capture_output=True,
        text=True,
        env={**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache)},
        timeout=120,
        check=False,
    )
    (problem,) = json.loads(scan.stdout)["problems"]
    result = run_explain(cache, "CVE-2023-43804")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"error: {problem['message']}"
    assert not (cache / STORE_FILENAME).exists()  # neither the scan nor explain made one
