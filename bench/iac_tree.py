"""A realistic infrastructure repository for the IaC benchmark, written from code.

The shape is what a platform team keeps in one repository: a dozen services, each with
a Dockerfile, Kubernetes manifests, a Terraform stack that calls shared local modules
(with variables, tfvars and locals) and, for half of them, a CloudFormation template;
CI workflows for GitHub Actions and GitLab; a Compose file for local development.

Almost everything is configured well. A known set of high-severity problems is planted
in known files (``PLANTED``), some of them only visible through evaluation (a CIDR that
arrives through tfvars, a module argument, a CloudFormation parameter default). The
benchmark asks each tool which of them it found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SERVICES = (
    "accounts",
    "billing",
    "catalog",
    "checkout",
    "search",
    "notify",
    "gateway",
    "reports",
    "media",
    "auth",
    "orders",
    "inventory",
)


@dataclass(frozen=True)
class Planted:
    """One planted problem: where, and how each tool names it when it finds it."""

    key: str
    what: str
    path: str  # relative to the tree
    resource: str  # a substring of the resource name each tool reports
    glasshouse: frozenset[str]  # Glasshouse check ids that count as finding it
    checkov: frozenset[str]  # Checkov check ids that count as finding it


def _set(*ids: str) -> frozenset[str]:
    return frozenset(ids)


PLANTED: tuple[Planted, ...] = (
    Planted(
        "tf-ssh-world",
        "Terraform: security group opens SSH to 0.0.0.0/0",
        "infra/legacy/network.tf",
        "bastion",
        _set("tf-aws-sg-ssh-open"),
        _set("CKV_AWS_24"),
    ),
    Planted(
        "tf-rdp-tfvars",
        "Terraform: RDP open to the world through a module argument set in tfvars",
        "infra/modules/admin_access/main.tf",
        "admin",
        _set("tf-aws-sg-rdp-open"),
        _set("CKV_AWS_25"),
    ),
    Planted(
        "tf-public-bucket",
        "Terraform: S3 bucket ACL public-read",
        "infra/legacy/storage.tf",
        "exports",
        _set("tf-aws-s3-public-acl"),
        _set("CKV_AWS_20"),
    ),
    Planted(
        "tf-rds-unencrypted",
        "Terraform: RDS instance without storage encryption",
        "infra/legacy/database.tf",
        "legacy",
        _set("tf-aws-rds-unencrypted"),
        _set("CKV_AWS_16"),
    ),
    Planted(
        "tf-rds-public",
        "Terraform: RDS instance publicly accessible",
        "infra/legacy/database.tf",
        "legacy",
        _set("tf-aws-db-publicly-accessible"),
        _set("CKV_AWS_17"),
    ),
    Planted(
        "tf-iam-star",
        "Terraform: IAM policy allowing * on *",
        "infra/legacy/iam.tf",
        "break_glass",
        _set("tf-aws-iam-full-admin"),
        _set("CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_355"),
    ),
    Planted(
        "cfn-ssh-world",
        "CloudFormation: security group opens SSH to 0.0.0.0/0",
        "cloudformation/jumpbox.yaml",
        "JumpboxSecurityGroup",
        _set("cfn-sg-admin-port-open"),
        _set("CKV_AWS_24"),
    ),
    Planted(
        "cfn-public-bucket",
        "CloudFormation: S3 bucket with PublicReadWrite access control",
        "cloudformation/jumpbox.yaml",
        "UploadsBucket",
        _set("cfn-s3-public-acl"),
        _set("CKV_AWS_57", "CKV_AWS_20"),
    ),
    Planted(
        "cfn-rds-unencrypted",
        "CloudFormation: RDS instance with StorageEncrypted from a parameter default false",
        "cloudformation/reporting-db.json",
        "ReportingDatabase",
        _set("cfn-rds-not-encrypted"),
        _set("CKV_AWS_16"),
    ),
    Planted(
        "cfn-iam-star",
        "CloudFormation: managed policy allowing * on *",
        "cloudformation/reporting-db.json",
        "OperatorPolicy",
        _set("cfn-iam-full-admin"),
        _set(
            "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_286"
        ),
    ),
    Planted(
        "k8s-privileged",
        "Kubernetes: privileged container",
        "platform/k8s/node-agent.yaml",
        "node-agent",
        _set("k8s-privileged-container"),
        _set("CKV_K8S_16"),
    ),
    Planted(
        "k8s-hostpath",
        "Kubernetes: hostPath volume of the container runtime socket",
        "platform/k8s/node-agent.yaml",
        "node-agent",
        _set("k8s-host-path-volume"),
        _set("CKV_K8S_27"),
    ),
    Planted(
        "k8s-rbac-wildcard",
        "Kubernetes: ClusterRole granting * on *",
        "platform/k8s/rbac.yaml",
        "ops-admin",
        _set("k8s-rbac-wildcard"),
        _set("CKV_K8S_49", "CKV_K8S_155", "CKV_K8S_158"),
    ),
    Planted(
        "docker-curl-sh",
        "Dockerfile: piping curl to a shell",
        "tools/ci-runner/Dockerfile",
        "",
        _set("docker-curl-pipe-shell"),
        _set(),
    ),
    Planted(
        "docker-root",
        "Dockerfile: final stage runs as root",
        "tools/ci-runner/Dockerfile",
        "",
        _set("docker-root-user"),
        _set("CKV_DOCKER_3", "CKV_DOCKER_8"),
    ),
    Planted(
        "compose-socket",
        "Compose: Docker socket mounted into a service",
        "docker-compose.yml",
        "watchtower",
        _set("compose-docker-socket"),
        _set(),
    ),
    Planted(
        "gha-pr-target",
        "GitHub Actions: pull_request_target checks out the pull request head",
        ".github/workflows/preview.yml",
        "preview",
        _set("gha-pr-target-head-checkout"),
        _set("CKV_GHA_7", "CKV2_GHA_1"),
    ),
    Planted(
        "gha-injection",
        "GitHub Actions: issue title interpolated into a run script",
        ".github/workflows/triage.yml",
        "triage",
        _set("gha-script-injection"),
        _set("CKV_GHA_2"),
    ),
)


# -- files of one service -----------------------------------------------------------------


def _dockerfile(service: str) -> str:
    return f"""\
