"""Helm charts and kustomizations, rendered by their own tools and judged as the
Kubernetes objects they produce (format ``kubernetes``, so the Kubernetes checks judge
them).

Helm: a directory with a ``Chart.yaml`` is rendered with ``helm template`` when helm is
on PATH. Each rendered object is placed in the template helm names in its
``# Source:`` comment, on the line of the object there, and its values on the line of
the same key in the template where one is found (else on the object's line). Without
helm the chart is one blocking problem on its ``Chart.yaml``, and its templates are not
reported one by one. A subchart unpacked under ``charts/`` is rendered with its parent.

Kustomize: a directory with a ``kustomization.yaml`` (``.yml``, ``Kustomization``) is
rendered with ``kustomize build``, else ``kubectl kustomize``. The build is wrapped in a
kustomization of our own that asks for ``originAnnotations``, so each object says which
file it came from; it is placed there, and its values on the line of the same key in
that file's object (a value a patch adds: on the nearest enclosing key the file has).
An object kustomize leaves as written (but for its name, namespace, labels and label
selector: a ``namePrefix``, ``namespace`` or ``commonLabels``) is not reported again, as
the Kubernetes adapter judges the file itself; the others are named after the
kustomization that renders them, ``prod/web (kustomize overlays/prod)``, since every
overlay is a separate deployment of its bases. Without either tool, the kustomization
is one blocking problem.

Rendering reads only the tree: a kustomization that refers to a remote base (a URL, a
git repository) or to a file outside the scanned tree, or a chart with a symbolic link
out of it, is reported as not scanned instead of being rendered. The tools run with a
timeout, a cap on their output, a scratch home and proxies that lead nowhere (no
network), and without plugins. A tool that fails is one blocking problem with its
first error line.

Files under ``templates/`` that no chart holds are read as plain Kubernetes manifests
(``TEMPLATES_ADAPTER``), since the Kubernetes file adapter leaves that directory to us.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import yaml

from glasshouse.iac.adapter import DirectoryAdapter, DirectoryInput, DirectoryResult
from glasshouse.iac.adapters import kubernetes
from glasshouse.iac.model import AdapterError, Node, Resource
from glasshouse.iac.yaml_nodes import load_documents

HELM = "helm"
KUSTOMIZE = "kustomize"
CHART = "Chart.yaml"
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
TIMEOUT_SECONDS = 120.0
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
MAX_SOURCE_BYTES = 8 * 1024 * 1024
ORIGIN = "config.kubernetes.io/origin"
RELEASE = "release"  # the release name charts are rendered under

HELM_MISSING = (
    "Helm chart: not scanned without helm on PATH (install helm to render it with `helm template`)"
)
KUSTOMIZE_MISSING = (
    "kustomization: not scanned without kustomize or kubectl on PATH "
    "(install one to render it with `kustomize build`)"
)
NO_TREE = "not scanned: rendering needs the scanned directory on disk"


# -------------------------------------------------------------------- running tools


@dataclass(frozen=True, slots=True)
class _Run:
    output: bytes | None  # None when the tool failed
    error: str = ""  # one line


def _environment(scratch: Path) -> dict[str, str]:
    """A scratch home, no kubeconfig, no plugins, and proxies that lead nowhere."""
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    nowhere = "http://127.0.0.1:9"
    env.update(
        {
            "HOME": str(scratch),
            "USERPROFILE": str(scratch),
            "XDG_CONFIG_HOME": str(scratch / "config"),
            "XDG_CACHE_HOME": str(scratch / "cache"),
            "XDG_DATA_HOME": str(scratch / "data"),
            "KUBECONFIG": str(scratch / "no-kubeconfig"),
            "HELM_CACHE_HOME": str(scratch / "helm" / "cache"),
            "HELM_CONFIG_HOME": str(scratch / "helm" / "config"),
            "HELM_DATA_HOME": str(scratch / "helm" / "data"),
            "HELM_PLUGINS": str(scratch / "helm" / "plugins"),
            "KUSTOMIZE_PLUGIN_HOME": str(scratch / "kustomize-plugins"),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": "file",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "NO_PROXY": "",
            "no_proxy": "",
        }
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = nowhere
    return env


def _pump(
    stream: IO[bytes], sink: bytearray, overflow: threading.Event, stop: Callable[[], None]
) -> None:
    """Read ``stream`` into ``sink`` until its end, or stop the tool past the cap."""
    try:
        while chunk := os.read(stream.fileno(), 65536):
            if len(sink) + len(chunk) > MAX_OUTPUT_BYTES:
                overflow.set()
                stop()
                return
            sink.extend(chunk)
    except (OSError, ValueError):
        return  # the stream was closed under us: the tool is gone


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):  # already gone
        process.kill()


def _run(argv: list[str], scratch: Path) -> _Run:
    """``argv`` with a timeout and an output cap; its output, or one line saying why not."""
    try:
        process = subprocess.Popen(
            argv,
            cwd=scratch,
            env=_environment(scratch),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        return _Run(None, f"cannot run {argv[0]} ({exc.strerror or exc})")
    assert process.stdout is not None
    assert process.stderr is not None
    out, err = bytearray(), bytearray()
    overflow = threading.Event()
    pumps = [
        threading.Thread(
            target=_pump, args=(stream, sink, overflow, lambda: _stop(process)), daemon=True
        )
        for stream, sink in ((process.stdout, out), (process.stderr, err))
    ]
    for pump in pumps:
        pump.start()
    name = Path(argv[0]).name
    try:
        process.wait(TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _stop(process)
        process.wait()
        return _Run(None, f"{name} did not finish within {TIMEOUT_SECONDS:g} seconds")
    finally:
        for pump in pumps:
            pump.join(5)
        process.stdout.close()
        process.stderr.close()
    if overflow.is_set():
        return _Run(None, f"{name} wrote more than {MAX_OUTPUT_BYTES >> 20} MiB")
    if process.returncode != 0:
        return _Run(None, f"{name} failed: {_first_error(err.decode('utf-8', 'replace'))}")
    return _Run(bytes(out))


_KLOG = re.compile(r"^[EWIF]\d{4} [\d:.]+\s+\d+ [^ \]]+\] ")


def _first_error(stderr: str) -> str:
    """The first meaningful line of a tool's error output, without log decorations."""
    for raw in stderr.splitlines():
        line = _KLOG.sub("", raw.strip())
        quoted = re.search(r'\berr="(.*)"$', line)
        line = (quoted.group(1) if quoted else line).removeprefix("Error: ").strip()
        if line and not line.lower().startswith(("walk.go", "warning:")):
            return line if len(line) <= 300 else line[:297] + "..."
    return "no error message"


