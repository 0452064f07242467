"""Checks of GitLab CI/CD configuration: text chosen by whoever pushes a branch or opens
a merge request reaching a shell, secrets printed or written down, code and images that
change under the pipeline, plain-text Docker and TLS turned off, and production deploys
from merge request pipelines.

Global settings (``include``, global ``variables``, ``default``) are judged on the
``pipeline`` resource; each job (and each template nothing in the file uses) on its own
resource, with what it ``extends`` merged in. Job scripts are read by a small shell
lexer that knows quoting, so ``"$CI_COMMIT_TITLE"`` and ``'$X'`` are told from a bare
``$CI_COMMIT_TITLE``; it does not run anything, and reads heredocs as plain words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from glasshouse.iac.adapters.gitlab_ci import FORMAT, GLOBAL_KEYWORDS
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import Node, Resource, Violation
from glasshouse.model import Severity

_JOBS = frozenset({"job", "template"})
_PIPELINE = frozenset({"pipeline"})
_EXAMPLE = ".gitlab-ci.yml"

# Predefined variables whose value is free text chosen by whoever pushes a commit or
# opens a merge request: spaces, quotes, `$(...)`, leading dashes.
FREE_TEXT_VARIABLES = frozenset(
    {
        "CI_COMMIT_MESSAGE",
        "CI_COMMIT_TITLE",
        "CI_COMMIT_DESCRIPTION",
        "CI_COMMIT_TAG_MESSAGE",
        "CI_COMMIT_AUTHOR",
        "CI_MERGE_REQUEST_TITLE",
        "CI_MERGE_REQUEST_DESCRIPTION",
    }
)
# Branch names: Git refuses spaces and glob characters in them, so word
# splitting cannot turn one into several arguments, but `$(...)`, `;`, `|` and backquotes
# are allowed: a shell that parses the value again runs them. (The *_SLUG variables are
# reduced to [a-z0-9-] and are safe.)
REF_NAME_VARIABLES = frozenset(
    {
        "CI_COMMIT_BRANCH",
        "CI_COMMIT_REF_NAME",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
    }
)
UNTRUSTED_VARIABLES = FREE_TEXT_VARIABLES | REF_NAME_VARIABLES

_SECRET_NAME = re.compile(
    r"(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE|PASS|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|"
    r"ACCESS_KEY|SECRET_KEY|CREDENTIALS?)(?:_|$)|(?:^|_)AUTH(?:_CONFIG)?$",
    re.IGNORECASE,
)
# Names that mention a secret but hold something else: where it is, what it is called,
# or a setting of GitLab's own secret detection.
_NOT_SECRET_NAME = re.compile(
    r"_(?:ID|URL|URI|NAME|FILE|PATH|PATHS|DIR|TYPE|HEADER|ENDPOINT|HOST|PORT|USER|"
    r"USERNAME|EXPIRES_AT|EXPIRY|TTL|LENGTH|VERSION|ENABLED|DISABLED|REF|SCOPES?|FORMAT|"
    r"SOCK)$|^SECRET_DETECTION_",
    re.IGNORECASE,
)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh"})
_INTERPRETERS = {  # by name without a version suffix: python3.12 is python
    "python": {"-c"},
    "node": {"-e", "--eval", "-p", "--print"},
    "perl": {"-e", "-E"},
    "ruby": {"-e"},
    "php": {"-r"},
    "pwsh": {"-c", "-command", "-Command"},
}
# Words that come before the command they run.
_PREFIXES = frozenset(
    {"sudo", "exec", "command", "nohup", "time", "then", "do", "else", "if", "while", "!", "{"}
)
_TRUE = frozenset({"true", "1", "yes", "on"})


def _is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


# -------------------------------------------------------------------------- the lexer


@dataclass(slots=True)
class _Expansion:
    name: str
    offset: int
    quoted: bool  # inside double quotes: one word, however many spaces it holds


@dataclass(slots=True)
class _Word:
    start: int
    text: str = ""  # with quotes and backslashes removed, expansions left as written
    raw: str = ""  # as written
    expansions: list[_Expansion] = field(default_factory=list)


@dataclass(slots=True)
class _Command:
    words: list[_Word] = field(default_factory=list)
    piped: bool = False  # its output goes into another command, not to the log

    def name_index(self) -> int:
        """Index of the word that names the program (after assignments and prefixes);
        ``len(words)`` when there is none."""
        for index, word in enumerate(self.words):
            if word.text in _PREFIXES or _is_assignment(word):
                continue
            return index
        return len(self.words)

    def program(self) -> str:
        index = self.name_index()
        return _basename(self.words[index].text) if index < len(self.words) else ""

    def arguments(self) -> list[_Word]:
        return self.words[self.name_index() + 1 :]


def _is_assignment(word: _Word) -> bool:
    return re.match(r"[A-Za-z_][A-Za-z0-9_]*=", word.raw) is not None


def _basename(text: str) -> str:
    return text.rsplit("/", 1)[-1]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _commands(script: str) -> list[_Command]:
    """The simple commands of a shell script with their words; the commands inside a
    ``$(...)`` or backquote substitution come before the command that holds them."""
    out: list[_Command] = []
    _parse(script, 0, "", out)
    return [command for command in out if command.words]


def _parse(s: str, i: int, closer: str, out: list[_Command]) -> int:
    """Commands from ``s[i:]`` up to ``closer`` (")" or "`", "" for the end) into ``out``;
    the index after the closer."""
    command = _Command()
    word: _Word | None = None
    quote = ""  # "", "'" or '"'
    depth = 0  # open subshell parentheses
    n = len(s)

    def end_word() -> None:
        nonlocal word
        if word is not None:
            command.words.append(word)
            word = None

    def end_command(piped: bool = False) -> None:
        nonlocal command
        end_word()
        command.piped = piped
        out.append(command)
        command = _Command()

    while i < n:
        char = s[i]
        if word is None and (quote or char not in " \t\r\n;&|()#"):
            word = _Word(i)
        if quote == "'":
            assert word is not None
            quote = "" if char == "'" else quote
            word.text += "" if char == "'" else char
            word.raw += char
            i += 1
            continue
        if char == "\\" and i + 1 < n:
            assert word is not None
            word.raw += s[i : i + 2]
            word.text += s[i + 1]
            i += 2
            continue
        if (char == "$" and s[i + 1 : i + 2] == "(") or (char == "`" and closer != "`"):
            assert word is not None
            after = _parse(s, i + (2 if char == "$" else 1), ")" if char == "$" else "`", out)
            word.raw += s[i:after]
            word.text += s[i:after]
            i = after
            continue
        if char == "$":
            assert word is not None
            if s[i + 1 : i + 2] == "{":
                close = s.find("}", i + 2)
                close = n - 1 if close < 0 else close
                name = _NAME.match(s, i + 2 + (s[i + 2 : i + 3] in ("#", "!")))
                token = s[i : close + 1]
            else:
                name = _NAME.match(s, i + 1)
                token = "$" + (name.group(0) if name else "")
            if name is not None:
                word.expansions.append(_Expansion(name.group(0), i, quote == '"'))
            word.raw += token
            word.text += token
            i += len(token)
            continue
        if char == "`" and closer == "`" and quote != '"':
            end_command()
            return i + 1
        if quote == '"':
            assert word is not None
            quote = "" if char == '"' else quote
            word.text += "" if char == '"' else char
            word.raw += char
            i += 1
            continue
        # Outside quotes.
        if char in "'\"":
            assert word is not None
            quote = char
            word.raw += char
            i += 1
            continue
        if char == "#" and word is None:
            newline = s.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if char in " \t\r":
            end_word()
            i += 1
            continue
        if char == ")" and depth == 0 and closer == ")":
            end_command()
            return i + 1
        if char in "()":
            depth += 1 if char == "(" else -1 if depth else 0
            end_command()
            i += 1
            continue
        if char in "\n;":
            end_command()
            i += 1
            continue
        if char in "&|":
            double = s[i : i + 2] in ("&&", "||")
            if char == "&" and not double and word is not None and word.raw.endswith(">"):
                word.raw += char  # `>&2`: a redirection, not a background job
                word.text += char
                i += 1
                continue
            end_command(piped=char == "|" and not double)
            i += 2 if double else 1
            continue
        assert word is not None
        word.text += char
        word.raw += char
        i += 1
    end_command()
    return n


def _redirected_to_file(command: _Command) -> bool:
    """Output written to a file rather than to the log (``>&2`` still reaches the log)."""
    for word in command.words:
        raw = word.raw
        match = re.match(r"(?:1|&)?>>?", raw)  # stdout (`2>` leaves it to the log)
        if match is None:
            continue
        target = raw[match.end() :]
        if not target:
            index = command.words.index(word)
            after = command.words[index + 1 : index + 2]
            target = after[0].raw if after else ""
        if target not in ("&1", "&2", "/dev/stdout", "/dev/stderr"):
            return True
    return False


# ------------------------------------------------------------------- reading the model


def _text(node: Node | None) -> str | None:
    return None if node is None else node.text()


def _lines_of(node: Node | None) -> Iterator[tuple[Node, str]]:
    """(node, text) of every known line of a script section (nested lists flattened)."""
    if node is None:
        return
    if isinstance(node.value, list):
        for item in node.value:
            yield from _lines_of(item)
    elif isinstance(node.value, str):
        yield node, node.value


def _line(node: Node, text: str, offset: int) -> int | None:
    """The source line of ``offset`` in a script entry; exact for one-line entries and
    ``|`` blocks (whose content starts on the line after the indicator)."""
    if node.line is None or "\n" not in text:
        return node.line
    return node.line + 1 + text.count("\n", 0, offset)


def _sections(resource: Resource) -> Iterator[tuple[str, Node | None]]:
    """The script sections a resource owns."""
    body = resource.body
    if resource.kind == "pipeline":
        default = body.get("default")
        for name in ("before_script", "after_script"):
            yield f"default {name}", default.get(name) if default is not None else None
            yield name, body.get(name)
    else:
        for name in ("before_script", "script", "after_script"):
            yield name, body.get(name)


def _script_lines(resource: Resource) -> Iterator[tuple[Node, str]]:
    for _name, section in _sections(resource):
        yield from _lines_of(section)


def _variables(section: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(name, key-ish node for the line, value node) of a ``variables`` mapping; the
    ``{value: ..., description: ...}`` form is unwrapped."""
    if section is None:
        return
    for name, node in section.items():
        value = node.get("value") if isinstance(node.value, dict) else node
        if value is not None:
            yield name, node, value


