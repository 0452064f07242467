"""The CloudFormation/SAM adapter (intrinsics, lines, JSON, SAM, suppressions, malformed and
hostile input) and its checks, down to `glasshouse scan` on a real-shaped tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from glasshouse.iac.adapters.cloudformation import ADAPTER, parse, referenced
from glasshouse.iac.check import Check
from glasshouse.iac.checks import (
    cloudformation,
    cloudformation_data,
    cloudformation_iam,
    cloudformation_logging,
)
from glasshouse.iac.engine import evaluate_texts
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource
from glasshouse.model import SUPPRESSED_IN_SOURCE

DATA = Path(__file__).resolve().parents[1] / "data" / "iac" / "cloudformation"
CHECKS: tuple[Check, ...] = (
    *cloudformation.CHECKS,
    *cloudformation_data.CHECKS,
    *cloudformation_iam.CHECKS,
    *cloudformation_logging.CHECKS,
)
BY_ID = {check.id: check for check in CHECKS}


def resources(text: str, path: str = "template.yaml") -> dict[str, Resource]:
    return {r.name: r for r in parse(path, text.encode())}


def prop(resource: Resource, *path: str | int) -> Node:
    node = resource.body.get("Properties", *path)
    assert node is not None, path
    return node


def findings(files: dict[str, str]) -> set[tuple[str, str, int | None]]:
    run = evaluate_texts(files)
    assert not [p for p in run.problems if p.blocking], run.problems
    return {
        (f.rule_id, f.location.path, f.location.line)
        for f in run.findings
        if f.rule_id.startswith("cfn-")
    }


def lines_of(check_id: str, text: str, path: str = "template.yaml") -> list[int | None]:
    check = BY_ID[check_id]
    return sorted(
        (v.line for r in parse(path, text.encode()) if check.applies(r) for v in check.evaluate(r)),
        key=lambda line: line or 0,
    )


# --- the adapter: what is a template ------------------------------------------------------


def test_matches_yaml_json_and_template_names() -> None:
    assert ADAPTER.format == "cloudformation"
    for name in ("template.yaml", "stack.YML", "app.json", "infra.template"):
        assert ADAPTER.matches(name, f"infra/{name}")
    for name in ("main.tf", "Dockerfile", "template.txt", "yaml"):
        assert not ADAPTER.matches(name, name)


@pytest.mark.parametrize("name", ["package.json", "notes.yaml"])
def test_other_files_are_not_templates(name: str) -> None:
    assert parse(name, (DATA / name).read_bytes()) == []


def test_non_templates_are_ignored_quickly_and_quietly() -> None:
    kubernetes = b"apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
    assert parse("pod.yaml", kubernetes) == []
    # Without AWS:: and a Resources key the file is not parsed at all, even when broken.
    assert parse("broken.yaml", b"key: [unclosed\n") == []
    assert parse("broken.json", b'{"Resources": [') == []
    # A Resources mapping that is not about AWS is someone else's format.
    assert parse("limits.yaml", b"Resources:\n  cpu: 2\nnote: AWS::nothing\n") == []
    # CloudFormation reads one document; several are not a template.
    two = b"Resources: {A: {Type: AWS::S3::Bucket}}\n---\nResources: {}\n"
    assert parse("two.yaml", two) == []
    assert parse("empty.yaml", b"") == []


def test_one_resource_per_template_resource_with_logical_id_lines() -> None:
    text = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # the bucket
  Bucket:
    Type: AWS::S3::Bucket
  Queue: {Type: AWS::SQS::Queue}
  "Quoted":
    Type: Custom::Thing
    Properties:
      ServiceToken: arn:aws:lambda:eu-west-1:111122223333:function:x
"""
    found = parse("template.yaml", text.encode())
    assert [(r.kind, r.name, r.line, r.format) for r in found] == [
        ("AWS::S3::Bucket", "Bucket", 4, "cloudformation"),
        ("AWS::SQS::Queue", "Queue", 6, "cloudformation"),
        ("Custom::Thing", "Quoted", 7, "cloudformation"),
    ]
    template = found[0].context["template"]
    assert set(template) == {"Bucket", "Queue", "Quoted"}
    assert all(r.context["template"] is template for r in found)
    assert prop(found[2], "ServiceToken").line == 10


