"""Benchmark of the secrets gate on a large clean tree: Glasshouse against its peers.

The peers, each installed from PyPI (pinned) into a throwaway virtual environment under
the cache directory (``bench/.peers/`` by default; it ignores itself in git):

- ``detect-secrets`` (Python), run as ``detect-secrets scan --all-files -n .`` in the
  tree (``-n``: no verification calls to token issuers);
- ``trufflehog3`` (Python), ``trufflehog3 -v --no-history -z -f JSON -o OUT TREE``
  (``-v`` only so that it logs the files it cannot decode: that is how its file count
  is known);
- ``kingfisher`` (compiled, Vectorscan; the wheel ``kingfisher-bin`` bundles the static
  binary that ``kingfisher`` on the venv's PATH execs), run on the binary itself, in
  the tree, as ``kingfisher scan . --no-validate --no-update-check --no-binary
  --no-extract-archives --format json`` (no network; the same files as Glasshouse:
  Glasshouse neither searches binaries nor opens archives). From the tree, because
  Kingfisher drops findings whose path as given contains ``lib/pythonX.Y/``.

Glasshouse runs as a user runs it, ``python -m glasshouse scan TREE --offline --format
json`` with ``GLASSHOUSE_CACHE_DIR`` in the bench cache; that process also runs the
dependency scanner, so the secrets part alone is measured too, in this process:
``walk`` plus ``SecretScanner`` (detector loaded from the cached Hyperscan database).

The tree is the ``site-packages`` of a virtual environment with pinned, real packages
(Django, boto3, numpy, scipy, pandas, SQLAlchemy, SymPy, transformers, ...): about
550 MB, 20,000 files, half of the bytes text. It is built once (``pip install
--no-compile``, then ``__pycache__`` removed) and reused. Nothing is planted in it:
every finding there is a false alarm. Three trees are measured:

- ``full``: the site-packages directory itself (the scan root: Glasshouse skips
  vendored directory names such as ``vendor`` only below the root);
- ``equal``: hard links to exactly the files Glasshouse's walk keeps, so every tool
  sees the same files (where the Glasshouse/Kingfisher ratio is taken);
- ``sample``: every file of ``equal`` whose path hashes to 0 modulo ``--sample-every``
  (default 8): the tree on which the slow Python peers run by default, beside
  Glasshouse and Kingfisher (where the detect-secrets/Glasshouse ratio is taken).

A small ``sanity`` tree with eight planted secrets of common formats runs first: it
checks that each tool finds something, and warms each tool's caches (Kingfisher's and
Glasshouse's compiled rule databases) so that no later run pays for a compile.

Times: wall seconds, and CPU seconds (user + system of the child and its descendants,
from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas; tools run one at a time). MB/s
and MB/CPU-s divide the tree's bytes (every file, binary or not: the same for every
tool) by wall or CPU seconds; text MB/CPU-s divides its text bytes only. The floor
is reading every file of the tree once in Python, page cache warm (the tree has been
read just before, as it has for every tool): best of ``--repeat``. Fast tools run
``--repeat`` times (best wall kept); the Python peers once.

Run: .venv/bin/python bench/bench_secrets.py [--quick] [--tools a,b] [--full-peers]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import string
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import glasshouse
from glasshouse.config import DEFAULT_MAX_DB_AGE_HOURS, DEFAULT_OSV_BASE_URL
from glasshouse.scanners.base import ScanContext
from glasshouse.scanners.secrets import SecretScanner
from glasshouse.secrets.detector import DEFAULT_MAX_BYTES
from glasshouse.secrets.text import looks_binary
from glasshouse.walk import walk

BENCH = Path(__file__).resolve().parent
DEFAULT_CACHE = BENCH / ".peers"
OUT = BENCH / "out"
PYTHON = "python3.11"
MB = 1e6

# Pinned, so that every run on every machine measures the same peers.
PEERS = {
    "detect-secrets": "detect-secrets==1.5.0",
    "trufflehog3": "trufflehog3==3.0.10",
    "kingfisher": "kingfisher-bin==2.14.0",
}

# The full tree: real packages with big source trees, every distribution pinned (the
# packages and their dependencies) so the tree is the same wherever it is built.
FULL_TREE = (
    "Django==5.2.19",
    "boto3==1.44.8",
    "botocore==1.44.8",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "pandas==3.1.1",
    "SQLAlchemy==2.1.9",
    "sympy==1.14.0",
    "networkx==3.6.1",
    "Pygments==2.21.0",
    "transformers==5.24.0",
    "matplotlib==3.11.2",
    "scikit-learn==1.9.1",
    "annotated-doc==0.0.7",
    "annotated-types==0.8.0",
    "anyio==4.16.0",
    "asgiref==3.13.0",
    "click==8.5.1",
    "cloudpickle==3.1.3",
    "contourpy==1.3.3",
    "cycler==0.12.1",
    "filelock==4.3.1",
    "fonttools==4.68.0",
    "fsspec==2026.9.0",
    "h11==0.16.0",
    "hf-xet==1.8.0",
    "httpcore2==2.16.2",
    "httpx2==2.16.2",
    "huggingface_hub==2.4.0",
    "idna==3.20",
    "jmespath==1.1.0",
    "joblib==1.6.0",
    "kiwisolver==1.5.1",
    "markdown-it-py==4.3.0",
    "mdurl==0.1.2",
    "mpmath==1.3.0",
    "narwhals==2.29.0",
    "packaging==26.4",
    "pillow==13.0.0",
    "pydantic==2.14.4",
    "pydantic_core==2.50.5",
    "pyparsing==3.3.3",
    "python-dateutil==2.9.0.post0",
    "PyYAML==6.0.4",
    "regex==2026.11.19",
    "rich==15.0.0",
    "s3transfer==0.19.3",
    "safetensors==0.8.0",
    "shellingham==1.5.4",
    "six==1.17.0",
    "sqlparse==0.6.1",
    "threadpoolctl==3.8.0",
    "tokenizers==0.23.3",
    "tqdm==4.70.1",
    "typer==0.29.2",
    "typing_extensions==4.16.0",
    "typing-inspection==0.4.5",
    "urllib3==2.8.0",
)
# --quick: a smaller tree (about 90 MB) for a smoke run.
QUICK_TREE = (
    "Django==5.2.19",
    "asgiref==3.13.0",
    "sqlparse==0.6.1",
    "SQLAlchemy==2.1.9",
    "typing_extensions==4.16.0",
    "networkx==3.6.1",
    "Pygments==2.21.0",
    "sympy==1.14.0",
    "mpmath==1.3.0",
)

TOOLS = ("glasshouse", "kingfisher", "trufflehog3", "detect-secrets")
FLOOR = "floor (read every file)"
FAST = frozenset({"glasshouse", "kingfisher"})  # repeated; the Python peers run once


def note(message: str) -> None:
    """Progress, on stderr: stdout holds the results only."""
    print(f"  .. {message}", file=sys.stderr, flush=True)


# -- the cache: peers' venvs, the tree, compiled rule databases ------------------------


def prepare_cache(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# benchmark cache: venvs, trees, repositories; never committed\n*\n")
    return cache


def ensure_venv(path: Path, requirements: Sequence[str], *, no_compile: bool = False) -> str | None:
    """Create ``path`` as a venv with ``requirements``; None, or why it failed.

    A marker holding the requirements makes later runs reuse it."""
    marker = path / ".bench-ready"
    wanted = "\n".join(requirements)
    if marker.is_file() and marker.read_text() == wanted:
        return None
    python = shutil.which(PYTHON)
    if python is None:
        return f"{PYTHON} is not on PATH"
    if path.exists():
        shutil.rmtree(path)
    note(f"creating {path.name} venv: pip install {' '.join(requirements[:4])} ...")
    made = subprocess.run(
        [python, "-m", "venv", str(path)], capture_output=True, text=True, check=False
    )
    if made.returncode:
        return f"python -m venv failed: {_last_line(made.stderr)}"
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    pip += ["--disable-pip-version-check", *(["--no-compile"] if no_compile else [])]
    installed = subprocess.run([*pip, *requirements], capture_output=True, text=True, check=False)
    if installed.returncode:
        errors = [line for line in installed.stderr.splitlines() if "ERROR" in line]
        return f"pip install failed: {errors[-1] if errors else _last_line(installed.stderr)}"
    marker.write_text(wanted)
    return None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def site_packages(venv: Path) -> Path:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise FileNotFoundError(f"no site-packages under {venv}")
    return found[0]


def ensure_tree(cache: Path, *, quick: bool) -> Path:
    """The site-packages of the tree venv, built once (compiled bytecode removed)."""
    venv = cache / ("tree-quick" if quick else "tree")
    problem = ensure_venv(venv, QUICK_TREE if quick else FULL_TREE, no_compile=True)
    if problem:
        raise SystemExit(f"cannot build the tree: {problem}")
    root = site_packages(venv)
    # ensurepip compiles pip and setuptools; bytecode is binary that no tool reads.
    for pycache in sorted(root.rglob("__pycache__"), reverse=True):
        shutil.rmtree(pycache)
    return root


@dataclass
class Peer:
    name: str
    version: str = ""
    command: list[str] = field(default_factory=list)  # the executable (and fixed args)
    python: str = ""  # the venv's interpreter (for detect-secrets' own file listing)
    unavailable: str | None = None


def ensure_peer(cache: Path, name: str) -> Peer:
    venv = cache / "venvs" / name
    peer = Peer(name)
    peer.unavailable = ensure_venv(venv, [PEERS[name]])
    if peer.unavailable:
        return peer
    peer.python = str(venv / "bin" / "python")
    if name == "kingfisher":
        # The wheel's `kingfisher` script execs a bundled static binary: call it directly.
        found = subprocess.run(
            [peer.python, "-c", "import kingfisher; print(kingfisher.get_binary_path())"],
            capture_output=True,
            text=True,
            check=False,
        )
        binary = found.stdout.strip() or str(venv / "bin" / "kingfisher")
        peer.command = [binary]
    else:
        peer.command = [str(venv / "bin" / name)]
    try:
        shown = subprocess.run(
            [*peer.command, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        peer.unavailable = f"{peer.command[0]} does not run: {exc}"
        return peer
    if shown.returncode:
        peer.unavailable = f"--version exited {shown.returncode}: {_last_line(shown.stderr)}"
        return peer
    peer.version = _last_line(shown.stdout + shown.stderr).split()[-1]
    return peer


# -- trees -------------------------------------------------------------------------------


@dataclass
class TreeStats:
    name: str
    root: str
    files: int = 0
    bytes: int = 0
    text_files: int = 0  # as Glasshouse judges text: not binary, not over its size limit
    text_bytes: int = 0
    binary_files: int = 0
    binary_bytes: int = 0
    oversized_files: int = 0
    oversized_bytes: int = 0
    walked_files: int = 0  # what Glasshouse's walk keeps
    walked_bytes: int = 0
    skipped_by_walk: list[str] = field(default_factory=list)  # outermost skipped dirs


def all_files(root: Path) -> list[Path]:
    """Every regular file below ``root`` (symbolic links not followed, as every tool)."""
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            if not path.is_symlink() and path.is_file():
                found.append(path)
    return found


def tree_stats(name: str, root: Path) -> tuple[TreeStats, list[Path]]:
    """Counts and sizes (one read of every file: it also warms the page cache)."""
    stats = TreeStats(name, str(root))
    files = all_files(root)
    for path in files:
        data = path.read_bytes()
        stats.files += 1
        stats.bytes += len(data)
        if len(data) > DEFAULT_MAX_BYTES:
            stats.oversized_files += 1
            stats.oversized_bytes += len(data)
        elif looks_binary(data):
            stats.binary_files += 1
            stats.binary_bytes += len(data)
        else:
            stats.text_files += 1
            stats.text_bytes += len(data)
    walked = walk(root, [lambda base, rel: True])
    kept = {f.relpath for f in walked.files}
    stats.walked_files = len(kept)
    stats.walked_bytes = sum(f.path.stat().st_size for f in walked.files)
    skipped: set[str] = set()
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel not in kept:
            parts = rel.split("/")
            # the outermost directory the walk refused (or the file itself)
            for depth in range(1, len(parts)):
                if (root / "/".join(parts[:depth])).name in _skipped_names():
                    skipped.add("/".join(parts[:depth]) + "/")
                    break
            else:
                skipped.add(rel)
    stats.skipped_by_walk = sorted(skipped)
    return stats, files


def _skipped_names() -> frozenset[str]:
    from glasshouse.walk import SKIPPED_DIRS

    return SKIPPED_DIRS


def link_tree(source: Path, dest: Path, relpaths: Iterable[str]) -> None:
    """``dest`` holds hard links to ``source``'s files at ``relpaths`` (copies if it must)."""
    if dest.exists():
        shutil.rmtree(dest)
    for rel in relpaths:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, target)
        except OSError:
            shutil.copy2(source / rel, target)


