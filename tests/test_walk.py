"""The one walk: .gitignore, vendored trees, symbolic links."""

from __future__ import annotations

from pathlib import Path

from glasshouse.walk import walk


def wants_lockfiles(name: str, _relpath: str) -> bool:
    return name in ("requirements.txt", "package-lock.json")


def touch(path: Path, text: str = "x\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_gitignore_and_vendored_trees(tmp_path: Path) -> None:
    touch(tmp_path / "requirements.txt")
    touch(tmp_path / "app" / "requirements.txt")
    touch(tmp_path / "node_modules" / "x" / "package-lock.json")
    touch(tmp_path / "vendor" / "requirements.txt")
    touch(tmp_path / "build" / "requirements.txt")
    touch(tmp_path / "app" / "gen" / "requirements.txt")
    touch(tmp_path / "app" / "keep" / "requirements.txt")
    touch(tmp_path / ".gitignore", "build/\n")
    touch(tmp_path / "app" / ".gitignore", "gen\n")
    result = walk(tmp_path, [wants_lockfiles])
    assert sorted(f.relpath for f in result.files) == [
        "app/keep/requirements.txt",
        "app/requirements.txt",
        "requirements.txt",
    ]
    assert result.problems == []


def test_symlinks_never_leave_the_tree_and_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "root"
    touch(root / "real" / "requirements.txt")
    touch(tmp_path / "outside" / "requirements.txt")
    (root / "linked-dir").symlink_to(tmp_path / "outside")
    (root / "real" / "loop").symlink_to(root)
    (root / "pkg").mkdir()
    (root / "pkg" / "requirements.txt").symlink_to(tmp_path / "outside" / "requirements.txt")
    (root / "package-lock.json").symlink_to(root / "real" / "requirements.txt")
    result = walk(root, [wants_lockfiles])
    assert sorted(f.relpath for f in result.files) == ["package-lock.json", "real/requirements.txt"]
    assert [(p.path, p.blocking) for p in result.problems] == [("pkg/requirements.txt", False)]


def test_a_single_file_target(tmp_path: Path) -> None:
    touch(tmp_path / "requirements.txt")
    result = walk(tmp_path / "requirements.txt", [wants_lockfiles])
    assert sorted(f.relpath for f in result.files) == ["requirements.txt"]


def test_glasshouseignore_excludes_visibly(tmp_path: Path) -> None:
    touch(tmp_path / "requirements.txt")
    touch(tmp_path / "tests" / "fixtures" / "requirements.txt")
    touch(tmp_path / "examples" / "requirements.txt")
    touch(tmp_path / ".glasshouseignore", "# fixtures are not shipped\ntests/fixtures/\nexamples\n")
    result = walk(tmp_path, [wants_lockfiles])
    assert [f.relpath for f in result.files] == ["requirements.txt"]
    assert sorted(result.excluded) == ["examples/", "tests/fixtures/"]
