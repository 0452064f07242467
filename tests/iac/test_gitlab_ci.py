"""GitLab CI adapter and checks: which files, pipeline/job/template resources with
``extends`` and ``!reference`` resolved, and every check failing and passing with the
line of the offending entry."""

from __future__ import annotations

import textwrap

import pytest

from glasshouse.iac.adapters.gitlab_ci import ADAPTER
from glasshouse.iac.checks.gitlab_ci import CHECKS
from glasshouse.iac.engine import evaluate_texts
from glasshouse.iac.model import UNKNOWN, AdapterError, Resource

REL = ".gitlab-ci.yml"
BY_ID = {check.id: check for check in CHECKS}


def parse(text: str, relative: str = REL) -> list[Resource]:
    return ADAPTER.parse(relative, textwrap.dedent(text).lstrip("\n").encode())


def by_name(text: str) -> dict[str, Resource]:
    return {r.name: r for r in parse(text)}


def findings(text: str, check_id: str) -> list[tuple[str, int | None]]:
    check = BY_ID[check_id]
    return [
        (resource.name, violation.line)
        for resource in parse(text)
        if check.applies(resource)
        for violation in check.evaluate(resource)
    ]


def messages(text: str, check_id: str) -> list[str]:
    check = BY_ID[check_id]
    return [
        violation.message
        for resource in parse(text)
        if check.applies(resource)
        for violation in check.evaluate(resource)
    ]


# ---------------------------------------------------------------------------- adapter


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (".gitlab-ci.yml", True),
        ("services/api/.gitlab-ci.yml", True),
        ("ci/deploy.gitlab-ci.yml", True),
        ("release.gitlab-ci.yaml", True),
        (".gitlab/ci/build.yml", True),
        (".gitlab/ci/jobs/deploy.yaml", True),
        ("sub/.gitlab/ci/lint.yml", True),
        (".gitlab/ci/README.md", False),
        (".gitlab/issue_templates/bug.yml", False),
        (".gitlab/agents/prod/config.yaml", False),
        ("ci/build.yml", False),
        ("gitlab-ci.yml", False),
    ],
)
def test_matches(relative: str, expected: bool) -> None:
    assert ADAPTER.matches(relative.rsplit("/", 1)[-1], relative) is expected


def test_pipeline_jobs_and_global_keywords() -> None:
    resources = parse(
        """
        stages: [build, test]
        variables:
          GLOBAL: "1"
        default:
          image: alpine:3.20
        workflow:
          rules:
            - when: always
        include:
          - local: /ci/more.yml
        image: ruby:3.3
        services: [postgres:16]
        cache: {paths: [vendor]}
        before_script: [echo hi]
        after_script: [echo bye]
        build:
          stage: build
          script: [make]
        test:
          script: [make test]
        """
    )
    assert [(r.kind, r.name, r.line) for r in resources] == [
        ("pipeline", ".gitlab-ci.yml", 1),
        ("job", "build", 17),
        ("job", "test", 20),
    ]
    assert all(r.format == "gitlab-ci" and r.path == REL for r in resources)
    build = resources[1]
    assert build.context["variables"].plain() == {"GLOBAL": "1"}
    assert build.context["default"].plain() == {"image": "alpine:3.20"}
    assert build.context["unresolved_extends"] == ()


def test_extends_merges_templates_deeply_and_replaces_lists() -> None:
    jobs = by_name(
        """
        .base:
          image: python:3.12
          variables:
            A: base
            B: base
          script: [base]
          rules:
            - if: $X
        .deploy:
          extends: .base
          variables:
            B: deploy
          environment: staging
        deploy:
          extends: [.deploy]
          variables:
            C: job
          script: [job]
        """
    )
    assert set(jobs) == {".gitlab-ci.yml", "deploy"}  # both templates are used
    deploy = jobs["deploy"]
    assert deploy.line == 15
    assert deploy.body.plain() == {
        "image": "python:3.12",
        "variables": {"A": "base", "B": "deploy", "C": "job"},
        "script": ["job"],
        "rules": [{"if": "$X"}],
        "environment": "staging",
        "extends": [".deploy"],
    }
    # Values keep the line where they are written: the template's.
    assert deploy.body.get("image").line == 2  # type: ignore[union-attr]
    assert deploy.body.get("variables", "B").line == 12  # type: ignore[union-attr]