def walked_relpaths(root: Path) -> list[str]:
    return [f.relpath for f in walk(root, [lambda base, rel: True]).files]


def in_sample(relpath: str, every: int) -> bool:
    return hashlib.sha256(relpath.encode()).digest()[0] % every == 0


# -- planted secrets (the sanity tree; the history benchmark plants the same kinds) ------

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits


def _pick(rng: Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    return digits.rjust(width, "0")


def github_classic_token(rng: Random) -> str:
    """``ghp_`` + 30 random base62 characters + their CRC32 in 6 base62 characters."""
    body = _pick(rng, BASE62, 30)
    return "ghp_" + body + _base62(zlib.crc32(body.encode()), 6)


_SMALL_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71)


def _probable_prime(rng: Random, bits: int) -> int:
    """A probable prime of ``bits`` bits drawn from ``rng`` (Miller-Rabin, 32 rounds)."""
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if any(n % p == 0 for p in _SMALL_PRIMES):
            continue
        d, r = n - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(32):
            x = pow(rng.randrange(2, n - 1), d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                break  # a witness: composite
        else:
            return n


def rsa_private_key_pem(rng: Random) -> str:
    """A 2048-bit RSA key drawn from ``rng`` (the same on every run), in PKCS#1 PEM
    (``BEGIN RSA PRIVATE KEY``), serialized by ``cryptography``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    e = 65537
    while True:
        p, q = _probable_prime(rng, 1024), _probable_prime(rng, 1024)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    return (
        numbers.private_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )


@dataclass(frozen=True)
class Plant:
    """A fake secret written into a file: found if a tool reports ``path`` at a line
    from ``first`` to ``last``."""

    kind: str
    path: str
    text: str  # the whole file (or the lines inserted, for the history benchmark)
    first: int
    last: int


def plants(rng: Random) -> list[Plant]:
    """Eight fake credentials of common formats, each in a realistic file of its own.

    Values are drawn from ``rng`` (the same for the same seed), never written in this
    source."""
    key_id = "AKIA" + _pick(rng, string.ascii_uppercase + "234567", 16)
    key_secret = _pick(rng, ALNUM + "/+", 40)
    slack = "xoxb-" + _pick(rng, string.digits, 12) + "-" + _pick(rng, string.digits, 13)
    slack += "-" + _pick(rng, ALNUM, 24)
    stripe = "sk_" + "live_" + _pick(rng, ALNUM, 48)
    sendgrid = "SG." + _pick(rng, ALNUM + "_-", 22) + "." + _pick(rng, ALNUM + "_-", 43)
    db_word = _pick(rng, ALNUM, 20)
    app_word = _pick(rng, ALNUM, 12) + "!#" + _pick(rng, ALNUM, 8)
    pem = rsa_private_key_pem(rng)
    pem_lines = pem.count("\n")
    return [
        Plant(
            "aws-key-pair",
            "deploy/aws_credentials.ini",
            f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {key_secret}\n"
            "region = eu-west-1\n",
            2,
            3,
        ),
        Plant(
            "github-classic-pat",
            ".github/workflows/release.yml",
            "name: release\non: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
            f"    env:\n      GITHUB_TOKEN: {github_classic_token(rng)}\n"
            "    steps:\n      - run: make release\n",
            7,
            7,
        ),
        Plant(
            "slack-bot-token",
            "notify/slack_client.py",
            "from slack_sdk import WebClient\n\n"
            f'client = WebClient(token="{slack}")\n'
            'client.chat_postMessage(channel="#deploys", text="done")\n',
            3,
            3,
        ),
        Plant(
            "stripe-live-key",
            "billing/settings.py",
            f'import stripe\n\nstripe.api_key = "{stripe}"\nCURRENCY = "eur"\n',
            3,
            3,
        ),
        Plant(
            "sendgrid-key",
            "mail/.env",
            f"MAIL_FROM=noreply@shop.test\nSENDGRID_API_KEY={sendgrid}\nMAIL_RETRIES=3\n",
            2,
            2,
        ),
        Plant("rsa-private-key", "keys/deploy_id_rsa", pem, 1, pem_lines),
        Plant(
            "postgres-url",
            "config/database.yml",
            "production:\n  adapter: postgresql\n"
            f"  url: postgresql://orders:{db_word}@db.prod.internal:5432/orders\n  pool: 10\n",
            3,
            3,
        ),
        Plant(
            "password-assignment",
            "app/local_settings.py",
            "DEBUG = False\nDB_USER = 'shop'\n"
            f"DB_PASSWORD = '{app_word}'\nALLOWED_HOSTS = ['shop.test']\n",
            3,
            3,
        ),
    ]


def write_plants(root: Path, planted: Sequence[Plant]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for plant in planted:
        path = root / plant.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plant.text)
    # Ordinary code beside them, so that the tree is not only secrets.
    (root / "app" / "views.py").write_text(
        "import os\n\n\ndef token():\n    return os.environ['API_TOKEN']\n"
    )


# -- running a tool ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    rule: str
    path: str  # relative to the scanned root, POSIX
    line: int | None
    finding: int = -1  # Glasshouse: which finding (one per secret) this place belongs to
    preview: str = ""  # Glasshouse: its masked preview (never the secret)


@dataclass
class Run:
    tool: str
    tree: str
    wall: float = 0.0
    cpu: float = 0.0
    exit_code: int | None = None
    reported: int = 0  # findings as the tool counts them (Glasshouse: one per secret)
    hits: list[Hit] = field(default_factory=list)  # every reported location
    files: int | None = None  # files the tool searched, if known
    files_note: str = ""
    searched_bytes: int | None = None
    error: str | None = None
    command: str = ""
    repeats: int = 1


def measure(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdout: Path,
    stderr: Path,
    timeout: float,
) -> tuple[float, float, int | None]:
    """Wall and CPU seconds (user + system of the child and its reaped descendants) and
    the exit code (None on timeout: the child's process group is killed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            try:
                return candidate.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return path
    return path.removeprefix("./")


_NOT_SEARCHED = re.compile(r"files not searched for secrets: (.*)")


def glasshouse_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache / "glasshouse-cache")}