# syntax=docker/dockerfile:1.7
FROM python:3.12.7-slim-bookworm@sha256:{"3" * 64} AS build
WORKDIR /src
COPY pyproject.toml poetry.lock ./
RUN pip install --no-cache-dir poetry==1.8.4 && poetry export -o requirements.txt
COPY src/ ./src/
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt .

FROM python:3.12.7-slim-bookworm@sha256:{"3" * 64}
RUN groupadd --system app && useradd --system --gid app --home /app app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-m", "{service}.health"]
CMD ["python", "-m", "{service}"]
"""


def _deployment(service: str, replicas: int) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {service}
  namespace: {service}
  labels:
    app.kubernetes.io/name: {service}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {service}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {service}
    spec:
      serviceAccountName: {service}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {service}
          image: registry.example.com/shop/{service}:2.{replicas}.1@sha256:{"a" * 64}
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {service}-db
                  key: url
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          livenessProbe:
            httpGet: {{path: /healthz, port: http}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
"""


def _service(service: str) -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {service}
  namespace: {service}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {service}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {service}
  namespace: {service}
automountServiceAccountToken: false
"""


def _stack_main(service: str) -> str:
    return f"""\
terraform {{
  required_version = ">= 1.6"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }}
  }}
}}

locals {{
  name = "${{var.environment}}-{service}"
  tags = merge(var.tags, {{
    service     = "{service}"
    environment = var.environment
  }})
}}

module "assets" {{
  source      = "../../modules/bucket"
  name        = "${{local.name}}-assets"
  kms_key_arn = module.keys.arn
  tags        = local.tags
}}

