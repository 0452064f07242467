"""What git has, as streams of added lines with their provenance, for the secret scanner.

``history(repo)`` reads every commit's added lines from ONE ``git log -p`` process and
parses its output incrementally, block by block: memory stays bounded by a few blocks and
one chunk, whatever the size of the history. A reader thread drains git's pipe while the
caller parses and scans, so git, not this parser, sets the pace. ``staged(repo)`` reads
the index against ``HEAD`` (or against the empty tree before the first commit) for a
pre-commit hook.

Each commit becomes one or more :class:`CommitChunk`: a ``buffer`` of its added lines
joined by ``b"\\n"`` (the detector scans one buffer per chunk) and a compact index of
*runs* (consecutive new-file lines of one path) that maps any byte offset or buffer line
back to ``(path, line)``. ``chunk.lines`` gives the same content as :class:`AddedLine`
records. A commit whose added text exceeds ``chunk_bytes`` is split between lines.

Choices, and why:

* **Merges**: read as dense combined diffs (``--cc``), keeping only the lines that are new
  against *every* parent. What a merge takes cleanly from one side was already reported
  in the commit that introduced it (the range holds that commit too), so it is not
  reported twice; what the merge itself brings (a conflict resolution, an "evil merge")
  is reported, with the merge commit. ``--no-merges`` is accepted in ``revisions``.
* **Renames**: detected (``--find-renames``): a renamed file re-reports nothing, a
  renamed-and-edited file reports only its new lines. A secret stays attributed to the
  commit and path that introduced it. Copies are not detected (cost), so a copied file
  reports its lines again, in its own commit.
* **Deletions** are not read at all (``--diff-filter=d``): they add nothing. Commits
  that only delete files, and empty commits, yield no chunk; any other commit yields at
  least one, maybe empty (a clean merge, a commit that only removes lines).
* **Author**: the name only (``%an``, mailmap not applied). The e-mail address is kept out
  of reports on purpose; the full commit SHA identifies the commit, its author's address
  and everything else for whoever may look into the repository.
* **Binary files**: git's own content test (a NUL byte in the first 8,000 bytes, or a
  file above ``core.bigFileThreshold``) decides, and the repository's ``.gitattributes``
  are ignored, so that ``*.env -diff`` cannot hide a file's text: history runs git in an
  empty directory as work tree with an empty index (only the local, never pushed
  ``$GIT_DIR/info/attributes`` still counts); the index is read with ``--text`` and the
  same NUL test applied here. A binary file is listed in ``CommitChunk.skipped``.
* **Submodules**: gitlink changes are ignored (``Subproject commit <sha>`` is no secret).
* **Content** is kept as bytes (any encoding); a line's trailing ``\\r`` (CRLF files) is
  dropped, so a secret hashes the same in a CRLF and an LF file. Paths are decoded from
  UTF-8 the way ``os.fsdecode`` does (undecodable bytes as surrogate escapes), like the
  tree walk's paths.
* **All refs** (``--all``) means every ref: branches, tags, remote-tracking branches, the
  stash (what was stashed is new against both the commit and the index it was taken
  from) and notes. **Replace refs** are disabled (``GIT_NO_REPLACE_OBJECTS``): the real
  history is read, and with ``--all`` the replacements too.
* **Hardening**: the user's and the repository's configuration cannot change the output
  this parser reads (prefixes, colour, context, relative paths, external diff drivers,
  text conversion, signatures, encodings, pagers are all fixed on the command line), and
  ``revisions`` accepts only revision syntax and a short allow-list of options.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import queue
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from glasshouse.model import SecretOccurrence

CHUNK_BYTES = 8 * 1024 * 1024  # the detector's buffer size: a commit above it is split
BINARY_SNIFF_BYTES = 8000  # git's own window for the "is it binary" NUL test
_READ_BLOCK = 1024 * 1024
_QUEUED_BLOCKS = 8  # at most this many blocks read ahead of the parser

# The first byte of our --format line. No line of a patch can begin with it: file headers
# begin with a keyword and hunk lines with "@", "+", "-", " " or "\".
_COMMIT_MARK = b"\x01"
_FORMAT = "--format=%x01%H %aI %an"

# Configuration that would change what git prints, pinned for every call.
_CONFIG = (
    "core.quotePath=false",
    "core.attributesFile=/dev/null",
    "core.fsmonitor=false",
    "log.showSignature=false",
    "i18n.logOutputEncoding=UTF-8",
)

# Options common to ``git log`` and ``git diff``: git's default patch format, whatever
# the user's or the repository's configuration says.
_DIFF_OPTIONS = (
    "--patch",
    "--unified=0",
    "--inter-hunk-context=0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--find-renames",
    "--diff-filter=d",
    "--ignore-submodules=all",
)

# Environment that would point git at another repository, index or diff program.
_DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_PAGER",
    "PAGER",
)

# Options a ``revisions`` string may hold. Everything else starting with "-" is refused:
# git options can write files (--output), run programs (--ext-diff, -c, --exec-path) or
# change the output this module parses.
_ALLOWED_FLAGS = frozenset(
    {"--all", "--branches", "--tags", "--remotes", "--not", "--reflog", "--no-merges"}
)
_ALLOWED_VALUED = {  # option= -> does its value have to be a number?
    "--branches=": False,
    "--tags=": False,
    "--remotes=": False,
    "--glob=": False,
    "--exclude=": False,
    "--since=": False,
    "--until=": False,
    "--after=": False,
    "--before=": False,
    "--max-count=": True,
    "--skip=": True,
}


class GitError(Exception):
    """git is missing or failed, or the path is not a repository. The message is one line."""


class RevisionError(GitError):
    """A ``revisions`` argument was refused (a usage error, not a git failure)."""


@dataclass(frozen=True, slots=True)
class AddedLine:
    path: str
    line: int  # 1-based, in the new version of the file
    content: bytes  # without the line ending


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str  # "binary"


@dataclass(frozen=True, slots=True)
class CommitChunk:
    """Added lines of one commit (or of the index: ``commit`` is None), in one buffer.

    ``buffer`` holds the lines joined by ``b"\\n"``. The index is a list of *runs*: run
    ``r`` starts at byte ``run_offsets[r]`` and buffer line ``run_starts[r]``, and holds
    consecutive lines of ``paths[run_paths[r]]`` from new-file line ``run_lines[r]`` on.
    A commit above the chunk size comes in several chunks (``part`` 0, 1, ...); binary
    files are listed in ``skipped`` of the chunk being filled when they were met.
    """

    commit: str | None
    author: str | None
    date: str | None  # ISO 8601 with offset (``%aI``)
    buffer: bytes
    line_count: int
    paths: tuple[str, ...]
    run_offsets: tuple[int, ...]
    run_starts: tuple[int, ...]
    run_paths: tuple[int, ...]
    run_lines: tuple[int, ...]
    part: int = 0
    skipped: tuple[SkippedFile, ...] = ()

    @property
    def binary_paths(self) -> tuple[str, ...]:
        """The paths of ``skipped`` binary files."""
        return tuple(s.path for s in self.skipped if s.reason == "binary")

    @property
    def lines(self) -> list[AddedLine]:
        """The added lines, each with its path and new-file line number."""
        if not self.line_count:
            return []
        contents = self.buffer.split(b"\n")
        out: list[AddedLine] = []
        ends = (*self.run_starts[1:], self.line_count)
        for r, start in enumerate(self.run_starts):
            path = self.paths[self.run_paths[r]]
            first = self.run_lines[r] - start
            out.extend(AddedLine(path, first + k, contents[k]) for k in range(start, ends[r]))
        return out

    def locate(self, offset: int) -> tuple[str, int]:
        """The path and new-file line of the byte at ``offset`` in ``buffer``."""
        if not self.line_count or not 0 <= offset <= len(self.buffer):
            raise IndexError(f"offset {offset} is outside the chunk")
        r = bisect.bisect_right(self.run_offsets, offset) - 1
        below = self.buffer.count(b"\n", self.run_offsets[r], offset)
        return self.paths[self.run_paths[r]], self.run_lines[r] + below

    def locate_line(self, index: int) -> tuple[str, int]:
        """The path and new-file line of buffer line ``index`` (0-based)."""
        if not 0 <= index < self.line_count:
            raise IndexError(f"line {index} is outside the chunk")
        r = bisect.bisect_right(self.run_starts, index) - 1
        return self.paths[self.run_paths[r]], self.run_lines[r] + index - self.run_starts[r]

    def occurrence(self, offset: int) -> SecretOccurrence:
        """Where the byte at ``offset`` was added: path, line, commit, author, date."""
        path, line = self.locate(offset)
        return SecretOccurrence(path, line, self.commit, self.author, self.date)


# --- running git --------------------------------------------------------------------


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError("git is not installed (no 'git' on PATH)")
    return found


def _environment(index_file: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(
        LC_ALL="C",
        LANGUAGE="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_ATTR_NOSYSTEM="1",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_OPTIONAL_LOCKS="0",
    )
    if index_file is not None:
        env["GIT_INDEX_FILE"] = index_file
    return env


def _first_line(stderr: bytes) -> str:
    for raw in stderr.decode("utf-8", "replace").splitlines():
        text = raw.strip()
        if text:
            return text
    return "no message"


def _git_dir(repo: Path, git: str) -> str:
    """The repository's git directory (absolute); a clear error when there is none."""
    if not repo.is_dir():
        raise GitError(f"{repo}: no such directory")
    try:
        done = subprocess.run(
            [git, "-C", str(repo), "rev-parse", "--absolute-git-dir"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=_environment(None),
            check=False,
            timeout=60,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        message = _first_line(done.stderr)
        if "not a git repository" in message:
            raise GitError(f"{repo} is not a git repository")
        raise GitError(f"{repo}: {message}")
    return os.fsdecode(done.stdout.rstrip(b"\n"))


def _stream(
    argv: list[str], cwd: str, env: dict[str, str], command: str
) -> Generator[bytes, None, None]:
    """git's standard output in blocks; GitError when it fails. Stops git if abandoned.

    A thread drains the pipe into a short queue, so that git keeps writing while the
    caller parses (and scans) the previous blocks: the two run side by side.
    """
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc}") from exc
        out: IO[bytes] | None = process.stdout
        assert out is not None  # stdout=PIPE
        blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED_BLOCKS)
        stop = threading.Event()

        fd = out.fileno()
        _widen_pipe(fd)

        failed: list[OSError] = []

        def pump() -> None:
            try:  # os.read: one system call, so one wait for the GIL, per block
                while not stop.is_set() and (block := os.read(fd, _READ_BLOCK)):
                    blocks.put(block)
            except OSError as exc:  # never a silently truncated history
                failed.append(exc)
            finally:
                blocks.put(None)

        reader = threading.Thread(target=pump, name="glasshouse-git-reader", daemon=True)
        reader.start()
        finished = False
        try:
            while (block := blocks.get()) is not None:
                yield block
            finished = True
        finally:
            if not finished:  # the caller stopped early, or failed: do not leave git running
                stop.set()
                process.kill()
            while reader.is_alive():  # unblock the reader should the queue be full
                with contextlib.suppress(queue.Empty):
                    blocks.get(timeout=0.05)
            reader.join()
            out.close()
            code = process.wait()
        if code != 0:
            stderr.seek(0)
            raise GitError(f"git {command} failed: {_first_line(stderr.read())}")
        if failed:
            raise GitError(f"cannot read the output of git {command}: {failed[0]}")


