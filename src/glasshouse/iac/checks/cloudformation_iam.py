"""CloudFormation checks on permissions: IAM policies and trust policies, resource policies
that let anyone in (S3, SQS, SNS, KMS, ECR, Secrets Manager, OpenSearch outside a VPC),
and Lambda functions anyone may invoke.

Policy documents are read where they are written as YAML or JSON objects: identity
policies of ``AWS::IAM::*`` resources and SAM ``Policies``, resource policies of the kinds
listed. A policy given as a JSON string is not parsed. A statement is judged only when
its ``Effect`` is a known ``Allow``; UNKNOWN actions, resources and principals are simply
not matched.

A resource policy statement with a public principal (``"*"``, ``{AWS: "*"}``) is public
unless its ``Condition`` uses a key that narrows who can call (source account, ARN, VPC,
IP, organization, principal); a condition on anything else, such as
``aws:SecureTransport``, leaves it public. An UNKNOWN condition says nothing. A role's
trust policy with a public principal is reported only without any ``Condition``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from glasshouse.iac.adapters.cloudformation import referenced
from glasshouse.iac.check import Check
from glasshouse.iac.checks.cloudformation import (
    at,
    cfn_check,
    example,
    mappings,
    props,
    strings,
    text,
    unknown,
    where,
)
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

# Condition keys that narrow a public principal to known callers (compared lowercased).
NARROWING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalservicename",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceip",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:userid",
        "aws:username",
        "aws:vpcsourceip",
        "kms:calleraccount",
    }
)
ADMIN_ACTIONS = frozenset({"*", "*:*"})
POLICY_RESOURCES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
)
INLINE_POLICY_OWNERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
SAM_POLICY_OWNERS = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
IDENTITY_KINDS = (*POLICY_RESOURCES, *INLINE_POLICY_OWNERS, *SAM_POLICY_OWNERS)
RESOURCE_POLICIES: dict[str, str] = {
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::ECR::Repository": "RepositoryPolicyText",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
    "AWS::OpenSearchService::Domain": "AccessPolicies",
    "AWS::Elasticsearch::Domain": "AccessPolicies",
}


# --- reading policies -------------------------------------------------------------------


def statements(document: Node | None) -> Iterator[Node]:
    """The statements of a policy document written as an object."""
    if document is None or not isinstance(document.value, dict):
        return
    listed = document.get("Statement")
    if listed is not None and listed.value is not UNKNOWN:
        yield from mappings(listed)


def _allows(statement: Node) -> bool:
    return text(statement.get("Effect")) == "Allow"


def identity_documents(resource: Resource) -> Iterator[Node]:
    p = props(resource)
    if resource.kind in POLICY_RESOURCES:
        document = at(p, "PolicyDocument")
        if document is not None:
            yield document
    elif resource.kind in INLINE_POLICY_OWNERS:
        policies = at(p, "Policies")
        for policy in mappings(policies) if not unknown(policies) else ():
            document = policy.get("PolicyDocument")
            if document is not None:
                yield document
    else:  # SAM: a policy document, or a list of managed policy names, templates, documents
        policies = at(p, "Policies")
        for policy in mappings(policies) if not unknown(policies) else ():
            if policy.get("Statement") is not None:
                yield policy


def public_principal(statement: Node) -> Node | None:
    """The node that makes the principal everyone: ``"*"`` or an ``AWS: "*"`` entry."""
    principal = statement.get("Principal")
    if principal is None:
        return None
    if principal.value == "*":
        return principal
    aws = principal.get("AWS")
    found, _ = strings(aws)
    return next((p for p in found if p.value == "*"), None)


def narrowed(statement: Node) -> bool | None:
    """Whether the Condition names who may call; None when that is UNKNOWN."""
    condition = statement.get("Condition")
    if condition is None:
        return False
    if condition.value is UNKNOWN:
        return None
    unsure = False
    for _, block in condition.items():
        if block.value is UNKNOWN:
            unsure = True
            continue
        if any(key.lower() in NARROWING_KEYS for key, _ in block.items()):
            return True
    return None if unsure else False


def _public_statements(document: Node | None) -> Iterator[tuple[Node, Node]]:
    """(statement, principal) of each Allow statement open to everyone."""
    for statement in statements(document):
        principal = public_principal(statement)
        if principal is not None and _allows(statement) and narrowed(statement) is False:
            yield statement, principal


# --- identity policies ------------------------------------------------------------------


def _actions_and_resources(statement: Node) -> tuple[list[Node], list[Node]]:
    return strings(statement.get("Action"))[0], strings(statement.get("Resource"))[0]


def _is_admin(statement: Node) -> bool:
    actions, resources = _actions_and_resources(statement)
    return any(a.value in ADMIN_ACTIONS for a in actions) and any(r.value == "*" for r in resources)


def _full_admin(resource: Resource) -> Iterator[Violation]:
    for document in identity_documents(resource):
        for statement in statements(document):
            if _allows(statement) and _is_admin(statement):
                actions, _ = _actions_and_resources(statement)
                action = next(a for a in actions if a.value in ADMIN_ACTIONS)
                yield Violation(where(action, resource), "allows every action on every resource")


def _pass_any_role(resource: Resource) -> Iterator[Violation]:
    # Any action pattern that covers iam:PassRole, on Resource "*". Statements that allow
    # everything are left to cfn-iam-full-admin.
    for document in identity_documents(resource):
        for statement in statements(document):
            if not _allows(statement) or _is_admin(statement):
                continue
            actions, resources = _actions_and_resources(statement)
            if not any(r.value == "*" for r in resources):
                continue
            for action in actions:
                if fnmatchcase("iam:passrole", action.value.lower()):
                    yield Violation(
                        where(action, resource), f"{action.value} on Resource '*' passes any role"
                    )
                    break


def _public_trust(resource: Resource) -> Iterator[Violation]:
    for statement in statements(at(props(resource), "AssumeRolePolicyDocument")):
        principal = public_principal(statement)
        if principal is not None and _allows(statement) and statement.get("Condition") is None:
            yield Violation(
                where(principal, resource), "any AWS principal may assume the role (no Condition)"
            )


def _user_policies(resource: Resource) -> Iterator[Violation]:
    p = props(resource)
    if resource.kind == "AWS::IAM::User":
        for key in ("Policies", "ManagedPolicyArns"):
            node = at(p, key)
            if node is not None and isinstance(node.value, list) and node.value:
                yield Violation(where(node, resource), f"user has {key} of its own")
    elif resource.kind == "AWS::IAM::UserPolicy":
        yield Violation(resource.line, "policy is attached to a user directly")
    else:
        users = at(p, "Users")
        if users is not None and isinstance(users.value, list) and users.value:
            yield Violation(where(users, resource), "policy is attached to users directly")


# --- resource policies ------------------------------------------------------------------


def _bucket_policy_public(resource: Resource) -> Iterator[Violation]:
    bucket = referenced(resource, "Properties", "Bucket") or text(at(props(resource), "Bucket"))
    for _, principal in _public_statements(at(props(resource), "PolicyDocument")):
        yield Violation(
            where(principal, resource), f"bucket {bucket or '?'} is open to any principal"
        )


def _resource_policy_public(resource: Resource) -> Iterator[Violation]:
    if resource.kind.endswith("::Domain") and at(props(resource), "VPCOptions") is not None:
        return  # a VPC domain: only its network reaches it, whatever the policy says
    document = at(props(resource), RESOURCE_POLICIES[resource.kind])
    for _, principal in _public_statements(document):
        yield Violation(where(principal, resource), "the policy allows any principal")


# --- Lambda -----------------------------------------------------------------------------


def _function_url(resource: Resource) -> Iterator[Violation]:
    path = (
        ("AuthType",) if resource.kind == "AWS::Lambda::Url" else ("FunctionUrlConfig", "AuthType")
    )
    auth = at(props(resource), *path)
    if text(auth) == "NONE":
        yield Violation(where(auth, resource), "function URL has AuthType NONE")


def _public_permission(resource: Resource) -> Iterator[Violation]:
    p = props(resource)
    principal = at(p, "Principal")
    if text(principal) != "*":
        return
    # A function URL permission goes with a Lambda::Url, judged by cfn-lambda-url-public.
    scoped = ("SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType")
    if any(at(p, key) is not None for key in scoped):
        return
    yield Violation(where(principal, resource), "any AWS account may invoke the function")


# --- the catalogue ----------------------------------------------------------------------


def _policy(statement: str) -> str:
    return f"""\