# ----------------------------------------------------------------- paths in the tree


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path``, symbolic links followed, exists inside ``root`` (resolved)."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return real == root or real.is_relative_to(root)


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _join(directory: str, name: str) -> str:
    return posixpath.join(directory, name) if directory else name


def _read(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


# ------------------------------------------------------------------- relining values


def _reline(node: Node, source: Node | None, line: int | None) -> Node:
    """``node`` with every value on the line of the same key in ``source`` (a tree
    parsed from the file it came from), else on its nearest enclosing key's line."""
    here = source.line if source is not None and source.line is not None else line
    if isinstance(node.value, dict):
        own = source.value if source is not None and isinstance(source.value, dict) else {}
        return Node({k: _reline(v, own.get(k), here) for k, v in node.value.items()}, here)
    if isinstance(node.value, list):
        items = source.value if source is not None and isinstance(source.value, list) else []
        return Node(
            [_reline(v, _counterpart(v, index, items), here) for index, v in enumerate(node.value)],
            here,
        )
    return Node(node.value, here)


def _counterpart(item: Node, index: int, items: list[Node]) -> Node | None:
    """The element of ``items`` that ``item`` was merged from: the one with the same
    ``name`` (containers, volumes, ports are merged by name), else the same index."""
    name = item.get("name") if isinstance(item.value, dict) else None
    if name is not None:
        for candidate in items:
            other = candidate.get("name") if isinstance(candidate.value, dict) else None
            if other is not None and other.value == name.value:
                return candidate
        return None
    return items[index] if index < len(items) else None


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(r"^\s*(?:-\s+)*[\"']?" + re.escape(key) + r"[\"']?\s*:(?:\s|$)")


def _reline_text(node: Node, lines: list[str], start: int, end: int, line: int) -> Node:
    """``node`` with every value on the line where its key is written in ``lines[start:
    end]`` (a template that is not YAML itself), searched in order; else on the line of
    its nearest enclosing key."""
    if isinstance(node.value, dict):
        children: dict[str, Node] = {}
        cursor = start
        for key, child in node.value.items():
            pattern = _key_line(key)
            found = next((i for i in range(cursor, end) if pattern.match(lines[i])), None)
            if found is None:
                children[key] = _reline_text(child, lines, cursor, end, line)
            else:
                children[key] = _reline_text(child, lines, found, end, found + 1)
                cursor = found + 1
        first = next(iter(children.values()), None)
        return Node(children, first.line if first is not None else line)
    if isinstance(node.value, list):
        elements = []
        cursor = start
        for child in node.value:
            element = _reline_text(child, lines, cursor, end, line)
            if element.line is not None and element.line != line:
                cursor = element.line
            elements.append(element)
        return Node(elements, line)
    return Node(node.value, line)


def _kind(obj: Node) -> str:
    kind = obj.get("kind")
    return (kind.text() if kind is not None else None) or "?"


def _objects(documents: list[Node]) -> Iterator[Node]:
    """The Kubernetes objects of rendered documents (the items of a ``List`` too)."""
    for document in documents:
        if not isinstance(document.value, dict) or document.get("kind") is None:
            continue
        if _kind(document) != "List":
            yield document
            continue
        items = document.get("items")
        for item in items.elements() if items is not None else ():
            if isinstance(item.value, dict) and item.get("kind") is not None:
                yield item


# --------------------------------------------------------------------------- helm


def _chart_of(template: str, load: Callable[[str], dict[str, bytes]]) -> str | None:
    """The chart directory whose ``templates/`` holds ``template``, if one does."""
    parts = template.split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] != "templates":
            continue
        chart = "/".join(parts[:index])
        if _join(chart, CHART) in load(chart):
            return chart
    return None