def _own_variables(resource: Resource) -> Node | None:
    return resource.body.get("variables")


def _scopes(resource: Resource) -> list[Node]:
    """Where the resource itself sets ``image`` and ``services``: a job's body; the
    pipeline's ``default`` and (deprecated) top level."""
    body = resource.body
    default = body.get("default")
    if resource.kind == "pipeline" and default is not None:
        return [default, body]
    return [body]


def _service_names(scope: Node | None) -> Iterator[Node]:
    services = scope.get("services") if scope is not None else None
    for service in services.elements() if services is not None else ():
        node = service.get("name") if isinstance(service.value, dict) else service
        if node is not None:
            yield node


def _images(resource: Resource) -> Iterator[tuple[str, Node]]:
    """(what, node) for every image and service the resource names itself."""
    for scope in _scopes(resource):
        image = scope.get("image")
        node = image.get("name") if image is not None and isinstance(image.value, dict) else image
        if node is not None:
            yield "image", node
        for service in _service_names(scope):
            yield "service", service


def _visible_services(resource: Resource) -> list[str]:
    """Service images that run beside the resource's scripts, as far as the file tells:
    for a job its own or the default ones; for the pipeline, any in the file."""
    scopes: list[Node | None] = list(_scopes(resource))
    if resource.kind == "pipeline":
        scopes += [job for key, job in resource.body.items() if key not in GLOBAL_KEYWORDS]
    elif resource.body.get("services") is None:
        default = resource.context.get("default")
        scopes.append(default if isinstance(default, Node) else None)
    names = (_text(node) for scope in scopes for node in _service_names(scope))
    return [name.lower() for name in names if name]


