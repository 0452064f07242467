"""Benchmark of `glasshouse scan --history` on a repository of 6,000 commits, against
Kingfisher's git mode.

The repository is built once (and reused while its parameters are unchanged) with ONE
``git fast-import`` stream, from real source: the Python files of the tree venv of
``bench_secrets.py``, a few new files per commit and edits (inserted, changed and
removed lines) to recently added ones, a file deleted now and then. Eight fake secrets
of common formats (the sanity plants of ``bench_secrets.py``) are planted, spread over
the history: six as new files, two as a line appended to an existing source file; each
is removed again 40 commits later, so that only the history holds them. Linear history
on ``main`` and a tag; no working-tree checkout, so both tools read the history only.

Measured, side by side:

- the size of the history: ``git log -p --all`` in bytes (the patch text the MB/s
  figures divide), commits, and the added lines Glasshouse actually reads;
- two floors: git alone printing ``git log -p --all``, and git alone printing the exact
  ``git log`` command Glasshouse runs (``--unified=0``, renames, ...), to /dev/null;
- ``python -m glasshouse scan REPO --offline --history --format json`` (the CLI, as a
  user runs it), and the same reader and detector in this process (git included);
- ``kingfisher scan . --git-history full --no-validate --no-update-check --no-binary
  --no-extract-archives --format json`` run in the repository (Kingfisher scans every
  blob of every commit once, not patches);
- trufflehog3's git mode, ``trufflehog3 --no-current --depth N -z -f JSON REPO`` (its
  reported lines count within diffs, so its finds are matched to plants by value).
  detect-secrets has no history mode: it is left out.

For each: wall and CPU seconds (children's rusage), MB of patch text per wall and per
CPU second, commits per second, findings, and which planted secrets it found.

Run: .venv/bin/python bench/bench_secrets_history.py [--quick] [--commits 6000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_secrets import (
    DEFAULT_CACHE,
    MB,
    OUT,
    PEERS,
    Hit,
    Peer,
    Plant,
    _last_line,
    ensure_peer,
    ensure_tree,
    glasshouse_env,
    kingfisher_argv,
    measure,
    note,
    plants,
    prepare_cache,
    top_rules,
)
from glasshouse.scanners.secrets import SecretScanner
from glasshouse.secrets import git as gitreader

TOOLS = ("glasshouse", "kingfisher", "trufflehog3")
AUTHOR = b"Bench Author <bench@example.invalid>"
EPOCH = 1_600_000_000
PLANT_LIFETIME = 40  # commits between a plant and its removal
HOT_FILES = 300  # recently added files that later commits edit
GIT_FLOOR = "floor: git log as Glasshouse runs it"
INSERTED = ("stripe-live-key", "password-assignment")  # planted as a line in a source file


@dataclass
class Planted:
    plant: Plant  # path and lines in the commit that added it
    added: int  # commit number (fast-import mark)
    removed: int
    commit: str = ""  # SHA of the adding commit, once imported


@dataclass(frozen=True)
class Place:
    """Where a tool reported a secret. ``value`` is what trufflehog3 matched (its line
    numbers count within a diff, so it is matched to a plant by value); it stays in
    memory, never printed or written."""

    rule: str
    path: str
    line: int | None
    commit: str | None
    preview: str = ""  # Glasshouse's masked preview
    value: str = field(default="", repr=False, compare=False)

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "value"}


@dataclass
class HistoryRun:
    tool: str
    wall: float = 0.0
    cpu: float = 0.0
    exit_code: int | None = None
    reported: int = 0
    hits: list[Place] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    command: str = ""


# -- building the repository ---------------------------------------------------------------


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _commit(mark: int, message: str, ops: list[bytes]) -> bytes:
    when = b"%d +0000" % (EPOCH + mark * 600)
    head = b"commit refs/heads/main\nmark :%d\n" % mark
    head += b"author " + AUTHOR + b" " + when + b"\ncommitter " + AUTHOR + b" " + when + b"\n"
    return head + _data(message.encode()) + b"".join(ops)


def _modify(path: str, content: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\n" + _data(content)


def build_repo(repo: Path, tree_root: Path, commits: int, seed: int) -> list[Planted]:
    """Write the repository with one fast-import stream; return the plants."""
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    git = shutil.which("git") or "git"
    subprocess.run(
        [git, "init", "--quiet", "--template=", "--initial-branch=main", str(repo)], check=True
    )
    rng = Random(seed)
    sources = sorted(
        p
        for p in tree_root.rglob("*.py")
        if not p.is_symlink() and 200 <= p.stat().st_size <= 64 * 1024
    )
    rng.shuffle(sources)
    secrets = {p.kind: p for p in plants(Random(seed + 1))}
    kinds = list(secrets)
    at = {int((k + 0.5) * commits / len(kinds)) + 1: kind for k, kind in enumerate(kinds)}
    planted: list[Planted] = []
    removals: dict[int, list[Planted]] = {}
    hot: OrderedDict[str, list[bytes]] = OrderedDict()  # path -> lines, recent last
    frozen: set[str] = set()  # files holding a plant: not edited until it is removed
    marks = repo / "marks"
    importer = subprocess.Popen(
        [git, "-C", str(repo), "fast-import", "--quiet", f"--export-marks={marks}"],
        stdin=subprocess.PIPE,
    )
    assert importer.stdin is not None
    next_source = 0
    for mark in range(1, commits + 1):
        ops: list[bytes] = []
        message = f"change {mark}"
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            source = sources[next_source % len(sources)]
            round_ = next_source // len(sources)
            next_source += 1
            rel = source.relative_to(tree_root).as_posix()
            path = f"src/{rel}" if round_ == 0 else f"src/copy{round_}/{rel}"
            content = source.read_bytes()
            ops.append(_modify(path, content))
            hot[path] = content.splitlines(keepends=True)
            hot.move_to_end(path)
            while len(hot) > HOT_FILES:
                oldest = next(p for p in hot if p not in frozen)
                del hot[oldest]
        editable = [p for p in hot if p not in frozen and hot[p]]
        for _ in range(rng.choice((0, 1, 1, 2))):
            path = rng.choice(editable)
            lines = hot[path]
            where = rng.randrange(len(lines))
            if rng.random() < 0.5:
                indent = lines[where][: len(lines[where]) - len(lines[where].lstrip())]
                lines.insert(where, indent.rstrip(b"\r\n") + b"# reviewed in change %d\n" % mark)
            else:
                lines[where] = lines[where].rstrip(b"\r\n") + b"  # r%d\n" % mark
            ops.append(_modify(path, b"".join(lines)))
        if mark % 50 == 0 and editable:
            gone = rng.choice(editable)
            if gone in hot and gone not in frozen:
                del hot[gone]
                ops.append(b"D " + gone.encode() + b"\n")
        kind = at.get(mark)
        if kind is not None:
            plant = secrets[kind]
            removed = min(mark + PLANT_LIFETIME, commits)
            if kind in INSERTED:
                path = next(p for p in reversed(hot) if p not in frozen and hot[p])
                lines = hot[path]
                line = plant.text.splitlines()[plant.first - 1].encode() + b"\n"
                if lines and not lines[-1].endswith(b"\n"):
                    lines[-1] += b"\n"
                ops.append(_modify(path, b"".join([*lines, line])))
                frozen.add(path)
                where = len(lines) + 1
                entry = Planted(replace(plant, path=path, first=where, last=where), mark, removed)
            else:
                ops.append(_modify(plant.path, plant.text.encode()))
                entry = Planted(plant, mark, removed)
            message = f"configure {kind.replace('-', ' ')}"
            planted.append(entry)
            removals.setdefault(removed, []).append(entry)
        for entry in removals.get(mark, []):
            if entry.plant.kind in INSERTED:
                path = entry.plant.path
                frozen.discard(path)
                ops.append(_modify(path, b"".join(hot[path])))
            else:
                ops.append(b"D " + entry.plant.path.encode() + b"\n")
            message = f"remove leaked {entry.plant.kind.replace('-', ' ')}"
        importer.stdin.write(_commit(mark, message, ops))
    importer.stdin.write(b"reset refs/tags/v1.0\nfrom :%d\n" % commits)
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    shas = dict(line.split() for line in marks.read_text().splitlines())
    for entry in planted:
        entry.commit = shas[f":{entry.added}"]
    marks.unlink()
    subprocess.run([git, "-C", str(repo), "gc", "--quiet", "--aggressive"], check=True)
    return planted


def ensure_repo(
    cache: Path, tree_root: Path, commits: int, seed: int
) -> tuple[Path, list[Planted]]:
    """The repository for these parameters, built if missing. Its manifest (where each
    plant is, never the secret itself) lives beside it: Kingfisher reads ``.git``."""
    repo = cache / f"history-{commits}-{seed}"
    manifest = cache / f"history-{commits}-{seed}.json"
    params = {"commits": commits, "seed": seed, "tree": str(tree_root), "version": 3}
    if manifest.is_file() and (repo / ".git").is_dir():
        saved = json.loads(manifest.read_text())
        if saved.get("params") == params:
            return repo, [
                Planted(Plant(**p["plant"]), p["added"], p["removed"], p["commit"])
                for p in saved["plants"]
            ]
    note(f"building a repository of {commits} commits with git fast-import")
    planted = build_repo(repo, tree_root, commits, seed)
    for entry in planted:
        entry.plant = replace(entry.plant, text="")
    manifest.write_text(json.dumps({"params": params, "plants": [asdict(p) for p in planted]}))
    return repo, planted


# -- measuring -------------------------------------------------------------------------------


def patch_size(repo: Path) -> tuple[int, float, float]:
    """Bytes of ``git log -p --all``, and git's wall and CPU seconds to print it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    size = 0
    with subprocess.Popen(
        ["git", "-C", str(repo), "--no-pager", "log", "-p", "--all", "--no-color"],
        stdout=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        while block := proc.stdout.read(1 << 20):
            size += len(block)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return size, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def git_floor(repo: Path, work: Path) -> HistoryRun:
    """git alone printing the exact log Glasshouse reads, to /dev/null."""
    git = shutil.which("git") or "git"
    run = HistoryRun(GIT_FLOOR)
    with tempfile.TemporaryDirectory(prefix="bench-git-") as empty:
        argv = gitreader.log_command(git, str(repo / ".git"), empty, ["--all"])
        run.command = " ".join(["git", *argv[1:]])
        env = gitreader.history_environment(empty)
        run.wall, run.cpu, run.exit_code = measure(
            argv,
            cwd=Path(empty),
            env=env,
            stdout=Path(os.devnull),
            stderr=work / "git-floor.err",
            timeout=600,
        )
    return run


def run_glasshouse(repo: Path, work: Path, cache: Path, timeout: float) -> HistoryRun:
    out, err = work / "glasshouse-history.json", work / "glasshouse-history.err"
    argv = [sys.executable, "-m", "glasshouse", "scan", str(repo), "--offline", "--history"]
    argv += ["--format", "json", "--no-progress"]
    run = HistoryRun("glasshouse", command=" ".join(["python", *argv[1:]]))
    run.wall, run.cpu, run.exit_code = measure(
        argv, env=glasshouse_env(cache), stdout=out, stderr=err, timeout=timeout
    )
    if run.exit_code not in (0, 1, 2):
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    report = json.loads(out.read_text())
    secrets = [f for f in report["findings"] if f["kind"] == "secret"]
    run.reported = len(secrets)
    run.hits = [
        Place(f["rule_id"], o["path"], o["line"], o.get("commit"), f["secret"]["preview"])
        for f in secrets
        for o in f["secret"]["occurrences"]
    ]
    problems = [p["message"] for p in report["problems"] if p["scanner"] == "secrets"]
    run.note = "; ".join(problems)
    return run


def run_glasshouse_in_process(repo: Path, cache: Path) -> tuple[HistoryRun, int, int]:
    """The history reader and the detector in this process (git's CPU included):
    returns the run, the commits seen and the bytes of added lines searched."""
    run = HistoryRun("glasshouse (history only, in process)", command="history() + scan_chunk")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, cpu = time.perf_counter(), time.process_time()
    detector = SecretScanner()._detector_for_run(_context(repo, cache))
    commits: set[str | None] = set()
    added = 0
    for chunk in gitreader.history(repo):
        commits.add(chunk.commit)
        added += len(chunk.buffer)
        for match, (path, line) in detector.scan_chunk(chunk):
            run.hits.append(Place(match.rule.id, path, line, chunk.commit))
    run.wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = time.process_time() - cpu + (after.ru_utime - before.ru_utime)
    run.cpu += after.ru_stime - before.ru_stime
    run.exit_code = 0
    run.reported = len({(h.rule, h.path, h.line) for h in run.hits})
    run.note = "matches, before grouping by secret"
    return run, len(commits), added


def _context(repo: Path, cache: Path) -> Any:
    from glasshouse.config import DEFAULT_MAX_DB_AGE_HOURS, DEFAULT_OSV_BASE_URL
    from glasshouse.scanners.base import ScanContext

    return ScanContext(
        root=repo,
        cache_dir=cache / "glasshouse-cache",
        offline=True,
        base_url=DEFAULT_OSV_BASE_URL,
        max_db_age_hours=DEFAULT_MAX_DB_AGE_HOURS,
        history="",
    )


def run_kingfisher(peer: Peer, repo: Path, work: Path, cache: Path, timeout: float) -> HistoryRun:
    out, err = work / "kingfisher-history.json", work / "kingfisher-history.err"
    argv = kingfisher_argv(peer, ".", out, cache)
    argv[3:3] = ["--git-history", "full"]
    run = HistoryRun("kingfisher", command="(cd REPO && kingfisher " + " ".join(argv[1:]) + ")")
    if out.exists():
        out.unlink()
    run.wall, run.cpu, run.exit_code = measure(
        argv, cwd=repo, stdout=work / "kingfisher-history.out", stderr=err, timeout=timeout
    )
    if run.exit_code not in (0, 200) or not out.exists():
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    report = json.loads(out.read_text())
    findings = report.get("findings") or []
    run.reported = len(findings)
    for f in findings:
        found = f["finding"]
        commit = (found.get("git_metadata") or {}).get("commit", {}).get("id")
        path = found["path"].removeprefix("./")
        run.hits.append(Place(f["rule"]["id"], path, found["line"], commit))
    summary = report.get("metadata", {}).get("summary", {})
    run.note = (
        f"{summary.get('blobs_scanned')} blobs, "
        f"{(summary.get('bytes_scanned') or 0) / MB:.1f} MB of blobs scanned"
    )
    return run


def run_trufflehog3(peer: Peer, repo: Path, work: Path, commits: int, timeout: float) -> HistoryRun:
    out, err = work / "trufflehog3-history.json", work / "trufflehog3-history.err"
    argv = [*peer.command, "--no-current", "--depth", str(commits + 1), "-z", "-f", "JSON"]
    argv += ["-o", str(out), str(repo)]
    run = HistoryRun("trufflehog3", command=" ".join(["trufflehog3", *argv[1:]]))
    run.wall, run.cpu, run.exit_code = measure(
        argv, stdout=work / "trufflehog3-history.out", stderr=err, timeout=timeout
    )
    if run.exit_code != 0 or not out.exists():
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    findings = json.loads(out.read_text() or "[]")
    run.reported = len(findings)
    run.hits = [
        Place(f["rule"]["id"], f["path"], None, f.get("commit"), value=f.get("secret") or "")
        for f in findings
    ]
    run.note = "lines count within diffs: matched to plants by path and value"
    return run


def _at(hit: Place, plant: Plant, texts: dict[str, str]) -> bool:
    if hit.path != plant.path:
        return False
    if hit.line is not None:
        return plant.first <= hit.line <= plant.last
    value = hit.value.strip()
    text = texts.get(plant.kind, "")
    # trufflehog3 reads diffs: a value may carry the line's "+" or "-" mark
    return bool(value) and (value in text or value[1:] in text)


def found_plants(planted: list[Planted], run: HistoryRun, texts: dict[str, str]) -> dict[str, str]:
    """Per plant: "yes" (right path, line and commit), "yes, other commit", or "no"."""
    out = {}
    for entry in planted:
        at = [h for h in run.hits if _at(h, entry.plant, texts)]
        if not at:
            out[entry.plant.kind] = "no"
        elif any(h.commit in (None, entry.commit) for h in at):
            out[entry.plant.kind] = "yes"
        else:
            out[entry.plant.kind] = "yes, other commit"
    return out


def print_table(
    runs: list[HistoryRun], planted: list[Planted], texts: dict[str, str], size: int, commits: int
) -> dict[str, dict[str, str]]:
    """The side-by-side table; returns, per tool, which plants it found."""
    print(
        f"  {'tool':40s} {'wall s':>7s} {'CPU s':>7s} {'MB/s':>7s} {'MB/CPU-s':>8s}"
        f" {'commits/s':>9s} {'findings':>8s} {'planted':>7s}  notes"
    )
    found_by: dict[str, dict[str, str]] = {}
    for run in runs:
        if run.error:
            print(f"  {run.tool:40s} unavailable: {run.error}")
            continue
        is_floor = run.tool.startswith("floor")
        shown = "-"
        if not is_floor:
            found = found_plants(planted, run, texts)
            found_by["in-process" if "in process" in run.tool else run.tool] = found
            shown = f"{sum(v.startswith('yes') for v in found.values())}/{len(planted)}"
        notes = [run.note] if run.note else []
        notes += [f"exit {run.exit_code}"] if run.exit_code else []
        print(
            f"  {run.tool:40s} {run.wall:7.2f} {run.cpu:7.2f} {size / MB / run.wall:7.1f}"
            f" {size / MB / max(run.cpu, 1e-9):8.1f} {commits / run.wall:9.0f}"
            f" {'-' if is_floor else str(run.reported):>8s} {shown:>7s}  {'; '.join(notes)}"
        )
    return found_by


def print_ratios(runs: list[HistoryRun]) -> dict[str, Any]:
    by_tool = {r.tool: r for r in runs if not r.error}
    ratios: dict[str, Any] = {}
    pairs = (
        ("glasshouse CLI / kingfisher", "glasshouse", "kingfisher"),
        (
            "glasshouse history only / kingfisher",
            "glasshouse (history only, in process)",
            "kingfisher",
        ),
        ("trufflehog3 / glasshouse CLI", "trufflehog3", "glasshouse"),
        ("glasshouse CLI / git log alone", "glasshouse", GIT_FLOOR),
        (
            "glasshouse history only / git log alone",
            "glasshouse (history only, in process)",
            GIT_FLOOR,
        ),
    )
    for label, top, bottom in pairs:
        a, b = by_tool.get(top), by_tool.get(bottom)
        if a is None or b is None:
            continue
        ratios[label] = {"wall": a.wall / b.wall, "cpu": a.cpu / b.cpu}
        print(f"  {label:42s} wall {a.wall / b.wall:6.2f}x   CPU {a.cpu / b.cpu:6.2f}x")
    return ratios


def print_alarms(
    runs: list[HistoryRun], planted: list[Planted], texts: dict[str, str]
) -> dict[str, Any]:
    """Findings that are not a plant: false alarms in real source (Glasshouse's all)."""
    print("findings other than the planted secrets (false alarms in real source):")
    alarms: dict[str, Any] = {}
    for run in runs:
        if run.error or run.tool.startswith("floor") or "in process" in run.tool:
            continue
        other = [h for h in run.hits if not any(_at(h, e.plant, texts) for e in planted)]
        print(f"  {run.tool}: {len(other)} places")
        if run.tool == "glasshouse":
            for h in sorted(other, key=lambda h: (h.rule, h.path, h.line or 0)):
                commit = (h.commit or "")[:10]
                print(f"    {h.rule:28s} {h.preview:26s} {h.path}:{h.line} ({commit})")
        else:
            hits = [Hit(h.rule, h.path, h.line) for h in other]
            for rule, count, examples in top_rules(hits, 8):
                print(f"    {rule:40s} {count:6d}  e.g. {', '.join(examples)}")
        alarms[run.tool] = [h.public() for h in other]
    return alarms


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 commits from the quick tree")
    parser.add_argument("--commits", type=int, default=None, help="default 6000 (quick: 600)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help=f"comma-separated subset of {TOOLS}"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--json", type=Path, default=OUT / "secrets_history.json")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)} (known: {', '.join(TOOLS)})")
    commits = args.commits or (600 if args.quick else 6000)

    cache = prepare_cache(args.cache.resolve())
    work = cache / "work"
    work.mkdir(exist_ok=True)
    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    peers = {name: ensure_peer(cache, name) for name in tools if name in PEERS}
    for peer in peers.values():
        state = f"version {peer.version}" if not peer.unavailable else "unavailable"
        print(f"peer {peer.name:15s} {PEERS[peer.name]:24s} {state} {peer.unavailable or ''}")
    tree_root = ensure_tree(cache, quick=args.quick)
    repo, planted = ensure_repo(cache, tree_root, commits, args.seed)
    # The plants' texts again (the same seed gives the same values), to match by value.
    texts = {p.kind: p.text for p in plants(Random(args.seed + 1))}

    counted = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--all", "--count"],
        capture_output=True,
        text=True,
        check=True,
    )
    n_commits = int(counted.stdout)
    size, log_wall, log_cpu = patch_size(repo)
    print(
        f"repository: {n_commits} commits, `git log -p --all` = {size / MB:.1f} MB;"
        f" {len(planted)} planted secrets, each removed {PLANT_LIFETIME} commits later"
    )
    print(f"  {repo}")

    runs = [
        HistoryRun("floor: git log -p --all", log_wall, log_cpu, 0, command="git log -p --all"),
        git_floor(repo, work),
    ]
    added = 0
    for name in tools:
        note(f"{name} on the history")
        if name == "glasshouse":
            runs.append(run_glasshouse(repo, work, cache, args.timeout))
            in_process, seen, added = run_glasshouse_in_process(repo, cache)
            if seen != n_commits:
                in_process.note += f"; {seen} commits read (of {n_commits})"
            runs.append(in_process)
        elif peers[name].unavailable:
            runs.append(HistoryRun(name, error=peers[name].unavailable))
        elif name == "kingfisher":
            runs.append(run_kingfisher(peers[name], repo, work, cache, args.timeout))
        else:
            runs.append(run_trufflehog3(peers[name], repo, work, n_commits, args.timeout))
    if added:
        print(f"  added lines Glasshouse searched (--unified=0): {added / MB:.1f} MB")
    print()
    found_by = print_table(runs, planted, texts, size, n_commits)
    print()
    print("planted secrets (the commit that added each):")
    for entry in planted:
        cells = "  ".join(f"{tool}: {found[entry.plant.kind]}" for tool, found in found_by.items())
        where = f"{entry.plant.path}:{entry.plant.first}"
        print(f"  {entry.plant.kind:20s} {entry.commit[:10]} {where:45s} {cells}")
    print()
    ratios = print_ratios(runs)
    print()
    alarms = print_alarms(runs, planted, texts)
    print()
    print(f"total benchmark time {time.perf_counter() - began:.0f} s")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "secrets git history",
        "repository": {
            "commits": n_commits,
            "patch_bytes": size,
            "added_bytes": added,
            "seed": args.seed,
        },
        "peers": {
            p.name: {
                "requirement": PEERS[p.name],
                "version": p.version,
                "unavailable": p.unavailable,
            }
            for p in peers.values()
        },
        "runs": [{k: v for k, v in asdict(r).items() if k != "hits"} for r in runs],
        "planted": [
            {"kind": e.plant.kind, "path": e.plant.path, "line": e.plant.first, "commit": e.commit}
            for e in planted
        ],
        "found": found_by,
        "ratios": ratios,
        "other_findings": alarms,
    }
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