def parse_glasshouse(report: dict[str, Any], root: Path, run: Run) -> None:
    secrets = [f for f in report["findings"] if f["kind"] == "secret"]
    run.reported = len(secrets)
    run.hits = [
        Hit(f["rule_id"], _relative(o["path"], root), o["line"], i, f["secret"]["preview"])
        for i, f in enumerate(secrets)
        for o in f["secret"]["occurrences"]
    ]
    run.files = report["summary"]["files"]
    skipped = [
        m.group(1)
        for p in report["problems"]
        if p["scanner"] == "secrets" and (m := _NOT_SEARCHED.search(p["message"]))
    ]
    run.files_note = "read; not searched: " + (skipped[0] if skipped else "none")


def run_glasshouse(root: Path, tree: str, work: Path, cache: Path, timeout: float) -> Run:
    out, err = work / "glasshouse.json", work / "glasshouse.err"
    argv = [sys.executable, "-m", "glasshouse", "scan", str(root), "--offline"]
    argv += ["--format", "json", "--no-progress"]
    run = Run("glasshouse", tree, command=" ".join(["python", *argv[1:]]))
    run.wall, run.cpu, run.exit_code = measure(
        argv, env=glasshouse_env(cache), stdout=out, stderr=err, timeout=timeout
    )
    if run.exit_code not in (0, 1, 2):
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    parse_glasshouse(json.loads(out.read_text()), root, run)
    return run