def test_unused_hidden_job_is_a_template_and_other_files_are_unresolved() -> None:
    resources = parse(
        """
        .lint-template:
          image: node:latest
          script: [npm run lint]
        test:
          extends: [.from-another-file, .also-missing]
          script: [make test]
        """,
        ".gitlab/ci/lint.yml",
    )
    assert [(r.kind, r.name) for r in resources] == [
        ("pipeline", "lint.yml"),
        ("template", ".lint-template"),
        ("job", "test"),
    ]
    assert resources[2].context["unresolved_extends"] == (".from-another-file", ".also-missing")


def test_extends_cycle_is_unresolved_not_a_hang() -> None:
    jobs = by_name(
        """
        a:
          extends: b
          script: [a]
        b:
          extends: a
          script: [b]
        """
    )
    assert jobs["a"].context["unresolved_extends"] == ("a",)
    assert jobs["a"].body.get("script", 0).plain() == "a"  # type: ignore[union-attr]


def test_reference_tags_resolve_within_the_file() -> None:
    jobs = by_name(
        """
        .setup:
          script:
            - ./setup.sh
          vars:
            TOKEN_URL: https://example.com
        .nested:
          script:
            - !reference [.setup, script]
            - ./more.sh
        test:
          variables: !reference [.setup, vars]
          script:
            - !reference [.nested, script]
            - !reference [.elsewhere, script]
            - make test
        """
    )
    assert set(jobs) == {".gitlab-ci.yml", "test"}  # referenced templates are used
    body = jobs["test"].body
    assert body.plain() == {
        "variables": {"TOKEN_URL": "https://example.com"},
        "script": [[["./setup.sh"], "./more.sh"], UNKNOWN, "make test"],
    }
    assert body.get("script", 0, 0, 0).line == 3  # type: ignore[union-attr]


def test_spec_header_and_inputs_are_unknown() -> None:
    resources = parse(
        """
        spec:
          inputs:
            image:
              default: alpine:3.20
        ---
        "$[[ inputs.prefix ]]-build":
          image: $[[ inputs.image ]]
          script: [make]
        """
    )
    assert [(r.kind, r.name) for r in resources] == [
        ("pipeline", ".gitlab-ci.yml"),
        ("job", "$[[ inputs.prefix ]]-build"),
    ]
    assert resources[1].body.get("image").value is UNKNOWN  # type: ignore[union-attr]
    assert resources[1].line == 7


def test_inherit_limits_default_and_variables() -> None:
    jobs = by_name(
        """
        default:
          image: alpine:3.20
          before_script: [set -x]
        variables:
          A: "1"
          B: "2"
        none:
          inherit: {default: false, variables: false}
          script: [x]
        some:
          inherit: {default: [image], variables: [B]}
          script: [x]
        """
    )
    assert jobs["none"].context["default"] is None
    assert jobs["none"].context["variables"] is None
    assert jobs["some"].context["default"].plain() == {"image": "alpine:3.20"}
    assert jobs["some"].context["variables"].plain() == {"B": "2"}