def test_block_values_carry_the_line_of_their_key() -> None:
    text = """\
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
      Tags:
        - Key: team
          Value: shop
"""
    data = resources(text)["Data"]
    assert data.body.line == 2
    assert prop(data).line == 4
    assert prop(data, "PublicAccessBlockConfiguration").line == 5
    assert prop(data, "Tags").line == 7
    assert prop(data, "Tags", 0).line == 8
    assert lines_of("cfn-s3-public-access-block-disabled", text) == [5]


# --- intrinsic functions ---------------------------------------------------------------------

INTRINSICS = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: prod}
  Secret: {Type: String, NoEcho: true}
  Ports: {Type: CommaDelimitedList, Default: "22, 443"}
  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/ami}
Mappings:
  Acl:
    prod: {value: PublicRead}
    dev: {value: Private}
Resources:
  Thing:
    Type: AWS::S3::Bucket
    Properties:
      FromDefault: !Ref Env
      LongRef: {Ref: Env}
      NoDefault: !Ref Secret
      ToResource: !Ref Other
      Pseudo: !Ref AWS::Region
      FromSsm: !Ref Ami
      List: !Ref Ports
      Sub: !Sub "${Env}-bucket-${!Literal}"
      LongSub: {"Fn::Sub": ["${Name}-${Env}", {Name: shop}]}
      SubUnknown: !Sub "${AWS::AccountId}-${Env}"
      SubAttribute: !Sub "${Other.Arn}"
      Attribute: !GetAtt Other.Arn
      Join: !Join ["-", [a, !Ref Env, 3]]
      JoinUnknown: !Join ["-", [a, !Ref Secret]]
      Select: !Select [1, !Ref Ports]
      Split: !Split [",", "a,b"]
      Encoded: !Base64 hi
      Mapped: !FindInMap [Acl, !Ref Env, value]
      LongMapped: {"Fn::FindInMap": [Acl, dev, value]}
      MissingMap: !FindInMap [Acl, test, value]
      Imported: !ImportValue shared-vpc
      Zones: !GetAZs ""
      Other: !Unknownish
"""


def test_short_and_long_forms_and_refs() -> None:
    thing = resources(INTRINSICS.replace("      Other: !Unknownish\n", ""))["Thing"]
    assert prop(thing, "FromDefault").value == "prod"
    assert prop(thing, "FromDefault").line == 15  # the line of the Ref, not of the Default
    assert prop(thing, "LongRef").value == "prod"
    for unknown in ("NoDefault", "ToResource", "Pseudo", "FromSsm"):
        assert prop(thing, unknown).value is UNKNOWN, unknown
    assert prop(thing, "List").plain() == ["22", "443"]
    raw = thing.context["raw"]
    assert raw.get("Properties", "FromDefault").plain() == {"Ref": "Env"}
    assert raw.get("Properties", "Attribute").plain() == {"Fn::GetAtt": ["Other", "Arn"]}


def test_sub_join_select_split_base64_find_in_map() -> None:
    thing = resources(INTRINSICS.replace("      Other: !Unknownish\n", ""))["Thing"]
    assert prop(thing, "Sub").value == "prod-bucket-${Literal}"
    assert prop(thing, "LongSub").value == "shop-prod"
    assert prop(thing, "SubUnknown").value is UNKNOWN
    assert prop(thing, "SubAttribute").value is UNKNOWN
    assert prop(thing, "Attribute").value is UNKNOWN
    assert prop(thing, "Join").value == "a-prod-3"
    assert prop(thing, "JoinUnknown").value is UNKNOWN
    assert prop(thing, "Select").value == "443"
    assert prop(thing, "Split").plain() == ["a", "b"]
    assert prop(thing, "Encoded").value == "aGk="
    assert prop(thing, "Mapped").value == "PublicRead"
    assert prop(thing, "Mapped").line == 32
    assert prop(thing, "LongMapped").value == "Private"
    assert prop(thing, "MissingMap").value is UNKNOWN
    assert prop(thing, "Imported").value is UNKNOWN
    assert prop(thing, "Zones").value is UNKNOWN


def test_a_tag_cloudformation_does_not_know_is_an_error() -> None:
    with pytest.raises(AdapterError, match=r"YAML tag !Unknownish is not allowed"):
        parse("template.yaml", INTRINSICS.encode())


CONDITIONS = """\
Parameters:
  Env: {Type: String, Default: prod}
  Tier: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: {"Fn::Not": [{Condition: IsProd}]}
  Both: !And [!Condition IsProd, !Equals [!Ref Tier, gold]]
  Either: !Or [!Condition IsProd, !Equals [!Ref Tier, gold]]
  Undecided: !Equals [!Ref Tier, gold]
  Loop: !Not [!Condition Loop]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Prod: !If [IsProd, yes-prod, no-prod]
      Dev: {"Fn::If": [IsDev, yes-dev, no-dev]}
      Both: !If [Both, a, b]
      Either: !If [Either, a, b]
      Undecided: !If [Undecided, a, b]
      Same: !If [Undecided, a, a]
      Loop: !If [Loop, a, b]
      Removed: !If [IsProd, !Ref AWS::NoValue, kept]
      Tags:
        - !If [IsDev, {Key: a, Value: b}, !Ref "AWS::NoValue"]
        - {Key: c, Value: d}
  OnlyInDev:
    Type: AWS::S3::Bucket
    Condition: IsDev
  Maybe:
    Type: AWS::S3::Bucket
    Condition: Undecided