def run_glasshouse_in_process(root: Path, tree: str, cache: Path) -> Run:
    """The secrets part alone: walk, load the detector (cached database), search."""
    run = Run("glasshouse (secrets only, in process)", tree, command="walk + SecretScanner.run")
    start, cpu = time.perf_counter(), time.process_time()
    scanner = SecretScanner()
    walked = walk(root, [scanner.wants])
    context = ScanContext(
        root=root.resolve(),
        cache_dir=cache / "glasshouse-cache",
        offline=True,
        base_url=DEFAULT_OSV_BASE_URL,
        max_db_age_hours=DEFAULT_MAX_DB_AGE_HOURS,
    )
    result = scanner.run(walked.files, context)
    run.wall, run.cpu = time.perf_counter() - start, time.process_time() - cpu
    run.exit_code = 0
    run.reported = len(result.findings)
    run.hits = [
        Hit(f.rule_id, o.path, o.line, i, f.secret.preview)
        for i, f in enumerate(result.findings)
        if f.secret is not None
        for o in f.secret.occurrences
    ]
    run.files = len(result.files)
    run.searched_bytes = sum((root / rel).stat().st_size for rel in result.files)
    skipped = [m.group(1) for p in result.problems if (m := _NOT_SEARCHED.search(p.message))]
    run.files_note = f"searched of {len(walked.files)} walked; not searched: " + (
        skipped[0] if skipped else "none"
    )
    return run


