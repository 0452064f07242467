"""CloudFormation checks on data: public S3 buckets, encryption at rest, databases reachable
from the internet, and credentials written into templates.

Defaults matter here and are read as AWS applies them to a new resource today: an S3
bucket without ``PublicAccessBlockConfiguration`` blocks public access (the default for
new buckets since April 2023), an SQS queue without ``SqsManagedSseEnabled`` is encrypted
(SSE-SQS), a Redshift cluster without ``Encrypted`` is encrypted (Redshift's secure
defaults of 2025), and DynamoDB tables are always encrypted; none of those is reported
when the property is absent, only when it is written insecurely. RDS, EFS, EBS,
ElastiCache and OpenSearch still default to unencrypted, so absence is reported there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from glasshouse.iac.check import Check, Example
from glasshouse.iac.checks.cloudformation import (
    anchor,
    at,
    cfn_check,
    example,
    flag,
    mappings,
    must_be_true,
    props,
    text,
    unknown,
    where,
)
from glasshouse.iac.model import Node, Resource, Violation
from glasshouse.model import Severity

PUBLIC_ACLS = frozenset({"PublicRead", "PublicReadWrite", "AuthenticatedRead"})
BLOCK_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
BUCKET = ("AWS::S3::Bucket",)


# --- S3 ---------------------------------------------------------------------------------


def _public_acl(resource: Resource) -> Iterator[Violation]:
    acl = at(props(resource), "AccessControl")
    name = text(acl)
    if name in PUBLIC_ACLS:
        yield Violation(where(acl, resource), f"AccessControl {name} grants access to everyone")


def _public_access_block(resource: Resource) -> Iterator[Violation]:
    # Absent altogether: new buckets block public access by default. Present: every flag
    # it does not set is false.
    config = at(props(resource), "PublicAccessBlockConfiguration")
    if config is None or unknown(config):
        return
    by_line: dict[int | None, list[str]] = defaultdict(list)
    for key in BLOCK_FLAGS:
        node = config.get(key)
        if unknown(node) or flag(node) is True:
            continue
        shown = "not set" if node is None else f"{text(node)}"
        by_line[where(node, resource, "PublicAccessBlockConfiguration", key)].append(
            f"{key} {shown}"
        )
    for line, parts in by_line.items():
        yield Violation(line, ", ".join(parts))


# --- encryption at rest -----------------------------------------------------------------

_RESTORED_INSTANCE = (
    "SourceDBInstanceIdentifier",
    "DBSnapshotIdentifier",
    "SourceDBClusterIdentifier",
    "SourceDBInstanceAutomatedBackupsArn",
)
_RESTORED_CLUSTER = ("SnapshotIdentifier", "SourceDBClusterIdentifier", "GlobalClusterIdentifier")


def _inherits(resource: Resource, keys: tuple[str, ...]) -> bool:
    """Encryption comes from a snapshot, a source or a global cluster when unset."""
    return any(at(props(resource), key) is not None for key in keys)


def _rds_instance(resource: Resource) -> Iterator[Violation]:
    if at(props(resource), "DBClusterIdentifier") is not None:
        return  # an Aurora member: its cluster's StorageEncrypted decides
    node = at(props(resource), "StorageEncrypted")
    if node is None and _inherits(resource, _RESTORED_INSTANCE):
        return
    if unknown(node) or flag(node) is True:
        return
    yield Violation(where(node, resource, "StorageEncrypted"), "storage is not encrypted")


def _db_cluster(resource: Resource) -> Iterator[Violation]:
    engine_mode = at(props(resource), "EngineMode")
    if unknown(engine_mode) or text(engine_mode) == "serverless":
        return  # Aurora Serverless v1 is always encrypted
    node = at(props(resource), "StorageEncrypted")
    if node is None and _inherits(resource, _RESTORED_CLUSTER):
        return
    if unknown(node) or flag(node) is True:
        return
    yield Violation(where(node, resource, "StorageEncrypted"), "storage is not encrypted")


def _ebs(resource: Resource) -> Iterator[Violation]:
    p = props(resource)
    if resource.kind == "AWS::EC2::Volume":
        node = at(p, "Encrypted")
        if node is None and at(p, "SnapshotId") is not None:
            return  # a volume from a snapshot is encrypted as the snapshot is
        if unknown(node) or flag(node) is True:
            return
        yield Violation(
            where(node, resource, "Encrypted"),
            "volume is not encrypted (unless EBS encryption by default is on in the account)",
        )
        return
    mappings_path: tuple[str, ...] = ("BlockDeviceMappings",)
    if resource.kind == "AWS::EC2::LaunchTemplate":
        mappings_path = ("LaunchTemplateData", "BlockDeviceMappings")
    devices = at(p, *mappings_path)
    for device in mappings(devices) if not unknown(devices) else ():
        node = at(device, "Ebs", "Encrypted")
        if flag(node) is False and node is not None:
            name = text(device.get("DeviceName")) or "?"
            yield Violation(where(node, resource), f"volume {name} has Encrypted: false")


def _redshift(resource: Resource) -> Iterator[Violation]:
    node = at(props(resource), "Encrypted")
    if flag(node) is False and node is not None:
        yield Violation(where(node, resource), "cluster is created unencrypted (Encrypted: false)")


def _kms_rotation(resource: Resource) -> Iterator[Violation]:
    p = props(resource)
    spec, usage, origin = at(p, "KeySpec"), at(p, "KeyUsage"), at(p, "Origin")
    if unknown(spec) or unknown(usage) or unknown(origin):
        return
    symmetric = (text(spec) or "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    encrypts = (text(usage) or "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
    rotatable = (text(origin) or "AWS_KMS") == "AWS_KMS"  # imported or custom-store keys: no
    if not (symmetric and encrypts and rotatable):
        return
    node = at(p, "EnableKeyRotation")
    if unknown(node) or flag(node) is True:
        return
    yield Violation(where(node, resource, "EnableKeyRotation"), "automatic key rotation is off")


def _sqs(resource: Resource) -> Iterator[Violation]:
    # SSE-SQS is the default; only SqsManagedSseEnabled: false without a KMS key is bare.
    managed = at(props(resource), "SqsManagedSseEnabled")
    if at(props(resource), "KmsMasterKeyId") is not None or flag(managed) is not False:
        return
    yield Violation(where(managed, resource), "queue is not encrypted at rest")


def _sns(resource: Resource) -> Iterator[Violation]:
    key = at(props(resource), "KmsMasterKeyId")
    if key is None:
        yield Violation(anchor(resource, "KmsMasterKeyId"), "topic has no KmsMasterKeyId")


def _opensearch_tls(resource: Resource) -> Iterator[Violation]:
    options = at(props(resource), "DomainEndpointOptions")
    enforce = at(options, "EnforceHTTPS") if options is not None else None
    if not unknown(options) and not unknown(enforce) and flag(enforce) is not True:
        line = where(enforce, resource, "DomainEndpointOptions", "EnforceHTTPS")
        yield Violation(line, "HTTPS is not enforced (EnforceHTTPS not true)")
    policy = at(options, "TLSSecurityPolicy") if options is not None else None
    if text(policy) == "Policy-Min-TLS-1-0-2019-07":
        yield Violation(where(policy, resource), "TLSSecurityPolicy accepts TLS 1.0")


# --- exposure ---------------------------------------------------------------------------


def _publicly_accessible(resource: Resource) -> Iterator[Violation]:
    node = at(props(resource), "PubliclyAccessible")
    if unknown(node):
        return
    # A replication instance is public unless told otherwise; the others only if told.
    default_public = resource.kind == "AWS::DMS::ReplicationInstance" and node is None
    if flag(node) is True or default_public:
        yield Violation(
            where(node, resource, "PubliclyAccessible"),
            "PubliclyAccessible is " + ("true" if node is not None else "not set (true)"),
        )


# --- credentials ------------------------------------------------------------------------

_MASTER = ("MasterUserPassword",)
_SECRET_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::RDS::DBInstance": (_MASTER,),
    "AWS::RDS::DBCluster": (_MASTER,),
    "AWS::DocDB::DBCluster": (_MASTER,),
    "AWS::Redshift::Cluster": (_MASTER,),
    "AWS::ElastiCache::ReplicationGroup": (("AuthToken",),),
    "AWS::IAM::User": (("LoginProfile", "Password"),),
    "AWS::DirectoryService::MicrosoftAD": (("Password",),),
    "AWS::DirectoryService::SimpleAD": (("Password",),),
    "AWS::DMS::Endpoint": (("Password",),),
    "AWS::OpenSearchService::Domain": (
        ("AdvancedSecurityOptions", "MasterUserOptions", "MasterUserPassword"),
    ),
    "AWS::Elasticsearch::Domain": (
        ("AdvancedSecurityOptions", "MasterUserOptions", "MasterUserPassword"),
    ),
}
DYNAMIC_REFERENCE = "{{resolve:"


def _written_secret(resource: Resource, node: Node | None, raw: Node | None) -> Violation | None:
    if node is None or not isinstance(node.value, str) or not node.value.strip():
        return None
    if DYNAMIC_REFERENCE in node.value:
        return None
    source = "is written in the template"
    if raw is not None and isinstance(raw.value, dict) and set(raw.value) == {"Ref"}:
        source = f"comes from the Default of parameter {text(raw.value['Ref'])}"
    return Violation(where(node, resource), f"the value {source}")


def _hardcoded_secret(resource: Resource) -> Iterator[Violation]:
    raw = resource.context.get("raw")
    raw_props = raw.get("Properties") if isinstance(raw, Node) else None
    for path in _SECRET_PATHS.get(resource.kind, ()):
        found = _written_secret(resource, at(props(resource), *path), at(raw_props, *path))
        if found is not None:
            yield found
    if resource.kind == "AWS::AmazonMQ::Broker":
        users = at(props(resource), "Users")
        for index, user in enumerate(mappings(users) if not unknown(users) else ()):
            raw_user = at(raw_props, "Users", index, "Password")
            found = _written_secret(resource, user.get("Password"), raw_user)
            if found is not None:
                yield found


# --- the catalogue ----------------------------------------------------------------------

_BUCKET = """\
Data:
  Type: AWS::S3::Bucket
  Properties:
    BucketName: shop-data
{extra}"""
_DB = """\
Db:
  Type: AWS::RDS::DBInstance
  Properties:
    Engine: postgres
    DBInstanceClass: db.t4g.micro
    AllocatedStorage: "20"
    MasterUsername: app
    ManageMasterUserPassword: true
{extra}"""
_CLUSTER = """\
Aurora:
  Type: AWS::RDS::DBCluster
  Properties:
    Engine: aurora-postgresql
    MasterUsername: app
    ManageMasterUserPassword: true
{extra}"""
_DOMAIN = """\
Search:
  Type: AWS::OpenSearchService::Domain
  Properties:
    EngineVersion: OpenSearch_2.11
{extra}"""
_SECURE_DOMAIN = """\
    EncryptionAtRestOptions: {Enabled: true}
    NodeToNodeEncryptionOptions: {Enabled: true}
    DomainEndpointOptions:
      EnforceHTTPS: true
      TLSSecurityPolicy: Policy-Min-TLS-1-2-2019-07
