"""CloudFormation checks on logging: CloudTrail trails, VPC flow logs, S3 server access
logs and API Gateway access logs.

Two checks relate resources of the same template. A VPC is reported when no
``AWS::EC2::FlowLog`` of the file names it (``Ref``/``Fn::GetAtt``); if some flow log
names a VPC the template cannot resolve (an import, a parameter without default), the
check says nothing. Flow logs created elsewhere (another stack, an organization-wide
setup) are invisible here, which is why it is low. A bucket is not asked to log access
when it is itself a log destination of the template (another bucket's
``LoggingConfiguration``, a trail, a flow log, a CloudFront distribution) or has the
``LogDeliveryWrite`` ACL.
"""

from __future__ import annotations

from collections.abc import Iterator

from glasshouse.iac.adapters.cloudformation import referenced
from glasshouse.iac.check import Check
from glasshouse.iac.checks.cloudformation import (
    anchor,
    at,
    cfn_check,
    example,
    must_be_true,
    props,
    text,
    unknown,
)
from glasshouse.iac.model import Resource, Violation
from glasshouse.model import Severity

TRAIL = ("AWS::CloudTrail::Trail",)
# Where a template names the bucket that receives logs, by resource kind.
LOG_DESTINATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::S3::Bucket": (("LoggingConfiguration", "DestinationBucketName"),),
    "AWS::CloudTrail::Trail": (("S3BucketName",),),
    "AWS::EC2::FlowLog": (("LogDestination",),),
    "AWS::CloudFront::Distribution": (("DistributionConfig", "Logging", "Bucket"),),
    "AWS::Config::DeliveryChannel": (("S3BucketName",),),
}
ACCESS_LOG_SETTING = {
    "AWS::ApiGateway::Stage": "AccessLogSetting",
    "AWS::Serverless::Api": "AccessLogSetting",
    "AWS::ApiGatewayV2::Stage": "AccessLogSettings",
    "AWS::Serverless::HttpApi": "AccessLogSettings",
}


def _template(resource: Resource) -> dict[str, Resource]:
    template = resource.context.get("template")
    return template if isinstance(template, dict) else {}


def _trail_kms(resource: Resource) -> Iterator[Violation]:
    if at(props(resource), "KMSKeyId") is None:
        yield Violation(anchor(resource, "KMSKeyId"), "logs are not encrypted with a KMS key")


def _vpc_flow_log(resource: Resource) -> Iterator[Violation]:
    for other in _template(resource).values():
        if other.kind != "AWS::EC2::FlowLog":
            continue
        target = referenced(other, "Properties", "ResourceId")
        if target == resource.name:
            return
        named = at(props(other), "ResourceId")
        if target is None and (named is None or unknown(named)):
            return  # a flow log for a VPC this file cannot name: it may be this one
    yield Violation(resource.line, "no AWS::EC2::FlowLog of this template records the VPC")


def _is_log_destination(resource: Resource) -> bool:
    for other in _template(resource).values():
        for path in LOG_DESTINATIONS.get(other.kind, ()):
            if referenced(other, "Properties", *path) == resource.name:
                return True
    return False


def _bucket_access_log(resource: Resource) -> Iterator[Violation]:
    logging = at(props(resource), "LoggingConfiguration")
    acl = at(props(resource), "AccessControl")
    if logging is not None or unknown(acl) or text(acl) == "LogDeliveryWrite":
        return
    if _is_log_destination(resource):
        return
    yield Violation(resource.line, "server access logging is off (no LoggingConfiguration)")


def _api_access_log(resource: Resource) -> Iterator[Violation]:
    key = ACCESS_LOG_SETTING[resource.kind]
    if at(props(resource), key) is None:
        yield Violation(anchor(resource, key), f"no {key}: requests are not logged")


_TRAIL = """\
Trail:
  Type: AWS::CloudTrail::Trail
  Properties:
    IsLogging: true
    S3BucketName: !Ref AuditBucket
{extra}"""
_SECURE_TRAIL = """\
    IsMultiRegionTrail: true
    EnableLogFileValidation: true
    KMSKeyId: alias/cloudtrail
"""
_VPC = """\
Network:
  Type: AWS::EC2::VPC
  Properties:
    CidrBlock: 10.0.0.0/16
"""
_FLOW_LOG = """\
NetworkFlows:
  Type: AWS::EC2::FlowLog
  Properties:
    ResourceId: !Ref Network
    ResourceType: VPC
    TrafficType: ALL
    LogDestinationType: s3
    LogDestination: arn:aws:s3:::central-flow-logs
"""
_BUCKETS = """\
Data:
  Type: AWS::S3::Bucket
  Properties:
    BucketName: shop-data
{extra}Logs:
  Type: AWS::S3::Bucket
  Properties:
    BucketName: shop-access-logs
"""
_STAGE = """\
Prod:
  Type: AWS::ApiGateway::Stage
  Properties:
    RestApiId: !Ref Api
    DeploymentId: !Ref Deployment
    StageName: prod
{extra}"""