def test_empty_file_has_no_resources() -> None:
    assert ADAPTER.parse(REL, b"") == []
    assert ADAPTER.parse(REL, b"# only a comment\n") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("build: [unclosed\n", "invalid YAML at line"),
        ("- a\n- b\n", "not a GitLab CI configuration"),
        ("a: {script: [x]}\n---\nb: {script: [x]}\n", "one YAML document"),
        ("a: {script: [x]}\n---\nb: 1\n---\nc: 2\n", "found 3"),
        ("a:\n  script: !!python/object:os.system x\n", "is not allowed"),
        ("a:\n  script: !include other.yml\n", "is not allowed"),
    ],
)
def test_malformed_is_one_line_adapter_error(text: str, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        ADAPTER.parse(REL, text.encode())
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_engine_reads_gitlab_files_with_reference_tags_without_problems() -> None:
    # The Kubernetes adapter reads every YAML file; words like apiVersion and kind in a
    # script must not make it choke on GitLab's !reference tag.
    text = (
        ".setup:\n  script: [echo setup]\n"
        "deploy:\n  script:\n    - !reference [.setup, script]\n"
        '    - kubectl get deploy -o jsonpath="{.apiVersion} {.kind}"\n'
    )
    run = evaluate_texts({REL: text})
    assert run.problems == []
    assert run.scanned == [REL]


def test_inline_allow_suppresses_a_finding() -> None:
    text = (
        "test:\n"
        "  # glasshouse:allow gitlab-image-not-pinned the image is rebuilt and scanned daily\n"
        "  image: python\n"
        "  script: [make]\n"
    )
    run = evaluate_texts({REL: text})
    [finding] = [f for f in run.findings if f.rule_id == "gitlab-image-not-pinned"]
    assert finding.suppression == "the image is rebuilt and scanned daily"


# ----------------------------------------------------------------------------- checks


def test_check_catalogue() -> None:
    assert len(BY_ID) == len(CHECKS) == 12
    assert all(c.id.startswith("gitlab-") and c.format == "gitlab-ci" for c in CHECKS)
    assert all(c.failing and c.passing and c.cwe and c.iso27001 for c in CHECKS)


def test_script_injection_through_eval_like_sinks() -> None:
    text = """
    notify:
      script:
        - eval "notify $CI_COMMIT_TITLE"
        - eval notify $CI_MERGE_REQUEST_DESCRIPTION
        - bash -ec "git checkout $CI_COMMIT_BRANCH"
        - ssh deploy@host ./deploy.sh "$CI_COMMIT_REF_NAME"
        - docker run --rm alpine:3.20 sh -c "echo ${CI_MERGE_REQUEST_TITLE}"
        - python3 -c "print('$CI_COMMIT_MESSAGE')"
        - |
          echo start
          node -e "console.log('$CI_MERGE_REQUEST_SOURCE_BRANCH_NAME')"
          su app -c "make $CI_COMMIT_BRANCH"
        - $CI_COMMIT_MESSAGE
        - echo "x $(eval $CI_COMMIT_TITLE)"
    """
    assert findings(text, "gitlab-script-injection") == [
        ("notify", line) for line in (3, 4, 5, 6, 7, 8, 11, 12, 13, 14)
    ]


def test_script_injection_precision() -> None:
    text = """
    notify:
      script:
        - ./notify --title "$CI_MERGE_REQUEST_TITLE"
        - echo $CI_COMMIT_MESSAGE
        - sh -c './notify "$CI_COMMIT_TITLE"'
        - eval 'echo $CI_COMMIT_TITLE'
        - TITLE="$CI_COMMIT_TITLE" bash -c 'echo "$TITLE"'
        - bash ./build.sh "$CI_COMMIT_BRANCH"
        - eval "$(ssh-agent -s)"
        - echo "$CI_COMMIT_REF_SLUG" | bash -c 'cat'
        - "$CI_COMMIT_BRANCH"
        - echo '$(eval $CI_COMMIT_TITLE)'
    """
    assert findings(text, "gitlab-script-injection") == []


def test_script_injection_in_default_and_templates() -> None:
    text = """
    default:
      before_script:
        - eval "$CI_COMMIT_TITLE"
    .tpl:
      after_script:
        - sh -c "echo $CI_COMMIT_BRANCH"
    """
    assert findings(text, "gitlab-script-injection") == [(".gitlab-ci.yml", 3), (".tpl", 6)]


def test_unquoted_untrusted_variable() -> None:
    text = """
    release:
      script:
        - git tag -a v1 -m $CI_COMMIT_TITLE
        - ./notify.sh --text ${CI_MERGE_REQUEST_DESCRIPTION}
        - ./ok.sh "$CI_COMMIT_TITLE" $CI_COMMIT_BRANCH
        - echo $CI_COMMIT_MESSAGE
        - MSG=$CI_COMMIT_MESSAGE ./notify.sh
        - export MSG=$CI_COMMIT_MESSAGE
        - if [ -n $CI_COMMIT_TITLE ]; then echo yes; fi
        - for word in $CI_COMMIT_TITLE; do echo "$word"; done
        - eval echo $CI_COMMIT_TITLE
    """
    assert findings(text, "gitlab-unquoted-untrusted-variable") == [
        ("release", 3),
        ("release", 4),
    ]
    assert "options included" in messages(text, "gitlab-unquoted-untrusted-variable")[0]


def test_secret_printed() -> None:
    text = """
    deploy:
      variables:
        PLAIN: hello
      script:
        - echo "token is $DEPLOY_TOKEN"
        - printf '%s\\n' "${CI_REGISTRY_PASSWORD}"
        - echo "$PLAIN $CI_COMMIT_SHA"
        - echo "$API_TOKEN" | docker login -u ci --password-stdin registry.example
        - echo "$SSH_PRIVATE_KEY" > key && chmod 600 key
        - echo "$AWS_SECRET_ACCESS_KEY" >&2
        - echo "$TOKEN_URL $PASSWORD_FILE $SSH_AUTH_SOCK"
        - env
        - env | grep -c CI_
        - printenv HOME
    """
    assert findings(text, "gitlab-secret-printed") == [
        ("deploy", 5),
        ("deploy", 6),
        ("deploy", 10),
        ("deploy", 12),
    ]


def test_secret_traced_by_set_x() -> None:
    text = """
    default:
      before_script:
        - set -eux
    deploy:
      script:
        - curl --user "ci:$API_TOKEN" https://gitlab.example.com/api
        - set +x
        - curl --user "ci:$API_TOKEN" https://gitlab.example.com/api
        - set -o xtrace
        - ./deploy --password "$DB_PASSWORD"
      after_script:
        - ./cleanup --token "$API_TOKEN"
    own:
      before_script: [echo own]
      script:
        - ./deploy --password "$DB_PASSWORD"
    opted-out:
      inherit: {default: false}
      script:
        - ./deploy --password "$DB_PASSWORD"
    """
    assert findings(text, "gitlab-secret-printed") == [("deploy", 6), ("deploy", 10)]
    assert "set -x" in messages(text, "gitlab-secret-printed")[0]


def test_debug_trace() -> None:
    text = """
    variables:
      CI_DEBUG_TRACE: "true"
    test:
      variables:
        CI_DEBUG_SERVICES: "true"
      script: [x]
    quiet:
      variables:
        CI_DEBUG_TRACE: "false"
      script: [x]
    """
    assert findings(text, "gitlab-debug-trace") == [(".gitlab-ci.yml", 2), ("test", 5)]


def test_include_unpinned() -> None:
    text = """
    include:
      - project: platform/templates
        file: /build.yml
      - project: platform/templates
        ref: main
        file: /test.yml
      - project: platform/templates
        ref: 0123456789abcdef0123456789abcdef01234567
        file: /lint.yml
      - project: platform/templates
        ref: v2.3.1
        file: /scan.yml
      - project: platform/templates
        ref: $TEMPLATES_REF
        file: /x.yml
      - component: $CI_SERVER_FQDN/platform/components/sast@~latest
      - component: $CI_SERVER_FQDN/platform/components/lint@1.2
      - component: $CI_SERVER_FQDN/platform/components/build@main
      - component: $CI_SERVER_FQDN/platform/components/ok@1.2.3
      - component: gitlab.example.com/platform/sha@0123456789abcdef0123456789abcdef01234567
      - component: $CI_SERVER_FQDN/platform/components/input@$[[ inputs.version ]]
      - local: /ci/local.yml
      - template: Security/SAST.gitlab-ci.yml
    """
    assert findings(text, "gitlab-include-unpinned") == [
        (".gitlab-ci.yml", line) for line in (2, 5, 16, 17, 18)
    ]


def test_include_single_mapping() -> None:
    text = "include:\n  project: platform/templates\n  file: /build.yml\n"
    assert findings(text, "gitlab-include-unpinned") == [(".gitlab-ci.yml", 2)]


def test_remote_include() -> None:
    text = """
    include:
      - remote: http://ci.example.com/build.yml
        integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
      - remote: https://ci.example.com/test.yml
      - https://ci.example.com/lint.yml
      - remote: https://ci.example.com/ok.yml
        integrity: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
      - /ci/local.yml
    """
    assert findings(text, "gitlab-remote-include") == [
        (".gitlab-ci.yml", 2),
        (".gitlab-ci.yml", 4),
        (".gitlab-ci.yml", 5),
    ]
    assert "plain HTTP" in messages(text, "gitlab-remote-include")[0]
    assert findings("include: https://ci.example.com/x.yml\n", "gitlab-remote-include") == [
        (".gitlab-ci.yml", 1)
    ]


def test_image_not_pinned() -> None:
    text = """
    default:
      image: alpine
    image: ruby:latest
    .base:
      image:
        name: registry.example.com:5000/tools/python
        entrypoint: [""]
    test:
      extends: .base
      services:
        - postgres:16.3
        - name: redis:latest
          alias: cache
        - docker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      script: [x]
    build:
      image: $CI_REGISTRY_IMAGE/builder:$CI_COMMIT_SHA
      script: [x]
    pinned:
      image: registry.example.com:5000/tools/python:3.12.4
      script: [x]
    """
    assert findings(text, "gitlab-image-not-pinned") == [
        (".gitlab-ci.yml", 2),
        (".gitlab-ci.yml", 3),
        ("test", 6),
        ("test", 12),
    ]


def test_image_from_unresolved_reference_is_unknown() -> None:
    text = "test:\n  image: !reference [.elsewhere, image]\n  script: [x]\n"
    assert findings(text, "gitlab-image-not-pinned") == []


def test_dind_without_tls() -> None:
    text = """
    variables:
      DOCKER_TLS_CERTDIR: ""
    build:
      services:
        - name: docker:27.1-dind
          command: ["--tls=false"]
      variables:
        DOCKER_HOST: tcp://docker:2375/
      script: [docker build .]
    other:
      variables:
        DOCKER_TLS_CERTDIR: ""
      script: [echo no dind service here]
    """
    assert findings(text, "gitlab-dind-without-tls") == [
        (".gitlab-ci.yml", 2),
        ("build", 6),
        ("build", 8),
    ]


def test_dind_with_tls_passes() -> None:
    text = """
    build:
      services: [docker:27.1-dind]
      variables:
        DOCKER_TLS_CERTDIR: /certs
        DOCKER_HOST: tcp://docker:2376
        DOCKER_TLS_VERIFY: 1
      script: [docker build .]
    """
    assert findings(text, "gitlab-dind-without-tls") == []


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSL https://get.example.com/install.sh | sh",
        "curl -s https://x.example/i.sh | sudo -E bash -s -- --yes",
        "wget -qO- https://x.example/i.sh | /bin/bash",
        "curl https://x.example/i.py | python3",
        'sh -c "$(curl -fsSL https://x.example/i.sh)"',
        "bash <(curl -s https://x.example/i.sh)",
        "source <(curl -s https://x.example/env.sh)",
        "iwr https://x.example/i.ps1 -UseBasicParsing | iex",
    ],
)
def test_curl_pipe_shell(line: str) -> None:
    text = f"setup:\n  script:\n    - echo first\n    - {line}\n"
    assert ADAPTER.parse(REL, text.encode())  # valid YAML
    assert findings(text, "gitlab-curl-pipe-shell") == [("setup", 4)]


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSLo install.sh https://get.example.com/install.sh",
        "curl -s https://x.example/sums | sha256sum -c",
        "curl -s https://x.example/data.json | jq .",
        "wget https://x.example/tool.tar.gz && tar xzf tool.tar.gz",
    ],
)
def test_curl_without_shell_passes(line: str) -> None:
    text = f"setup:\n  script:\n    - {line}\n"
    assert findings(text, "gitlab-curl-pipe-shell") == []