def _is_true(node: Node | None) -> bool:
    return node is not None and (node.text() or "").strip().lower() in _TRUE


# ----------------------------------------------------------------------------- checks


def _eval_sink(command: _Command) -> int | None:
    """Index of the first word whose arguments a shell or interpreter parses again:
    ``eval``, ``sh -c``, ``su -c``, ``ssh`` (the remote shell parses the command line),
    ``python -c``, ``node -e`` and the like."""
    words = command.words
    for index, word in enumerate(words):
        name = _basename(word.text)
        rest = words[index + 1 :]
        if name in ("eval", "ssh"):
            return index
        if name == "su" and any(w.text == "-c" for w in rest):
            return index
        if name in _SHELLS:
            skip = False
            for option in rest:
                if skip:
                    skip = False
                    continue
                if not option.text.startswith(("-", "+")):
                    break
                if option.text in ("-o", "+o"):
                    skip = True
                elif re.fullmatch(r"-[a-z]*c[a-z]*", option.text):
                    return index
        flags = _INTERPRETERS.get(re.sub(r"[\d.]+$", "", name))
        if flags is not None and any(w.text in flags for w in rest):
            return index
    return None


def _script_injection(resource: Resource) -> Iterable[Violation]:
    for node, text in _script_lines(resource):
        for command in _commands(text):
            sink = _eval_sink(command)
            program = command.name_index()
            for index, word in enumerate(command.words):
                for expansion in word.expansions:
                    if expansion.name not in UNTRUSTED_VARIABLES:
                        continue
                    if sink is not None and index > sink:
                        how = f"`{command.words[sink].text}` parses it again as code"
                    elif (
                        index == program
                        and not expansion.quoted
                        and expansion.name in FREE_TEXT_VARIABLES
                    ):
                        how = "its words are run as a command"
                    else:
                        continue
                    yield Violation(
                        _line(node, text, expansion.offset),
                        f"${expansion.name} is chosen by whoever pushes the commit or opens "
                        f"the merge request, and {how}",
                    )


# Where split words are not options of a program: output, shell declarations, tests
# and loops.
_NO_SPLIT_RISK = frozenset(
    {
        "echo",
        "printf",
        "export",
        "local",
        "declare",
        "readonly",
        "typeset",
        "[",
        "test",
        "[[",
        "case",
        "for",
        "select",
    }
)