def _widen_pipe(fd: int) -> None:
    """Let git write a whole block ahead while the reader thread waits for the GIL
    (Linux; elsewhere, or when refused, the default pipe size stays)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _READ_BLOCK)


# --- revisions ----------------------------------------------------------------------


def revision_arguments(revisions: str | None) -> list[str]:
    """``revisions`` as ``git log`` arguments: ``--all`` when None; refused when unsafe."""
    if revisions is None:
        return ["--all"]
    try:
        tokens = shlex.split(revisions)
    except ValueError as exc:
        raise RevisionError(f"cannot read revisions {revisions!r}: {exc}") from exc
    if not tokens:
        raise RevisionError("no revisions given")
    for token in tokens:
        if any(ord(c) < 32 or ord(c) == 127 for c in token):
            raise RevisionError(f"refused revision {token!r}: control character")
        if not token.startswith("-"):
            continue  # revision syntax: A..B, A...B, ^A, HEAD~3, main@{1}, :/text
        if token in _ALLOWED_FLAGS:
            continue
        name, sep, value = token.partition("=")
        numeric = _ALLOWED_VALUED.get(name + sep)
        if numeric is None:
            raise RevisionError(f"refused option {token!r} in revisions")
        if not value or (numeric and not value.isdigit()):
            raise RevisionError(f"refused option {token!r}: it needs a value")
    return tokens


# --- public readers -----------------------------------------------------------------


def history(
    repo: Path, revisions: str | None = None, *, chunk_bytes: int = CHUNK_BYTES
) -> Generator[CommitChunk, None, None]:
    """Every commit's added lines: all refs (``revisions`` None) or the given range.

    ``revisions`` is one string of ``git log`` arguments (``"main..feature"``,
    ``"--since=2024-01-01 --branches"``), split like a shell would; only revision
    syntax and a short allow-list of options pass (RevisionError otherwise). One
    ``git log`` process is read as a stream (``close()`` the generator to stop git
    early). A repository without commits yields nothing. Refused revisions, a missing
    git and a path that is no repository raise here, before anything is read; git
    failing later raises from the iteration.
    """
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be positive")
    args = revision_arguments(revisions)
    git = _git()
    git_dir = _git_dir(repo, git)
    return _history(git, git_dir, args, chunk_bytes)


def log_command(git: str, git_dir: str, work_tree: str, args: list[str]) -> list[str]:
    """The ``git log`` command ``history`` runs (``args`` from ``revision_arguments``);
    run it in ``work_tree``, an empty directory, with ``GIT_INDEX_FILE`` inside it."""
    return [
        git,
        f"--git-dir={git_dir}",
        f"--work-tree={work_tree}",
        "--no-pager",
        *_config_args(),
        "log",
        *_DIFF_OPTIONS,
        "--cc",
        "--root",
        "--no-use-mailmap",
        "--encoding=UTF-8",
        _FORMAT,
        *args,
        "--",
    ]


def _history(
    git: str, git_dir: str, args: list[str], chunk_bytes: int
) -> Generator[CommitChunk, None, None]:
    with tempfile.TemporaryDirectory(prefix="glasshouse-git-") as empty:
        # git runs in an empty directory given as its work tree, with an empty index, so
        # the repository's .gitattributes cannot turn text into "binary" (see above).
        argv = log_command(git, git_dir, empty, args)
        env = history_environment(empty)
        yield from _parsed(_stream(argv, empty, env, "log"), chunk_bytes, sniff_binary=False)


def history_environment(work_tree: str) -> dict[str, str]:
    """The environment ``log_command`` runs in."""
    return _environment(str(Path(work_tree) / "index"))


def staged(repo: Path, *, chunk_bytes: int = CHUNK_BYTES) -> Generator[CommitChunk, None, None]:
    """The added lines of the index against ``HEAD`` (the empty tree before the first
    commit), for a pre-commit hook: ``commit``, ``author`` and ``date`` are None, and
    nothing is yielded when nothing is staged.

    Inside a hook, git's ``GIT_INDEX_FILE`` is honoured (``git commit -a`` and
    ``git commit <path>`` stage into a temporary index).
    """
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be positive")
    git = _git()
    _git_dir(repo, git)
    index = os.environ.get("GIT_INDEX_FILE")
    if index:
        index = str(Path.cwd() / index)  # git resolves it against the hook's directory
    argv = [
        git,
        "-C",
        str(repo),
        "--no-pager",
        *_config_args(),
        "diff",
        "--cached",
        *_DIFF_OPTIONS,
        "--text",  # binary is decided here, by content, whatever .gitattributes say
        "--",
    ]
    stream = _stream(argv, str(repo), _environment(index or None), "diff")
    return _parsed(stream, chunk_bytes, sniff_binary=True)


def _parsed(
    stream: Generator[bytes, None, None], chunk_bytes: int, *, sniff_binary: bool
) -> Generator[CommitChunk, None, None]:
    """Parse git's output; when the caller stops early, stop git at once."""
    with contextlib.closing(stream):
        yield from parse_patches(stream, chunk_bytes=chunk_bytes, sniff_binary=sniff_binary)