def test_curl_pipe_shell_line_in_block() -> None:
    text = """
    setup:
      script:
        - |
          apt-get update
          curl -fsSL https://deb.example.com/setup | bash -
    """
    assert findings(text, "gitlab-curl-pipe-shell") == [("setup", 5)]


def test_hardcoded_secret() -> None:
    text = """
    variables:
      DEPLOY_TOKEN: "glpat-3kX9vQ2mZ7pL1nR8sT4w"  # glasshouse:allow gitlab-pat made-up token
      API_KEY:
        value: sk_live_0123456789
        description: the key
      REGISTRY_PASSWORD: $VAULT_REGISTRY_PASSWORD
      TOKEN_URL: https://auth.example.com/token
      SECRET_DETECTION_EXCLUDED_PATHS: tests/
      EMPTY_TOKEN: ""
      TOKEN_TTL: 3600
      USE_TOKEN: "true"
    integration:
      services: [postgres:16.3]
      variables:
        POSTGRES_PASSWORD: test-only
        DB_PASSWORD: hunter2-prod
      script: [x]
    deploy:
      variables:
        POSTGRES_PASSWORD: prod-password
      script: [x]
    """
    assert findings(text, "gitlab-hardcoded-secret") == [
        (".gitlab-ci.yml", 2),
        (".gitlab-ci.yml", 4),  # the `value:` of the long form
        ("integration", 16),
        ("deploy", 20),
    ]