"""


def test_conditions_pick_branches_they_can_decide() -> None:
    found = resources(CONDITIONS)
    assert set(found) == {"Bucket", "Maybe"}  # a resource whose condition is false is not made
    bucket = found["Bucket"]
    assert prop(bucket, "Prod").value == "yes-prod"
    assert prop(bucket, "Dev").value == "no-dev"
    assert prop(bucket, "Both").value is UNKNOWN
    assert prop(bucket, "Either").value == "a"
    assert prop(bucket, "Undecided").value is UNKNOWN
    assert prop(bucket, "Same").value == "a"
    assert prop(bucket, "Loop").value is UNKNOWN


def test_no_value_removes_the_property_or_element() -> None:
    bucket = resources(CONDITIONS)["Bucket"]
    assert bucket.body.get("Properties", "Removed") is None
    assert prop(bucket, "Tags").plain() == [{"Key": "c", "Value": "d"}]


def test_parameter_defaults_are_judged_and_unknown_values_never_fire() -> None:
    text = """\
Parameters:
  Acl: {Type: String, Default: PublicRead}
  Open: {Type: String}
Conditions:
  Undecided: !Equals [!Ref Open, "yes"]
Resources:
  ByDefault:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref Acl
  Overridable:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref Open
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !If [Undecided, true, false]
  Whole:
    Type: AWS::RDS::DBInstance
    Properties: !If [Undecided, {StorageEncrypted: true}, {StorageEncrypted: false}]
  Ssh:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-1, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Open}