def _config_args() -> list[str]:
    return [arg for setting in _CONFIG for arg in ("-c", setting)]


# --- the patch parser ---------------------------------------------------------------


def parse_patches(
    blocks: Iterable[bytes], *, chunk_bytes: int = CHUNK_BYTES, sniff_binary: bool = False
) -> Iterator[CommitChunk]:
    """Chunks of added lines from ``git log -p``/``git diff`` output read in any blocks.

    Commits start at a line ``\\x01<sha> <date> <author>``; file diffs before any such
    line belong to a chunk without commit (the index). ``sniff_binary`` applies git's
    NUL test to each file's first added bytes (for output made with ``--text``).
    """
    parser = _Parser(chunk_bytes, sniff_binary)
    pending: list[bytes] = []  # the start of a line that continues in the next block
    for block in blocks:
        lines = block.split(b"\n")
        tail = lines.pop()
        if lines:
            if pending:
                pending.append(lines[0])
                lines[0] = b"".join(pending)
                pending = []
            parser.feed(lines)
            if parser.out:
                yield from parser.out
                parser.out.clear()
        if tail:
            pending.append(tail)
    if pending:
        parser.feed([b"".join(pending)])
    parser.finish()
    yield from parser.out


class _Builder:
    """One commit's added lines, cut into chunks of at most ``limit`` bytes."""

    __slots__ = (
        "author",
        "commit",
        "date",
        "last_path",
        "limit",
        "lines",
        "next_line",
        "out",
        "part",
        "path_ids",
        "paths",
        "pos",
        "run_lines",
        "run_offsets",
        "run_paths",
        "run_starts",
        "skipped",
    )

    def __init__(
        self,
        commit: str | None,
        author: str | None,
        date: str | None,
        limit: int,
        out: list[CommitChunk],
    ) -> None:
        self.commit, self.author, self.date = commit, author, date
        self.limit = limit
        self.out = out
        self.part = 0
        self._reset()

    def _reset(self) -> None:
        self.lines: list[bytes] = []
        self.pos = 0  # where the next line starts in the joined buffer
        self.paths: list[str] = []
        self.path_ids: dict[str, int] = {}
        self.run_offsets: list[int] = []
        self.run_starts: list[int] = []
        self.run_paths: list[int] = []
        self.run_lines: list[int] = []
        self.last_path = -1
        self.next_line = -1
        self.skipped: list[SkippedFile] = []

    def add(self, path: str, first: int, contents: list[bytes]) -> None:
        """Lines ``first``, ``first + 1``, ... of ``path``."""
        size = sum(map(len, contents)) + len(contents)
        if self.pos + size > self.limit and len(contents) > 1:
            for k, content in enumerate(contents):
                self.add(path, first + k, [content])
            return
        if self.pos + size > self.limit and self.lines:
            self.flush()
        pid = self.path_ids.get(path)
        if pid is None:
            pid = self.path_ids[path] = len(self.paths)
            self.paths.append(path)
        if pid != self.last_path or first != self.next_line:
            self.run_offsets.append(self.pos)
            self.run_starts.append(len(self.lines))
            self.run_paths.append(pid)
            self.run_lines.append(first)
            self.last_path = pid
        self.lines.extend(contents)
        self.pos += size
        self.next_line = first + len(contents)

    def flush(self) -> None:
        self.out.append(
            CommitChunk(
                commit=self.commit,
                author=self.author,
                date=self.date,
                buffer=b"\n".join(self.lines),
                line_count=len(self.lines),
                paths=tuple(self.paths),
                run_offsets=tuple(self.run_offsets),
                run_starts=tuple(self.run_starts),
                run_paths=tuple(self.run_paths),
                run_lines=tuple(self.run_lines),
                part=self.part,
                skipped=tuple(self.skipped),
            )
        )
        self.part += 1
        self._reset()