def _unquoted_untrusted(resource: Resource) -> Iterable[Violation]:
    for node, text in _script_lines(resource):
        for command in _commands(text):
            program = command.program()
            if program in _NO_SPLIT_RISK or _eval_sink(command) is not None:
                continue  # eval-like sinks are gitlab-script-injection's
            for word in command.arguments():
                if _is_assignment(word):
                    continue
                for expansion in word.expansions:
                    if expansion.name in FREE_TEXT_VARIABLES and not expansion.quoted:
                        yield Violation(
                            _line(node, text, expansion.offset),
                            f"unquoted ${expansion.name} becomes as many arguments of "
                            f"{program} as its author writes words, options included",
                        )


def _secret_expansions(words: Iterable[_Word]) -> Iterator[_Expansion]:
    return (e for word in words for e in word.expansions if _is_secret_name(e.name))


def _xtrace(command: _Command, state: bool) -> bool:
    """Whether commands are traced after ``command`` (``set -x``, ``set +x``...)."""
    if command.program() != "set":
        return state
    options = [w.text for w in command.arguments()]
    for index, option in enumerate(options):
        following = options[index + 1] if index + 1 < len(options) else ""
        if option in ("-o", "+o") and following == "xtrace":
            state = option == "-o"
        elif re.fullmatch(r"[-+][a-zA-Z]*x[a-zA-Z]*", option):
            state = option.startswith("-")
    return state


def _traced_after(lines: Iterable[tuple[Node, str]]) -> bool:
    state = False
    for _node, text in lines:
        for command in _commands(text):
            state = _xtrace(command, state)
    return state


def _secret_printed(resource: Resource) -> Iterable[Violation]:
    sections = dict(_sections(resource))
    if resource.kind == "pipeline":
        sessions = [(False, [name]) for name in sections]
    else:
        # The runner runs before_script and script in one shell, after_script in another;
        # a job without its own before_script runs the default one.
        traced = False
        default = resource.context.get("default")
        if resource.body.get("before_script") is None and isinstance(default, Node):
            traced = _traced_after(_lines_of(default.get("before_script")))
        sessions = [(traced, ["before_script", "script"]), (False, ["after_script"])]
    for traced, names in sessions:
        for name in names:
            for node, text in _lines_of(sections.get(name)):
                for command in _commands(text):
                    traced = _xtrace(command, traced)
                    yield from _printed(node, text, command, traced)


def _printed(node: Node, text: str, command: _Command, traced: bool) -> Iterator[Violation]:
    program = command.program()
    logged = not command.piped and not _redirected_to_file(command)
    if program in ("echo", "printf") and logged:
        for expansion in _secret_expansions(command.arguments()):
            yield Violation(
                _line(node, text, expansion.offset),
                f"${expansion.name} (a secret, by its name) is printed to the job log",
            )
    elif program in ("env", "printenv") and not command.arguments() and logged:
        yield Violation(
            _line(node, text, command.words[command.name_index()].start),
            f"`{program}` prints every variable, secrets included, to the job log",
        )
    if traced and program != "set":
        for expansion in _secret_expansions(command.words):
            yield Violation(
                _line(node, text, expansion.offset),
                f"${expansion.name} (a secret, by its name) is written to the job log by `set -x`",
            )


def _debug_trace(resource: Resource) -> Iterable[Violation]:
    for name, node, value in _variables(_own_variables(resource)):
        if name in ("CI_DEBUG_TRACE", "CI_DEBUG_SERVICES") and _is_true(value):
            yield Violation(
                node.line,
                f"{name} writes every variable, masked secrets included, to the job log",
            )


# --- include --------------------------------------------------------------------------

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}", re.IGNORECASE)
_RELEASE_TAG = re.compile(r"v?\d+\.\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?")
_FULL_VERSION = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")


def _includes(resource: Resource) -> Iterator[Node]:
    include = resource.body.get("include")
    if include is not None:
        yield from include.elements() if isinstance(include.value, list) else (include,)


def _unpinned_include(resource: Resource) -> Iterable[Violation]:
    for item in _includes(resource):
        project = item.get("project")
        component = item.get("component")
        if project is not None and project.known:
            ref = item.get("ref")
            text = _text(ref)
            if ref is None:
                yield Violation(
                    project.line,
                    f"{_text(project)} is included from its default branch, whatever it "
                    "holds when the pipeline runs",
                )
            elif (
                text
                and "$" not in text
                and not _SHA.fullmatch(text)
                and not _RELEASE_TAG.fullmatch(text)
            ):
                yield Violation(ref.line, f"ref {text} names a branch, not a commit or tag")
        text = _text(component)
        if component is not None and text:
            _, at, version = text.rpartition("@")
            if not at:
                yield Violation(component.line, f"{text} names no version")
            elif "$" not in version and not (
                _SHA.fullmatch(version) or _FULL_VERSION.fullmatch(version)
            ):
                yield Violation(
                    component.line,
                    f"component version {version} moves to newer releases by itself",
                )