def _parent_chart(chart: str, load: Callable[[str], dict[str, bytes]]) -> str | None:
    parts = chart.split("/")
    if len(parts) >= 2 and parts[-2] == "charts":
        parent = "/".join(parts[:-2])
        if _join(parent, CHART) in load(parent):
            return parent
    return None


def _escaping_link(root: Path, directory: Path) -> str | None:
    """A symbolic link under ``directory`` that leads out of ``root`` (or nowhere)."""
    for current, dirs, files in os.walk(directory, followlinks=False):
        for name in (*dirs, *files):
            path = Path(current, name)
            if path.is_symlink() and not _inside(root, path):
                return _relative(root, path)
    return None


_SOURCE = re.compile(r"^# Source: (.+?)\s*$", re.MULTILINE)


def _helm_documents(text: str) -> Iterator[tuple[str | None, str]]:
    """(the template helm names, document text) for every document of its output."""
    for chunk in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
        if chunk.strip():
            source = _SOURCE.search(chunk)
            yield (source.group(1) if source else None), chunk


def _locate(lines: list[str], kind: str, occurrence: int) -> tuple[int, int, int]:
    """(start, end, line) of the ``occurrence``-th document of ``kind`` in a template."""
    bounds = [i for i, text in enumerate(lines) if re.match(r"---\s*$", text)]
    regions = list(zip([0, *[b + 1 for b in bounds]], [*bounds, len(lines)], strict=True))
    kind_line = re.compile(r"kind:\s*[\"']?" + re.escape(kind) + r"[\"']?\s*(?:#.*)?$")
    found = [r for r in regions if any(kind_line.match(lines[i]) for i in range(*r))]
    if not found:
        return 0, len(lines), 1
    start, end = found[min(occurrence, len(found) - 1)]
    top = next((i for i in range(start, end) if re.match(r"[A-Za-z]\w*\s*:", lines[i])), start)
    return start, end, top + 1


