"""Every IaC adapter and check, in one table each. A test checks that every module
under ``adapters/`` and ``checks/`` is listed here."""

from __future__ import annotations

from glasshouse.iac.adapter import Adapter, DirectoryAdapter
from glasshouse.iac.adapters import cloudformation as cloudformation_adapter
from glasshouse.iac.adapters import compose as compose_adapter
from glasshouse.iac.adapters import dockerfile as dockerfile_adapter
from glasshouse.iac.adapters import github_actions as github_actions_adapter
from glasshouse.iac.adapters import gitlab_ci as gitlab_ci_adapter
from glasshouse.iac.adapters import kubernetes as kubernetes_adapter
from glasshouse.iac.adapters import rendered as rendered_adapter
from glasshouse.iac.adapters import terraform as terraform_adapter
from glasshouse.iac.check import Check
from glasshouse.iac.checks import cloudformation as cloudformation_checks
from glasshouse.iac.checks import cloudformation_data as cloudformation_data_checks
from glasshouse.iac.checks import cloudformation_iam as cloudformation_iam_checks
from glasshouse.iac.checks import cloudformation_logging as cloudformation_logging_checks
from glasshouse.iac.checks import compose as compose_checks
from glasshouse.iac.checks import dockerfile as dockerfile_checks
from glasshouse.iac.checks import github_actions as github_actions_checks
from glasshouse.iac.checks import gitlab_ci as gitlab_ci_checks
from glasshouse.iac.checks import kubernetes as kubernetes_checks
from glasshouse.iac.checks import terraform_aws as terraform_aws_checks
from glasshouse.iac.checks import terraform_aws_data as terraform_aws_data_checks
from glasshouse.iac.checks import terraform_azure as terraform_azure_checks
from glasshouse.iac.checks import terraform_gcp as terraform_gcp_checks

ADAPTERS: tuple[Adapter, ...] = (
    cloudformation_adapter.ADAPTER,
    compose_adapter.ADAPTER,
    dockerfile_adapter.ADAPTER,
    github_actions_adapter.ADAPTER,
    gitlab_ci_adapter.ADAPTER,
    kubernetes_adapter.ADAPTER,
)
# Formats defined per directory (a Terraform module, a Helm chart).
DIRECTORY_ADAPTERS: tuple[DirectoryAdapter, ...] = (
    terraform_adapter.ADAPTER,
    rendered_adapter.HELM_ADAPTER,
    rendered_adapter.KUSTOMIZE_ADAPTER,
    rendered_adapter.TEMPLATES_ADAPTER,
)
CHECKS: tuple[Check, ...] = (
    *cloudformation_checks.CHECKS,
    *cloudformation_data_checks.CHECKS,
    *cloudformation_iam_checks.CHECKS,
    *cloudformation_logging_checks.CHECKS,
    *compose_checks.CHECKS,
    *dockerfile_checks.CHECKS,
    *github_actions_checks.CHECKS,
    *gitlab_ci_checks.CHECKS,
    *kubernetes_checks.CHECKS,
    *terraform_aws_checks.CHECKS,
    *terraform_aws_data_checks.CHECKS,
    *terraform_azure_checks.CHECKS,
    *terraform_gcp_checks.CHECKS,
)