def _remote_include(resource: Resource) -> Iterable[Violation]:
    for item in _includes(resource):
        is_mapping = isinstance(item.value, dict)
        node = item.get("remote") if is_mapping else item
        url = _text(node)
        if node is None or not url or not re.match(r"https?://", url, re.IGNORECASE):
            continue  # a local file or a template shipped with GitLab
        if url.lower().startswith("http://"):
            yield Violation(node.line, f"{url} is fetched over plain HTTP")
        elif not is_mapping or item.get("integrity") is None:
            yield Violation(node.line, f"{url} is included without an `integrity:` hash")


# --- images ---------------------------------------------------------------------------


def _image_problem(reference: str) -> str | None:
    if "@" in reference:
        return None  # pinned by digest
    last = reference.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag, so it is whatever `latest` is at run time"
    if last.rsplit(":", 1)[1].lower() == "latest":
        return "uses the `latest` tag"
    return None


def _unpinned_image(resource: Resource) -> Iterable[Violation]:
    for what, node in _images(resource):
        text = (_text(node) or "").strip()
        if not text or "$" in text:
            continue  # set by a variable: not known here
        problem = _image_problem(text)
        if problem is not None:
            yield Violation(node.line, f"{what} {text} {problem}")


# --- docker-in-docker -------------------------------------------------------------------

_PLAIN_DOCKER_HOST = re.compile(r"tcp://[^/\s]*:2375\b", re.IGNORECASE)


def _dind_plain(resource: Resource) -> Iterable[Violation]:
    has_dind = any("dind" in image for image in _visible_services(resource))
    variable_scopes: list[Node | None] = [_own_variables(resource)]
    for scope in _scopes(resource):
        services = scope.get("services")
        for service in services.elements() if services is not None else ():
            if not isinstance(service.value, dict):
                continue
            variable_scopes.append(service.get("variables"))
            command = service.get("command")
            for part in command.elements() if command is not None else ():
                if (part.text() or "").strip() in ("--tls=false", "--tls=0"):
                    yield Violation(part.line, "the Docker daemon is started without TLS")
    for variables in variable_scopes:
        for name, node, value in _variables(variables):
            text = value.text()
            if name == "DOCKER_HOST" and text and _PLAIN_DOCKER_HOST.search(text):
                yield Violation(
                    node.line,
                    f"DOCKER_HOST {text} reaches the daemon with neither TLS nor authentication",
                )
            elif (
                name == "DOCKER_TLS_CERTDIR"
                and has_dind
                and (value.value is None or (text is not None and not text.strip()))
            ):
                yield Violation(
                    node.line, 'DOCKER_TLS_CERTDIR "" turns TLS off in the docker:dind service'
                )


# --- downloads run unseen ----------------------------------------------------------------

_PIPE_TO_INTERPRETER = re.compile(
    r"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:/\S*/)?"
    r"(?:(?:ba|z|da|k|a)?sh|python[\d.]*|perl|ruby|node|php)\b"
    r"|\b(?:(?:ba|z|da|k)?sh|source|\.)\s+(?:-\S+\s+)*(?:<\(|[\"']?\$\()\s*(?:curl|wget)\b"
    r"|\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|\n]*\|\s*(?:iex|Invoke-Expression)\b",
    re.IGNORECASE,
)


def _curl_pipe_shell(resource: Resource) -> Iterable[Violation]:
    for node, text in _script_lines(resource):
        for match in _PIPE_TO_INTERPRETER.finditer(text):
            yield Violation(
                _line(node, text, match.start()),
                "a downloaded script runs without its checksum or signature being checked",
            )


# --- secrets written down ------------------------------------------------------------------

# Variables through which the image of a throwaway service (a database for the tests)
# takes its first password: a credential that protects nothing once the job ends.
_SERVICE_SETTINGS = {
    "postgres": ("POSTGRES_",),
    "postgis": ("POSTGRES_",),
    "mysql": ("MYSQL_",),
    "mariadb": ("MARIADB_", "MYSQL_"),
    "percona": ("MYSQL_",),
    "mongo": ("MONGO_INITDB_",),
    "rabbitmq": ("RABBITMQ_DEFAULT_",),
    "redis": ("REDIS_",),
    "minio": ("MINIO_ROOT_",),
    "mssql": ("MSSQL_SA_", "SA_PASSWORD"),
    "clickhouse": ("CLICKHOUSE_",),
}
_NOT_A_VALUE = frozenset({"true", "false", "yes", "no", "none", "null", "~"})


def _service_prefixes(resource: Resource) -> tuple[str, ...]:
    prefixes: list[str] = []
    for image in _visible_services(resource):
        repository = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
        for family, names in _SERVICE_SETTINGS.items():
            if family in repository:
                prefixes.extend(names)
    return tuple(prefixes)


def _hardcoded_secret(resource: Resource) -> Iterable[Violation]:
    throwaway = _service_prefixes(resource)
    for name, node, value in _variables(_own_variables(resource)):
        if not _is_secret_name(name) or (throwaway and name.upper().startswith(throwaway)):
            continue
        if not isinstance(value.value, str):
            continue  # a number, a boolean, nothing, UNKNOWN
        text = value.value.strip()
        if len(text) < 4 or "$" in text or text.lower() in _NOT_A_VALUE:
            continue  # empty, a placeholder, or a reference to a project variable
        yield Violation(node.line, f"{name} holds a literal value in the CI file")