def _render_chart(chart: str, root: Path) -> DirectoryResult:
    result = DirectoryResult()
    chart_yaml = _join(chart, CHART)
    chart_dir = root / chart if chart else root
    link = _escaping_link(root, chart_dir)
    if link is not None:
        result.errors.append(
            (chart_yaml, f"Helm chart: not scanned: {link} links out of the scanned tree")
        )
        return result
    helm = shutil.which("helm")
    if helm is None:
        result.errors.append((chart_yaml, HELM_MISSING))
        return result
    with tempfile.TemporaryDirectory(prefix="glasshouse-helm-") as scratch:
        run = _run([helm, "template", RELEASE, str(chart_dir)], Path(scratch))
    if run.output is None:
        result.errors.append((chart_yaml, f"Helm chart: not scanned: {run.error}"))
        return result
    seen: dict[tuple[str, str], int] = {}
    templates: dict[str, list[str]] = {}
    for source, text in _helm_documents(run.output.decode("utf-8", "replace")):
        path = chart_yaml
        if source is not None and "/" in source:
            candidate = _join(chart, source.split("/", 1)[1])
            if _inside(root, root / candidate) and (root / candidate).is_file():
                path = candidate
        try:
            documents = load_documents(text.encode())
        except AdapterError as exc:
            result.errors.append((path, f"Helm chart: rendered output unreadable: {exc}"))
            continue
        if path not in templates:  # Chart.yaml itself (no template named): no lines
            data = (_read(root / path) if path != chart_yaml else None) or b""
            templates[path] = data.decode("utf-8", "replace").splitlines()
        lines = templates[path]
        for obj in _objects(documents):
            kind = _kind(obj)
            occurrence = seen.get((path, kind), 0)
            seen[(path, kind)] = occurrence + 1
            start, end, line = _locate(lines, kind, occurrence)
            relined = _reline_text(obj, lines, start, end, line)
            result.resources.append(kubernetes.resource_of(path, relined))
    result.scanned.append(chart_yaml)
    return result


def _parse_chart(directory: DirectoryInput) -> DirectoryResult:
    chart = directory.directory
    if _join(chart, CHART) not in directory.files or _parent_chart(chart, directory.load):
        return DirectoryResult()  # a subchart: rendered with its parent
    if directory.root is None:
        return DirectoryResult(errors=[(_join(chart, CHART), f"Helm chart: {NO_TREE}")])
    return _render_chart(chart, directory.root.resolve())


def _parse_templates(directory: DirectoryInput) -> DirectoryResult:
    """Files under ``templates/``: a chart's are rendered with it; others are manifests."""
    result = DirectoryResult()
    for path, data in sorted(directory.files.items()):
        if not kubernetes.in_templates_directory(path) or _chart_of(path, directory.load):
            continue
        try:
            result.resources.extend(kubernetes.parse(path, data))
        except AdapterError as exc:
            result.errors.append((path, str(exc)))
            continue
        result.scanned.append(path)
    return result


def _is_template(base: str, relative: str) -> bool:
    return base == CHART or (
        base.lower().endswith((".yaml", ".yml")) and kubernetes.in_templates_directory(relative)
    )


# ----------------------------------------------------------------------- kustomize