"""
    assert lines_of("cfn-s3-public-acl", text) == [10]
    assert lines_of("cfn-rds-not-encrypted", text) == []
    assert lines_of("cfn-sg-admin-port-open", text) == []


# --- JSON ----------------------------------------------------------------------------------


def test_json_template_with_lines() -> None:
    text = (DATA / "stack.json").read_text()
    found = {r.name: r for r in parse("stack.json", text.encode())}
    assert [(r.name, r.line) for r in found.values()] == [
        ("Assets", 12),
        ("Bastion", 26),
        ("Orders", 36),
    ]
    assert prop(found["Assets"], "AccessControl").plain() == "PublicRead"
    assert prop(found["Assets"], "AccessControl").line == 23
    assert prop(found["Bastion"], "SecurityGroupIngress", 1, "CidrIp").value is UNKNOWN
    assert findings({"stack.json": text}) == {
        ("cfn-s3-public-acl", "stack.json", 23),
        ("cfn-s3-no-access-logging", "stack.json", 12),
        ("cfn-sg-admin-port-open", "stack.json", 31),
        ("cfn-rds-not-encrypted", "stack.json", 44),
    }


def test_json_reader_is_strict_and_keeps_every_line() -> None:
    text = '{"Resources": {"B": {"Type": "AWS::S3::Bucket",\n "Properties": {"N": [1, -2.5e3,\n'
    text += ' true, null, "caf\\u00e9", {}, []]}}}}'
    [bucket] = parse("b.json", text.encode())
    values = prop(bucket, "N")
    assert values.plain() == [1, -2500.0, True, None, "café", {}, []]
    assert [v.line for v in values.elements()] == [2, 2, 3, 3, 3, 3, 3]
    for broken, where in (
        ('{"Resources": {"B": 1,}, "x": "AWS::"}', "line 1"),
        ('{"Resources": {"B": 01}, "x": "AWS::"}', "line 1"),
        ('{"AWS::": 1,\n"Resources": {} } x', "line 2"),
        ('{"AWS::": NaN, "Resources": {}}', "line 1"),
        ("{'Resources': 'AWS::'}", "line 1"),
    ):
        with pytest.raises(AdapterError, match=f"^invalid JSON at {where}: "):
            parse("t.json", broken.encode())


def test_template_extension_reads_json_or_yaml() -> None:
    as_json = b'{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}'
    as_yaml = b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    assert [r.name for r in parse("a.template", as_json)] == ["B"]
    assert [r.name for r in parse("b.template", as_yaml)] == ["B"]


# --- SAM -----------------------------------------------------------------------------------


def test_sam_resources_globals_and_checks() -> None:
    text = (DATA / "sam.yaml").read_text()
    found = resources(text, "sam.yaml")
    assert {name: r.kind for name, r in found.items()} == {
        "Webhook": "AWS::Serverless::Function",
        "Worker": "AWS::Serverless::Function",
        "Events": "AWS::Serverless::SimpleTable",
        "Public": "AWS::Serverless::Api",
        "Http": "AWS::Serverless::HttpApi",
    }
    # Globals: the function's own settings win, the rest is merged in.
    assert prop(found["Webhook"], "Runtime").value == "python3.12"
    assert prop(found["Webhook"], "FunctionUrlConfig", "AuthType").value == "NONE"
    assert prop(found["Worker"], "FunctionUrlConfig", "AuthType").value == "AWS_IAM"
    assert prop(found["Public"], "AccessLogSetting", "Format").value == "$context.requestId"
    assert findings({"sam.yaml": text}) == {
        ("cfn-lambda-url-public", "sam.yaml", 9),
        ("cfn-iam-full-admin", "sam.yaml", 26),
        ("cfn-apigateway-weak-tls", "sam.yaml", 49),
        ("cfn-apigateway-no-access-logging", "sam.yaml", 51),
    }


# --- suppressions ---------------------------------------------------------------------------


def test_metadata_suppression_in_json() -> None:
    run = evaluate_texts({"stack.json": (DATA / "stack.json").read_text()})
    [logging] = [f for f in run.findings if f.rule_id == "cfn-s3-no-access-logging"]
    assert logging.suppression == "public assets; CloudFront logs requests"
    assert SUPPRESSED_IN_SOURCE in logging.tags
    [acl] = [f for f in run.findings if f.rule_id == "cfn-s3-public-acl"]
    assert acl.suppression is None


def test_metadata_entry_without_reason_suppresses_nothing() -> None:
    text = """\
Resources:
  Data:
    Type: AWS::S3::Bucket
    Metadata:
      glasshouse:
        allow:
          - id: cfn-s3-public-acl
          - {id: "*", reason: "  "}
    Properties:
      AccessControl: PublicRead
"""
    [data] = parse("template.yaml", text.encode())
    assert data.context["suppressions"] == {}
    run = evaluate_texts({"template.yaml": text})
    assert all(f.suppression is None for f in run.findings)


def test_comment_suppression_in_yaml() -> None:
    text = """\
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      # glasshouse:allow cfn-s3-public-acl static website, no private data
      AccessControl: PublicRead
  # glasshouse:allow cfn-s3-no-access-logging logs go through CloudFront
  Other:
    Type: AWS::S3::Bucket
