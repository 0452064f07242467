"""Policy files: validation with one-line errors, and tighten-only layering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from glasshouse.gate.policy import PolicyError, load_policy, parse_policy, render_policy
from glasshouse.model import FindingKind, Severity

FULL = """
[gate]
fail_on = "medium"
unknown_blocks = true
scope = "new"
incomplete = "pass"
mode = "warn"
ignore_dev_dependencies = true
only_fixable = true
allow_override = false
exclude = ["tests/fixtures/**"]

[gate.kinds.secret]
fail_on = "low"

[rules]
disable = ["GO-2020-0015"]

[waivers]
require_approver = true
max_days = { critical = 14 }

[[waiver]]
id = "W-1"
rule = "CVE-2019-14234"
package = "django"
path = "services/*/requirements.txt"
reason = "The JSONField lookup is not used"
owner = "team-payments"
approver = "security-lead"
ticket = "SEC-42"
created = 2026-11-01
expires = 2026-12-01
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_every_setting_is_read(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "p.toml", FULL))
    assert policy.fail_on is Severity.MEDIUM
    assert policy.threshold(FindingKind.SECRET) is Severity.LOW
    assert policy.threshold(FindingKind.VULNERABILITY) is Severity.MEDIUM
    assert (policy.scope, policy.incomplete, policy.mode) == ("new", "pass", "warn")
    assert policy.unknown_blocks
    assert policy.ignore_dev_dependencies
    assert policy.only_fixable
    assert not policy.allow_override
    assert policy.exclude == ("tests/fixtures/**",)
    assert policy.disabled_rules == {"GO-2020-0015"}
    assert policy.require_approver
    assert policy.max_waiver_days[Severity.CRITICAL] == 14
    assert policy.max_waiver_days[Severity.HIGH] == 90
    (waiver,) = policy.waivers
    assert (waiver.id, waiver.ticket, waiver.expires) == ("W-1", "SEC-42", date(2026, 12, 1))
    assert waiver.created == date(2026, 11, 1)
    # show prints a policy that reads back to the same settings
    again = parse_policy(render_policy(policy), "shown.toml")
    assert again.settings["fail_on"] is Severity.MEDIUM
    assert again.waivers[0].reason == waiver.reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[gate\n", "not valid TOML"),
        ('[gate]\nfail_on = "extreme"\n', "gate.fail_on: must be one of"),
        ("[gate]\nfail_on = 3\n", "gate.fail_on"),
        ('[gate]\nscope = "some"\n', "gate.scope: must be one of all, new"),
        ("[gate]\nmode = true\n", "gate.mode"),
        ('[gate]\nfailon = "high"\n', "gate.failon: unknown key"),
        ('[gate]\nexclude = "tests"\n', "gate.exclude: must be a list"),
        ('[gate.kinds.virus]\nfail_on = "low"\n', "gate.kinds.virus: unknown kind"),
        ("[rules]\ndisable = [1]\n", "rules.disable"),
        ("[waivers]\nmax_days = { high = -1 }\n", "waivers.max_days.high"),
        (
            '[[waiver]]\nid = "W"\nrule = "X"\nexpires = 2026-01-01\n',
            "waiver[0].reason: is required",
        ),
        ('[[waiver]]\nid = "W"\nrule = "X"\nreason = "r"\n', "waiver[0].expires: is required"),
        (
            '[[waiver]]\nid = "W"\nreason = "r"\nexpires = 2026-01-01\n',
            "needs a rule or a fingerprint",
        ),
        ('[[waiver]]\nid = "W"\nrule = "X"\nreason = "r"\nexpires = "soon"\n', "waiver[0].expires"),
        (
            '[[waiver]]\nid="W"\nrule="X"\nreason="r"\nexpires=2026-01-01\n'
            '[[waiver]]\nid="W"\nrule="Y"\nreason="r"\nexpires=2026-01-01\n',
            "duplicate waiver id",
        ),
        (
            '[[waiver]]\nid = "W"\nrule = "X"\nreason = "r"\nexpires = 2026-01-01\nwho = "me"\n',
            "waiver[0].who: unknown key",
        ),
    ],
)
def test_invalid_policy_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_or_binary_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(str(tmp_path / "missing.toml"))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(str(binary))