_REMOTE = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*://"  # https://, ssh://, file://
    r"|^[A-Za-z]+::"  # git::https://...
    r"|^[^/\s]+@[^/\s]+:"  # git@github.com:org/repo
    r"|[?&](?:ref|version|timeout|submodules)="
    r"|\.git(?:$|[/?])"
    r"|//"  # repo//path
    r"|^(?:github\.com|gitlab\.com|bitbucket\.org)/"
)
# Keys of a kustomization whose entries are files or directories kustomize reads.
_PATH_LISTS = (
    "resources",
    "bases",
    "components",
    "crds",
    "configurations",
    "transformers",
    "generators",
    "validators",
)
_PATCH_LISTS = ("patches", "patchesJson6902", "replacements")


@dataclass(slots=True)
class _Tree:
    """What a kustomization and the local ones it builds on refer to."""

    files: list[Path]  # local resource files: where rendered objects may come from
    problem: str = ""  # why the kustomization is not rendered


def _kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATIONS:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _looks_remote(entry: str, directory: Path) -> bool:
    if _REMOTE.search(entry):
        return True
    first = entry.split("/", 1)[0]
    # `example.com/org/repo/path`: a host, when nothing of that name is here.
    return "." in first.strip(".") and "/" in entry and not (directory / first).exists()


def _entries(kustomization: Node) -> Iterator[tuple[str, str]]:
    """(key, entry) for every file or directory the kustomization names."""
    for key in _PATH_LISTS:
        node = kustomization.get(key)
        for item in node.elements() if node is not None else ():
            text = item.text()
            if text and "\n" not in text:
                yield key, text
    for key in _PATCH_LISTS:
        node = kustomization.get(key)
        for item in node.elements() if node is not None else ():
            path = item.get("path") if isinstance(item.value, dict) else None
            text = path.text() if path is not None else None
            if text:
                yield key, text
    strategic = kustomization.get("patchesStrategicMerge")
    for item in strategic.elements() if strategic is not None else ():
        text = item.text()
        if text and "\n" not in text:
            yield "patchesStrategicMerge", text
    for key in ("configMapGenerator", "secretGenerator"):
        node = kustomization.get(key)
        for generator in node.elements() if node is not None else ():
            for field_name in ("files", "envs"):
                files = generator.get(field_name)
                for item in files.elements() if files is not None else ():
                    text = item.text()
                    if text:
                        yield key, text.split("=", 1)[-1]
            env = generator.get("env")
            if env is not None and env.text():
                yield key, str(env.text())
    openapi = kustomization.get("openapi", "path")
    if openapi is not None and openapi.text():
        yield "openapi", str(openapi.text())


def _inspect(root: Path, directory: Path, tree: _Tree, seen: set[Path]) -> None:
    """Walk the kustomization in ``directory`` and the local ones it builds on,
    collecting resource files; stop at the first remote or out-of-tree reference."""
    if directory in seen or tree.problem:
        return
    top = not seen
    seen.add(directory)
    file = _kustomization_file(directory)
    data = _read(file) if file is not None else None
    if file is None or data is None:
        return  # kustomize reports a directory without a kustomization
    try:
        documents = load_documents(data)
    except AdapterError:
        return  # kustomize reports it, with its own words
    kustomization = documents[0] if documents else Node({})
    where = "" if top else f" (through {_relative(root, file)})"
    for key, entry in _entries(kustomization):
        if _looks_remote(entry, directory):
            tree.problem = f"the remote {key} entry {entry} is not fetched{where}"
            return
        target = directory / entry
        if not target.exists() and not target.is_symlink():
            continue  # kustomize reports the missing file
        if not _inside(root, target):
            tree.problem = f"the {key} entry {entry} is outside the scanned tree{where}"
            return
        target = target.resolve()
        if target.is_dir():
            if key in ("resources", "bases", "components"):
                _inspect(root, target, tree, seen)
        elif key in ("resources", "bases"):
            tree.files.append(target)


