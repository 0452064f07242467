"""Policy as code: ``.glasshouse.toml``, layered under an organization policy.

The organization policy states the floor once; a repository policy may tighten it and
never loosen it. A loosening setting in the repository file is not an error (the
repository still gets gated) but it is ignored, and the note saying so appears in
``glasshouse policy show`` and in every report. An invalid file is one line naming the
file and the key, and the CLI exits 3.
"""

from __future__ import annotations

import hashlib
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from glasshouse.model import FindingKind, Severity, Waiver
from glasshouse.secrets.catalogue import CatalogueError, check_catalogue, load_rules, parse_rule
from glasshouse.secrets.rule import Rule

POLICY_FILENAME = ".glasshouse.toml"
MAX_POLICY_BYTES = 1024 * 1024

# A waiver may not run longer than this many days from its creation (or from today,
# when it does not say when it was created), by the severity of what it waives.
DEFAULT_MAX_WAIVER_DAYS: Mapping[Severity, int] = {
    Severity.CRITICAL: 30,
    Severity.HIGH: 90,
    Severity.MEDIUM: 180,
    Severity.LOW: 365,
    Severity.UNKNOWN: 180,
}


class PolicyError(Exception):
    """One line: the file, the key, and what is wrong."""


@dataclass(frozen=True)
class Policy:
    fail_on: Severity = Severity.HIGH
    kind_fail_on: Mapping[FindingKind, Severity] = field(default_factory=dict)
    unknown_blocks: bool = False
    scope: str = "all"  # "all" or "new" (against a baseline)
    incomplete: str = "fail"  # "fail" or "pass"
    mode: str = "enforce"  # "enforce" or "warn"
    ignore_dev_dependencies: bool = False
    only_fixable: bool = False
    exclude: tuple[str, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    allow_override: bool = True
    require_approver: bool = False
    max_waiver_days: Mapping[Severity, int] = field(
        default_factory=lambda: dict(DEFAULT_MAX_WAIVER_DAYS)
    )
    waivers: tuple[Waiver, ...] = ()
    secret_rules: tuple[Rule, ...] = ()  # a project's own rules, added to the built-in ones
    sources: tuple[str, ...] = ()
    source_digests: tuple[str, ...] = ()  # SHA-256 (hex) of each source's text, as read
    notes: tuple[str, ...] = ()  # settings a layer tried and was not allowed to apply

    def threshold(self, kind: FindingKind) -> Severity:
        return self.kind_fail_on.get(kind, self.fail_on)


DEFAULT_POLICY = Policy()

_SEVERITIES = {s.label: s for s in Severity if s is not Severity.UNKNOWN}
_KINDS = {k.value: k for k in FindingKind}
_GATE_KEYS = {
    "fail_on",
    "unknown_blocks",
    "scope",
    "incomplete",
    "mode",
    "ignore_dev_dependencies",
    "only_fixable",
    "exclude",
    "allow_override",
    "kinds",
}
_WAIVER_KEYS = {
    "id",
    "rule",
    "package",
    "path",
    "fingerprint",
    "reason",
    "owner",
    "approver",
    "ticket",
    "expires",
    "created",
}


class _Reader:
    """Typed access to one parsed file; every error names the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {key}: {message}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {type(value).__name__}")
        return value

    def keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"{where}{key}", f"unknown key (known: {known})")

    def boolean(self, table: dict[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(f"{where}{key}", "must be true or false")

    def choice(
        self, table: dict[str, Any], key: str, where: str, options: tuple[str, ...]
    ) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if value not in options:
            raise self.fail(f"{where}{key}", f"must be one of {', '.join(options)}, not {value!r}")
        return str(value)

    def severity(self, table: dict[str, Any], key: str, where: str) -> Severity | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value.lower() not in _SEVERITIES:
            raise self.fail(
                f"{where}{key}", f"must be one of {', '.join(_SEVERITIES)}, not {value!r}"
            )
        return _SEVERITIES[value.lower()]

    def strings(self, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}{key}", "must be a list of non-empty strings")
        return tuple(value)

    def text(
        self, table: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}{key}", "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", "must be a non-empty string")
        return value.strip()

    def day(
        self, table: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> date | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}{key}", "is required (a date, e.g. 2026-12-31)")
            return None
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(f"{where}{key}", f"must be a date such as 2026-12-31, not {value!r}")


@dataclass(frozen=True)
class PolicyLayer:
    """One file's settings, before layering: ``None`` means "not set here"."""

    source: str
    settings: dict[str, Any]
    kind_fail_on: dict[FindingKind, Severity]
    disabled_rules: frozenset[str]
    enabled_rules: frozenset[str]
    require_approver: bool | None
    max_waiver_days: dict[Severity, int]
    waivers: tuple[Waiver, ...]
    secret_rules: tuple[Rule, ...] = ()
    digest: str = ""  # SHA-256 (hex) of the file's text: signed decisions name it


def parse_policy(text: str, source: str) -> PolicyLayer:
    reader = _Reader(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML ({exc})") from None
    reader.keys(doc, {"gate", "rules", "waivers", "waiver", "secrets"}, "")
    gate = reader.table(doc.get("gate", {}), "gate")
    reader.keys(gate, _GATE_KEYS, "gate.")
    settings: dict[str, Any] = {
        "fail_on": reader.severity(gate, "fail_on", "gate."),
        "unknown_blocks": reader.boolean(gate, "unknown_blocks", "gate."),
        "scope": reader.choice(gate, "scope", "gate.", ("all", "new")),
        "incomplete": reader.choice(gate, "incomplete", "gate.", ("fail", "pass")),
        "mode": reader.choice(gate, "mode", "gate.", ("enforce", "warn")),
        "ignore_dev_dependencies": reader.boolean(gate, "ignore_dev_dependencies", "gate."),
        "only_fixable": reader.boolean(gate, "only_fixable", "gate."),
        "allow_override": reader.boolean(gate, "allow_override", "gate."),
        "exclude": reader.strings(gate, "exclude", "gate.") if "exclude" in gate else None,
    }
    kinds: dict[FindingKind, Severity] = {}
    for name, raw in reader.table(gate.get("kinds", {}), "gate.kinds").items():
        if name not in _KINDS:
            raise reader.fail(f"gate.kinds.{name}", f"unknown kind (known: {', '.join(_KINDS)})")
        table = reader.table(raw, f"gate.kinds.{name}")
        reader.keys(table, {"fail_on"}, f"gate.kinds.{name}.")
        severity = reader.severity(table, "fail_on", f"gate.kinds.{name}.")
        if severity is not None:
            kinds[_KINDS[name]] = severity
    rules = reader.table(doc.get("rules", {}), "rules")
    reader.keys(rules, {"disable", "enable"}, "rules.")
    waivers_cfg = reader.table(doc.get("waivers", {}), "waivers")
    reader.keys(waivers_cfg, {"require_approver", "max_days"}, "waivers.")
    max_days: dict[Severity, int] = {}
    for name, value in reader.table(waivers_cfg.get("max_days", {}), "waivers.max_days").items():
        key = f"waivers.max_days.{name}"
        if name not in _SEVERITIES and name != "unknown":
            raise reader.fail(key, "must name a severity")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise reader.fail(key, "must be a positive number of days")
        max_days[Severity.parse(name)] = value
    raw_waivers = doc.get("waiver", [])
    if not isinstance(raw_waivers, list):
        raise reader.fail("waiver", "must be an array of tables ([[waiver]])")
    waivers = tuple(_waiver(reader, raw, i) for i, raw in enumerate(raw_waivers))
    ids = [w.id for w in waivers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise reader.fail("waiver.id", f"duplicate waiver id {duplicates[0]!r}")
    secrets = reader.table(doc.get("secrets", {}), "secrets")
    reader.keys(secrets, {"rule"}, "secrets.")
    raw_rules = secrets.get("rule", [])
    if not isinstance(raw_rules, list):
        raise reader.fail("secrets.rule", "must be an array of tables ([[secrets.rule]])")
    secret_rules = []
    for index, raw in enumerate(raw_rules):
        table = reader.table(raw, f"secrets.rule[{index}]")
        try:
            secret_rules.append(parse_rule(table, f"{source}: secrets.rule[{index}]"))
        except CatalogueError as exc:
            raise PolicyError(str(exc)) from None
    return PolicyLayer(
        source=source,
        settings={k: v for k, v in settings.items() if v is not None},
        kind_fail_on=kinds,
        disabled_rules=frozenset(reader.strings(rules, "disable", "rules.")),
        enabled_rules=frozenset(reader.strings(rules, "enable", "rules.")),
        require_approver=reader.boolean(waivers_cfg, "require_approver", "waivers."),
        max_waiver_days=max_days,
        waivers=waivers,
        secret_rules=tuple(secret_rules),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _waiver(reader: _Reader, raw: Any, index: int) -> Waiver:
    where = f"waiver[{index}]."
    table = reader.table(raw, f"waiver[{index}]")
    reader.keys(table, _WAIVER_KEYS, where)
    waiver_id = reader.text(table, "id", where, required=True)
    reason = reader.text(table, "reason", where, required=True)
    expires = reader.day(table, "expires", where, required=True)
    assert waiver_id is not None and reason is not None and expires is not None  # noqa: PT018
    waiver = Waiver(
        id=waiver_id,
        reason=reason,
        expires=expires,
        rule=reader.text(table, "rule", where),
        package=reader.text(table, "package", where),
        path=reader.text(table, "path", where),
        fingerprint=reader.text(table, "fingerprint", where),
        owner=reader.text(table, "owner", where),
        approver=reader.text(table, "approver", where),
        ticket=reader.text(table, "ticket", where),
        created=reader.day(table, "created", where),
        source=reader.source,
    )
    if not (waiver.rule or waiver.fingerprint):
        raise reader.fail(f"waiver[{index}]", f"waiver {waiver_id!r} needs a rule or a fingerprint")
    return waiver


# -- layering -----------------------------------------------------------------------
_STRICTER = {
    "scope": ("new", "all"),  # later in the tuple is stricter
    "incomplete": ("pass", "fail"),
    "mode": ("warn", "enforce"),
}
_STRICT_WHEN_TRUE = ("unknown_blocks",)
_STRICT_WHEN_FALSE = ("ignore_dev_dependencies", "only_fixable", "allow_override")


def layer(policy: Policy, overlay: PolicyLayer, *, may_loosen: bool) -> Policy:
    """Apply ``overlay`` on ``policy``. With ``may_loosen`` False (a repository file under
    an organization policy), settings that would loosen are ignored and noted."""
    notes = list(policy.notes)
    updates: dict[str, Any] = {}

    def refuse(key: str, wanted: object, kept: object) -> None:
        notes.append(
            f"{overlay.source}: {key} = {wanted} ignored: the organization policy requires "
            f"{kept} and a repository policy may only tighten it"
        )

    for key, value in overlay.settings.items():
        current = getattr(policy, key)
        if may_loosen or value == current:
            updates[key] = value
        elif key == "fail_on":
            if value <= current:
                updates[key] = value
            else:
                refuse(key, value.label, current.label)
        elif key in _STRICTER:
            order = _STRICTER[key]
            if order.index(value) >= order.index(current):
                updates[key] = value
            else:
                refuse(key, value, current)
        elif key in _STRICT_WHEN_TRUE:
            if value:
                updates[key] = value
            else:
                refuse(key, "false", "true")
        elif key in _STRICT_WHEN_FALSE:
            if not value:
                updates[key] = value
            else:
                refuse(key, "true", "false")
        elif key == "exclude":
            extra = [g for g in value if g not in policy.exclude]
            if extra:
                refuse(key, extra, list(policy.exclude) or "no exclusions")
    kind_fail_on = dict(policy.kind_fail_on)
    for kind, severity in overlay.kind_fail_on.items():
        current = policy.threshold(kind)
        if may_loosen or severity <= current:
            kind_fail_on[kind] = severity
        else:
            refuse(f"gate.kinds.{kind.value}.fail_on", severity.label, current.label)
    # Enabling a rule tightens, so every layer may; disabling one loosens.
    enabled = {r.upper() for r in overlay.enabled_rules}
    inherited = frozenset(r for r in policy.disabled_rules if r.upper() not in enabled)
    if may_loosen:
        disabled = inherited | (overlay.disabled_rules - overlay.enabled_rules)
    else:
        disabled = inherited
        for rule in sorted(overlay.disabled_rules - policy.disabled_rules):
            notes.append(
                f"{overlay.source}: rules.disable {rule!r} ignored: a repository policy may "
                "not disable a rule the organization policy enables"
            )
    max_days = dict(policy.max_waiver_days)
    for severity, days in overlay.max_waiver_days.items():
        if may_loosen or days <= max_days.get(severity, days):
            max_days[severity] = days
        else:
            refuse(f"waivers.max_days.{severity.label}", days, max_days[severity])
    require_approver = policy.require_approver
    if overlay.require_approver is not None:
        if may_loosen or overlay.require_approver or not policy.require_approver:
            require_approver = overlay.require_approver
        else:
            refuse("waivers.require_approver", "false", "true")
    return replace(
        policy,
        **updates,
        kind_fail_on=kind_fail_on,
        disabled_rules=disabled,
        max_waiver_days=max_days,
        require_approver=require_approver,
        waivers=policy.waivers + overlay.waivers,
        # More rules only tighten: every layer may add its own.
        secret_rules=policy.secret_rules + overlay.secret_rules,
        sources=(*policy.sources, overlay.source),
        source_digests=(*policy.source_digests, overlay.digest),
        notes=tuple(notes),
    )


# -- loading --------------------------------------------------------------------------
def read_policy_text(location: str, *, timeout: float = 20.0) -> str:
    """A policy from a file path, or an https:// URL (http:// only on loopback)."""
    data: bytes
    if location.startswith(("https://", "http://")):
        from glasshouse.advisories.update import check_base_url

        try:
            check_base_url(location)
        except ValueError as exc:
            raise PolicyError(f"{location}: {exc}") from None
        try:
            request = urllib.request.Request(location)  # noqa: S310 - scheme checked above
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                data = response.read(MAX_POLICY_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PolicyError(f"{location}: cannot fetch ({getattr(exc, 'reason', exc)})") from None
    else:
        path = Path(location)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_POLICY_BYTES + 1)
        except OSError as exc:
            raise PolicyError(f"{location}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{location}: larger than {MAX_POLICY_BYTES >> 10} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{location}: not UTF-8 text (byte {exc.start})") from None


def load_policy(repository: str | None, organization: str | None = None) -> Policy:
    """The policy in force: defaults, then the organization's, then the repository's."""
    policy = DEFAULT_POLICY
    if organization:
        org = parse_policy(read_policy_text(organization), organization)
        policy = layer(policy, org, may_loosen=True)
    if repository:
        repo = parse_policy(read_policy_text(repository), repository)
        policy = layer(policy, repo, may_loosen=organization is None)
    check_secret_rules(policy)
    return policy


def check_secret_rules(policy: Policy) -> None:
    """Refuse what would leave no secret rule active, or clash with a built-in rule."""
    builtin = load_rules()
    try:
        check_catalogue((*builtin, *policy.secret_rules))
    except CatalogueError as exc:
        raise PolicyError(f"{', '.join(policy.sources)}: secrets.rule: {exc}") from None
    disabled = {r.upper() for r in policy.disabled_rules}
    active = [r for r in (*builtin, *policy.secret_rules) if r.id.upper() not in disabled]
    if not active:
        raise PolicyError(
            f"{', '.join(policy.sources)}: rules.disable: every secret rule is disabled and "
            "none is added; a gate with no secret rule would pass every leak"
        )


def find_repository_policy(target: Path) -> Path | None:
    """``.glasshouse.toml`` at the scan root (the target, or its directory for a file)."""
    root = target if target.is_dir() else target.parent
    candidate = root / POLICY_FILENAME
    return candidate if candidate.is_file() else None


def render_policy(policy: Policy) -> str:
    """The merged policy as TOML a person can read (and paste into a file)."""
    sources = ", ".join(policy.sources) or "built-in defaults"
    lines = [f"# policy in force, from: {sources}"]
    lines += [f"# NOTE {note}" for note in policy.notes]
    lines += [
        "[gate]",
        f'fail_on = "{policy.fail_on.label}"',
        f"unknown_blocks = {_toml_bool(policy.unknown_blocks)}",
        f'scope = "{policy.scope}"',
        f'incomplete = "{policy.incomplete}"',
        f'mode = "{policy.mode}"',
        f"ignore_dev_dependencies = {_toml_bool(policy.ignore_dev_dependencies)}",
        f"only_fixable = {_toml_bool(policy.only_fixable)}",
        f"allow_override = {_toml_bool(policy.allow_override)}",
        f"exclude = [{', '.join(_toml_str(g) for g in policy.exclude)}]",
    ]
    for kind, severity in sorted(policy.kind_fail_on.items(), key=lambda kv: kv[0].value):
        lines += ["", f"[gate.kinds.{kind.value}]", f'fail_on = "{severity.label}"']
    lines += [
        "",
        "[rules]",
        f"disable = [{', '.join(_toml_str(r) for r in sorted(policy.disabled_rules))}]",
    ]
    lines += ["", "[waivers]", f"require_approver = {_toml_bool(policy.require_approver)}"]
    days = ", ".join(
        f"{s.label} = {policy.max_waiver_days[s]}"
        for s in reversed(Severity)
        if s in policy.max_waiver_days
    )
    lines.append(f"max_days = {{ {days} }}")
    for waiver in policy.waivers:
        lines += ["", "[[waiver]]", f"# from {waiver.source}"]
        for key in (
            "id",
            "rule",
            "package",
            "path",
            "fingerprint",
            "reason",
            "owner",
            "approver",
            "ticket",
        ):
            value = getattr(waiver, key)
            if value:
                lines.append(f"{key} = {_toml_str(value)}")
        if waiver.created:
            lines.append(f"created = {waiver.created.isoformat()}")
        lines.append(f"expires = {waiver.expires.isoformat()}")
    return "\n".join(lines) + "\n"


def _toml_bool(value: bool) -> str:
    return "true" if value else "false"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
