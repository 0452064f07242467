"""CloudFormation checks, network exposure and encryption in transit; and the helpers every
``cloudformation_*`` check module reads templates with.

Checks read a resource's evaluated ``Properties`` (see the adapter: parameter defaults,
``Fn::Sub``, decidable ``Fn::If``...). A property AWS defaults to the unsafe value is
reported when absent, on the line of its closest written parent inside ``Properties``
or else the resource's logical id; a written value is reported on its own line.

UNKNOWN never produces a finding and never counts as safe: where the deciding value (or
a mapping on the way to it) is UNKNOWN the check says nothing for it. CloudFormation
accepts booleans as ``true`` or ``"true"``; both are read as booleans.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac import ports
from glasshouse.iac.adapters.cloudformation import FORMAT
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

Evaluate = Callable[[Resource], Iterable[Violation]]
CIS = "CIS AWS Foundations Benchmark v3.0.0"


# --- reading templates (shared by the cloudformation_* modules) -------------------------


def props(resource: Resource) -> Node:
    """The evaluated ``Properties`` (an empty mapping on the resource's line if absent)."""
    node = resource.body.get("Properties")
    return node if node is not None else Node({}, resource.line)


def at(node: Node | None, *path: str | int) -> Node | None:
    """Like ``Node.get``, but an UNKNOWN on the way is the (UNKNOWN) answer, not absence."""
    current = node
    for step in path:
        if current is None or current.value is UNKNOWN:
            return current
        current = current.get(step)
    return current


def unknown(node: Node | None) -> bool:
    return node is not None and node.value is UNKNOWN


def flag(node: Node | None) -> bool | None:
    """A boolean written as ``true`` or ``"true"`` (any case); None for anything else."""
    if node is None:
        return None
    if isinstance(node.value, bool):
        return node.value
    if isinstance(node.value, str) and node.value.lower() in ("true", "false"):
        return node.value.lower() == "true"
    return None


def text(node: Node | None) -> str | None:
    return node.text() if node is not None else None


def number(node: Node | None) -> int | None:
    """An integer written as a number or a numeric string."""
    if node is None or isinstance(node.value, bool):
        return None
    if isinstance(node.value, int):
        return node.value
    if isinstance(node.value, str):
        try:
            return int(node.value.strip())
        except ValueError:
            return None
    return None


def mappings(node: Node | None) -> Iterator[Node]:
    """The mapping elements of a list (a single mapping counts as a list of one)."""
    if node is None:
        return
    if isinstance(node.value, dict):
        yield node
    for element in node.elements():
        if isinstance(element.value, dict):
            yield element


def strings(node: Node | None) -> tuple[list[Node], bool]:
    """The known string elements of a string or list, and whether any part is UNKNOWN."""
    if node is None:
        return [], False
    if node.value is UNKNOWN:
        return [], True
    elements = [node] if not isinstance(node.value, list) else list(node.elements())
    found = [e for e in elements if isinstance(e.value, str)]
    return found, any(e.value is UNKNOWN for e in elements)


def anchor(resource: Resource, *path: str | int) -> int | None:
    """The line of the closest written parent of ``path`` inside ``Properties``, else the
    resource's line: where a finding about an absent property goes."""
    line = resource.line
    node: Node | None = props(resource)
    for step in path[:-1]:
        node = node.get(step) if node is not None else None
        if node is None:
            break
        if node.line is not None:
            line = node.line
    return line


def where(node: Node | None, resource: Resource, *path: str | int) -> int | None:
    if node is not None and node.line is not None:
        return node.line
    return anchor(resource, *path)


def must_be_true(*path: str, message: str) -> Evaluate:
    """A property whose absence means false: only a written ``true`` passes."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        node = at(props(resource), *path)
        if unknown(node) or flag(node) is True:
            return
        yield Violation(where(node, resource, *path), message)

    return evaluate


def template(resources: str, preamble: str = "") -> str:
    """A YAML template around ``resources`` (written at column 0), for examples."""
    body = textwrap.indent(textwrap.dedent(resources).strip("\n"), "  ")
    return f"AWSTemplateFormatVersion: '2010-09-09'\n{preamble}Resources:\n{body}\n"


def example(resources: str, preamble: str = "") -> Example:
    return Example("template.yaml", template(resources, preamble))


def cfn_check(
    id: str,
    title: str,
    severity: Severity,
    kinds: Iterable[str],
    evaluate: Evaluate,
    fix: str,
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    failing: tuple[Example, ...],
    passing: tuple[Example, ...],
    cis: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
) -> Check:
    return Check(
        id=id,
        title=title,
        severity=severity,
        format=FORMAT,
        kinds=frozenset(kinds),
        fix=fix,
        evaluate=evaluate,
        references=references,
        cwe=cwe,
        iso27001=iso27001,
        cis=tuple(f"{CIS} {section}" for section in cis),
        failing=failing,
        passing=passing,
    )


# --- security groups --------------------------------------------------------------------

ADMIN_PORTS = ports.names(ports.ADMIN_PORTS)
DATABASE_PORTS = ports.names(ports.DATABASE_PORTS)
_ALL = "-1"
_PROTOCOLS = {"6": "tcp", "17": "udp", "-1": _ALL, "tcp": "tcp", "udp": "udp"}


def _ingress_rules(resource: Resource) -> Iterator[Node]:
    if resource.kind == "AWS::EC2::SecurityGroupIngress":
        if isinstance(props(resource).value, dict):
            yield props(resource)
        return
    rules = at(props(resource), "SecurityGroupIngress")
    if rules is not None and rules.value is not UNKNOWN:
        yield from (r for r in rules.elements() if isinstance(r.value, dict))


def _world(rule: Node) -> Node | None:
    """The rule's source when it is the whole internet (0.0.0.0/0 or ::/0)."""
    for key in ("CidrIp", "CidrIpv6"):
        source = rule.get(key)
        if source is not None and isinstance(source.value, str) and ports.is_world(source.value):
            return source
    return None


def _exposure(rule: Node) -> tuple[str, int, int, Node] | None:
    """(protocol, first port, last port, source) of a rule open to the internet; None
    when it is not, or when the protocol or ports are UNKNOWN or not port-based."""
    source = _world(rule)
    protocol = _PROTOCOLS.get((text(rule.get("IpProtocol")) or "").lower())
    if source is None or protocol is None:
        return None
    if protocol == _ALL:
        return protocol, 0, 65535, source
    low, high = number(rule.get("FromPort")), number(rule.get("ToPort"))
    if low is None or high is None:
        return None
    low, high = (0 if low == -1 else low), (65535 if high == -1 else high)
    return protocol, low, high, source


def _all_traffic(protocol: str, low: int, high: int) -> bool:
    return protocol == _ALL or (low <= 1 and high >= 65535)


def _open_ports(ports: dict[int, str], skip_all: bool) -> Evaluate:
    def evaluate(resource: Resource) -> Iterator[Violation]:
        for rule in _ingress_rules(resource):
            exposure = _exposure(rule)
            if exposure is None:
                continue
            protocol, low, high, source = exposure
            if skip_all and _all_traffic(protocol, low, high):
                continue  # reported by cfn-sg-all-traffic-open
            hit = [f"{name} ({port})" for port, name in ports.items() if low <= port <= high]
            if hit:
                shown = ", ".join(hit)
                yield Violation(source.line, f"{shown} open to {source.value}")

    return evaluate


def _all_traffic_open(resource: Resource) -> Iterator[Violation]:
    for rule in _ingress_rules(resource):
        exposure = _exposure(rule)
        if exposure is not None and _all_traffic(*exposure[:3]):
            what = "all protocols" if exposure[0] == _ALL else f"all {exposure[0]} ports"
            yield Violation(exposure[3].line, f"{what} open to {exposure[3].value}")


SECURITY_GROUPS = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress")


def _sg(rule: str) -> str:
    return f"""\
Web:
  Type: AWS::EC2::SecurityGroup
  Properties:
    GroupDescription: web
    SecurityGroupIngress:
      - {rule}
"""


_HTTPS_FROM_WORLD = "{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}"

# --- load balancers, CloudFront, API Gateway ----------------------------------------------

OLD_ELB_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-2015-05",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-FS-1-1-2019-08",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
    }
)
OLD_CLOUDFRONT_PROTOCOLS = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})