_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
}


def _unquote(data: bytes, start: int) -> tuple[bytes, int]:
    """The C-style quoted string git wrote at ``data[start]`` (a '"'), and where it ends."""
    out = bytearray()
    i, n = start + 1, len(data)
    while i < n:
        c = data[i]
        if c == 0x22:  # closing quote
            return bytes(out), i + 1
        if c == 0x5C and i + 1 < n:  # backslash
            d = data[i + 1]
            if 0x30 <= d <= 0x37:  # \ooo
                out.append(int(data[i + 1 : i + 4], 8) & 0xFF)
                i += 4
            else:
                out.append(_ESCAPES.get(d, d))
                i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out), n


def _decode_path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _side_path(field: bytes, prefix: bytes) -> bytes:
    """A path as git prints it after ``+++ `` or in a header: maybe quoted, prefixed,
    with a tab appended when it holds a space (an unquoted path never holds a tab)."""
    if field.startswith(b'"'):
        field = _unquote(field, 0)[0]
    elif field.endswith(b"\t"):
        field = field[:-1]
    return field[len(prefix) :] if field.startswith(prefix) else field


def _header_path(rest: bytes) -> bytes:
    """The new path of ``diff --git <rest>``; exact unless the file was renamed (then the
    ``rename to`` line gives it)."""
    if rest.startswith(b'"'):
        end = _unquote(rest, 0)[1]
        return _side_path(rest[end + 1 :], b"b/")
    if rest.endswith(b'"') and (quoted := rest.rfind(b' "b/')) >= 0:
        return _side_path(rest[quoted + 1 :], b"b/")
    if (len(rest) - 5) % 2 == 0:  # "a/P b/P"
        half = (len(rest) - 5) // 2
        name = rest[2 : 2 + half]
        if rest == b"a/" + name + b" b/" + name:
            return name
    cut = rest.find(b" b/")
    return rest[cut + 3 :] if cut >= 0 else rest