Deployer:
  Type: AWS::IAM::ManagedPolicy
  Properties:
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
{statement}"""


def _role(principal: str, condition: str = "") -> str:
    return f"""\
Role:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {principal}
          Action: sts:AssumeRole
{condition}"""


_BUCKET_POLICY = """\
Site:
  Type: AWS::S3::Bucket
SitePolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref Site
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {principal}
          Action: s3:GetObject
          Resource: !Sub "${{Site.Arn}}/*"
{condition}"""
_QUEUE_POLICY = """\
Jobs:
  Type: AWS::SQS::Queue
JobsPolicy:
  Type: AWS::SQS::QueuePolicy
  Properties:
    Queues: [!Ref Jobs]
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: sqs:SendMessage
          Resource: !GetAtt Jobs.Arn
{condition}"""
_FUNCTION = """\
Hook:
  Type: AWS::Serverless::Function
  Properties:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    FunctionUrlConfig:
      AuthType: {auth}
"""
_PERMISSION = """\
Invoke:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !Ref Fn
    Action: lambda:InvokeFunction
    Principal: "{principal}"
{extra}"""
SAM = "Transform: AWS::Serverless-2016-10-31\n"

CHECKS: tuple[Check, ...] = (
    cfn_check(
        "cfn-iam-full-admin",
        "IAM policy allows every action on every resource",
        Severity.CRITICAL,
        IDENTITY_KINDS,
        _full_admin,
        "Replace Action '*' and Resource '*' in the policy Statement with the actions and "
        "resource ARNs the principal needs (use IAM Access Analyzer policy generation).",
        cwe="CWE-269",
        iso27001=("A.8.2", "A.5.15", "A.5.18"),
        cis=("1.16",),
        failing=(
            example(_policy('        - {Effect: Allow, Action: "*", Resource: "*"}\n')),
            example(
                _FUNCTION.format(auth="AWS_IAM") + "    Policies:\n      - Statement:\n"
                '          - {Effect: Allow, Action: "*:*", Resource: "*"}\n',
                preamble=SAM,
            ),
        ),
        passing=(
            example(
                _policy(
                    "        - Effect: Allow\n          Action: [s3:GetObject]\n"
                    "          Resource: arn:aws:s3:::artifacts/*\n"
                )
            ),
            example(_policy('        - {Effect: Deny, Action: "*", Resource: "*"}\n')),
        ),
    ),
    cfn_check(
        "cfn-iam-role-trust-public",
        "IAM role can be assumed by any AWS principal",
        Severity.CRITICAL,
        ("AWS::IAM::Role",),
        _public_trust,
        "Set AssumeRolePolicyDocument Principal to the exact account, role or service "
        "(e.g. {AWS: arn:aws:iam::ACCOUNT:root}) and add a Condition such as sts:ExternalId.",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.2"),
        failing=(example(_role('{AWS: "*"}')), example(_role('"*"'))),
        passing=(
            example(_role("{Service: lambda.amazonaws.com}")),
            example(
                _role(
                    '{AWS: "*"}',
                    "          Condition:\n"
                    "            StringEquals: {aws:PrincipalOrgID: o-abc123}\n",
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-iam-pass-any-role",
        "IAM policy allows iam:PassRole on every role",
        Severity.HIGH,
        IDENTITY_KINDS,
        _pass_any_role,
        "Set the Resource of statements allowing iam:PassRole to the ARNs of the roles to "
        "pass, and add an iam:PassedToService condition.",
        cwe="CWE-269",
        iso27001=("A.8.2", "A.5.15"),
        failing=(
            example(_policy('        - {Effect: Allow, Action: iam:PassRole, Resource: "*"}\n')),
            example(
                _policy(
                    '        - {Effect: Allow, Action: ["ec2:RunInstances", "iam:*"], '
                    'Resource: "*"}\n'
                )
            ),
        ),
        passing=(
            example(
                _policy(
                    "        - Effect: Allow\n          Action: iam:PassRole\n"
                    "          Resource: !GetAtt WorkerRole.Arn\n"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-iam-user-direct-policy",
        "IAM user gets permissions other than through groups",
        Severity.LOW,
        ("AWS::IAM::User", "AWS::IAM::UserPolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"),
        _user_policies,
        "Move the user's Policies and ManagedPolicyArns to an AWS::IAM::Group and list the "
        "group in the user's Groups (or remove Users from the policy).",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.5.18"),
        cis=("1.15",),
        failing=(
            example(
                "Ci:\n  Type: AWS::IAM::User\n  Properties:\n"
                "    ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"
            ),
        ),
        passing=(example("Ci:\n  Type: AWS::IAM::User\n  Properties:\n    Groups: [ci]\n"),),
    ),
    cfn_check(
        "cfn-s3-bucket-policy-public",
        "S3 bucket policy allows any principal",
        Severity.HIGH,
        ("AWS::S3::BucketPolicy",),
        _bucket_policy_public,
        "Set the statement's Principal to the accounts, roles or CloudFront service "
        "principal that need access, or add a Condition on aws:SourceArn or aws:PrincipalOrgID.",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.3", "A.8.12"),
        failing=(
            example(_BUCKET_POLICY.format(principal='"*"', condition="")),
            example(
                _BUCKET_POLICY.format(
                    principal='{AWS: "*"}',
                    condition="          Condition: {Bool: {aws:SecureTransport: true}}\n",
                )
            ),
        ),
        passing=(
            example(
                _BUCKET_POLICY.format(
                    principal="{Service: cloudfront.amazonaws.com}",
                    condition="          Condition:\n"
                    "            StringEquals:\n"
                    "              aws:SourceArn: arn:aws:cloudfront::1234:distribution/E1\n",
                )
            ),
            example(
                _BUCKET_POLICY.format(principal='"*"', condition="").replace(
                    "Effect: Allow", "Effect: Deny"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-resource-policy-public",
        "Resource policy allows any principal",
        Severity.HIGH,
        tuple(RESOURCE_POLICIES),
        _resource_policy_public,
        "Set the policy statement's Principal to the accounts, roles or services that need "
        "access, or add a Condition on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID.",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.3"),
        failing=(example(_QUEUE_POLICY.format(condition="")),),
        passing=(
            example(
                _QUEUE_POLICY.format(
                    condition="          Condition:\n"
                    "            ArnEquals: {aws:SourceArn: !Ref Topic}\n"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-lambda-url-public",
        "Lambda function URL needs no authentication",
        Severity.MEDIUM,
        ("AWS::Lambda::Url", "AWS::Serverless::Function"),
        _function_url,
        "Set AuthType: AWS_IAM on the function URL (FunctionUrlConfig.AuthType in SAM), or "
        "authenticate every request in the function and record why in a suppression.",
        cwe="CWE-306",
        iso27001=("A.8.5", "A.5.15"),
        failing=(
            example(_FUNCTION.format(auth="NONE"), preamble=SAM),
            example(
                "Url:\n  Type: AWS::Lambda::Url\n  Properties:\n"
                "    TargetFunctionArn: !GetAtt Fn.Arn\n    AuthType: NONE\n"
            ),
        ),
        passing=(example(_FUNCTION.format(auth="AWS_IAM"), preamble=SAM),),
    ),
    cfn_check(
        "cfn-lambda-permission-public",
        "Lambda permission lets any AWS account invoke the function",
        Severity.HIGH,
        ("AWS::Lambda::Permission",),
        _public_permission,
        "Set Principal to the calling service or account, and SourceArn (or SourceAccount) "
        "to the resource allowed to invoke.",
        cwe="CWE-284",
        iso27001=("A.5.15",),
        failing=(example(_PERMISSION.format(principal="*", extra="")),),
        passing=(
            example(
                _PERMISSION.format(
                    principal="s3.amazonaws.com",
                    extra="    SourceArn: arn:aws:s3:::uploads\n    SourceAccount: '1234'\n",
                )
            ),
            example(_PERMISSION.format(principal="*", extra="    PrincipalOrgID: o-abc123\n")),
        ),
    ),
)