def _old_elb_policy(name: str) -> bool:
    # TLS13-1-0 and TLS13-1-1 policies (FIPS ones too) still accept TLS 1.0 or 1.1.
    return name in OLD_ELB_POLICIES or name.startswith(
        ("ELBSecurityPolicy-TLS13-1-0-", "ELBSecurityPolicy-TLS13-1-1-")
    )


def _redirects_to_https(actions: Node | None) -> bool | None:
    """Whether a default action redirects to HTTPS; None when that is UNKNOWN."""
    if actions is None:
        return False
    if actions.value is UNKNOWN or any(a.value is UNKNOWN for a in actions.elements()):
        return None
    for action in mappings(actions):
        if (text(action.get("Type")) or "").lower() != "redirect":
            continue
        protocol = at(action, "RedirectConfig", "Protocol")
        if unknown(protocol):
            return None
        if text(protocol) == "HTTPS":
            return True
    return False


def _http_listener(resource: Resource) -> Iterator[Violation]:
    if resource.kind == "AWS::ElasticLoadBalancing::LoadBalancer":
        listeners = at(props(resource), "Listeners")
        for listener in mappings(listeners) if not unknown(listeners) else ():
            protocol = listener.get("Protocol")
            if (text(protocol) or "").upper() == "HTTP":
                yield Violation(where(protocol, resource), "classic listener serves plain HTTP")
        return
    protocol = at(props(resource), "Protocol")
    if text(protocol) != "HTTP":
        return
    if _redirects_to_https(at(props(resource), "DefaultActions")) is False:
        yield Violation(
            where(protocol, resource), "HTTP listener does not redirect to HTTPS by default"
        )