def test_repository_may_tighten_and_never_loosen(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.toml",
        '[gate]\nfail_on = "high"\nmode = "enforce"\nallow_override = false\n'
        "[waivers]\nrequire_approver = true\nmax_days = { high = 30 }\n",
    )
    repo = write(
        tmp_path,
        "repo.toml",
        '[gate]\nfail_on = "critical"\nmode = "warn"\nallow_override = true\n'
        'ignore_dev_dependencies = true\nexclude = ["legacy/**"]\nunknown_blocks = true\n'
        '[gate.kinds.code]\nfail_on = "medium"\n'
        '[rules]\ndisable = ["CVE-2020-1"]\n'
        "[waivers]\nrequire_approver = false\nmax_days = { high = 60, medium = 20 }\n",
    )
    policy = load_policy(repo, org)
    assert policy.fail_on is Severity.HIGH  # loosening refused
    assert policy.mode == "enforce"
    assert not policy.allow_override
    assert not policy.ignore_dev_dependencies
    assert policy.exclude == ()
    assert policy.disabled_rules == frozenset()
    assert policy.require_approver
    assert policy.max_waiver_days[Severity.HIGH] == 30
    # tightening accepted
    assert policy.unknown_blocks
    assert policy.threshold(FindingKind.CODE) is Severity.MEDIUM
    assert policy.max_waiver_days[Severity.MEDIUM] == 20
    assert policy.sources == (org, repo)
    notes = "\n".join(policy.notes)
    for key in (
        "fail_on",
        "mode",
        "allow_override",
        "ignore_dev_dependencies",
        "exclude",
        "rules.disable",
        "require_approver",
        "max_days.high",
    ):
        assert key in notes, key
    assert "max_days.medium" not in notes


def test_without_an_organization_the_repository_decides(tmp_path: Path) -> None:
    repo = write(tmp_path, "repo.toml", '[gate]\nfail_on = "critical"\nmode = "warn"\n')
    policy = load_policy(repo)
    assert (policy.fail_on, policy.mode, policy.notes) == (Severity.CRITICAL, "warn", ())


def test_a_repository_may_enable_what_the_organization_disabled(tmp_path: Path) -> None:
    org = write(tmp_path, "org.toml", '[rules]\ndisable = ["GO-2020-0015", "CVE-2020-1"]\n')
    repo = write(tmp_path, "repo.toml", '[rules]\nenable = ["go-2020-0015"]\n')
    policy = load_policy(repo, org)
    assert policy.disabled_rules == {"CVE-2020-1"}
    assert policy.notes == ()


def test_organization_policy_from_a_url(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = b'[gate]\nfail_on = "low"\n'

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/org.toml" else 404)
            self.end_headers()
            if self.path == "/org.toml":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        repo = write(tmp_path, "repo.toml", '[gate]\nfail_on = "high"\n')
        policy = load_policy(repo, f"{base}/org.toml")
        assert policy.fail_on is Severity.LOW
        assert policy.sources == (f"{base}/org.toml", repo)
        with pytest.raises(PolicyError, match="cannot fetch"):
            load_policy(None, f"{base}/missing.toml")
        with pytest.raises(PolicyError, match="refusing plain HTTP"):
            load_policy(None, "http://example.com/org.toml")
    finally:
        server.shutdown()
        server.server_close()


CUSTOM_RULE = """
[[secrets.rule]]
id = "acme-internal-token"
title = "ACME internal service token"
severity = "high"
pattern = 'acme_tok_(?P<secret>[a-z0-9]{24})'
fix = "Rotate it in the ACME vault."
"""


def test_project_secret_rules_extend_the_catalogue(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "p.toml", CUSTOM_RULE))
    (rule,) = policy.secret_rules
    assert (rule.id, rule.severity, rule.keywords) == ("acme-internal-token", Severity.HIGH, ())
    org = write(tmp_path, "org.toml", CUSTOM_RULE.replace("acme-internal", "acme-org"))
    both = load_policy(write(tmp_path, "p.toml", CUSTOM_RULE), org)
    assert [r.id for r in both.secret_rules] == ["acme-org-token", "acme-internal-token"]


def test_bad_or_clashing_secret_rules_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"secrets.rule\[0\].*pattern"):
        load_policy(
            write(
                tmp_path,
                "p.toml",
                CUSTOM_RULE.replace("(?P<secret>", "(").replace("{24})", "{24}))("),
            )
        )
    with pytest.raises(PolicyError, match="defined twice"):
        load_policy(
            write(
                tmp_path, "p.toml", CUSTOM_RULE.replace("acme-internal-token", "github-pat-classic")
            )
        )


def test_a_policy_leaving_no_secret_rule_is_refused(tmp_path: Path) -> None:
    from glasshouse.secrets.catalogue import load_rules

    every = ", ".join(f'"{r.id}"' for r in load_rules())
    path = write(tmp_path, "p.toml", f"[rules]\ndisable = [{every}]\n")
    with pytest.raises(PolicyError, match="every secret rule is disabled"):
        load_policy(path)
    with_own = write(tmp_path, "q.toml", f"[rules]\ndisable = [{every}]\n" + CUSTOM_RULE)
    assert load_policy(with_own).secret_rules