# --- merge request pipelines deploying ----------------------------------------------------

_MR_EVENT = re.compile(
    r"\$CI_PIPELINE_SOURCE\s*(?:==\s*[\"']merge_request_event[\"']|=~\s*/[^/]*merge_request)"
)
_PRODUCTION = re.compile(r"prod(?:uction)?(?:[-_/.\s].*)?", re.IGNORECASE)


def _production(job: Node) -> Node | None:
    """The ``environment`` node when the job deploys to production."""
    environment = job.get("environment")
    if environment is None:
        return None
    name: str | None
    if isinstance(environment.value, dict):
        if _text(environment.get("action")) not in (None, "start"):
            return None  # stops, prepares or verifies: deploys nothing
        tier = _text(environment.get("deployment_tier"))
        if tier is not None:
            return environment if tier == "production" else None
        name = _text(environment.get("name"))
    else:
        name = environment.text()
    if name and "$" not in name and _PRODUCTION.fullmatch(name.strip()):
        return environment
    return None


def _merge_request_trigger(job: Node) -> Node | None:
    """The node that adds the job to merge request pipelines, if one does. Rules are
    read in order, as GitLab does: the first that can match a merge request pipeline
    decides; an UNKNOWN or condition-free rule before it stops the reading."""
    rules = job.get("rules")
    if rules is not None:
        for rule in rules.elements() if isinstance(rules.value, list) else ():
            condition = rule.get("if") if isinstance(rule.value, dict) else None
            text = _text(condition)
            if text is None:
                return None
            if _MR_EVENT.search(text):
                return None if _text(rule.get("when")) == "never" else condition
        return None
    only = job.get("only")
    refs = only.get("refs") if only is not None and isinstance(only.value, dict) else only
    for ref in refs.elements() if refs is not None else ():
        if _text(ref) in ("merge_requests", "external_pull_requests"):
            return ref
    return None


def _mr_deploys_production(resource: Resource) -> Iterable[Violation]:
    if _production(resource.body) is None:
        return
    trigger = _merge_request_trigger(resource.body)
    if trigger is not None:
        yield Violation(
            trigger.line,
            "it deploys to production and runs in merge request pipelines, on the merge "
            "request's code",
        )


# --- TLS verification ---------------------------------------------------------------------