def _old_elb_tls(resource: Resource) -> Iterator[Violation]:
    policy = at(props(resource), "SslPolicy")
    name = text(policy)
    if name is not None and _old_elb_policy(name):
        yield Violation(where(policy, resource), f"SslPolicy {name} accepts TLS below 1.2")


def _cloudfront_behaviours(resource: Resource) -> Iterator[Node]:
    config = at(props(resource), "DistributionConfig")
    default = at(config, "DefaultCacheBehavior")
    if default is not None and isinstance(default.value, dict):
        yield default
    others = at(config, "CacheBehaviors")
    if others is not None and others.value is not UNKNOWN:
        yield from mappings(others)


def _cloudfront_http(resource: Resource) -> Iterator[Violation]:
    for behaviour in _cloudfront_behaviours(resource):
        policy = behaviour.get("ViewerProtocolPolicy")
        if text(policy) == "allow-all":
            yield Violation(where(policy, resource), "viewers may use plain HTTP (allow-all)")


def _cloudfront_tls(resource: Resource) -> Iterator[Violation]:
    version = at(
        props(resource), "DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion"
    )
    name = text(version)
    if name in OLD_CLOUDFRONT_PROTOCOLS:
        yield Violation(where(version, resource), f"MinimumProtocolVersion {name} is below TLS 1.2")


def _api_tls(resource: Resource) -> Iterator[Violation]:
    p = props(resource)
    if resource.kind == "AWS::ApiGateway::DomainName":
        candidates = [at(p, "SecurityPolicy")]
    elif resource.kind == "AWS::ApiGatewayV2::DomainName":
        configurations = at(p, "DomainNameConfigurations")
        candidates = [c.get("SecurityPolicy") for c in mappings(configurations)]
    else:  # AWS::Serverless::Api, AWS::Serverless::HttpApi
        candidates = [at(p, "Domain", "SecurityPolicy")]
    for policy in candidates:
        if text(policy) == "TLS_1_0":
            yield Violation(where(policy, resource), "SecurityPolicy TLS_1_0 accepts TLS 1.0")