module "keys" {{
  source = "../../modules/kms"
  alias  = local.name
  tags   = local.tags
}}

module "database" {{
  source             = "../../modules/database"
  identifier         = local.name
  engine_version     = var.postgres_version
  instance_class     = var.db_instance_class
  subnet_ids         = var.private_subnet_ids
  allowed_sg_ids     = [aws_security_group.app.id]
  kms_key_arn        = module.keys.arn
  tags               = local.tags
}}

resource "aws_security_group" "app" {{
  name        = "${{local.name}}-app"
  description = "{service} application tasks"
  vpc_id      = var.vpc_id

  ingress {{
    description     = "HTTP from the load balancer"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [var.alb_security_group_id]
  }}

  egress {{
    description = "HTTPS to AWS APIs"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}

  tags = local.tags
}}

resource "aws_iam_role" "task" {{
  name               = "${{local.name}}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}}

data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role_policy" "task" {{
  name = "assets"
  role = aws_iam_role.task.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = ["${{module.assets.arn}}/*"]
    }}]
  }})
}}
"""


def _stack_variables() -> str:
    return """\
variable "environment" {
  type    = string
  default = "prod"
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "postgres_version" {
  type    = string
  default = "16.4"
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "alb_security_group_id" {
  type = string
}
"""


def _stack_outputs() -> str:
    return """\
output "assets_bucket_arn" {
  value = module.assets.arn
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}
"""


def _stack_tfvars(service: str, index: int) -> str:
    return f"""\
environment        = "prod"
vpc_id             = "vpc-0{index:07d}abcdef"
private_subnet_ids = ["subnet-0{index:05d}aa01", "subnet-0{index:05d}aa02"]
alb_security_group_id = "sg-0{index:06d}alb"
tags = {{
  owner       = "team-{service}"
  cost_center = "cc-{1000 + index}"
}}
"""


def _cfn_service(service: str) -> str:
    title = service.capitalize()
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: {title} queues, topic and table
Parameters:
  Environment:
    Type: String
    Default: prod
    AllowedValues: [dev, staging, prod]
Resources:
  {title}Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub "${{Environment}} {service} data key"
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: AccountAdmin
            Effect: Allow
            Principal:
              AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"
            Action: "kms:*"
            Resource: "*"
  {title}Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${{Environment}}-{service}-events"
      KmsMasterKeyId: !Ref {title}Key
      MessageRetentionPeriod: 345600
  {title}Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${{Environment}}-{service}-notices"
      KmsMasterKeyId: !Ref {title}Key
  {title}Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${{Environment}}-{service}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
        KMSMasterKeyId: !Ref {title}Key
Outputs:
  QueueUrl:
    Value: !Ref {title}Queue
"""


# -- shared modules -------------------------------------------------------------------------

MODULE_BUCKET = """\
variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
"""

MODULE_KMS = """\
variable "alias" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_kms_key" "this" {
  description             = "data key for ${var.alias}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}

output "arn" {
  value = aws_kms_key.this.arn
}
"""

MODULE_DATABASE = """\
variable "identifier" {
  type = string
}

variable "engine_version" {
  type = string
}

variable "instance_class" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "allowed_sg_ids" {
  type = list(string)
}

variable "kms_key_arn" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_db_subnet_group" "this" {
  name       = var.identifier
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "db" {
  name        = "${var.identifier}-db"
  description = "PostgreSQL from the application only"

  ingress {
    description     = "PostgreSQL from the application"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.allowed_sg_ids
  }
}

resource "aws_db_instance" "this" {
  identifier                   = var.identifier
  engine                       = "postgres"
  engine_version               = var.engine_version
  instance_class               = var.instance_class
  allocated_storage            = 50
  storage_encrypted            = true
  kms_key_id                   = var.kms_key_arn
  db_subnet_group_name         = aws_db_subnet_group.this.name
  vpc_security_group_ids       = [aws_security_group.db.id]
  publicly_accessible          = false
  backup_retention_period      = 14
  deletion_protection          = true
  iam_database_authentication_enabled = true
  performance_insights_enabled = true
  auto_minor_version_upgrade   = true
  copy_tags_to_snapshot        = true
  manage_master_user_password  = true
  username                     = "app"
  tags                         = var.tags
}
"""

MODULE_ADMIN_ACCESS = """\
variable "vpc_id" {
  type = string
}

variable "admin_cidr" {
  type        = string
  description = "Where administrators connect from"
}

resource "aws_security_group" "admin" {
  name        = "windows-admin"
  description = "RDP for the Windows build hosts"
  vpc_id      = var.vpc_id

  ingress {
    description = "RDP from the admin network"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"""

WINDOWS_ROOT = """\
module "admin_access" {
  source     = "../modules/admin_access"
  vpc_id     = var.vpc_id
  admin_cidr = var.admin_cidr
}

variable "vpc_id" {
  type    = string
  default = "vpc-0windows0001"
}

variable "admin_cidr" {
  type = string
}
"""

WINDOWS_TFVARS = 'admin_cidr = "0.0.0.0/0"\n'

LEGACY_NETWORK = """\
resource "aws_security_group" "bastion" {
  name        = "legacy-bastion"
  description = "SSH into the legacy network"
  vpc_id      = "vpc-0legacy00001"

  ingress {
    description = "SSH from anywhere (temporary)"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"""

LEGACY_STORAGE = """\
resource "aws_s3_bucket" "exports" {
  bucket = "legacy-report-exports"
  acl    = "public-read"
}
"""

LEGACY_DATABASE = """\
resource "aws_db_instance" "legacy" {
  identifier          = "legacy-orders"
  engine              = "mysql"
  engine_version      = "8.0.39"
  instance_class      = "db.t3.medium"
  allocated_storage   = 100
  username            = "admin"
  manage_master_user_password = true
  publicly_accessible = true
  storage_encrypted   = false
  skip_final_snapshot = true
}
"""

LEGACY_IAM = """\
resource "aws_iam_policy" "break_glass" {
  name        = "break-glass"
  description = "Emergency access"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
    ]
  })
}
"""

CFN_JUMPBOX = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Jump box and upload bucket for support engineers
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
Resources:
  JumpboxSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: SSH to the jump box
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
          Description: SSH from anywhere
  UploadsBucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
      BucketName: !Sub "support-uploads-${AWS::AccountId}"
"""


def _cfn_reporting_db() -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Reporting database and its operators",
        "Parameters": {
            "EncryptStorage": {
                "Type": "String",
                "Default": "false",
                "AllowedValues": ["true", "false"],
            },
        },
        "Resources": {
            "ReportingDatabase": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "Engine": "postgres",
                    "EngineVersion": "16.4",
                    "DBInstanceClass": "db.r6g.large",
                    "AllocatedStorage": "200",
                    "MasterUsername": "reporting",
                    "ManageMasterUserPassword": True,
                    "StorageEncrypted": {"Ref": "EncryptStorage"},
                    "PubliclyAccessible": False,
                },
            },
            "OperatorPolicy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Description": "Operators of the reporting stack",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                    },
                },
            },
        },
    }
    return json.dumps(template, indent=2) + "\n"


NODE_AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: platform
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
        - name: node-agent
          image: registry.example.com/platform/node-agent:4.2.0
          securityContext:
            privileged: true
          volumeMounts:
            - name: runtime
              mountPath: /run/containerd/containerd.sock
      volumes:
        - name: runtime
          hostPath:
            path: /run/containerd/containerd.sock
"""

RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ops-admin
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-reader
rules:
  - apiGroups: [""]
    resources: ["pods", "nodes"]
    verbs: ["get", "list", "watch"]
"""

CI_RUNNER_DOCKERFILE = """\
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates git \\
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://get.example-ci.com/install.sh | bash
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/ci-runner"]
"""

COMPOSE = """\
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ports:
      - "127.0.0.1:5432:5432"
    secrets: [db_password]
  cache:
    image: redis:7.4
    ports:
      - "127.0.0.1:6379:6379"
  watchtower:
    image: containrrr/watchtower:1.7.1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
secrets:
  db_password:
    file: ./secrets/db_password.txt
"""

WORKFLOW_CI = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt && pytest -q
"""

WORKFLOW_PREVIEW = """\
name: preview
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
  pull-requests: write
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make preview
"""

WORKFLOW_TRIAGE = """\
name: triage
on:
  issues:
    types: [opened]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - name: Record the issue
        run: |
          echo "New issue: ${{ github.event.issue.title }}" >> triage.log
"""

WORKFLOW_RELEASE = """\
name: release
on:
  push:
    tags: ["v*"]
permissions:
  contents: read
  id-token: write
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: release
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: make dist
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128ab6f43ab6f4
"""

GITLAB_CI = """\
stages: [test, build]

default:
  image: python:3.12.7-slim

test:
  stage: test
  script:
    - pip install -r requirements.txt
    - pytest -q

build:
  stage: build
  image: docker:27.3.1
  services:
    - docker:27.3.1-dind
  variables:
    DOCKER_TLS_CERTDIR: "/certs"
  script:
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .
    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"
"""


def build(root: Path) -> int:
    """Write the tree under ``root`` (which must not exist); the number of files."""
    files: dict[str, str] = {}
    for index, service in enumerate(SERVICES):
        files[f"services/{service}/Dockerfile"] = _dockerfile(service)
        files[f"services/{service}/k8s/deployment.yaml"] = _deployment(service, 2 + index % 3)
        files[f"services/{service}/k8s/service.yaml"] = _service(service)
        files[f"infra/stacks/{service}/main.tf"] = _stack_main(service)
        files[f"infra/stacks/{service}/variables.tf"] = _stack_variables()
        files[f"infra/stacks/{service}/terraform.tfvars"] = _stack_tfvars(service, index)
        files[f"infra/stacks/{service}/outputs.tf"] = _stack_outputs()
        if index % 2 == 0:
            files[f"cloudformation/{service}.yaml"] = _cfn_service(service)
    files["infra/modules/bucket/main.tf"] = MODULE_BUCKET
    files["infra/modules/kms/main.tf"] = MODULE_KMS
    files["infra/modules/database/main.tf"] = MODULE_DATABASE
    files["infra/modules/admin_access/main.tf"] = MODULE_ADMIN_ACCESS
    files["infra/windows/main.tf"] = WINDOWS_ROOT
    files["infra/windows/terraform.tfvars"] = WINDOWS_TFVARS
    files["infra/legacy/network.tf"] = LEGACY_NETWORK
    files["infra/legacy/storage.tf"] = LEGACY_STORAGE
    files["infra/legacy/database.tf"] = LEGACY_DATABASE
    files["infra/legacy/iam.tf"] = LEGACY_IAM
    files["cloudformation/jumpbox.yaml"] = CFN_JUMPBOX
    files["cloudformation/reporting-db.json"] = _cfn_reporting_db()
    files["platform/k8s/node-agent.yaml"] = NODE_AGENT
    files["platform/k8s/rbac.yaml"] = RBAC
    files["tools/ci-runner/Dockerfile"] = CI_RUNNER_DOCKERFILE
    files["docker-compose.yml"] = COMPOSE
    files[".github/workflows/ci.yml"] = WORKFLOW_CI
    files[".github/workflows/preview.yml"] = WORKFLOW_PREVIEW
    files[".github/workflows/triage.yml"] = WORKFLOW_TRIAGE
    files[".github/workflows/release.yml"] = WORKFLOW_RELEASE
    files[".gitlab-ci.yml"] = GITLAB_CI
    root.mkdir(parents=True)
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return len(files)