@pytest.mark.parametrize(
    "rules",
    [
        '  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n',
        "  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"
        "    - if: '$CI_PIPELINE_SOURCE == \"merge_request_event\" && $READY'\n"
        "      when: manual\n",
        "  rules:\n    - if: $CI_PIPELINE_SOURCE =~ /^merge_request/\n",
        "  only: [merge_requests]\n",
        "  only:\n    refs: [main, merge_requests]\n",
    ],
)
def test_mr_deploys_production(rules: str) -> None:
    text = f"deploy:\n  environment: production\n  script: [./deploy.sh]\n{rules}"
    assert len(findings(text, "gitlab-mr-deploys-production")) == 1


@pytest.mark.parametrize(
    ("environment", "rules"),
    [
        # Merge request pipelines excluded first.
        (
            "production",
            '  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n'
            "      when: never\n    - when: on_success\n",
        ),
        # A rule that always matches comes first: no explicit merge request rule decides.
        ("production", "  rules:\n    - when: manual\n    - if: $CI_MERGE_REQUEST_IID\n"),
        ("production", '  rules:\n    - if: $CI_PIPELINE_SOURCE != "merge_request_event"\n'),
        (
            "production",
            "  rules:\n    - !reference [.rules, deploy]\n"
            '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n',
        ),
        (
            "review/$CI_COMMIT_REF_SLUG",
            '  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n',
        ),
        ("staging", "  only: [merge_requests]\n"),
        ("{name: production, action: stop}", "  only: [merge_requests]\n"),
        ("{name: prod-eu, deployment_tier: staging}", "  only: [merge_requests]\n"),
        ("production", "  only: [main]\n"),
    ],
)
def test_mr_deploys_production_passes(environment: str, rules: str) -> None:
    text = f"deploy:\n  environment: {environment}\n  script: [./deploy.sh]\n{rules}"
    assert findings(text, "gitlab-mr-deploys-production") == []


