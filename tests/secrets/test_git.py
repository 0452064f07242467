"""The git reader on real repositories made in temporary directories."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glasshouse.model import SecretOccurrence
from glasshouse.secrets.git import (
    CommitChunk,
    GitError,
    RevisionError,
    SkippedFile,
    history,
    history_environment,
    log_command,
    parse_patches,
    revision_arguments,
    staged,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ADA = "Ada Lovelace"
DATE = "2024-03-01T10:00:00+01:00"


@pytest.fixture(autouse=True)
def clean_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user or system configuration; the global one is a file a test may fill."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):  # merges made by the tests need an identity
        monkeypatch.setenv(f"GIT_{role}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tester@example.org")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF"):
        monkeypatch.delenv(name, raising=False)
    return config


def run_git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, check=True, env={**os.environ, **(env or {})}
    )
    return done.stdout.decode().strip()


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return run_git(self.path, *args, env=env)

    def write(self, files: dict[str | bytes, bytes | None]) -> None:
        for name, content in files.items():
            target = self.path / os.fsdecode(name)  # bytes: a name that is not UTF-8
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def commit(
        self,
        message: str,
        files: dict[str | bytes, bytes | None] | None = None,
        *,
        author: str = ADA,
        date: str = DATE,
    ) -> str:
        self.write(files or {})
        self.git("add", "-A")
        who = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": "ada@example.org",
            "GIT_COMMITTER_DATE": date,
        }
        self.git("commit", "-q", "--allow-empty", "-m", message, env=who)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def added(chunks: Iterator[CommitChunk] | list[CommitChunk]) -> list[tuple[str, int, bytes]]:
    return [(line.path, line.line, line.content) for c in chunks for line in c.lines]


def by_commit(chunks: Iterator[CommitChunk]) -> dict[str | None, list[tuple[str, int, bytes]]]:
    out: dict[str | None, list[tuple[str, int, bytes]]] = {}
    for chunk in chunks:
        out.setdefault(chunk.commit, []).extend(added([chunk]))
    return out


# --- history ------------------------------------------------------------------------


def test_a_line_added_then_deleted_is_found_in_the_commit_that_added_it(repo: Repo) -> None:
    # glasshouse:allow aws-secret-access-key,generic-secret-assignment fake key in a test commit
    key = b'AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz2uQqs9Xz"'
    first = repo.commit("add", {"app/config.py": b"import os\n" + key + b"\nDEBUG = False\n"})
    second = repo.commit(
        "remove", {"app/config.py": b"import os\nDEBUG = False\n"}, date="2024-03-02T09:00:00Z"
    )
    chunks = list(history(repo.path))

    assert [c.commit for c in chunks] == [second, first]  # newest first, as git log
    assert chunks[0].line_count == 0  # the second commit only removed a line
    chunk = chunks[1]
    assert (chunk.author, chunk.date) == (ADA, DATE)
    assert chunk.lines[1].path == "app/config.py"
    assert (chunk.lines[1].line, chunk.lines[1].content) == (2, key)
    assert chunk.buffer == b"import os\n" + key + b"\nDEBUG = False"
    offset = chunk.buffer.index(b"wJalr")
    assert chunk.locate(offset) == ("app/config.py", 2)
    assert chunk.locate_line(2) == ("app/config.py", 3)
    assert chunk.occurrence(offset) == SecretOccurrence("app/config.py", 2, first, ADA, DATE)
    assert len(first) == 40
    assert set(first) <= set("0123456789abcdef")


def test_a_range_limits_history_to_its_commits(repo: Repo) -> None:
    one = repo.commit("one", {"a.txt": b"1\n"})
    two = repo.commit("two", {"a.txt": b"1\n2\n"})
    three = repo.commit("three", {"a.txt": b"1\n2\n3\n"})
    assert list(by_commit(history(repo.path, f"{one}..{three}"))) == [three, two]
    assert by_commit(history(repo.path, f"{one}..{two}")) == {two: [("a.txt", 2, b"2")]}
    assert list(by_commit(history(repo.path, "--max-count=1 main"))) == [three]


def test_all_refs_include_other_branches(repo: Repo) -> None:
    repo.commit("base", {"a.txt": b"base\n"})
    repo.git("checkout", "-q", "-b", "feature")
    side = repo.commit("side", {"b.txt": b"token = on-a-branch\n"})
    repo.git("checkout", "-q", "main")
    main_only = by_commit(history(repo.path, "main"))
    everything = by_commit(history(repo.path))
    assert side not in main_only
    assert everything[side] == [("b.txt", 1, b"token = on-a-branch")]
    assert side in by_commit(history(repo.path, "--branches=feat* --since=2000-01-01"))
    assert side not in by_commit(history(repo.path, "--all --not feature"))


def test_binary_files_are_skipped_and_reported(repo: Repo) -> None:
    sha = repo.commit(
        "assets",
        {
            "logo one.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            "readme.md": b"# hi\n",
        },
    )
    (chunk,) = history(repo.path)
    assert chunk.commit == sha
    assert chunk.skipped == (SkippedFile("logo one.png", "binary"),)
    assert chunk.binary_paths == ("logo one.png",)
    assert added([chunk]) == [("readme.md", 1, b"# hi")]


def test_gitattributes_cannot_hide_text_as_binary(repo: Repo) -> None:
    repo.commit("attributes", {".gitattributes": b"*.env -diff\n*.cfg binary\n"})
    sha = repo.commit(
        "env",
        # glasshouse:allow generic-password-assignment fake password in a test commit
        {"prod.env": b"DB_PASSWORD=hunter2-but-longer\n", "a.cfg": b"k=v\n"},
    )
    assert sorted(by_commit(history(repo.path))[sha]) == [
        ("a.cfg", 1, b"k=v"),
        # glasshouse:allow generic-password-assignment fake password in a test commit
        ("prod.env", 1, b"DB_PASSWORD=hunter2-but-longer"),
    ]
    # glasshouse:allow generic-password-assignment fake password in a test commit
    repo.write({"prod.env": b"DB_PASSWORD=hunter2-but-longer\nAPI_KEY=abc\n"})
    repo.git("add", "prod.env")
    assert added(staged(repo.path)) == [("prod.env", 2, b"API_KEY=abc")]


def test_a_renamed_file_reports_only_its_new_lines(repo: Repo) -> None:
    body = b"".join(b"line %d of a file long enough to be recognized\n" % i for i in range(20))
    repo.commit("add", {"old name.py": body})
    repo.git("mv", "old name.py", "new name.py")
    pure = repo.commit("rename")
    (repo.path / "moved").mkdir()
    repo.git("mv", "new name.py", "moved/again.py")
    repo.write({"moved/again.py": body.replace(b"line 7 ", b"line seven ")})
    edited = repo.commit("rename and edit")
    commits = by_commit(history(repo.path))
    assert commits[pure] == []
    assert commits[edited] == [
        ("moved/again.py", 8, b"line seven of a file long enough to be recognized")
    ]


def test_merges_report_only_what_the_merge_itself_adds(repo: Repo) -> None:
    repo.commit("base", {"f.txt": b"a\nb\nc\n"})
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side", {"f.txt": b"a\nb\nc\nside\n"})
    repo.git("checkout", "-q", "main")
    main = repo.commit("main", {"f.txt": b"main\na\nb\nc\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    clean = repo.commit("clean merge")
    repo.git("checkout", "-q", "-b", "evil", f"{clean}^1")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    evil = repo.commit("evil merge", {"f.txt": b"main\na\nEVIL = 'sk_live_x'\nb\nc\nside\n"})
    commits = by_commit(history(repo.path))
    assert commits[side] == [("f.txt", 4, b"side")]
    assert commits[main] == [("f.txt", 1, b"main")]
    assert commits.get(clean, []) == []  # its lines came from side and main
    assert commits[evil] == [("f.txt", 3, b"EVIL = 'sk_live_x'")]


def test_a_conflict_resolution_is_read_from_the_merge(repo: Repo) -> None:
    repo.commit("base", {"c.ini": b"key = base\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"c.ini": b"key = side\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"c.ini": b"key = main\n"})
    with pytest.raises(subprocess.CalledProcessError):
        repo.git("merge", "-q", "side")
    merge = repo.commit("resolved", {"c.ini": b"key = resolved\nother = 1\n"})
    assert by_commit(history(repo.path))[merge] == [
        ("c.ini", 1, b"key = resolved"),
        ("c.ini", 2, b"other = 1"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "with space.txt",
        "trailing space ",
        "ünïcødé/ファイル.txt",
        'a "quoted" name.txt',
        "tab\there.txt",
        "new\nline.txt",
        "back\\slash.txt",
        "-dash.txt",
    ],
)
def test_paths_are_read_exactly(repo: Repo, name: str) -> None:
    repo.commit("odd name", {name: b"value = 1\n", f"bin {name}": b"\x00\x01"})
    (chunk,) = history(repo.path)
    assert added([chunk]) == [(name, 1, b"value = 1")]
    assert chunk.skipped == (SkippedFile(f"bin {name}", "binary"),)


def test_a_path_that_is_not_utf8_keeps_its_bytes(repo: Repo) -> None:
    repo.commit("latin-1 name", {b"caf\xe9.txt": b"x\n"})
    (path,) = {line.path for line in next(history(repo.path)).lines}
    assert os.fsencode(path) == b"caf\xe9.txt"


def test_crlf_line_endings_are_dropped_and_other_bytes_kept(repo: Repo) -> None:
    repo.commit(
        "windows",
        {
            "win.ini": b"[db]\r\npassword = s3cr3t\r\n\r\n",
            "latin.txt": b"caf\xe9 = 'cr\rinside'\n",
        },
    )
    assert sorted(added(history(repo.path))) == [
        ("latin.txt", 1, b"caf\xe9 = 'cr\rinside'"),
        ("win.ini", 1, b"[db]"),
        ("win.ini", 2, b"password = s3cr3t"),
        ("win.ini", 3, b""),
    ]


def test_no_newline_at_end_of_file(repo: Repo) -> None:
    repo.commit("one", {"f": b"a\nb"})
    sha = repo.commit("two", {"f": b"a\nb\nc"})
    assert by_commit(history(repo.path))[sha] == [("f", 2, b"b"), ("f", 3, b"c")]


def test_submodule_changes_are_ignored(repo: Repo) -> None:
    repo.commit("base", {"a.txt": b"a\n"})
    sha = repo.git("rev-parse", "HEAD")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},vendored")
    repo.write({".gitmodules": b'[submodule "vendored"]\n\tpath = vendored\n'})
    repo.git("add", ".gitmodules")
    assert added(staged(repo.path)) == [
        (".gitmodules", 1, b'[submodule "vendored"]'),
        (".gitmodules", 2, b"\tpath = vendored"),
    ]
    commit = repo.commit("submodule")
    assert [p for p, _, _ in by_commit(history(repo.path))[commit]] == [".gitmodules"] * 2


def test_deleted_files_and_empty_commits_add_nothing(repo: Repo) -> None:
    first = repo.commit("add", {"gone.txt": b"soon gone\n"})
    repo.commit("delete", {"gone.txt": None})
    repo.commit("empty")
    assert by_commit(history(repo.path)) == {first: [("gone.txt", 1, b"soon gone")]}


def test_hostile_configuration_changes_nothing(
    repo: Repo, clean_git: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b"".join(b"line %d of a file long enough to be recognized\n" % i for i in range(20))
    repo.commit("one", {"sub/a b.txt": body, "ü.txt": b"x\n", "w.txt": b"1\n2\n3\n4\n5\n6\n"})
    repo.git("mv", "sub/a b.txt", "sub/c d.txt")
    repo.commit("two", {"w.txt": b"1\nX\n3\n4\nY\n6\n"}, author="Zoë")
    repo.write({"w.txt": b"1\nX\n3\n4\nY\n6\nstaged\n"})
    repo.git("add", "w.txt")
    expected_history = [(c.commit, added([c])) for c in history(repo.path)]
    expected_staged = added(staged(repo.path))

    marker = tmp_path / "executed"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    clean_git.write_text(
        f"""[diff]
    noprefix = true
    mnemonicPrefix = true
    external = {script}
    renames = false
    relative = true
    context = 7
    interHunkContext = 20
    suppressBlankEmpty = true