"""
_CACHE = """\
Cache:
  Type: AWS::ElastiCache::ReplicationGroup
  Properties:
    ReplicationGroupDescription: sessions
    Engine: redis
    CacheNodeType: cache.t4g.micro
{extra}"""
_KEY = """\
Key:
  Type: AWS::KMS::Key
  Properties:
    KeyPolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"
          Action: kms:*
          Resource: "*"
{extra}"""


def _domain_without(section: str) -> tuple[Example, ...]:
    """A failing example: the secure domain without ``section``."""
    extra = _SECURE_DOMAIN.replace(f"    {section}: {{Enabled: true}}\n", "")
    assert extra != _SECURE_DOMAIN
    return (example(_DOMAIN.format(extra=extra)),)


CHECKS: tuple[Check, ...] = (
    cfn_check(
        "cfn-s3-public-acl",
        "S3 bucket ACL grants public access",
        Severity.HIGH,
        BUCKET,
        _public_acl,
        "Remove AccessControl (or set it to Private) and keep ObjectOwnership: "
        "BucketOwnerEnforced; serve public content through CloudFront with origin access control.",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.3", "A.8.12"),
        failing=(example(_BUCKET.format(extra="    AccessControl: PublicRead\n")),),
        passing=(
            example(_BUCKET.format(extra="    AccessControl: Private\n")),
            example(_BUCKET.format(extra="")),
        ),
    ),
    cfn_check(
        "cfn-s3-public-access-block-disabled",
        "S3 bucket turns off part of Block Public Access",
        Severity.MEDIUM,
        BUCKET,
        _public_access_block,
        "Set all four PublicAccessBlockConfiguration flags (BlockPublicAcls, "
        "BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets) to true.",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.12"),
        cis=("2.1.4",),
        failing=(
            example(
                _BUCKET.format(
                    extra="    PublicAccessBlockConfiguration:\n"
                    "      BlockPublicAcls: true\n"
                    "      BlockPublicPolicy: false\n"
                    "      IgnorePublicAcls: true\n"
                    "      RestrictPublicBuckets: true\n"
                )
            ),
            example(
                _BUCKET.format(
                    extra="    PublicAccessBlockConfiguration: {BlockPublicAcls: true}\n"
                )
            ),
        ),
        passing=(
            example(
                _BUCKET.format(
                    extra="    PublicAccessBlockConfiguration:\n"
                    "      BlockPublicAcls: true\n"
                    "      BlockPublicPolicy: true\n"
                    "      IgnorePublicAcls: true\n"
                    "      RestrictPublicBuckets: true\n"
                )
            ),
            example(_BUCKET.format(extra="")),
        ),
    ),
    cfn_check(
        "cfn-rds-not-encrypted",
        "RDS database instance storage is not encrypted",
        Severity.HIGH,
        ("AWS::RDS::DBInstance",),
        _rds_instance,
        "Set StorageEncrypted: true (and KmsKeyId to a customer managed key if required); "
        "an existing instance must be restored from an encrypted snapshot copy.",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        cis=("2.3.1",),
        failing=(
            example(_DB.format(extra="")),
            example(_DB.format(extra="    StorageEncrypted: false\n")),
        ),
        passing=(example(_DB.format(extra="    StorageEncrypted: true\n")),),
    ),
    cfn_check(
        "cfn-db-cluster-not-encrypted",
        "Database cluster storage is not encrypted",
        Severity.HIGH,
        ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster"),
        _db_cluster,
        "Set StorageEncrypted: true on the DB cluster (Aurora, DocumentDB, Neptune); it "
        "cannot be changed later without a restore from an encrypted snapshot.",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(example(_CLUSTER.format(extra="")),),
        passing=(example(_CLUSTER.format(extra="    StorageEncrypted: true\n")),),
    ),
    cfn_check(
        "cfn-ebs-not-encrypted",
        "EBS volume is not encrypted",
        Severity.MEDIUM,
        ("AWS::EC2::Volume", "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"),
        _ebs,
        "Set Encrypted: true on AWS::EC2::Volume and on BlockDeviceMappings[].Ebs of "
        "instances and launch templates (or turn on EBS encryption by default).",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(
            example(
                "Disk:\n  Type: AWS::EC2::Volume\n  Properties:\n"
                "    AvailabilityZone: eu-west-1a\n    Size: 100\n"
            ),
            example(
                "Nodes:\n  Type: AWS::EC2::LaunchTemplate\n  Properties:\n"
                "    LaunchTemplateData:\n      BlockDeviceMappings:\n"
                "        - DeviceName: /dev/xvda\n"
                "          Ebs: {VolumeSize: 50, Encrypted: false}\n"
            ),
        ),
        passing=(
            example(
                "Disk:\n  Type: AWS::EC2::Volume\n  Properties:\n"
                "    AvailabilityZone: eu-west-1a\n    Size: 100\n    Encrypted: true\n"
            ),
        ),
    ),
    cfn_check(
        "cfn-efs-not-encrypted",
        "EFS file system is not encrypted",
        Severity.MEDIUM,
        ("AWS::EFS::FileSystem",),
        must_be_true("Encrypted", message="file system is not encrypted at rest"),
        "Set Encrypted: true (with KmsKeyId for a customer managed key); it cannot be "
        "turned on for an existing file system.",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        cis=("2.4.1",),
        failing=(example("Files:\n  Type: AWS::EFS::FileSystem\n  Properties: {}\n"),),
        passing=(
            example("Files:\n  Type: AWS::EFS::FileSystem\n  Properties:\n    Encrypted: true\n"),
        ),
    ),
    cfn_check(
        "cfn-redshift-not-encrypted",
        "Redshift cluster is created unencrypted",
        Severity.HIGH,
        ("AWS::Redshift::Cluster",),
        _redshift,
        "Remove Encrypted: false or set Encrypted: true (with KmsKeyId for a customer "
        "managed key).",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(
            example(
                "Warehouse:\n  Type: AWS::Redshift::Cluster\n  Properties:\n"
                "    ClusterType: single-node\n    NodeType: ra3.large\n    DBName: dw\n"
                "    MasterUsername: admin\n    ManageMasterPassword: true\n"
                "    Encrypted: false\n"
            ),
        ),
        passing=(
            example(
                "Warehouse:\n  Type: AWS::Redshift::Cluster\n  Properties:\n"
                "    ClusterType: single-node\n    NodeType: ra3.large\n    DBName: dw\n"
                "    MasterUsername: admin\n    ManageMasterPassword: true\n"
                "    Encrypted: true\n"
            ),
        ),
    ),
    cfn_check(
        "cfn-elasticache-not-encrypted-at-rest",
        "ElastiCache replication group is not encrypted at rest",
        Severity.MEDIUM,
        ("AWS::ElastiCache::ReplicationGroup",),
        must_be_true("AtRestEncryptionEnabled", message="data at rest is not encrypted"),
        "Set AtRestEncryptionEnabled: true (with KmsKeyId for a customer managed key).",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(example(_CACHE.format(extra="    TransitEncryptionEnabled: true\n")),),
        passing=(
            example(
                _CACHE.format(
                    extra="    AtRestEncryptionEnabled: true\n    TransitEncryptionEnabled: true\n"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-elasticache-not-encrypted-in-transit",
        "ElastiCache replication group does not encrypt connections",
        Severity.MEDIUM,
        ("AWS::ElastiCache::ReplicationGroup",),
        must_be_true("TransitEncryptionEnabled", message="connections are not encrypted"),
        "Set TransitEncryptionEnabled: true (and an AuthToken or RBAC user group).",
        cwe="CWE-319",
        iso27001=("A.8.24",),
        failing=(example(_CACHE.format(extra="    AtRestEncryptionEnabled: true\n")),),
        passing=(
            example(
                _CACHE.format(
                    extra="    AtRestEncryptionEnabled: true\n    TransitEncryptionEnabled: true\n"
                )
            ),
        ),
    ),
    cfn_check(
        "cfn-opensearch-not-encrypted-at-rest",
        "OpenSearch domain is not encrypted at rest",
        Severity.MEDIUM,
        ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
        must_be_true("EncryptionAtRestOptions", "Enabled", message="data at rest is not encrypted"),
        "Set EncryptionAtRestOptions.Enabled: true (with KmsKeyId for a customer managed key).",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=_domain_without("EncryptionAtRestOptions"),
        passing=(example(_DOMAIN.format(extra=_SECURE_DOMAIN)),),
    ),
    cfn_check(
        "cfn-opensearch-node-to-node-not-encrypted",
        "OpenSearch domain does not encrypt traffic between nodes",
        Severity.MEDIUM,
        ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
        must_be_true(
            "NodeToNodeEncryptionOptions", "Enabled", message="node-to-node traffic is plain"
        ),
        "Set NodeToNodeEncryptionOptions.Enabled: true.",
        cwe="CWE-319",
        iso27001=("A.8.24",),
        failing=_domain_without("NodeToNodeEncryptionOptions"),
        passing=(example(_DOMAIN.format(extra=_SECURE_DOMAIN)),),
    ),
    cfn_check(
        "cfn-opensearch-https-not-enforced",
        "OpenSearch domain endpoint accepts plain HTTP or TLS 1.0",
        Severity.MEDIUM,
        ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
        _opensearch_tls,
        "Set DomainEndpointOptions.EnforceHTTPS: true and DomainEndpointOptions."
        "TLSSecurityPolicy: Policy-Min-TLS-1-2-2019-07 (or a newer TLS 1.2 policy).",
        cwe="CWE-319",
        iso27001=("A.8.24",),
        failing=(
            example(
                _DOMAIN.format(
                    extra=_SECURE_DOMAIN.replace("EnforceHTTPS: true", "EnforceHTTPS: false")
                )
            ),
            example(
                _DOMAIN.format(
                    extra=_SECURE_DOMAIN.replace(
                        "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-0-2019-07"
                    )
                )
            ),
        ),
        passing=(example(_DOMAIN.format(extra=_SECURE_DOMAIN)),),
    ),
    cfn_check(
        "cfn-kms-key-rotation-disabled",
        "KMS key is not rotated automatically",
        Severity.MEDIUM,
        ("AWS::KMS::Key",),
        _kms_rotation,
        "Set EnableKeyRotation: true on symmetric encryption keys (optionally "
        "RotationPeriodInDays).",
        cwe="CWE-324",
        iso27001=("A.8.24",),
        cis=("3.6",),
        failing=(example(_KEY.format(extra="")),),
        passing=(
            example(_KEY.format(extra="    EnableKeyRotation: true\n")),
            example(_KEY.format(extra="    KeySpec: ECC_NIST_P256\n    KeyUsage: SIGN_VERIFY\n")),
        ),
    ),
    cfn_check(
        "cfn-sqs-queue-not-encrypted",
        "SQS queue turns off encryption at rest",
        Severity.LOW,
        ("AWS::SQS::Queue",),
        _sqs,
        "Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId to a KMS key.",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(
            example(
                "Jobs:\n  Type: AWS::SQS::Queue\n  Properties:\n    SqsManagedSseEnabled: false\n"
            ),
        ),
        passing=(
            example("Jobs:\n  Type: AWS::SQS::Queue\n  Properties:\n    VisibilityTimeout: 60\n"),
            example(
                "Jobs:\n  Type: AWS::SQS::Queue\n  Properties:\n    KmsMasterKeyId: alias/jobs\n"
            ),
        ),
    ),
    cfn_check(
        "cfn-sns-topic-not-encrypted",
        "SNS topic is not encrypted at rest",
        Severity.LOW,
        ("AWS::SNS::Topic",),
        _sns,
        "Set KmsMasterKeyId to a KMS key (alias/aws/sns or a customer managed key).",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        failing=(
            example("Alerts:\n  Type: AWS::SNS::Topic\n  Properties:\n    TopicName: alerts\n"),
        ),
        passing=(
            example(
                "Alerts:\n  Type: AWS::SNS::Topic\n  Properties:\n"
                "    TopicName: alerts\n    KmsMasterKeyId: alias/aws/sns\n"
            ),
        ),
    ),
    cfn_check(
        "cfn-database-publicly-accessible",
        "Database is reachable from the internet",
        Severity.HIGH,
        ("AWS::RDS::DBInstance", "AWS::Redshift::Cluster", "AWS::DMS::ReplicationInstance"),
        _publicly_accessible,
        "Set PubliclyAccessible: false and place the database in private subnets; reach it "
        "through the application, a bastion or SSM port forwarding.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=("2.3.3",),
        failing=(
            example(_DB.format(extra="    StorageEncrypted: true\n    PubliclyAccessible: true\n")),
        ),
        passing=(
            example(
                _DB.format(extra="    StorageEncrypted: true\n    PubliclyAccessible: false\n")
            ),
        ),
    ),
    cfn_check(
        "cfn-hardcoded-secret",
        "Password or token is written in the template",
        Severity.HIGH,
        (*_SECRET_PATHS, "AWS::AmazonMQ::Broker"),
        _hardcoded_secret,
        "Replace the value with a dynamic reference such as "
        "'{{resolve:secretsmanager:NAME:SecretString:password}}', or use "
        "ManageMasterUserPassword: true; a NoEcho parameter must have no Default.",
        cwe="CWE-798",
        iso27001=("A.5.17",),
        failing=(
            example(
                _CLUSTER.replace("    ManageMasterUserPassword: true\n", "").format(
                    extra="    StorageEncrypted: true\n    MasterUserPassword: Winter2024!\n"
                )
            ),
            example(
                _CLUSTER.replace("    ManageMasterUserPassword: true\n", "").format(
                    extra="    StorageEncrypted: true\n    MasterUserPassword: !Ref DbPassword\n"
                ),
                preamble="Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n"
                "    Default: changeme123\n",
            ),
        ),
        passing=(
            example(
                _CLUSTER.replace("    ManageMasterUserPassword: true\n", "").format(
                    extra="    StorageEncrypted: true\n    MasterUserPassword: "
                    "'{{resolve:secretsmanager:aurora-admin:SecretString:password}}'\n"
                )
            ),
            example(
                _CLUSTER.replace("    ManageMasterUserPassword: true\n", "").format(
                    extra="    StorageEncrypted: true\n    MasterUserPassword: !Ref DbPassword\n"
                ),
                preamble="Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n",
            ),
        ),
    ),
)