"""
    run = evaluate_texts({"template.yaml": text})
    suppressed = {(f.rule_id, f.location.line, f.suppression) for f in run.findings}
    assert ("cfn-s3-public-acl", 6, "static website, no private data") in suppressed
    assert ("cfn-s3-no-access-logging", 8, "logs go through CloudFront") in suppressed
    assert ("cfn-s3-no-access-logging", 2, None) in suppressed
    for finding in run.findings:
        assert (SUPPRESSED_IN_SOURCE in finding.tags) == (finding.suppression is not None)


# --- malformed and hostile input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid.yaml", "invalid YAML at line 6: "),
        ("invalid.json", "invalid JSON at line 4: expected a property name in double quotes"),
    ],
)
def test_malformed_template_is_a_one_line_error(name: str, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(name, (DATA / name).read_bytes())
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_a_malformed_template_is_reported_and_the_scan_goes_on() -> None:
    run = evaluate_texts(
        {
            "broken.json": (DATA / "invalid.json").read_text(),
            "stack.json": (DATA / "stack.json").read_text(),
        }
    )
    problems = [(p.path, p.message, p.blocking) for p in run.problems]
    assert problems == [
        (
            "broken.json",
            "cannot read as cloudformation: invalid JSON at line 4: "
            "expected a property name in double quotes",
            True,
        )
    ]
    assert any(f.rule_id == "cfn-sg-admin-port-open" for f in run.findings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"AWSTemplateFormatVersion: x\nResources: [a]\n", "Resources is not a mapping"),
        (b"AWSTemplateFormatVersion: x\nResources:\n  A: 1\n", "resource A is not a mapping"),
        (b"AWSTemplateFormatVersion: x\nResources:\n  A: {Properties: {}}\n", "has no Type"),
        (b"Resources:\n  A: !!python/object/apply:os.system [id]\nx: AWS::\n", "not allowed"),
        (b"Resources:\n  A: {Type: AWS::S3::Bucket, P: \xff}\n", "not UTF-8"),
        (b'{"Resources": {"AWS::": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}", "nested too"),
        (b"Resources: {A: {Type: AWS::S3::Bucket, Properties: " + b"[" * 5000 + b"]" * 5000, ""),
        (
            b"Resources: {A: {Type: AWS::S3::Bucket, Properties: "
            + b"{a: " * 400
            + b"1"
            + b"}" * 400
            + b"}}\n",
            "nested too deeply",
        ),
        (
            b"Conditions:\n"
            + b"".join(b"  C%d: !Condition C%d\n" % (i, i + 1) for i in range(2000))
            + b"Resources: {A: {Type: AWS::S3::Bucket, Condition: C0}}\n",
            "nested too deeply",
        ),
    ],
)
def test_hostile_input_is_a_one_line_error(data: bytes, message: str) -> None:
    path = "t.json" if data.startswith(b"{") else "t.yaml"
    with pytest.raises(AdapterError) as info:
        parse(path, data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


# --- checks ---------------------------------------------------------------------------------


def test_catalogue_size_and_ids() -> None:
    assert len(CHECKS) >= 35
    assert len(BY_ID) == len(CHECKS)
    for check in CHECKS:
        assert check.id.startswith("cfn-")
        assert check.format == "cloudformation"
        assert check.kinds, check.id
        assert all(section.startswith("CIS AWS Foundations Benchmark") for section in check.cis)


SECURITY_GROUP = """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 0, ToPort: 65535, CidrIp: 0.0.0.0/0}
        - {IpProtocol: "-1", CidrIpv6: "::/0"}
        - {IpProtocol: tcp, FromPort: 3000, ToPort: 3400, CidrIp: 0.0.0.0/0}
        - {IpProtocol: "6", FromPort: "20", ToPort: "23", CidrIp: 0.0.0.0/0}
        - {IpProtocol: icmp, FromPort: -1, ToPort: -1, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: sg-2}
"""


def test_security_group_rules() -> None:
    assert lines_of("cfn-sg-admin-port-open", SECURITY_GROUP) == [7, 8, 9, 10]
    assert lines_of("cfn-sg-all-traffic-open", SECURITY_GROUP) == [7, 8]
    assert lines_of("cfn-sg-database-port-open", SECURITY_GROUP) == [9]


def test_relations_between_resources() -> None:
    text = """\
Parameters:
  SharedVpc: {Type: String}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}
  Site:
    Type: AWS::S3::Bucket
  OtherFlows:
    Type: AWS::EC2::FlowLog
    Properties: {ResourceId: vpc-0abc, ResourceType: VPC, TrafficType: ALL}
"""
    found = resources(text)
    assert referenced(found["Policy"], "Properties", "Bucket") == "Site"
    assert referenced(found["Policy"], "Properties", "PolicyDocument") is None
    run = evaluate_texts({"template.yaml": text})
    titles = {f.rule_id: f.title for f in run.findings}
    assert "bucket Site is open to any principal" in titles["cfn-s3-bucket-policy-public"]
    assert lines_of("cfn-vpc-no-flow-log", text) == [4]  # the flow log is for another VPC
    unknowable = text.replace("ResourceId: vpc-0abc", "ResourceId: !Ref SharedVpc")
    assert lines_of("cfn-vpc-no-flow-log", unknowable) == []


def test_checks_skip_what_aws_decides_elsewhere() -> None:
    text = """\