# --- EKS and EC2 --------------------------------------------------------------------------


def _eks_public(resource: Resource) -> Iterator[Violation]:
    config = at(props(resource), "ResourcesVpcConfig")
    public = at(config, "EndpointPublicAccess")
    if unknown(config) or unknown(public) or flag(public) is False:
        return
    cidrs = at(config, "PublicAccessCidrs")
    if cidrs is None:  # defaults to 0.0.0.0/0
        line = where(public, resource, "ResourcesVpcConfig", "EndpointPublicAccess")
        yield Violation(line, "public API endpoint open to 0.0.0.0/0 (PublicAccessCidrs not set)")
        return
    known, _ = strings(cidrs)
    for cidr in known:
        if ports.is_world(cidr.value):
            yield Violation(where(cidr, resource), f"public API endpoint open to {cidr.value}")


_METADATA_OPTIONS = {
    "AWS::EC2::Instance": ("MetadataOptions",),
    "AWS::EC2::LaunchTemplate": ("LaunchTemplateData", "MetadataOptions"),
    "AWS::AutoScaling::LaunchConfiguration": ("MetadataOptions",),
}


def _imds_v1(resource: Resource) -> Iterator[Violation]:
    path = _METADATA_OPTIONS[resource.kind]
    options = at(props(resource), *path)
    launched_from_template = at(props(resource), "LaunchTemplate") is not None
    if resource.kind == "AWS::EC2::Instance" and options is None and launched_from_template:
        return  # the launch template decides (and is judged where it is defined)
    tokens = at(options, "HttpTokens") if options is not None else None
    endpoint = at(options, "HttpEndpoint") if options is not None else None
    if unknown(options) or unknown(tokens) or unknown(endpoint):
        return
    if text(endpoint) == "disabled" or text(tokens) == "required":
        return
    shown = text(tokens) or "not set (IMDSv1 stays on unless the AMI requires IMDSv2)"
    yield Violation(where(tokens, resource, *path, "HttpTokens"), f"HttpTokens {shown}")


# --- the catalogue ------------------------------------------------------------------------

_LISTENER = """\
Listener:
  Type: AWS::ElasticLoadBalancingV2::Listener
  Properties:
    LoadBalancerArn: !Ref Alb
    Port: {port}
    Protocol: {protocol}
{extra}"""
_REDIRECT = """\
    DefaultActions:
      - Type: redirect
        RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}
"""
_FORWARD = """\
    DefaultActions:
      - Type: forward
        TargetGroupArn: !Ref Targets
"""
_DISTRIBUTION = """\
Cdn:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Enabled: true
      Origins:
        - Id: site
          DomainName: example.com
          CustomOriginConfig: {{OriginProtocolPolicy: https-only}}
      DefaultCacheBehavior:
        TargetOriginId: site
        ViewerProtocolPolicy: {policy}
        CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
      ViewerCertificate:
        AcmCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
        SslSupportMethod: sni-only
        MinimumProtocolVersion: {tls}
"""
_EKS = """\
Cluster:
  Type: AWS::EKS::Cluster
  Properties:
    RoleArn: arn:aws:iam::111122223333:role/eks
    ResourcesVpcConfig:
      SubnetIds: [subnet-1, subnet-2]
{extra}"""
_LAUNCH_TEMPLATE = """\
Nodes:
  Type: AWS::EC2::LaunchTemplate
  Properties:
    LaunchTemplateData:
      ImageId: ami-0123456789abcdef0
{extra}"""