[color]
    ui = always
[core]
    quotePath = true
    pager = {script}
    attributesFile = {tmp_path / "attrs"}
[log]
    showRoot = false
    decorate = full
    showSignature = true
    mailmap = true
[format]
    pretty = fuller
[i18n]
    logOutputEncoding = ISO-8859-1
[pager]
    log = {script}
    diff = {script}
"""
    )
    (tmp_path / "attrs").write_text("* -diff\n")
    (repo.path / ".mailmap").write_text("Someone Else <ada@example.org>\n")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", str(script))
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=5")
    monkeypatch.setenv("GIT_PAGER", str(script))

    assert [(c.commit, added([c])) for c in history(repo.path)] == expected_history
    assert added(staged(repo.path / "sub")) == expected_staged
    assert [c.author for c in history(repo.path)] == ["Zoë", ADA]
    assert not marker.exists()


def test_replace_refs_do_not_hide_the_real_history(repo: Repo) -> None:
    leaked = repo.commit("leak", {"k.txt": b"real-secret\n"})
    repo.git("checkout", "-q", "--orphan", "decoy")
    decoy = repo.commit("innocent", {"k.txt": b"nothing here\n"})
    repo.git("checkout", "-q", "main")
    repo.git("replace", leaked, decoy)
    assert by_commit(history(repo.path, "main"))[leaked] == [("k.txt", 1, b"real-secret")]


# --- chunks and streaming -----------------------------------------------------------


def test_a_big_commit_is_cut_into_chunks_between_lines(repo: Repo) -> None:
    files: dict[str | bytes, bytes | None] = {
        f"f{i}.txt": b"".join(b"file %d line %d\n" % (i, k) for k in range(40)) for i in range(5)
    }
    files["long.txt"] = b"x" * 500 + b"\nshort\n"
    sha = repo.commit("big", files)
    whole = list(history(repo.path))
    parts = list(history(repo.path, chunk_bytes=100))
    assert len(whole) == 1
    assert len(parts) > 20
    assert [c.part for c in parts] == list(range(len(parts)))
    assert {c.commit for c in parts} == {sha}
    assert added(parts) == added(whole)
    for chunk in parts:
        assert len(chunk.buffer) <= 100 or chunk.line_count == 1
        for k, line in enumerate(chunk.lines):
            assert chunk.locate_line(k) == (line.path, line.line)
    chunk = whole[0]
    offset = 0
    for line in chunk.lines:  # the first, middle and last byte of every line, and its end
        assert chunk.buffer[offset : offset + len(line.content)] == line.content
        for at in (offset, offset + len(line.content) // 2, offset + len(line.content)):
            assert chunk.locate(at) == (line.path, line.line)
        offset += len(line.content) + 1
    with pytest.raises(IndexError):
        chunk.locate(len(chunk.buffer) + 1)
    with pytest.raises(IndexError):
        chunk.locate_line(chunk.line_count)


def test_any_block_boundaries_give_the_same_chunks(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", {"a b.txt": b"1\r\n2\n", "bin": b"\x00", 'q"q': b"q\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"a b.txt": b"1\r\n2\nside\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"a b.txt": b"main\n1\r\n2\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    evil = repo.commit("evil", {"a b.txt": b"main\n1\r\nevil\n2\nside\n", "n.txt": b"\xff\n"})
    git = shutil.which("git")
    assert git is not None
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = log_command(git, str(repo.path / ".git"), str(empty), ["--all"])
    raw = subprocess.run(
        argv, cwd=empty, env=history_environment(str(empty)), capture_output=True, check=True
    ).stdout

    def shape(chunks: Iterator[CommitChunk]) -> list[object]:
        return [(c.commit, c.author, c.date, c.part, c.skipped, added([c])) for c in chunks]

    expected = shape(parse_patches([raw]))
    assert expected == shape(history(repo.path))
    assert by_commit(history(repo.path))[evil] == [("a b.txt", 3, b"evil"), ("n.txt", 1, b"\xff")]
    for size in (1, 2, 3, 7, 64):
        blocks = [raw[k : k + size] for k in range(0, len(raw), size)]
        assert shape(parse_patches(blocks)) == expected
    assert shape(parse_patches([raw.rstrip(b"\n")])) == expected  # no final newline


def test_stopping_early_stops_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        repo.commit(f"c{i}", {"f.txt": b"%d\n" % i})
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = real(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    chunks = history(repo.path, chunk_bytes=1)
    first = next(chunks)
    assert first.line_count == 1
    chunks.close()
    (git_log,) = [p for p in started if isinstance(p.args, list) and "log" in p.args]
    assert git_log.returncode is not None  # killed or finished, and waited for


# --- the index ----------------------------------------------------------------------


def test_staged_reads_only_the_index(repo: Repo) -> None:
    repo.commit("base", {"a.py": b"a = 1\n", "b.py": b"b = 1\n"})
    assert list(staged(repo.path)) == []
    repo.write({"a.py": b"a = 1\ntoken = 'staged'\n", "c.py": b"new = 'file'\n"})
    repo.git("add", "a.py", "c.py")
    repo.write({"a.py": b"a = 1\ntoken = 'staged'\nmore = 'unstaged'\n"})
    repo.write({"b.py": b"b = 1\nkey = 'modified, not staged'\n"})
    repo.write({"d.py": b"untracked = 1\n"})
    chunks = list(staged(repo.path))
    assert [(c.commit, c.author, c.date) for c in chunks] == [(None, None, None)]
    assert added(chunks) == [("a.py", 2, b"token = 'staged'"), ("c.py", 1, b"new = 'file'")]
    assert chunks[0].occurrence(0) == SecretOccurrence("a.py", 2)


def test_staged_before_the_first_commit(repo: Repo) -> None:
    assert list(staged(repo.path)) == []
    repo.write({"first.txt": b"hello\n", "blob.bin": b"\x00" * 10, "late.bin": b"a" * 9000})
    repo.write({"late.bin": b"a" * 9000 + b"\x00"})  # a NUL beyond git's window: text
    repo.git("add", "-A")
    (chunk,) = staged(repo.path)
    assert chunk.skipped == (SkippedFile("blob.bin", "binary"),)
    assert [(p, n) for p, n, _ in added([chunk])] == [("first.txt", 1), ("late.bin", 1)]


def test_staged_honours_the_hook_index(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit("base", {"a.txt": b"a\n"})
    repo.write({"a.txt": b"a\ncommit -a\n"})
    index = repo.path / ".git" / "other-index"
    shutil.copy(repo.path / ".git" / "index", index)
    repo.git("add", "a.txt", env={"GIT_INDEX_FILE": str(index)})
    assert list(staged(repo.path)) == []
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/other-index")  # relative, as hooks get it
    assert added(staged(repo.path)) == [("a.txt", 2, b"commit -a")]


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "revisions",
    [
        "--output=/tmp/pwned",
        "--ext-diff",
        "-c core.pager=evil",
        "--exec-path=/tmp",
        "--upload-pack=evil",
        "main --output=x",
        "-p",
        "-n5",
        "--textconv",
        "--since",
        "--max-count=ten",
        "--format=%H",
        "--",
        "'unbalanced",
        "",
        "   ",
        "main\x00",
        "main\n--output=x",
    ],
)
def test_dangerous_revisions_are_refused_before_git_runs(tmp_path: Path, revisions: str) -> None:
    with pytest.raises(RevisionError):
        history(tmp_path / "no-such-repository", revisions)


def test_revision_syntax_passes() -> None:
    assert revision_arguments(None) == ["--all"]
    assert revision_arguments("main..feature") == ["main..feature"]
    assert revision_arguments("v1...v2 ^old HEAD~3 main@{1} ':/fix it'") == [
        "v1...v2",
        "^old",
        "HEAD~3",
        "main@{1}",
        ":/fix it",
    ]
    assert revision_arguments("--branches --since=2024-01-01 --max-count=5 --not main") == [
        "--branches",
        "--since=2024-01-01",
        "--max-count=5",
        "--not",
        "main",
    ]


def test_a_bad_revision_is_a_git_error(repo: Repo) -> None:
    repo.commit("one", {"a": b"a\n"})
    with pytest.raises(GitError, match=r"^git log failed: fatal: .*no-such-branch"):
        list(history(repo.path, "no-such-branch..main"))


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as caught:
        history(plain)
    assert str(caught.value) == f"{plain} is not a git repository"
    with pytest.raises(GitError) as caught:
        staged(plain)
    assert str(caught.value) == f"{plain} is not a git repository"
    with pytest.raises(GitError, match="no such directory"):
        history(tmp_path / "missing")


def test_git_not_installed(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(GitError, match=r"^git is not installed"):
        history(repo.path)
    with pytest.raises(GitError, match=r"^git is not installed"):
        staged(repo.path)


def test_bare_repositories_and_linked_worktrees(repo: Repo, tmp_path: Path) -> None:
    one = repo.commit("one", {"a.txt": b"a\n"})
    bare = tmp_path / "bare.git"
    run_git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(bare))
    assert by_commit(history(bare)) == {one: [("a.txt", 1, b"a")]}
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "other", str(worktree))
    (worktree / "b.txt").write_bytes(b"b\n")
    run_git(worktree, "add", "b.txt")
    assert added(staged(worktree)) == [("b.txt", 1, b"b")]
    assert list(staged(repo.path)) == []
    run_git(worktree, "commit", "-qm", "two")
    two = run_git(worktree, "rev-parse", "HEAD")
    assert list(by_commit(history(worktree))) == [two, one]
    assert list(by_commit(history(worktree, "HEAD~1..HEAD"))) == [two]


def test_an_empty_repository_has_no_history(repo: Repo) -> None:
    assert list(history(repo.path)) == []
    assert list(history(repo.path, "--branches --tags")) == []
    bare = repo.path.parent / "bare.git"
    run_git(repo.path.parent, "init", "-q", "--bare", str(bare))
    assert list(history(bare)) == []


# --- throughput ---------------------------------------------------------------------

COMMITS = 5000
FILES = 400  # main's files; the side branch writes its own SIDE_FILES
SIDE_FILES = 40
MERGE_EVERY = 100


def _fast_import_stream(seed: int = 7) -> tuple[bytes, int]:
    """A history of COMMITS commits on main (one merge of a side branch every
    MERGE_EVERY), each editing two source files: inserting 10 to 25 lines, dropping a few.
    Returns the fast-import stream and the number of commits it makes."""
    rng = random.Random(seed)
    words = ["config", "user", "token", "value", "client", "request", "handler", "cache"]
    files: dict[str, list[bytes]] = {}
    out: list[bytes] = []
    mark = 0
    commits = 0

    def line() -> bytes:
        a, b = rng.sample(words, 2)
        return b"    %s_%d = %s(%d, %r)\n" % (
            a.encode(),
            rng.randrange(10**6),
            b.encode(),
            rng.randrange(1000),
            rng.getrandbits(64).to_bytes(8, "big").hex().encode(),
        )

    def edit(name: str) -> bytes:
        body = files.setdefault(name, [b"def %s():\n" % name.replace("/", "_").encode()])
        for _ in range(rng.randrange(10, 26)):
            body.insert(rng.randrange(1, len(body) + 1), line())
        for _ in range(rng.randrange(2, 6) + max(0, len(body) - 150) // 2):
            if len(body) > 2:
                del body[rng.randrange(1, len(body))]
        data = b"".join(body)
        return b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data)

    def commit(ref: str, changes: list[bytes], parent: int | None, merge: int | None) -> int:
        nonlocal mark, commits
        mark += 1
        commits += 1
        when = 1_700_000_000 + mark * 60
        message = b"commit %d\n" % mark
        out.append(b"commit refs/heads/%s\nmark :%d\n" % (ref.encode(), mark))
        out.append(b"author Dev %d <dev@example.org> %d +0000\n" % (mark % 17, when))
        out.append(b"committer Dev <dev@example.org> %d +0000\n" % when)
        out.append(b"data %d\n%s" % (len(message), message))
        if parent is not None:
            out.append(b"from :%d\n" % parent)
        if merge is not None:
            out.append(b"merge :%d\n" % merge)
        out.extend(changes)
        out.append(b"\n")
        return mark

    main: int | None = None
    side: int | None = None
    side_touched: set[str] = set()
    while commits < COMMITS:
        if main is not None and commits % MERGE_EVERY == 0 and side is not None:
            merged = [
                b"M 100644 inline %s\ndata %d\n%s\n"
                % (name.encode(), len(b"".join(files[name])), b"".join(files[name]))
                for name in sorted(side_touched)
            ]
            main = commit("main", merged, main, side)
            side_touched.clear()
            continue
        if commits % 10 == 5:  # every tenth commit goes to the side branch
            names = [f"side/mod{rng.randrange(SIDE_FILES)}.py"]
            side_touched.update(names)
            side = commit("side", [edit(n) for n in names], side if side else main, None)
        else:
            names = [f"pkg{i % 20}/mod{i}.py" for i in rng.sample(range(FILES), 2)]
            main = commit("main", [edit(n) for n in names], main, None)
    return b"".join(out), commits


def test_history_throughput_on_5000_commits(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "big")
    stream, commits = _fast_import_stream()
    started = time.perf_counter()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.path, input=stream, check=True)
    built = time.perf_counter() - started

    git = shutil.which("git")
    assert git is not None
    with tempfile.TemporaryDirectory() as empty:
        argv = log_command(git, str(repo.path / ".git"), empty, ["--all"])
        started = time.perf_counter()
        raw = subprocess.run(
            argv, cwd=empty, env=history_environment(empty), capture_output=True, check=True
        ).stdout
        git_seconds = time.perf_counter() - started

    blocks = [raw[k : k + (1 << 20)] for k in range(0, len(raw), 1 << 20)]
    started = time.perf_counter()
    parsed = list(parse_patches(blocks))
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    seen = 0
    added_bytes = 0
    added_lines = 0
    for chunk in history(repo.path):
        seen += chunk.part == 0
        added_bytes += len(chunk.buffer)
        added_lines += chunk.line_count
    total_seconds = time.perf_counter() - started

    assert seen == len(parsed) == commits  # every commit, merges included, adds something
    assert added_lines == sum(c.line_count for c in parsed)
    # an independent count: the patch's "+" lines, less the "+++ b/path" file headers
    plus = raw.count(b"\n+") - raw.count(b"\n+++ ")
    assert added_lines == plus
    mb = len(raw) / 1e6
    print(
        f"\n{commits} commits (fast-import {built:.2f} s), patch text {mb:.1f} MB, "
        f"added {added_lines} lines / {added_bytes / 1e6:.1f} MB\n"
        f"git log alone: {git_seconds:.2f} s = {mb / git_seconds:.1f} MB/s, "
        f"{commits / git_seconds:.0f} commits/s\n"
        f"parser alone:  {parse_seconds:.2f} s = {mb / parse_seconds:.1f} MB/s, "
        f"{commits / parse_seconds:.0f} commits/s\n"
        f"history():     {total_seconds:.2f} s = {mb / total_seconds:.1f} MB/s, "
        f"{commits / total_seconds:.0f} commits/s"
    )
    # git, not the parser, sets the pace (the parser runs alongside git in history())
    assert parse_seconds < git_seconds