def kingfisher_argv(peer: Peer, target: str, out: Path, cache: Path) -> list[str]:
    return [
        *peer.command,
        "scan",
        target,
        "--no-validate",  # no calls to token issuers
        "--no-update-check",  # no call home
        "--no-binary",  # Glasshouse does not search binaries either
        "--no-extract-archives",  # nor open archives (botocore ships .json.gz)
        "--format",
        "json",
        "--output",
        str(out),
        "--quiet",
        "--rule-cache-dir",
        str(cache / "kingfisher-rules"),
    ]


def parse_kingfisher(report: dict[str, Any], root: Path, run: Run) -> None:
    findings = report.get("findings") or []
    run.reported = len(findings)
    run.hits = [
        Hit(f["rule"]["id"], _relative(f["finding"]["path"], root), f["finding"].get("line"))
        for f in findings
    ]
    summary = report.get("metadata", {}).get("summary", {})
    run.files = summary.get("blobs_scanned")
    run.searched_bytes = summary.get("bytes_scanned")
    run.files_note = "blobs scanned (identical files once)"


def run_kingfisher(
    peer: Peer, root: Path, tree: str, work: Path, cache: Path, timeout: float
) -> Run:
    out, err = work / "kingfisher.json", work / "kingfisher.err"
    # Run from the root: Kingfisher drops findings whose path, as given, contains
    # `lib/pythonX.Y/`, so `kingfisher scan /venv/lib/python3.11/site-packages` reports
    # nothing there at all, while the same files elsewhere do report.
    argv = kingfisher_argv(peer, ".", out, cache)
    run = Run("kingfisher", tree, command="(cd TREE && kingfisher " + " ".join(argv[1:]) + ")")
    if out.exists():
        out.unlink()
    run.wall, run.cpu, run.exit_code = measure(
        argv, cwd=root, stdout=work / "kingfisher.out", stderr=err, timeout=timeout
    )
    if run.exit_code not in (0, 200) or not out.exists():  # 200: findings reported
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    parse_kingfisher(json.loads(out.read_text()), root, run)
    return run


def run_trufflehog3(
    peer: Peer, root: Path, tree: str, work: Path, cache: Path, timeout: float
) -> Run:
    out, err = work / "trufflehog3.json", work / "trufflehog3.err"
    argv = [*peer.command, "-v", "--no-history", "-z", "-f", "JSON", "-o", str(out), str(root)]
    run = Run("trufflehog3", tree, command=" ".join(["trufflehog3", *argv[1:]]))
    run.wall, run.cpu, run.exit_code = measure(
        argv, stdout=work / "trufflehog3.out", stderr=err, timeout=timeout
    )
    if run.exit_code != 0 or not out.exists():
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    findings = json.loads(out.read_text() or "[]")
    run.reported = len(findings)
    run.hits = [
        Hit(f["rule"]["id"], _relative(f["path"], root), int(f["line"]) if f.get("line") else None)
        for f in findings
    ]
    undecodable = err.read_text(errors="replace").count("skipping file")
    run.files = len(all_files(root)) - undecodable
    run.files_note = f"decoded as UTF-8 ({undecodable} skipped as undecodable)"
    return run


# detect-secrets' own file listing and file-name filters, run in its venv: how many
# files it opens (it then drops, silently, those that do not decode as UTF-8).
_DETECT_SECRETS_FILES = """
from detect_secrets.core.scan import get_files_to_scan, _is_filtered_out
from detect_secrets.settings import default_settings
with default_settings():
    names = list(get_files_to_scan(".", should_scan_all_files=True))
    kept = [n for n in names
            if not _is_filtered_out(required_filter_parameters=["filename"], filename=n)]
print(len(kept))
"""


