"""pip requirements files: pins, ranges, URLs, options, includes and constraints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from glasshouse.inventory import requirements
from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.requirements import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "requirements"

Row = tuple[str, str | None, str | None, int | None, str | None]


def reader(directory: Path, extra: dict[str, bytes] | None = None) -> Callable[[str], bytes]:
    """A ``read_relative`` over ``directory``, like the walker's, plus in-memory files."""

    def read(name: str) -> bytes:
        if extra and name in extra:
            return extra[name]
        path = directory / name
        if not path.is_file():
            raise ParseError(f"{name} not found")
        return path.read_bytes()

    return read


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, path, line, requirement) of each package."""
    return [(p.name, p.version, p.location.path, p.location.line, p.requirement) for p in packages]


def parse_data(name: str, path: str | None = None) -> list[Package]:
    return parse(Source(path or f"app/{name}", (DATA / name).read_bytes(), reader(DATA)))


def parse_text(text: str) -> list[Package]:
    return parse(Source("requirements.txt", text.encode()))


def test_extractor() -> None:
    assert EXTRACTOR.name == "requirements"
    assert EXTRACTOR.ecosystem == "PyPI"
    assert EXTRACTOR.parse is parse


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "sub/dir/requirements.txt",
        "Requirements.txt",
        "requirements-dev.txt",
        "requirements_test.txt",
        "requirements.prod.txt",
        "dev-requirements.txt",
        "test_requirements.txt",
        "requirements/base.txt",
        "svc/requirements/prod.txt",
    ],
)
def test_matches(path: str) -> None:
    assert EXTRACTOR.matches(path.rsplit("/", 1)[-1], path)


@pytest.mark.parametrize(
    "path",
    [
        "requirements.in",
        "MANIFEST.in",
        "constraints.txt",
        "notes.txt",
        "requirements.txt.bak",
        "requirementsdev.txt",
        "docs/requirements/readme.md",
        "my-requirements/base.txt",
    ],
)
def test_does_not_match(path: str) -> None:
    assert not EXTRACTOR.matches(path.rsplit("/", 1)[-1], path)


# --- the shared real-world files -------------------------------------------------------


def shared(shared_dir: Path, name: str, extra: dict[str, bytes] | None = None) -> list[Package]:
    directory = shared_dir / "lockfiles" / "python" / "requirements"
    return parse(Source(name, (directory / name).read_bytes(), reader(directory, extra)))


def test_shared_comments(shared_dir: Path) -> None:
    assert [(p.name, p.version, p.location.line) for p in shared(shared_dir, "comments.txt")] == [
        ("PyCrypto", "1.2-alpha", 2),
        ("GMPY2", "1", 3),
        ("SymPy", "1.2", 6),
        ("requests", "1.0", 7),
        ("six", "1.2", 8),
    ]


def test_shared_every_package_is_direct(shared_dir: Path) -> None:
    packages = shared(shared_dir, "with_versions.txt")
    assert {(p.direct, p.dev, p.ecosystem) for p in packages} == {(True, None, "PyPI")}


def test_shared_with_versions(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "with_versions.txt")) == [
        ("nltk", "3.2.2", "with_versions.txt", 1, None),
        ("tabulate", "0.7.7", "with_versions.txt", 2, None),
        ("newspaper3k", None, "with_versions.txt", 3, ">=0.2.2"),
        ("asdf", None, "with_versions.txt", 4, "==0.7.*"),
        ("qwerty", "0.1", "with_versions.txt", 5, None),  # continued over two lines
        ("hy-phen", "1.2", "with_versions.txt", 7, None),
        ("under_score", "1.3", "with_versions.txt", 8, None),
        ("pkg.dot.name", "5.0.0", "with_versions.txt", 9, None),
        ("combination-._-.also_-._valid", None, "with_versions.txt", 10, ">=3.5"),
        ("yolo", "1.0", "with_versions.txt", 11, None),
        ("pkg", None, "with_versions.txt", 12, "<=1.2.3"),
    ]


def test_shared_no_version(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "no_version.txt")) == [
        ("PyCrypto", None, "no_version.txt", 1, "*"),
        ("GMPY2", None, "no_version.txt", 2, "*"),
        ("SymPy", None, "no_version.txt", 3, "*"),
    ]


def test_shared_extras(shared_dir: Path) -> None:
    assert [(p.name, p.version) for p in shared(shared_dir, "extras.txt")] == [
        ("pyjwt", "2.1.0"),
        ("celery", "4.4.7"),
    ]


def test_shared_env_var(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "env_var.txt")) == [
        ("asdf", "1.2", "env_var.txt", 1, None),
        ("qwert", None, "env_var.txt", 2, "==${MY_VARIABLE_1}"),
        ("another", "1.0", "env_var.txt", 3, None),
    ]


def test_shared_multiline_and_comments(shared_dir: Path) -> None:
    assert [
        (p.name, p.version, p.location.line)
        for p in shared(shared_dir, "multiline_and_comments.txt")
    ] == [("pkgA", "1.0", 3), ("pkgB", "2.0", 7)]


def test_shared_trailing_backslash_at_end_of_file(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "trailing_backslash.txt")) == [
        ("pkg1", "1.0", "trailing_backslash.txt", 1, None)
    ]


def test_shared_include_loop_ends(shared_dir: Path) -> None:
    # Each file of the loop holds only the include of the other: nothing to report.
    assert shared(shared_dir, "loop.txt") == []
    assert shared(shared_dir, "other-loop.txt") == []


def test_shared_example_with_its_includes(shared_dir: Path) -> None:
    # The example refers to a constraints.txt that is not there: give it one.
    constraints = b"keyring==24.3.0\ncoverage==3.5\nnot-required==1.0\n"
    packages = shared(shared_dir, "example.txt", {"constraints.txt": constraints})
    assert rows(packages) == [
        ("pytest", None, "example.txt", 3, "*"),
        ("pytest-cov", None, "example.txt", 4, "*"),
        ("beautifulsoup4", None, "example.txt", 5, "*"),
        ("docopt", "0.6.1", "example.txt", 8, None),
        ("requests", None, "example.txt", 9, "==2.8.*,>=2.8.1"),
        (
            "urllib3",
            None,
            "example.txt",
            10,
            "https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip",
        ),
        ("keyring", "24.3.0", "example.txt", 13, None),  # pinned by the constraint
        ("coverage", None, "example.txt", 15, "!=3.5"),  # the constraint contradicts it
        ("Mopidy-Dirble", None, "example.txt", 17, "~=1.1"),
        ("pandas", "2.2.3", "other-requirements.txt", 1, None),
        ("numpy", "1.9.2", "example.txt", 25, None),  # a wheel file name pins
        ("wxPython_Phoenix", "3.0.3.dev1820+49a8884", "example.txt", 28, None),
    ]


def test_shared_example_missing_constraints_file_fails(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^line 22: cannot read constraints file 'constra"):
        shared(shared_dir, "example.txt")


def test_shared_example_without_reader_fails(shared_dir: Path) -> None:
    data = (shared_dir / "lockfiles" / "python" / "requirements" / "example.txt").read_bytes()
    with pytest.raises(ParseError, match=r"^line 21: requirements file .* cannot be read"):
        parse(Source("example.txt", data))


def test_shared_invalid_names_first_bad_line(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^line 1: invalid requirement 'asdf==': "):
        shared(shared_dir, "invalid.txt")


def test_shared_per_req_options_text_before_options_is_invalid(shared_dir: Path) -> None:
    # pip refuses ``foo7==1.0 unexpected_text_before_options_stays_around --hash=...``.
    with pytest.raises(ParseError, match=r"^line 13: invalid requirement 'foo7==1.0 unexp"):
        shared(shared_dir, "per_req_options.txt")


def test_shared_per_req_options_valid_lines(shared_dir: Path) -> None:
    data = (
        shared_dir / "lockfiles" / "python" / "requirements" / "per_req_options.txt"
    ).read_text()
    kept = "\n".join(line for line in data.splitlines()[:12] if "foo7" not in line)
    assert [(p.name, p.version) for p in parse_text(kept)] == [
        (f"foo{n}", "1.0") for n in range(1, 7)
    ]
    tail = "\n".join(data.splitlines()[14:])
    with pytest.raises(ParseError, match=r"^line 6: invalid requirement 'foo10=='"):
        parse_text(tail)


# --- this project's edge cases ----------------------------------------------------------


def test_pip_compile_output_with_hashes() -> None:
    assert rows(parse_data("pip-compile-hashes.txt")) == [
        ("certifi", "2024.8.30", "app/pip-compile-hashes.txt", 10, None),
        ("charset-normalizer", "3.4.0", "app/pip-compile-hashes.txt", 14, None),
        ("idna", "3.10", "app/pip-compile-hashes.txt", 17, None),
        ("requests", "2.32.3", "app/pip-compile-hashes.txt", 21, None),
        ("urllib3", "2.2.3", "app/pip-compile-hashes.txt", 24, None),
    ]


def test_unpinned_forms_are_reported_not_dropped() -> None:
    assert [(p.name, p.version, p.requirement) for p in parse_data("unpinned-forms.txt")] == [
        ("flask", None, "*"),
        ("Django", None, "<5,>=4.2"),
        ("attrs", None, "~=23.1"),
        ("numpy", None, "==1.*"),
        ("pyyaml", None, "!=6.0.0"),
        ("cryptography", "41.0.7", None),
        ("rich", "13.7.1", None),
        ("click", "8.1.7", None),
    ]


def test_urls_and_paths() -> None:
    assert [
        (p.name, p.version, p.location.line, p.requirement)
        for p in parse_data("urls-and-paths.txt")
    ] == [
        # -e . and -e ./packages/helper: the project's own code, not reported.
        (
            "private-lib",
            None,
            3,
            "git+https://***@github.com/example/private-lib.git@v1.4.0#egg=private-lib",
        ),
        ("tool", None, 4, "git+https://github.com/example/tool.git@main#egg=tool"),
        ("./vendor/local_pkg", None, 5, "./vendor/local_pkg"),
        ("Some_Package", "2.0.1", 6, None),
        ("legacy-lib", "0.9", 7, None),
        ("widget", "3.2.0", 8, None),
        ("gadget", None, 9, "https://files.example.com/archive/main.zip"),
        ("file:///srv/build/checkout", None, 10, "file:///srv/build/checkout"),
    ]


def test_credentials_never_leave() -> None:
    packages = parse_data("urls-and-paths.txt")
    assert all("hunter2" not in str(p) for p in packages)
    with pytest.raises(ParseError) as caught:
        parse_text("pkg @ https://user:hunter2@example.com/x.zip ; bad marker here")
    assert "hunter2" not in str(caught.value)
    assert "***@example.com" in str(caught.value)


def test_options_only_file_is_empty() -> None:
    assert parse_data("options-only.txt") == []


def test_per_requirement_options_are_ignored() -> None:
    assert [
        (p.name, p.version, p.location.line) for p in parse_data("per-requirement-options.txt")
    ] == [
        ("lxml", "5.3.0", 1),
        ("pillow", "11.0.0", 2),
        ("psycopg2", "2.9.10", 3),
        ("pyzmq", "26.2.0", 4),
        ("simplejson", "3.19.3", 6),
    ]


def test_environment_variables_stay_unexpanded() -> None:
    assert rows(parse_data("env-vars.txt", "env-vars.txt")) == [
        ("stable", "1.0.0", "env-vars.txt", 1, None),
        ("private-sdk", None, "env-vars.txt", 2, "==${SDK_VERSION}"),
        (
            "internal",
            None,
            "env-vars.txt",
            3,
            "@ https://***@artifacts.example.com/internal-1.0-py3-none-any.whl",
        ),
    ]


def test_includes_constraints_and_cycles() -> None:
    packages = parse_data("includes-top.txt", "svc/includes-top.txt")
    assert rows(packages) == [
        ("click", "8.1.7", "svc/includes/nested/deep.txt", 2, None),
        ("requests", "2.32.3", "svc/includes/base.txt", 3, None),
        ("werkzeug", None, "svc/includes/base.txt", 4, ">=4"),  # excludes the 3.1.3 pin
        ("flask", "3.0.3", "svc/includes-top.txt", 4, None),
        ("jinja2", None, "svc/includes-top.txt", 5, ">=3"),  # the constraint is a range
    ]
    assert "gunicorn" not in {p.name for p in packages}  # constraint only


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("include-missing.txt", r"^line 2: cannot read requirements file 'does-not-exist.txt': "),
        ("include-remote.txt", r"^line 1: remote requirements file 'https://example.com/"),
        (
            "include-invalid.txt",
            r"^line 2: in requirements file 'includes/broken.txt': line 2: invalid requirement "
            r"'broken=='",
        ),
        ("invalid-requirement.txt", r"^line 4: invalid requirement 'flask >= = 3': "),
        ("unknown-option.txt", r"^line 2: unknown option '--no-such-option'$"),
        ("invalid-editable.txt", r"^line 1: editable 'requests' is not a local path or a VCS URL$"),
        ("unterminated-quote-option.txt", r"^line 1: cannot split options: "),
        ("not-utf8.txt", r"^not valid UTF-8"),
        ("binary-garbage.txt", r"^binary content"),
    ],
)
def test_broken_files(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(Source(f"secret-dir/{name}", (DATA / name).read_bytes(), reader(DATA)))
    assert "\n" not in str(caught.value)
    assert "secret-dir" not in str(caught.value)


@pytest.mark.parametrize("name", ["empty.txt", "comments-only.txt"])
def test_empty_files(name: str) -> None:
    assert parse_data(name) == []


def test_crlf_line_endings() -> None:
    assert [(p.name, p.version, p.location.line) for p in parse_data("crlf.txt")] == [
        ("requests", "2.32.3", 1),
        ("flask", "3.0.3", 2),
    ]


def test_utf16_with_bom() -> None:
    assert [(p.name, p.version) for p in parse_data("utf16-bom.txt")] == [
        ("requests", "2.32.3"),
        ("flask", "3.0.3"),
    ]


def test_deep_include_chain_is_refused() -> None:
    files = {f"r{n}.txt": f"-r r{n + 1}.txt\npkg{n}==1.0\n".encode() for n in range(40)}
    with pytest.raises(ParseError, match="nested deeper than"):
        parse(Source("r0.txt", files["r0.txt"], lambda name: files[name]))


def test_self_include_and_diamond_read_once() -> None:
    files = {
        "a.txt": b"-r b.txt\n-r c.txt\n",
        "b.txt": b"-r d.txt\n",
        "c.txt": b"-r d.txt\n-r requirements.txt\n",
        "d.txt": b"shared==1.0\n",
    }
    read: list[str] = []

    def read_relative(name: str) -> bytes:
        read.append(name)
        return files[name]

    text = b"-r a.txt\n-r ./a.txt\nown==2.0\n"
    packages = parse(Source("requirements.txt", text, read_relative))
    assert [(p.name, p.location.path) for p in packages] == [
        ("shared", "d.txt"),
        ("own", "requirements.txt"),
    ]
    assert sorted(read) == ["a.txt", "b.txt", "c.txt", "d.txt"]


def test_option_spellings() -> None:
    files = {"x.txt": b"x==1\n", "y.txt": b"y==1\n", "z.txt": b"z==1\n", "c.txt": b"w==9\n"}
    text = "-rx.txt\n--requirement=y.txt\n--requireme z.txt\n-cc.txt\n-Z\n--index https://i\nw\n"
    packages = parse(Source("requirements.txt", text.encode(), files.__getitem__))
    assert [(p.name, p.version) for p in packages] == [
        ("x", "1"),
        ("y", "1"),
        ("z", "1"),
        ("w", "9"),
    ]


def test_option_without_value() -> None:
    with pytest.raises(ParseError, match=r"^line 1: option --index-url needs a value$"):
        parse_text("--index-url\n")


def test_ambiguous_abbreviation_is_unknown() -> None:
    with pytest.raises(ParseError, match=r"^line 1: unknown option '--no'$"):
        parse_text("--no x\n")


def test_comment_line_ends_a_continuation() -> None:
    text = "alpha==1.0 \\\n# a comment \\\nbeta==2.0\n"
    assert [(p.name, p.version, p.location.line) for p in parse_text(text)] == [
        ("alpha", "1.0", 1),
        ("beta", "2.0", 3),
    ]


def test_hash_without_space_is_not_a_comment() -> None:
    packages = parse_text("git+https://example.com/r.git#egg=thing\nplain==1 # trailing\n")
    assert [(p.name, p.version) for p in packages] == [("thing", None), ("plain", "1")]


def test_exact_pins_among_other_specifiers() -> None:
    packages = parse_text("a>=1,==1.5\nb==1.0,==2.0\nc===weird-build\nd==1.0+local\n")
    assert [(p.name, p.version) for p in packages] == [
        ("a", "1.5"),
        ("b", None),  # contradictory pins: not one version
        ("c", "weird-build"),
        ("d", "1.0+local"),
    ]


FAST_PATH_LINES = [
    "requests==2.32.3",
    "Requests == 2.32.3",
    "pkg.dot_name-x==1!2.0.post1.dev3",
    "a==1.0rc1",
    "a==v1.0",
    "a===1.0",
    "a[b,c]==1.0",
    "a [ b ] == 1.0",
    "a==1.0+local.7",
    "a==1.2-alpha",
    "A1==0",
]


@pytest.mark.parametrize("line", FAST_PATH_LINES)
def test_fast_path_agrees_with_packaging(line: str) -> None:
    fast = requirements._FAST_PIN_RE.fullmatch(line)
    assert fast is not None
    req = Requirement(line)
    (spec,) = req.specifier
    assert (fast["name"], fast["version"]) == (req.name, spec.version)
    assert parse_text(line)[0].version == spec.version


@pytest.mark.parametrize(
    "line", ["a==1.*", "a==", "a==1.0 ; python_version<'3'", "a[==1", "a-==1", "a==1.0,<2"]
)
def test_fast_path_leaves_the_rest_to_packaging(line: str) -> None:
    assert requirements._FAST_PIN_RE.fullmatch(line) is None