def _insecure_command(command: _Command) -> bool:
    program = command.program()
    words = [w.text for w in command.arguments()]
    if program == "curl":
        return any(w == "--insecure" or re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", w) for w in words)
    if program == "wget":
        return "--no-check-certificate" in words
    joined = " ".join(words).lower()
    if program == "git":
        return re.search(r"http\.sslverify[= ]+(?:false|0|no)\b", joined) is not None
    if program in ("npm", "yarn", "pnpm"):
        return re.search(r"strict-ssl[= ]+false\b", joined) is not None
    return False


def _tls_off(resource: Resource) -> Iterable[Violation]:
    for name, node, value in _variables(_own_variables(resource)):
        if not value.known:
            continue
        text = (value.text() or "").strip().lower()
        if name == "GIT_SSL_NO_VERIFY":
            # Git turns verification off when the variable is set at all, even to "false".
            yield Violation(node.line, "GIT_SSL_NO_VERIFY turns off TLS verification for git")
        elif name.upper().endswith("SSL_NO_VERIFY") and text in _TRUE:
            yield Violation(node.line, f"{name} turns off TLS verification")
        elif name in ("NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY") and text == "0":
            yield Violation(node.line, f"{name}=0 turns off TLS verification")
    for node, text in _script_lines(resource):
        for command in _commands(text):
            if _insecure_command(command):
                start = command.words[command.name_index()].start
                yield Violation(
                    _line(node, text, start), f"{command.program()} skips TLS verification"
                )


def _check(
    id: str,
    title: str,
    severity: Severity,
    kinds: frozenset[str],
    fix: str,
    evaluate: Callable[[Resource], Iterable[Violation]],
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    failing: str,
    passing: str,
) -> Check:
    return Check(
        id=id,
        title=title,
        severity=severity,
        format=FORMAT,
        kinds=kinds,
        fix=fix,
        evaluate=evaluate,
        cwe=cwe,
        iso27001=iso27001,
        failing=(Example(_EXAMPLE, failing),),
        passing=(Example(_EXAMPLE, passing),),
    )


_ALL = frozenset({"pipeline", "job", "template"})

CHECKS: tuple[Check, ...] = (
    _check(
        "gitlab-script-injection",
        "Commit or merge request text is parsed as code in a script",
        Severity.HIGH,
        _ALL,
        "Do not pass $CI_COMMIT_*/$CI_MERGE_REQUEST_* text through `eval`, `sh -c`, `ssh` "
        'or `-c`/`-e` code: pass it as a quoted argument ("$CI_COMMIT_TITLE") or in a '
        "file, and let the program read it as data",
        _script_injection,
        cwe="CWE-78",
        iso27001=("A.8.28", "A.8.25"),
        failing=(
            "notify:\n"
            "  script:\n"
            '    - eval "./notify --title $CI_MERGE_REQUEST_TITLE"\n'
            '    - ssh deploy@host "cd /srv && git checkout $CI_COMMIT_BRANCH"\n'
        ),
        passing=(
            "notify:\n"
            "  script:\n"
            '    - ./notify --title "$CI_MERGE_REQUEST_TITLE"\n'
            "    - sh -c './notify \"$CI_COMMIT_BRANCH\"'\n"
        ),
    ),
    _check(
        "gitlab-unquoted-untrusted-variable",
        "Commit or merge request text is split into command arguments",
        Severity.MEDIUM,
        _ALL,
        'Quote the variable ("$CI_COMMIT_MESSAGE") so it stays one argument, and end '
        "options before it with `--` where the program supports it",
        _unquoted_untrusted,
        cwe="CWE-88",
        iso27001=("A.8.28",),
        failing=("release:\n  script:\n    - git tag -a v1 -m $CI_COMMIT_TITLE\n"),
        passing=(
            'release:\n  script:\n    - git tag -a v1 -m "$CI_COMMIT_TITLE"\n'
            "    - echo $CI_COMMIT_TITLE\n"
        ),
    ),
    _check(
        "gitlab-secret-printed",
        "Secret printed to the job log",
        Severity.HIGH,
        _ALL,
        "Remove the `echo`/`env` of the secret and the `set -x` before commands that use "
        "secrets (or `set +x` around them); pass secrets on stdin (`--password-stdin`) "
        "and mark the variables masked",
        _secret_printed,
        cwe="CWE-532",
        iso27001=("A.8.12", "A.5.17"),
        failing=(
            "deploy:\n"
            "  script:\n"
            '    - echo "token is $DEPLOY_TOKEN"\n'
            "    - set -x\n"
            '    - ./deploy --token "$API_TOKEN"\n'
        ),
        passing=(
            "deploy:\n"
            "  script:\n"
            '    - echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin reg.example\n'
            '    - ./deploy --token "$API_TOKEN"\n'
            "    - set -x\n"
            "    - make deploy\n"
        ),
    ),
    _check(
        "gitlab-debug-trace",
        "CI debug tracing writes every variable to the job log",
        Severity.HIGH,
        _ALL,
        "Remove `CI_DEBUG_TRACE`/`CI_DEBUG_SERVICES` from the file; when a trace is needed, "
        "set it for one manual run and delete that job log afterwards",
        _debug_trace,
        cwe="CWE-532",
        iso27001=("A.8.12", "A.8.15"),
        failing='variables:\n  CI_DEBUG_TRACE: "true"\ntest:\n  script: [make test]\n',
        passing='variables:\n  CI_DEBUG_TRACE: "false"\ntest:\n  script: [make test]\n',
    ),
    _check(
        "gitlab-include-unpinned",
        "Configuration included from another project or component without a fixed version",
        Severity.MEDIUM,
        _PIPELINE,
        "Set `ref:` of each `project:` include to a commit SHA (or a protected release "
        "tag), and `component:` versions to a full version (`@1.4.2`) or a commit SHA",
        _unpinned_include,
        cwe="CWE-829",
        iso27001=("A.5.21", "A.8.32"),
        failing=(
            "include:\n"
            "  - project: platform/ci-templates\n"
            "    ref: main\n"
            "    file: /build.yml\n"
            "  - component: $CI_SERVER_FQDN/platform/lint/check@~latest\n"
        ),
        passing=(
            "include:\n"
            "  - project: platform/ci-templates\n"
            "    ref: 3f4e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f\n"
            "    file: /build.yml\n"
            "  - component: $CI_SERVER_FQDN/platform/lint/check@2.1.0\n"
            "  - local: /ci/test.yml\n"
        ),
    ),
    _check(
        "gitlab-remote-include",
        "Configuration included from a URL without an integrity hash",
        Severity.HIGH,
        _PIPELINE,
        "Include over https with `integrity: sha256-<base64 digest>` beside `remote:`, or "
        "copy the file into the project and include it with `local:`",
        _remote_include,
        cwe="CWE-494",
        iso27001=("A.5.21", "A.8.24"),
        failing="include:\n  - remote: https://ci.example.com/templates/build.yml\n",
        passing=(
            "include:\n"
            "  - remote: https://ci.example.com/templates/build.yml\n"
            "    integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        ),
    ),
    _check(
        "gitlab-image-not-pinned",
        "Job image or service without a version tag",
        Severity.MEDIUM,
        _ALL,
        "Set `image:` and `services:` to a version tag and digest "
        "(`python:3.12.4@sha256:...`), not `latest` or a bare name",
        _unpinned_image,
        cwe="CWE-829",
        iso27001=("A.5.21", "A.8.32"),
        failing="test:\n  image: python\n  services: [redis:latest]\n  script: [make test]\n",
        passing=(
            "test:\n  image: python:3.12.4\n  services: [redis:7.2.5]\n  script: [make test]\n"
        ),
    ),
    _check(
        "gitlab-dind-without-tls",
        "Docker daemon reached without TLS",
        Severity.MEDIUM,
        _ALL,
        'Keep TLS on: remove `DOCKER_TLS_CERTDIR: ""` (use "/certs"), and set '
        "`DOCKER_HOST: tcp://docker:2376` with `DOCKER_TLS_VERIFY: 1` instead of port 2375",
        _dind_plain,
        cwe="CWE-319",
        iso27001=("A.8.20", "A.8.24"),
        failing=(
            "build:\n"
            "  image: docker:27.1\n"
            "  services: [docker:27.1-dind]\n"
            "  variables:\n"
            '    DOCKER_TLS_CERTDIR: ""\n'
            "    DOCKER_HOST: tcp://docker:2375\n"
            "  script: [docker build .]\n"
        ),
        passing=(
            "build:\n"
            "  image: docker:27.1\n"
            "  services: [docker:27.1-dind]\n"
            "  variables:\n"
            '    DOCKER_TLS_CERTDIR: "/certs"\n'
            "  script: [docker build .]\n"
        ),
    ),
    _check(
        "gitlab-curl-pipe-shell",
        "A download is piped straight into a shell",
        Severity.HIGH,
        _ALL,
        "Download the script to a file, check its checksum (`sha256sum -c`) or signature, "
        "then run the file",
        _curl_pipe_shell,
        cwe="CWE-494",
        iso27001=("A.5.21", "A.8.19"),
        failing="setup:\n  script:\n    - curl -fsSL https://get.example.com/install.sh | sh\n",
        passing=(
            "setup:\n"
            "  script:\n"
            "    - curl -fsSLo install.sh https://get.example.com/install.sh\n"
            '    - echo "$INSTALL_SHA256  install.sh" | sha256sum -c\n'
            "    - sh install.sh\n"
        ),
    ),
    _check(
        "gitlab-hardcoded-secret",
        "Secret written in the CI file's variables",
        Severity.HIGH,
        _ALL,
        "Delete the value from `variables:` and define it as a masked, protected CI/CD "
        "variable in the project settings (or fetch it with `secrets:`); rotate the one "
        "committed",
        _hardcoded_secret,
        cwe="CWE-798",
        iso27001=("A.5.17", "A.8.4"),
        # glasshouse:allow gitlab-pat a made-up token: the catalogue's failing example
        failing='variables:\n  DEPLOY_TOKEN: "glpat-3kX9vQ2mZ7pL1nR8sT4w"\ntest:\n  script: [x]\n',
        passing=(
            "variables:\n"
            "  DEPLOY_TOKEN: $VAULT_DEPLOY_TOKEN\n"
            '  TOKEN_URL: "https://auth.example.com/token"\n'
            "test:\n"
            "  services: [postgres:16.3]\n"
            "  variables:\n"
            "    POSTGRES_PASSWORD: test-only\n"
            "  script: [x]\n"
        ),
    ),
    _check(
        "gitlab-mr-deploys-production",
        "Production deploy job runs in merge request pipelines",
        Severity.HIGH,
        _JOBS,
        "Limit the deploy job's `rules:` to the default branch or tags "
        "(`if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`) and protect the production "
        "environment",
        _mr_deploys_production,
        cwe="CWE-284",
        iso27001=("A.8.31", "A.8.32"),
        failing=(
            "deploy:\n"
            "  environment: production\n"
            "  rules:\n"
            '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n'
            "  script: [./deploy.sh]\n"
        ),
        passing=(
            "deploy:\n"
            "  environment: production\n"
            "  rules:\n"
            '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n'
            "      when: never\n"
            "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"
            "  script: [./deploy.sh]\n"
        ),
    ),
    _check(
        "gitlab-tls-verification-disabled",
        "TLS certificate verification turned off",
        Severity.MEDIUM,
        _ALL,
        "Remove GIT_SSL_NO_VERIFY / NODE_TLS_REJECT_UNAUTHORIZED=0 and `curl -k`; add the "
        "internal CA with CI_SERVER_TLS_CA_FILE or a `SSL_CERT_FILE` variable instead",
        _tls_off,
        cwe="CWE-295",
        iso27001=("A.8.20", "A.8.24"),
        failing=(
            'variables:\n  GIT_SSL_NO_VERIFY: "true"\n'
            "fetch:\n  script:\n    - curl -sSLk https://artifacts.internal/app.tgz -o app.tgz\n"
        ),
        passing=(
            "variables:\n  SSL_CERT_FILE: /etc/ssl/internal-ca.pem\n"
            "fetch:\n  script:\n    - curl -sSL https://artifacts.internal/app.tgz -o app.tgz\n"
        ),
    ),
)