def test_mr_deploys_production_through_template_and_tier() -> None:
    text = """
    .deploy:
      environment:
        name: eu-live
        deployment_tier: production
    deploy:
      extends: .deploy
      rules:
        - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      script: [./deploy.sh]
    """
    assert findings(text, "gitlab-mr-deploys-production") == [("deploy", 8)]


def test_tls_verification_disabled() -> None:
    text = """
    variables:
      GIT_SSL_NO_VERIFY: "false"
    fetch:
      variables:
        NODE_TLS_REJECT_UNAUTHORIZED: "0"
        PYTHONHTTPSVERIFY: "1"
        SSL_NO_VERIFY: "1"
      script:
        - curl -sSLk https://artifacts.internal/app.tgz -o app.tgz
        - curl --insecure https://artifacts.internal/x
        - wget --no-check-certificate https://artifacts.internal/y
        - git config --global http.sslVerify false
        - npm config set strict-ssl false
        - curl -sSL -o kube https://dl.k8s.io/kubectl
        - git config --global http.sslVerify true
    """
    assert findings(text, "gitlab-tls-verification-disabled") == [
        (".gitlab-ci.yml", 2),
        ("fetch", 5),
        ("fetch", 7),
        ("fetch", 9),
        ("fetch", 10),
        ("fetch", 11),
        ("fetch", 12),
        ("fetch", 13),
    ]


def test_unknown_values_neither_fire_nor_pass() -> None:
    # Everything here comes from other files: nothing is known, nothing is reported.
    text = """
    deploy:
      extends: .from-elsewhere
      image: !reference [.images, python]
      variables: !reference [.vars, deploy]
      environment: production
      rules: !reference [.rules, mr]
      script:
        - !reference [.scripts, deploy]
    """
    for check in CHECKS:
        assert findings(text, check.id) == [], check.id