def run_detect_secrets(
    peer: Peer, root: Path, tree: str, work: Path, cache: Path, timeout: float
) -> Run:
    out, err = work / "detect-secrets.json", work / "detect-secrets.err"
    argv = [*peer.command, "scan", "--all-files", "-n", "."]  # -n: no verification calls
    run = Run(
        "detect-secrets", tree, command=f"(cd TREE && {' '.join(['detect-secrets', *argv[1:]])})"
    )
    run.wall, run.cpu, run.exit_code = measure(
        argv, cwd=root, stdout=out, stderr=err, timeout=timeout
    )
    if run.exit_code != 0:
        run.error = f"exit {run.exit_code}: {_last_line(err.read_text(errors='replace'))}"
        return run
    results = json.loads(out.read_text())["results"]
    run.hits = [
        Hit(s["type"], _relative(name, root), s.get("line_number"))
        for name, found in results.items()
        for s in found
    ]
    run.reported = len(run.hits)
    listed = subprocess.run(
        [peer.python, "-c", _DETECT_SECRETS_FILES],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode == 0 and listed.stdout.strip().isdigit():
        run.files = int(listed.stdout.strip())
        run.files_note = "opened after its name filters; undecodable ones dropped"
    else:
        run.files_note = "unknown: " + _last_line(listed.stderr)
    return run


Runner = Callable[[Peer, Path, str, Path, Path, float], Run]
PEER_RUNNERS: dict[str, Runner] = {
    "kingfisher": run_kingfisher,
    "trufflehog3": run_trufflehog3,
    "detect-secrets": run_detect_secrets,
}


def floor(files: Sequence[Path], tree: str, repeat: int) -> Run:
    """Read every file once in Python: best of ``repeat`` (page cache warm)."""
    best: Run | None = None
    for _ in range(max(repeat, 2)):
        start, cpu = time.perf_counter(), time.process_time()
        size = 0
        for path in files:
            with path.open("rb") as handle:
                size += len(handle.read())
        run = Run(FLOOR, tree, exit_code=0, files=len(files))
        run.wall, run.cpu = time.perf_counter() - start, time.process_time() - cpu
        run.searched_bytes = size
        run.command = "open(path, 'rb').read() for every file"
        if best is None or run.wall < best.wall:
            best = run
    assert best is not None
    best.repeats = max(repeat, 2)
    return best


def best_of(repeat: int, once: Callable[[], Run]) -> Run:
    runs = [once() for _ in range(max(repeat, 1))]
    ok = [r for r in runs if r.error is None] or runs
    best = min(ok, key=lambda r: r.wall)
    best.repeats = len(runs)
    return best


# -- printing ---------------------------------------------------------------------------


def print_tree(stats: TreeStats) -> None:
    print(
        f"tree {stats.name}: {stats.files} files, {stats.bytes / MB:.1f} MB"
        f" (text {stats.text_files} files {stats.text_bytes / MB:.1f} MB;"
        f" binary {stats.binary_files} files {stats.binary_bytes / MB:.1f} MB;"
        f" over 5 MB {stats.oversized_files} files {stats.oversized_bytes / MB:.1f} MB)"
    )
    skipped = stats.files - stats.walked_files
    shown = ", ".join(stats.skipped_by_walk[:6])
    more = f" and {len(stats.skipped_by_walk) - 6} more" if len(stats.skipped_by_walk) > 6 else ""
    print(
        f"  Glasshouse's walk keeps {stats.walked_files} files ({stats.walked_bytes / MB:.1f} MB);"
        f" skips {skipped}" + (f" under {shown}{more}" if skipped else "")
    )
    print(f"  root: {stats.root}")


def print_runs(runs: Sequence[Run], stats: TreeStats) -> None:
    """MB/s and MB/CPU-s: every byte of the tree (the same for every tool) per wall or
    CPU second; text MB/CPU-s: only the text bytes, what is worth searching."""
    print(
        f"  {'tool':38s} {'wall s':>7s} {'CPU s':>7s} {'MB/s':>7s} {'MB/CPU-s':>8s}"
        f" {'text MB/CPU-s':>13s} {'files':>6s} {'findings':>8s} {'places':>6s}  notes"
    )
    for run in runs:
        if run.error:
            print(f"  {run.tool:38s} unavailable: {run.error}")
            continue
        wall, cpu = max(run.wall, 1e-9), max(run.cpu, 1e-9)
        files = "?" if run.files is None else str(run.files)
        is_floor = run.tool.startswith("floor")
        findings = "-" if is_floor else str(run.reported)
        places = "-" if is_floor else str(len(run.hits))
        notes = [f"best of {run.repeats}"] if run.repeats > 1 else []
        notes += [run.files_note] if run.files_note else []
        notes += [f"exit {run.exit_code}"] if run.exit_code and not is_floor else []
        print(
            f"  {run.tool:38s} {run.wall:7.2f} {run.cpu:7.2f} {stats.bytes / MB / wall:7.1f}"
            f" {stats.bytes / MB / cpu:8.1f} {stats.text_bytes / MB / cpu:13.1f}"
            f" {files:>6s} {findings:>8s} {places:>6s}  {'; '.join(notes)}"
        )


def ratio(numerator: Run | None, denominator: Run | None) -> tuple[float, float] | None:
    if numerator is None or denominator is None or numerator.error or denominator.error:
        return None
    if not denominator.wall or not denominator.cpu:
        return None
    return numerator.wall / denominator.wall, numerator.cpu / denominator.cpu


def top_rules(hits: Sequence[Hit], n: int = 6) -> list[tuple[str, int, list[str]]]:
    counts = collections.Counter(h.rule for h in hits)
    out = []
    for rule, count in counts.most_common(n):
        examples = [f"{h.path}:{h.line}" for h in hits if h.rule == rule][:3]
        out.append((rule, count, examples))
    return out


def planted_found(plant_list: Sequence[Plant], hits: Sequence[Hit]) -> dict[str, bool]:
    return {
        plant.kind: any(
            h.path == plant.path and (h.line is None or plant.first <= h.line <= plant.last)
            for h in hits
        )
        for plant in plant_list
    }


# -- the steps of a run -------------------------------------------------------------------


@dataclass
class Setup:
    tools: list[str]
    peers: dict[str, Peer]
    cache: Path
    work: Path
    repeat: int
    timeout: float

    def run(self, name: str, target: Path, tree: str) -> Run:
        if name == "glasshouse":
            return best_of(
                self.repeat,
                lambda: run_glasshouse(target, tree, self.work, self.cache, self.timeout),
            )
        peer = self.peers[name]
        if peer.unavailable:
            return Run(name, tree, error=peer.unavailable)

        def once() -> Run:
            return PEER_RUNNERS[name](peer, target, tree, self.work, self.cache, self.timeout)

        return best_of(self.repeat if name in FAST else 1, once)


def sanity_check(setup: Setup) -> dict[str, Any]:
    """Planted secrets in a small tree: does each tool find them? (Also the warm-up.)"""
    planted = plants(Random(20240611))
    root = setup.work / "sanity"
    write_plants(root, planted)
    print(f"sanity: {len(planted)} planted secrets ({', '.join(p.kind for p in planted)})")
    sanity: dict[str, Any] = {}
    for name in setup.tools:
        note(f"{name} on the sanity tree")
        run = setup.run(name, root, "sanity")
        if run.error:
            print(f"  {name:15s} unavailable: {run.error}")
            sanity[name] = {"error": run.error}
            continue
        found = planted_found(planted, run.hits)
        extra = [h for h in run.hits if not any(h.path == p.path for p in planted)]
        missed = [k for k, ok in found.items() if not ok]
        print(
            f"  {name:15s} found {sum(found.values())}/{len(planted)}"
            f" ({run.reported} findings at {len(run.hits)} places)"
            + (f"  missed: {', '.join(missed)}" if missed else "")
            + (f"  other findings: {len(extra)}" if extra else "")
        )
        sanity[name] = {
            "found": found,
            "findings": run.reported,
            "places": [asdict(h) for h in run.hits],
        }
    return sanity


def print_ratios(
    get: Callable[[str, str], Run | None], full: TreeStats, sample: TreeStats
) -> dict[str, Any]:
    ratios: dict[str, Any] = {}

    def show(label: str, pair: tuple[float, float] | None, target: str = "") -> None:
        ratios[label] = None if pair is None else {"wall": pair[0], "cpu": pair[1]}
        if pair is None:
            print(f"  {label:50s} n/a")
            return
        print(f"  {label:50s} wall {pair[0]:7.2f}x   CPU {pair[1]:7.2f}x   {target}")

    cli, alone, floor_ = "glasshouse", "glasshouse (secrets only, in process)", FLOOR
    print("ratios (CLI: the whole `glasshouse scan` process, as every peer is a whole process)")
    pairs = (
        ("detect-secrets / glasshouse CLI (sample)", "sample", "detect-secrets", cli, ">= 20x"),
        (
            "detect-secrets / glasshouse secrets only (sample)",
            "sample",
            "detect-secrets",
            alone,
            "",
        ),
        ("trufflehog3 / glasshouse CLI (full)", "full", "trufflehog3", cli, ""),
        ("glasshouse CLI / kingfisher (equal)", "equal", cli, "kingfisher", "<= 2x"),
        ("glasshouse secrets only / kingfisher (equal)", "equal", alone, "kingfisher", ""),
        ("glasshouse CLI / kingfisher (full)", "full", cli, "kingfisher", ""),
        ("glasshouse CLI / floor (full)", "full", cli, floor_, ""),
        ("glasshouse secrets only / floor (full)", "full", alone, floor_, ""),
    )
    for label, tree, top, bottom, target in pairs:
        show(label, ratio(get(tree, top), get(tree, bottom)), f"target {target}" if target else "")
    sampled = get("sample", "detect-secrets")
    if sampled is not None and not sampled.error and get("full", "detect-secrets") is None:
        estimate = sampled.cpu * full.text_bytes / max(sample.text_bytes, 1)
        print(
            "  detect-secrets on the full tree, estimated from the sample's text bytes:"
            f" {estimate:.0f} CPU s"
        )
        ratios["detect-secrets full-tree CPU seconds (estimate)"] = estimate
    return ratios


def print_alarms(tools: Sequence[str], get: Callable[[str, str], Run | None]) -> dict[str, Any]:
    """Every finding on the clean tree is a false alarm: Glasshouse's all listed (one
    line per secret, with its masked preview and every place), the peers' top rules."""
    print("false alarms on the clean tree (nothing is planted there)")
    alarms: dict[str, Any] = {}
    for tool in tools:
        tree = "full" if get("full", tool) is not None else "sample"
        run = get(tree, tool)
        if run is None or run.error:
            continue
        print(f"  {tool} ({tree} tree): {run.reported} findings at {len(run.hits)} places")
        entry: dict[str, Any] = {
            "tree": tree,
            "findings": run.reported,
            "places": len(run.hits),
            "by_rule": dict(collections.Counter(h.rule for h in run.hits).most_common()),
        }
        if tool == "glasshouse":
            groups: dict[int, list[Hit]] = collections.defaultdict(list)
            for hit in run.hits:
                groups[hit.finding].append(hit)
            listed = sorted(groups.values(), key=lambda g: (g[0].rule, g[0].path))
            for places in listed:
                first = places[0]
                where = ", ".join(f"{h.path}:{h.line}" for h in places)
                print(f"    {first.rule:28s} {first.preview:26s} {len(places):3d}x  {where}")
            entry["every_finding"] = [
                {"rule": g[0].rule, "preview": g[0].preview, "places": [asdict(h) for h in g]}
                for g in listed
            ]
        else:
            for rule, count, examples in top_rules(run.hits):
                print(f"    {rule:40s} {count:6d}  e.g. {', '.join(examples)}")
            entry["examples"] = {r: e for r, _, e in top_rules(run.hits, 20)}
        alarms[tool] = entry
    return alarms


# -- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~90 MB tree, one repeat")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--repeat", type=int, default=None, help="runs of the fast tools")
    parser.add_argument("--sample-every", type=int, default=8)
    parser.add_argument(
        "--full-peers",
        action="store_true",
        help="also run detect-secrets on the full tree (about 15 minutes more here)",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per tool run")
    parser.add_argument("--json", type=Path, default=OUT / "secrets.json")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools: {', '.join(unknown)} (known: {', '.join(TOOLS)})")
    every = args.sample_every if not args.quick else min(args.sample_every, 4)

    cache = prepare_cache(args.cache.resolve())
    work = cache / "work"
    work.mkdir(exist_ok=True)
    began = time.perf_counter()
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, python"
        f" {sys.version.split()[0]}, glasshouse from {Path(glasshouse.__file__ or '').parent}"
    )
    peers = {name: ensure_peer(cache, name) for name in tools if name in PEERS}
    for peer in peers.values():
        state = f"version {peer.version}" if not peer.unavailable else "unavailable"
        print(f"peer {peer.name:15s} {PEERS[peer.name]:24s} {state} {peer.unavailable or ''}")
    setup = Setup(
        tools,
        peers,
        cache,
        work,
        args.repeat if args.repeat is not None else (1 if args.quick else 3),
        args.timeout,
    )
    root = ensure_tree(cache, quick=args.quick)
    print()
    sanity = sanity_check(setup)

    # The trees: as installed; equalized to Glasshouse's walk; a sample of that.
    full_stats, full_files = tree_stats("full", root)
    kept = walked_relpaths(root)
    equal_root, sample_root = work / "equal", work / "sample"
    link_tree(root, equal_root, kept)
    link_tree(root, sample_root, [rel for rel in kept if in_sample(rel, every)])
    equal_stats, equal_files = tree_stats("equal", equal_root)
    sample_stats, sample_files = tree_stats(f"sample (1 file in {every} of equal)", sample_root)
    slow = {"trufflehog3", "detect-secrets"}
    plan = (
        ("full", full_stats, root, full_files, [t for t in tools if t != "detect-secrets"]),
        ("equal", equal_stats, equal_root, equal_files, [t for t in tools if t not in slow]),
        ("sample", sample_stats, sample_root, sample_files, tools),
    )
    if args.full_peers and "detect-secrets" in tools:
        plan[0][4].append("detect-secrets")
    results: dict[str, list[Run]] = {}
    for tree, _, target, files, names in plan:
        runs = [floor(files, tree, setup.repeat)]
        for name in names:
            note(f"{name} on the {tree} tree")
            runs.append(setup.run(name, target, tree))
            if name == "glasshouse":
                runs.append(
                    best_of(
                        setup.repeat,
                        lambda t=target, n=tree: run_glasshouse_in_process(t, n, cache),
                    )
                )
        results[tree] = runs

    print()
    for tree, stats, *_ in plan:
        print_tree(stats)
        print_runs(results[tree], stats)
        print()

    def get(tree: str, tool: str) -> Run | None:
        return next((r for r in results.get(tree, []) if r.tool == tool), None)

    ratios = print_ratios(get, full_stats, sample_stats)
    print()
    alarms = print_alarms(tools, get)
    print()
    print(f"total benchmark time {time.perf_counter() - began:.0f} s")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "secrets tree scan",
        "quick": args.quick,
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "peers": {
            p.name: {
                "requirement": PEERS[p.name],
                "version": p.version,
                "unavailable": p.unavailable,
            }
            for p in peers.values()
        },
        "trees": {s.name: asdict(s) for _, s, *_ in plan},
        "sanity": sanity,
        "runs": {
            tree: [
                {k: v for k, v in asdict(r).items() if k != "hits"} | {"places": len(r.hits)}
                for r in runs
            ]
            for tree, runs in results.items()
        },
        "ratios": ratios,
        "false_alarms": alarms,
    }
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