_TWO_WAY_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _range(field: bytes) -> tuple[int, int]:
    """``-12,3`` or ``+7`` as (start, count)."""
    start, _, count = field[1:].partition(b",")
    return int(start), int(count) if count else 1


class _Parser:
    """A state machine over the lines of ``git log -p`` / ``git diff`` output."""

    def __init__(self, chunk_bytes: int, sniff_binary: bool) -> None:
        if chunk_bytes < 1:
            raise ValueError("chunk_bytes must be positive")
        self.chunk_bytes = chunk_bytes
        self.sniff = sniff_binary
        self.out: list[CommitChunk] = []
        self.builder: _Builder | None = None
        # the current file diff
        self.in_file = False
        self.parents = 1  # 1: a two-way diff; more: a combined diff of a merge
        self.all_plus = b"+"
        self.header = b""  # the rest of the "diff --git" line, parsed only when needed
        self.new_path: bytes | None = None  # from "+++ b/..." or "rename to ..."
        self.path: str | None = None  # decoded, once its first hunk is met
        self.skip_file = False  # binary, submodule, deleted
        self.sniff_left = 0
        self.sniffed: list[tuple[int, list[bytes]]] = []
        # the current hunk
        self.in_hunk = False
        self.old_rem = 0
        self.olds: list[int] = []
        self.new_rem = 0
        self.new_line = 0

    # -- lines ------------------------------------------------------------------------

    def feed(self, lines: list[bytes]) -> None:
        i, n = 0, len(lines)
        two_way = _TWO_WAY_HUNK.match
        while i < n:
            if self.in_hunk:
                i = self._hunk_line(lines, i, n) if self.parents == 1 else self._combined(lines, i)
                continue
            line = lines[i]
            i += 1
            first = line[:1]
            if first == b"@":
                found = two_way(line) if self.parents == 1 and self.in_file else None
                if found is None:
                    self._hunk_header(line)
                    continue
                # The usual case, inline: a whole two-way hunk in this block, its removed
                # lines (skipped) then its added lines, as --unified=0 prints them.
                old = 1 if found[1] is None else int(found[1])
                start = int(found[2])
                new = 1 if found[3] is None else int(found[3])
                j = i + old
                if old and (j > n or lines[i][:1] != b"-" or lines[j - 1][:1] != b"-"):
                    self._enter_hunk(start, new, [old])
                    continue
                if j < n and lines[j][:1] == b"\\":
                    j += 1
                k = j + new
                if new and (k > n or lines[j][:1] != b"+" or lines[k - 1][:1] != b"+"):
                    self.new_line, self.new_rem, self.old_rem = start, new, 0
                    self.in_hunk = True
                    i = j
                    continue
                if new and not self.skip_file:
                    self._added(
                        start,
                        [t[1:-1] if t[-1:] == b"\r" else t[1:] for t in lines[j:k]],
                    )
                i = k
            elif first == _COMMIT_MARK:
                self._commit(line)
            elif first == b"d" and line.startswith(b"diff --"):
                self._file(line)
            elif self.in_file:
                self._file_header(line)

    def finish(self) -> None:
        self._end_file()
        if self.builder is not None:
            self.builder.flush()
            self.builder = None

    def _commit(self, line: bytes) -> None:
        self.finish()
        sha, _, rest = line[1:].partition(b" ")
        date, _, author = rest.partition(b" ")
        self.builder = _Builder(
            sha.decode("ascii", "replace"),
            author.decode("utf-8", "replace"),
            date.decode("ascii", "replace"),
            self.chunk_bytes,
            self.out,
        )

    def _file(self, line: bytes) -> None:
        self._end_file()
        if self.builder is None:  # output without commits: the index
            self.builder = _Builder(None, None, None, self.chunk_bytes, self.out)
        self.in_file = True
        self.skip_file = False
        self.path = None
        self.new_path = None
        self.header = b""
        self.sniff_left = BINARY_SNIFF_BYTES if self.sniff else 0
        if line.startswith(b"diff --git "):
            self.parents = 1
            self.header = line[11:]
        else:  # "diff --cc <path>" or "diff --combined <path>": the path alone
            self.parents = 2  # until the first hunk header tells
            name = line.partition(b" ")[2].partition(b" ")[2]
            self.new_path = _side_path(name, b"")

    def _file_header(self, line: bytes) -> None:
        if line.startswith(b"+++ "):
            name = line[4:]
            if name == b"/dev/null":
                self.skip_file = True
            else:
                self.new_path = _side_path(name, b"b/")
        elif line.startswith(b"rename to "):
            self.new_path = _side_path(line[10:], b"")
        elif line.startswith(b"Binary files "):
            if not line.endswith(b" and /dev/null differ"):
                self._skip_binary()
        elif (
            line.startswith(b"new file mode 160000")
            or line.startswith(b"deleted file mode")
            or (line.startswith(b"index ") and line.endswith(b" 160000"))
        ):
            self.skip_file = True

    def _current_path(self) -> str:
        if self.path is None:
            raw = self.new_path if self.new_path is not None else _header_path(self.header)
            self.path = _decode_path(raw)
        return self.path

    def _skip_binary(self) -> None:
        assert self.builder is not None  # set by _file
        self.builder.skipped.append(SkippedFile(self._current_path(), "binary"))
        self.skip_file = True
        self.sniffed = []
        self.sniff_left = 0

    def _end_file(self) -> None:
        self.in_hunk = False
        self.in_file = False
        if self.sniffed:
            self._release()

    # -- hunks ------------------------------------------------------------------------

    def _hunk_header(self, line: bytes) -> None:
        """``@@ -a,b +c,d @@``, or ``@@@ -a,b -c,d +e,f @@@`` for a merge of two parents."""
        if not self.in_file:
            return
        parents = len(line) - len(line.lstrip(b"@")) - 1
        fields = line.split(b" ", parents + 2)
        if parents < 1 or len(fields) < parents + 2:
            return
        try:
            olds = [_range(fields[1 + j])[1] for j in range(parents)]
            start, new = _range(fields[1 + parents])
        except ValueError:
            return
        self.parents = parents
        self.all_plus = b"+" * parents
        self._enter_hunk(start, new, olds)

    def _enter_hunk(self, start: int, new: int, olds: list[int]) -> None:
        self.new_line = start
        self.new_rem = new
        self.old_rem = olds[0]
        self.olds = olds
        self.in_hunk = new > 0 or any(olds)

    def _hunk_line(self, lines: list[bytes], i: int, n: int) -> int:
        """A two-way hunk, from ``lines[i]``: every removed line, then every added one
        (``--unified=0``), consumed a block at a time."""
        line = lines[i]
        first = line[:1]
        if first == b"+" and self.new_rem:
            take = min(self.new_rem, n - i)
            if take > 1 and lines[i + take - 1][:1] != b"+":
                take = 1
            if not self.skip_file:
                self._added(
                    self.new_line,
                    [t[1:-1] if t[-1:] == b"\r" else t[1:] for t in lines[i : i + take]],
                )
            self.new_line += take
            self.new_rem -= take
            i += take
        elif first == b"-" and self.old_rem:
            take = min(self.old_rem, n - i)
            if take > 1 and lines[i + take - 1][:1] != b"-":
                take = 1
            self.old_rem -= take
            i += take
        elif first == b" " and self.old_rem and self.new_rem:  # context, should any come
            self.old_rem -= 1
            self.new_rem -= 1
            self.new_line += 1
            i += 1
        elif first == b"\\":  # "\ No newline at end of file"
            i += 1
        else:  # not a hunk line: the counts were wrong; read it as a header
            self.old_rem = self.new_rem = 0
        if not self.old_rem and not self.new_rem:
            self.in_hunk = False
        return i

    def _combined(self, lines: list[bytes], i: int) -> int:
        """One line of a merge's combined hunk: one column per parent. Kept when new
        against every parent ("++"); a line taken from one side was reported there."""
        line = lines[i]
        p = self.parents
        cols = line[:p]
        if len(cols) == p and not cols.strip(b"+- "):
            olds = self.olds
            if b"-" in cols:  # a line of the parents marked "-", not in the merge
                for j in range(p):
                    if cols[j] == 0x2D:
                        olds[j] -= 1
            else:  # a line of the merge; a parent marked " " has it too
                for j in range(p):
                    if cols[j] == 0x20:
                        olds[j] -= 1
                if cols == self.all_plus and not self.skip_file:
                    text = line[p:]
                    self._added(self.new_line, [text[:-1] if text[-1:] == b"\r" else text])
                self.new_rem -= 1
                self.new_line += 1
            i += 1
        elif cols[:1] == b"\\":
            i += 1
        else:
            self.new_rem = 0
            self.olds = []
        if self.new_rem <= 0 and not any(x > 0 for x in self.olds):
            self.in_hunk = False
        return i

    def _added(self, first: int, contents: list[bytes]) -> None:
        """Lines ``first``, ``first + 1``, ... of the current file."""
        if self.sniff_left > 0:  # the file's first bytes: hold them until the NUL test
            for text in contents:
                if b"\0" in text[: self.sniff_left]:
                    self._skip_binary()
                    return
                self.sniff_left -= len(text) + 1
                if self.sniff_left <= 0:
                    break
            self.sniffed.append((first, contents))
            if self.sniff_left <= 0:
                self._release()
            return
        assert self.builder is not None  # set by _file
        self.builder.add(self._current_path(), first, contents)

    def _release(self) -> None:
        assert self.builder is not None  # set by _file
        path = self._current_path()
        for first, contents in self.sniffed:
            self.builder.add(path, first, contents)
        self.sniffed = []