Resources:
  Member:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster}
  Restored:
    Type: AWS::RDS::DBInstance
    Properties: {DBSnapshotIdentifier: snap-1}
  Serverless:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-mysql, EngineMode: serverless}
  FromSnapshot:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: a, SnapshotId: snap-2}
  Signing:
    Type: AWS::KMS::Key
    Properties: {KeySpec: RSA_2048, KeyUsage: SIGN_VERIFY}
  Queue:
    Type: AWS::SQS::Queue
  Warehouse:
    Type: AWS::Redshift::Cluster
    Properties: {NodeType: ra3.large}
  FromTemplate:
    Type: AWS::EC2::Instance
    Properties: {LaunchTemplate: {LaunchTemplateId: lt-1, Version: "1"}}
"""
    assert findings({"template.yaml": text}) == set()


def test_iam_statement_shapes() -> None:
    text = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          Effect: Allow
          Principal: {AWS: [arn:aws:iam::111122223333:root, "*"]}
          Action: sts:AssumeRole
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ["s3:*", "iam:Pass*"], Resource: ["*"]}
              - {Effect: Allow, Action: "*", Resource: arn:aws:s3:::bucket}
              - {Effect: !Ref Effect, Action: "*", Resource: "*"}
"""
    assert lines_of("cfn-iam-role-trust-public", text) == [8]
    assert lines_of("cfn-iam-pass-any-role", text) == [14]
    assert lines_of("cfn-iam-full-admin", text) == []


def test_resource_policies_public_unless_narrowed_or_in_a_vpc() -> None:
    text = """\
Resources:
  Topic:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Alerts]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sns:Publish
            Resource: "*"
            Condition: {StringEquals: {AWS:SourceOwner: !Ref AWS::AccountId}}
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sns:Subscribe
            Resource: "*"
            Condition: {Bool: {aws:SecureTransport: "true"}}
          - Effect: Allow
            Principal: "*"
            Action: sns:Publish
            Resource: "*"
            Condition: !Ref Undecidable
  Search:
    Type: AWS::OpenSearchService::Domain
    Properties:
      VPCOptions: {SubnetIds: [subnet-1]}
      AccessPolicies:
        Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "es:*", Resource: "*"}]
"""
    assert lines_of("cfn-resource-policy-public", text) == [14]
    outside = text.replace("      VPCOptions: {SubnetIds: [subnet-1]}\n", "")
    assert lines_of("cfn-resource-policy-public", outside) == [14, 27]


# --- end to end -----------------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: Shop platform.
Parameters:
  DbClass: {Type: String, Default: db.t4g.small}
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
      LoggingConfiguration: {DestinationBucketName: central-logs}
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Orders:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: !Ref DbClass
      AllocatedStorage: "50"
      MasterUsername: shop
      ManageMasterUserPassword: true
  DeployPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: '*:*'
            Resource: '*'
"""


def test_scan_finds_cloudformation_misconfigurations_with_file_and_line(tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    (tree / "infra").mkdir(parents=True)
    (tree / "infra" / "platform.yaml").write_text(TEMPLATE)
    (tree / "infra" / "broken.json").write_text((DATA / "invalid.json").read_text())
    (tree / "package.json").write_text((DATA / "package.json").read_text())
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(tmp_path / "cache"), "CI": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "glasshouse", "scan", str(tree), "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert result.returncode == 1
    found = {
        (f["rule_id"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
        if f["kind"] == "misconfiguration"
    }
    assert {
        ("cfn-s3-public-acl", "infra/platform.yaml", 9),
        ("cfn-sg-admin-port-open", "infra/platform.yaml", 19),
        ("cfn-rds-not-encrypted", "infra/platform.yaml", 20),
        ("cfn-iam-full-admin", "infra/platform.yaml", 35),
    } <= found
    problems = [(p["path"], p["blocking"]) for p in report["problems"] if p["scanner"] == "iac"]
    assert problems == [("infra/broken.json", True)]


def test_a_template_mentioning_apiversion_and_kind_is_not_read_as_kubernetes() -> None:
    template = (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Resources:\n"
        "  Addon:\n"
        "    Type: AWS::EKS::Addon\n"
        "    Properties:\n"
        "      AddonName: vpc-cni\n"
        "      ClusterName: !Ref Cluster\n"
        '      ConfigurationValues: "apiVersion: v1, kind: ConfigMap"\n'
    )
    run = evaluate_texts({"eks.yaml": template})
    assert not run.problems
    assert run.scanned == ["eks.yaml"]