def _without(line: str) -> str:
    assert line in _SECURE_TRAIL
    return _TRAIL.format(extra=_SECURE_TRAIL.replace(line, ""))


CHECKS: tuple[Check, ...] = (
    cfn_check(
        "cfn-cloudtrail-not-multi-region",
        "CloudTrail trail records one region only",
        Severity.MEDIUM,
        TRAIL,
        must_be_true("IsMultiRegionTrail", message="trail is not multi-region"),
        "Set IsMultiRegionTrail: true so activity in every region is recorded.",
        cwe="CWE-778",
        iso27001=("A.8.15", "A.8.16"),
        cis=("3.1",),
        failing=(example(_without("    IsMultiRegionTrail: true\n")),),
        passing=(example(_TRAIL.format(extra=_SECURE_TRAIL)),),
    ),
    cfn_check(
        "cfn-cloudtrail-log-validation-disabled",
        "CloudTrail log file validation is off",
        Severity.MEDIUM,
        TRAIL,
        must_be_true("EnableLogFileValidation", message="log files cannot be validated"),
        "Set EnableLogFileValidation: true so tampering with delivered logs can be detected.",
        cwe="CWE-354",
        iso27001=("A.8.15", "A.5.33"),
        cis=("3.2",),
        failing=(example(_without("    EnableLogFileValidation: true\n")),),
        passing=(example(_TRAIL.format(extra=_SECURE_TRAIL)),),
    ),
    cfn_check(
        "cfn-cloudtrail-not-kms-encrypted",
        "CloudTrail logs are not encrypted with a KMS key",
        Severity.LOW,
        TRAIL,
        _trail_kms,
        "Set KMSKeyId to a customer managed KMS key whose policy lets CloudTrail encrypt.",
        cwe="CWE-311",
        iso27001=("A.8.15", "A.8.24"),
        cis=("3.5",),
        failing=(example(_without("    KMSKeyId: alias/cloudtrail\n")),),
        passing=(example(_TRAIL.format(extra=_SECURE_TRAIL)),),
    ),
    cfn_check(
        "cfn-vpc-no-flow-log",
        "VPC has no flow log in the template",
        Severity.LOW,
        ("AWS::EC2::VPC",),
        _vpc_flow_log,
        "Add an AWS::EC2::FlowLog with ResourceId: !Ref <the VPC>, ResourceType: VPC and "
        "TrafficType: ALL (or REJECT at least).",
        cwe="CWE-778",
        iso27001=("A.8.15", "A.8.16"),
        cis=("3.7",),
        failing=(example(_VPC),),
        passing=(example(_VPC + _FLOW_LOG),),
    ),
    cfn_check(
        "cfn-s3-no-access-logging",
        "S3 bucket does not log access",
        Severity.LOW,
        ("AWS::S3::Bucket",),
        _bucket_access_log,
        "Set LoggingConfiguration.DestinationBucketName to a log bucket (with a "
        "LogFilePrefix), or record data events with CloudTrail.",
        cwe="CWE-778",
        iso27001=("A.8.15",),
        failing=(example(_BUCKETS.format(extra="")),),
        passing=(
            example(
                _BUCKETS.format(
                    extra="    LoggingConfiguration:\n"
                    "      DestinationBucketName: !Ref Logs\n"
                    "      LogFilePrefix: data/\n"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-apigateway-no-access-logging",
        "API Gateway stage does not log access",
        Severity.LOW,
        tuple(ACCESS_LOG_SETTING),
        _api_access_log,
        "Set AccessLogSetting (AccessLogSettings for HTTP APIs) with DestinationArn of a "
        "CloudWatch Logs group and a Format.",
        cwe="CWE-778",
        iso27001=("A.8.15",),
        failing=(example(_STAGE.format(extra="")),),
        passing=(
            example(
                _STAGE.format(
                    extra="    AccessLogSetting:\n"
                    "      DestinationArn: !GetAtt ApiLogs.Arn\n"
                    "      Format: $context.requestId $context.status\n"
                )
            ),
        ),
    ),
)