def _build(tool: list[str], target: Path, scratch: Path) -> tuple[_Run, Path | None]:
    """The kustomization rendered with origin annotations when it can be wrapped; the
    directory origins are relative to (None when they are not asked for)."""
    wrapper = scratch / "wrapper"
    wrapper.mkdir()
    try:
        relative = os.path.relpath(target, wrapper.resolve())
    except ValueError:  # another drive: no wrapping
        relative = None
    if relative is not None:
        entry = json.dumps(relative.replace(os.sep, "/"))  # a JSON string is YAML too
        (wrapper / "kustomization.yaml").write_text(
            f"resources:\n  - {entry}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8"
        )
        run = _run([*tool, str(wrapper)], scratch)
        if run.output is not None:
            return run, wrapper.resolve()
    return _run([*tool, str(target)], scratch), None


def _origin(obj: Node) -> tuple[Node, dict[str, Any]]:
    """The object without kustomize's origin annotation, and that annotation read."""
    annotations = obj.get("metadata", "annotations")
    origin = annotations.get(ORIGIN) if annotations is not None else None
    if annotations is None or origin is None or not isinstance(origin.value, str):
        return obj, {}
    try:
        read = yaml.safe_load(origin.value)
    except yaml.YAMLError:
        read = None
    rest = {k: v for k, v in annotations.value.items() if k != ORIGIN}
    metadata = dict(obj.value["metadata"].value)
    if rest:
        metadata["annotations"] = Node(rest, annotations.line)
    else:
        del metadata["annotations"]
    value = dict(obj.value)
    value["metadata"] = Node(metadata, obj.value["metadata"].line)
    return Node(value, obj.line), read if isinstance(read, dict) else {}


def _name(obj: Node) -> str:
    name = obj.get("metadata", "name")
    return (name.text() if name is not None else None) or ""


_Sources = dict[Path, list[Resource]]


def _source_object(
    path: Path, rel: str, kind: str, name: str, sources: _Sources
) -> Resource | None:
    """The object in a source file that a rendered ``kind``/``name`` came from (kustomize
    may have added a prefix or suffix to the name); files are read once per build."""
    if path not in sources:
        data = _read(path)
        try:
            sources[path] = kubernetes.parse(rel, data) if data is not None else []
        except AdapterError:
            sources[path] = []
    candidates = [r for r in sources[path] if r.kind == kind]
    exact = [r for r in candidates if _name(r.body) == name]
    if exact:
        return exact[0]
    contained = sorted(
        (r for r in candidates if _name(r.body) and _name(r.body) in name),
        key=lambda r: -len(_name(r.body)),
    )
    if contained:
        return contained[0]
    return candidates[0] if len(candidates) == 1 else None


def _render_kustomization(directory: str, file: str, root: Path) -> DirectoryResult:
    result = DirectoryResult()
    target = root / directory if directory else root
    tree = _Tree(files=[])
    _inspect(root, target.resolve(), tree, set())
    if tree.problem:
        result.errors.append((file, f"kustomization: not scanned: {tree.problem}"))
        return result
    kustomize, kubectl = shutil.which("kustomize"), shutil.which("kubectl")
    if kustomize is not None:
        tool = [kustomize, "build"]
    elif kubectl is not None:
        tool = [kubectl, "kustomize"]
    else:
        result.errors.append((file, KUSTOMIZE_MISSING))
        return result
    with tempfile.TemporaryDirectory(prefix="glasshouse-kustomize-") as scratch:
        run, origins = _build(tool, target.resolve(), Path(scratch))
    if run.output is None:
        result.errors.append((file, f"kustomization: not scanned: {run.error}"))
        return result
    try:
        documents = load_documents(run.output)
    except AdapterError as exc:
        result.errors.append((file, f"kustomization: rendered output unreadable: {exc}"))
        return result
    label = f" (kustomize {directory or '.'})"
    sources: _Sources = {}
    for rendered in _objects(documents):
        obj, origin = _origin(rendered)
        kind = _kind(obj)
        source_path = _origin_path(origin, origins, root)
        if source_path is None:
            source_path = _by_kind_and_name(tree.files, root, kind, _name(obj), sources)
        rel = _relative(root, source_path) if source_path is not None else file
        source = (
            _source_object(source_path, rel, kind, _name(obj), sources)
            if source_path is not None
            else None
        )
        if (
            source is not None
            and _comparable(source.body.plain()) == _comparable(obj.plain())
            and kubernetes.matches(rel.rsplit("/", 1)[-1], rel)
        ):
            continue  # unchanged: the Kubernetes adapter judges the file itself
        line = 1 if source is not None else _generator_line(source_path, origin)
        relined = _reline(obj, source.body if source is not None else None, line)
        resource = kubernetes.resource_of(rel, relined)
        result.resources.append(replace(resource, name=resource.name + label))
    result.scanned.append(file)
    return result