CHECKS: tuple[Check, ...] = (
    cfn_check(
        "cfn-sg-admin-port-open",
        "Security group opens SSH or RDP to the internet",
        Severity.CRITICAL,
        SECURITY_GROUPS,
        _open_ports(ADMIN_PORTS, skip_all=False),
        "Set SecurityGroupIngress[].CidrIp (or CidrIpv6) to your admin network, not "
        "0.0.0.0/0 or ::/0, or reach hosts through SSM Session Manager instead of port 22/3389.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=("5.2", "5.3"),
        failing=(
            example(_sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}")),
            example(
                """\
Rdp:
  Type: AWS::EC2::SecurityGroupIngress
  Properties:
    GroupId: sg-0123456789abcdef0
    IpProtocol: tcp
    FromPort: 3389
    ToPort: 3389
    CidrIpv6: ::/0
"""
            ),
        ),
        passing=(
            example(_sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.20.0.0/16}")),
            example(_sg(_HTTPS_FROM_WORLD)),
        ),
    ),
    cfn_check(
        "cfn-sg-database-port-open",
        "Security group opens a database port to the internet",
        Severity.HIGH,
        SECURITY_GROUPS,
        _open_ports(DATABASE_PORTS, skip_all=True),
        "Set SecurityGroupIngress[].CidrIp to the application's network, or better "
        "SourceSecurityGroupId to the application's security group, never 0.0.0.0/0.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            example(_sg("{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}")),
        ),
        passing=(
            example(
                _sg("{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: sg-1}")
            ),
            example(_sg(_HTTPS_FROM_WORLD)),
        ),
    ),
    cfn_check(
        "cfn-sg-all-traffic-open",
        "Security group opens all traffic to the internet",
        Severity.HIGH,
        SECURITY_GROUPS,
        _all_traffic_open,
        "Replace IpProtocol: -1 (or ports 0-65535) from 0.0.0.0/0 with rules for the exact "
        "SecurityGroupIngress[].FromPort/ToPort the service needs.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(example(_sg("{IpProtocol: '-1', CidrIp: 0.0.0.0/0}")),),
        passing=(
            example(_sg("{IpProtocol: '-1', CidrIp: 10.0.0.0/8}")),
            example(_sg(_HTTPS_FROM_WORLD)),
        ),
    ),
    cfn_check(
        "cfn-elb-http-listener",
        "Load balancer listener serves plain HTTP",
        Severity.MEDIUM,
        ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancing::LoadBalancer"),
        _http_listener,
        "Set Protocol: HTTPS with a Certificates entry, or make the HTTP listener's "
        "DefaultActions a redirect with RedirectConfig.Protocol: HTTPS.",
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        failing=(example(_LISTENER.format(port=80, protocol="HTTP", extra=_FORWARD)),),
        passing=(
            example(_LISTENER.format(port=80, protocol="HTTP", extra=_REDIRECT)),
            example(
                _LISTENER.format(
                    port=443,
                    protocol="HTTPS",
                    extra=_FORWARD + "    SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n",
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-elb-weak-tls-policy",
        "Load balancer listener accepts TLS below 1.2",
        Severity.MEDIUM,
        ("AWS::ElasticLoadBalancingV2::Listener",),
        _old_elb_tls,
        "Set SslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy).",
        cwe="CWE-327",
        iso27001=("A.8.24",),
        failing=(
            example(
                _LISTENER.format(
                    port=443,
                    protocol="HTTPS",
                    extra=_FORWARD + "    SslPolicy: ELBSecurityPolicy-2016-08\n",
                )
            ),
        ),
        passing=(
            example(
                _LISTENER.format(
                    port=443,
                    protocol="HTTPS",
                    extra=_FORWARD + "    SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n",
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-cloudfront-http-allowed",
        "CloudFront distribution lets viewers use plain HTTP",
        Severity.MEDIUM,
        ("AWS::CloudFront::Distribution",),
        _cloudfront_http,
        "Set DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy (and each "
        "CacheBehaviors[] one) to redirect-to-https or https-only.",
        cwe="CWE-319",
        iso27001=("A.8.24",),
        failing=(example(_DISTRIBUTION.format(policy="allow-all", tls="TLSv1.2_2021")),),
        passing=(example(_DISTRIBUTION.format(policy="redirect-to-https", tls="TLSv1.2_2021")),),
    ),
    cfn_check(
        "cfn-cloudfront-weak-tls",
        "CloudFront distribution accepts TLS below 1.2",
        Severity.MEDIUM,
        ("AWS::CloudFront::Distribution",),
        _cloudfront_tls,
        "Set DistributionConfig.ViewerCertificate.MinimumProtocolVersion: TLSv1.2_2021.",
        cwe="CWE-327",
        iso27001=("A.8.24",),
        failing=(example(_DISTRIBUTION.format(policy="https-only", tls="TLSv1")),),
        passing=(example(_DISTRIBUTION.format(policy="https-only", tls="TLSv1.2_2021")),),
    ),
    cfn_check(
        "cfn-apigateway-weak-tls",
        "API Gateway custom domain accepts TLS 1.0",
        Severity.MEDIUM,
        (
            "AWS::ApiGateway::DomainName",
            "AWS::ApiGatewayV2::DomainName",
            "AWS::Serverless::Api",
            "AWS::Serverless::HttpApi",
        ),
        _api_tls,
        "Set SecurityPolicy: TLS_1_2 on the domain name (Domain.SecurityPolicy for SAM APIs).",
        cwe="CWE-327",
        iso27001=("A.8.24",),
        failing=(
            example(
                """\
Domain:
  Type: AWS::ApiGateway::DomainName
  Properties:
    DomainName: api.example.com
    RegionalCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/abc
    SecurityPolicy: TLS_1_0
"""
            ),
        ),
        passing=(
            example(
                """\
Domain:
  Type: AWS::ApiGateway::DomainName
  Properties:
    DomainName: api.example.com
    RegionalCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/abc
    SecurityPolicy: TLS_1_2
"""
            ),
        ),
    ),
    cfn_check(
        "cfn-eks-public-endpoint",
        "EKS API endpoint is public to the whole internet",
        Severity.MEDIUM,
        ("AWS::EKS::Cluster",),
        _eks_public,
        "Set ResourcesVpcConfig.EndpointPublicAccess: false (with EndpointPrivateAccess: "
        "true), or list your networks in ResourcesVpcConfig.PublicAccessCidrs.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        references=("Amazon EKS best practices: cluster endpoint access",),
        failing=(
            example(_EKS.format(extra="")),
            example(
                _EKS.format(
                    extra="      EndpointPublicAccess: true\n      PublicAccessCidrs: [0.0.0.0/0]\n"
                )
            ),
        ),
        passing=(
            example(
                _EKS.format(
                    extra="      EndpointPublicAccess: false\n      EndpointPrivateAccess: true\n"
                )
            ),
            example(_EKS.format(extra="      PublicAccessCidrs: [203.0.113.0/24]\n")),
        ),
    ),
    cfn_check(
        "cfn-ec2-imdsv1-allowed",
        "EC2 instance metadata service accepts IMDSv1",
        Severity.MEDIUM,
        tuple(_METADATA_OPTIONS),
        _imds_v1,
        "Set MetadataOptions.HttpTokens: required (LaunchTemplateData.MetadataOptions for "
        "launch templates) so credentials need an IMDSv2 session token.",
        cwe="CWE-1188",
        iso27001=("A.8.9", "A.8.20"),
        cis=("5.6",),
        failing=(
            example(_LAUNCH_TEMPLATE.format(extra="")),
            example(
                _LAUNCH_TEMPLATE.format(extra="      MetadataOptions: {HttpTokens: optional}\n")
            ),
        ),
        passing=(
            example(
                _LAUNCH_TEMPLATE.format(extra="      MetadataOptions: {HttpTokens: required}\n")
            ),
        ),
    ),
)