def _comparable(value: Any, path: tuple[str, ...] = ()) -> Any:
    """An object's plain value without what overlays change as a matter of course and no
    check reads: its name and namespace, labels, and the label selector of its spec."""
    if isinstance(value, list):
        return [_comparable(v, path) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _comparable(child, (*path, key))
        for key, child in value.items()
        if not (
            (key == "labels" and path[-1:] == ("metadata",))
            or (key in ("name", "namespace") and path == ("metadata",))
            or (key == "selector" and path == ("spec",))
        )
    }


def _generator_line(kustomization: Path | None, origin: dict[str, Any]) -> int:
    """For an object a generator made: the line of that generator in the kustomization
    (``configuredBy: {kind: ConfigMapGenerator}`` is written ``configMapGenerator:``)."""
    by = origin.get("configuredBy")
    kind = by.get("kind") if isinstance(by, dict) else None
    data = _read(kustomization) if kustomization is not None else None
    if not isinstance(kind, str) or not kind or data is None:
        return 1
    try:
        documents = load_documents(data)
    except AdapterError:
        return 1
    node = documents[0].get(kind[0].lower() + kind[1:]) if documents else None
    return node.line if node is not None and node.line is not None else 1


def _origin_path(origin: dict[str, Any], base: Path | None, root: Path) -> Path | None:
    """The local file an origin annotation names, inside the tree."""
    if base is None or origin.get("repo"):
        return None
    named = origin.get("path") or origin.get("configuredIn")
    if not isinstance(named, str):
        return None
    path = Path(os.path.normpath(base / named))
    return path if path.is_file() and _inside(root, path) else None


def _by_kind_and_name(
    files: list[Path], root: Path, kind: str, name: str, sources: _Sources
) -> Path | None:
    """Without an origin annotation: the resource file holding an object of that kind
    and (prefixed, suffixed) name."""
    for path in files:
        if _source_object(path, _relative(root, path), kind, name, sources) is not None:
            return path
    return None


def _parse_kustomization(directory: DirectoryInput) -> DirectoryResult:
    names = [p for p in directory.files if p.rsplit("/", 1)[-1] in KUSTOMIZATIONS]
    if not names:
        return DirectoryResult()
    file = sorted(names)[0]
    if directory.root is None:
        return DirectoryResult(errors=[(file, f"kustomization: {NO_TREE}")])
    return _render_kustomization(directory.directory, file, directory.root.resolve())


HELM_ADAPTER = DirectoryAdapter(
    format=HELM, matches=lambda base, relative: base == CHART, parse_directory=_parse_chart
)
KUSTOMIZE_ADAPTER = DirectoryAdapter(
    format=KUSTOMIZE,
    matches=lambda base, relative: base in KUSTOMIZATIONS,
    parse_directory=_parse_kustomization,
)
# Reads the files under templates/ the Kubernetes file adapter leaves alone; it matches
# Chart.yaml too, only to see which templates/ directories belong to a chart.
TEMPLATES_ADAPTER = DirectoryAdapter(
    format=kubernetes.FORMAT, matches=_is_template, parse_directory=_parse_templates
)
