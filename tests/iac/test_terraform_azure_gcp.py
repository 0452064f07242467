"""Azure and Google Cloud Terraform checks beyond their catalogue examples: the lines
findings point at, values resolved from variable defaults, tfvars and locals, UNKNOWN
values that must stay silent, and port ranges."""

from __future__ import annotations

import textwrap

import pytest

from glasshouse.iac.checks import terraform_azure, terraform_gcp
from glasshouse.iac.engine import evaluate_texts

CHECKS = (*terraform_azure.CHECKS, *terraform_gcp.CHECKS)


def _run(files: dict[str, str]) -> list[tuple[str, int | None, str]]:
    """(check id, line, title) of every finding of these checks, in report order."""
    run = evaluate_texts(
        {p: textwrap.dedent(t).lstrip("\n") for p, t in files.items()}, checks=CHECKS
    )
    assert not [p for p in run.problems if p.blocking], run.problems
    return [(f.rule_id, f.location.line, f.title) for f in run.findings]


def _ids(files: dict[str, str]) -> list[str]:
    return [rule for rule, _, _ in _run(files)]


def _lines(files: dict[str, str], rule: str) -> list[int | None]:
    return [line for found, line, _ in _run(files) if found == rule]


def _nsg_rule(port: str, source: str = '"*"', protocol: str = "Tcp", extra: str = "") -> str:
    return f"""
        resource "azurerm_network_security_rule" "rule" {{
          name                        = "rule"
          priority                    = 100
          direction                   = "Inbound"
          access                      = "Allow"
          protocol                    = "{protocol}"
          source_port_range           = "*"
          destination_port_range      = {port}
          source_address_prefix       = {source}
          destination_address_prefix  = "*"
          resource_group_name         = "rg"
          network_security_group_name = "nsg"
        {extra}
        }}
        """


def _gcp_firewall(ports: str, source: str = '["0.0.0.0/0"]', extra: str = "") -> str:
    return f"""
        resource "google_compute_firewall" "rule" {{
          name    = "rule"
          network = "default"
        {extra}
          allow {{
            protocol = "tcp"
            ports    = {ports}
          }}
          source_ranges = {source}
        }}
        """


# --- lines ---------------------------------------------------------------------------------


def test_nsg_finding_is_on_the_line_of_the_open_source() -> None:
    text = """
        resource "azurerm_network_security_group" "web" {
          name                = "nsg-web"
          location            = "westeurope"
          resource_group_name = "rg"

          security_rule {
            name                       = "ssh"
            priority                   = 100
            direction                  = "Inbound"
            access                     = "Allow"
            protocol                   = "Tcp"
            source_port_range          = "*"
            destination_port_range     = "22"
            source_address_prefix      = "Internet"
            destination_address_prefix = "*"
          }
        }
        """
    assert _lines({"main.tf": text}, "tf-azure-nsg-admin-port-open") == [14]


def test_unsafe_default_is_reported_on_the_resource_line() -> None:
    text = """
        # a vault

        resource "azurerm_key_vault" "app" {
          name                = "kv-app"
          location            = "westeurope"
          resource_group_name = "rg"
          tenant_id           = "00000000-0000-0000-0000-000000000000"
          sku_name            = "standard"
        }
        """
    assert _lines({"main.tf": text}, "tf-azure-keyvault-purge-protection-disabled") == [3]


def test_absent_attribute_in_a_written_block_points_at_the_block() -> None:
    text = """
        resource "google_sql_database_instance" "db" {
          name             = "db"
          database_version = "MYSQL_8_0"

          settings {
            tier = "db-f1-micro"
            ip_configuration {
              ipv4_enabled = true
            }
          }
        }
        """
    assert _lines({"main.tf": text}, "tf-gcp-sql-ssl-not-required") == [7]


def test_written_value_in_a_nested_block_is_reported_on_its_line() -> None:
    text = """
        resource "azurerm_windows_web_app" "api" {
          name                = "api"
          location            = "westeurope"
          resource_group_name = "rg"
          service_plan_id     = azurerm_service_plan.main.id
          https_only          = true

          site_config {
            ftps_state              = "AllAllowed"
            scm_minimum_tls_version = "1.1"
          }
        }
        """
    found = _run({"main.tf": text})
    assert [(rule, line) for rule, line, _ in found] == [
        ("tf-azure-app-weak-tls", 10),
        ("tf-azure-app-ftp-allowed", 9),
    ]


def test_findings_in_a_module_point_at_the_module_file() -> None:
    files = {
        "main.tf": """
            module "edge" {
              source = "./modules/edge"
              admin  = "0.0.0.0/0"
            }
            """,
        "modules/edge/main.tf": """
            variable "admin" {
              type = string
            }

            resource "google_compute_firewall" "ssh" {
              name    = "ssh"
              network = "default"
              allow {
                protocol = "tcp"
                ports    = ["22"]
              }
              source_ranges = [var.admin]
            }
            """,
    }
    run = evaluate_texts(
        {p: textwrap.dedent(t).lstrip("\n") for p, t in files.items()}, checks=CHECKS
    )
    hits = [f for f in run.findings if f.rule_id == "tf-gcp-firewall-admin-port-open"]
    assert [(f.location.path, f.location.line) for f in hits] == [("modules/edge/main.tf", 12)]
    assert "module.edge.google_compute_firewall.ssh" in hits[0].title


# --- values from variables, tfvars and locals ------------------------------------------------


def test_variable_default_is_judged() -> None:
    text = """
        variable "admin_cidr" {
          default = "0.0.0.0/0"
        }
        """ + _nsg_rule('"3389"', "var.admin_cidr")
    assert _ids({"main.tf": text}) == ["tf-azure-nsg-admin-port-open"]


def test_terraform_tfvars_overrides_a_safe_default() -> None:
    text = (
        _gcp_firewall('["22"]', "var.sources")
        + """
        variable "sources" {
          default = ["10.0.0.0/8"]
        }
        """
    )
    assert _ids({"main.tf": text}) == []
    tfvars = 'sources = ["0.0.0.0/0"]\n'
    assert _ids({"main.tf": text, "terraform.tfvars": tfvars}) == [
        "tf-gcp-firewall-admin-port-open"
    ]


def test_locals_and_dynamic_blocks_are_expanded() -> None:
    text = """
        locals {
          public = { ssh = "22", postgres = "5432" }
        }

        resource "azurerm_network_security_group" "db" {
          name                = "nsg-db"
          location            = "westeurope"
          resource_group_name = "rg"

          dynamic "security_rule" {
            for_each = local.public
            content {
              name                       = security_rule.key
              priority                   = 100
              direction                  = "Inbound"
              access                     = "Allow"
              protocol                   = "Tcp"
              source_port_range          = "*"
              destination_port_range     = security_rule.value
              source_address_prefix      = "*"
              destination_address_prefix = "*"
            }
          }
        }
        """
    found = _run({"main.tf": text})
    assert [(rule, line) for rule, line, _ in found] == [
        ("tf-azure-nsg-admin-port-open", 20),
        ("tf-azure-nsg-database-port-open", 20),
    ]


def test_rules_sharing_a_line_are_one_finding_naming_each() -> None:
    text = """
        variable "open" {
          default = ["22", "3389"]
        }

        resource "google_compute_firewall" "admin" {
          name    = "admin"
          network = "default"
          dynamic "allow" {
            for_each = var.open
            content {
              protocol = "tcp"
              ports    = [allow.value]
            }
          }
          source_ranges = ["0.0.0.0/0"]
        }
        """
    found = _run({"main.tf": text})
    assert len(found) == 1
    assert "SSH (22) open to 0.0.0.0/0; RDP (3389) open to 0.0.0.0/0" in found[0][2]


def test_kms_rotation_from_a_local() -> None:
    text = """
        locals {
          rotation_days = 365
        }

        resource "google_kms_crypto_key" "data" {
          name            = "data"
          key_ring        = "projects/p/locations/europe/keyRings/main"
          rotation_period = "${local.rotation_days * 86400}s"
        }
        """
    found = _run({"main.tf": text})
    assert [(rule, line) for rule, line, _ in found] == [("tf-gcp-kms-key-not-rotated", 8)]
    assert "365 days" in found[0][2]


@pytest.mark.parametrize(("period", "reported"), [("7776000s", False), ("7862400s", True)])
def test_kms_rotation_limit_is_90_days(period: str, reported: bool) -> None:
    text = f"""
        resource "google_kms_crypto_key" "data" {{
          name            = "data"
          key_ring        = "projects/p/locations/europe/keyRings/main"
          rotation_period = "{period}"
        }}
        """
    assert bool(_ids({"main.tf": text})) is reported


# --- UNKNOWN never reports and never passes -----------------------------------------------------

UNKNOWN_CASES = {
    "nsg source": 'variable "src" {}\n' + _nsg_rule('"22"', "var.src"),
    "nsg port": 'variable "port" {}\n' + _nsg_rule("var.port"),
    "nsg protocol": 'variable "p" {}\n' + _nsg_rule('"22"', protocol="${var.p}"),
    "gcp sources": 'variable "src" {}\n' + _gcp_firewall('["22"]', "var.src"),
    "gcp ports": 'variable "ports" {}\n' + _gcp_firewall("var.ports"),
    "gcp disabled": 'variable "off" {}\n' + _gcp_firewall('["22"]', extra="  disabled = var.off"),
    "storage tls": """
        variable "tls" {}
        resource "azurerm_storage_account" "s" {
          name                     = "s"
          resource_group_name      = "rg"
          location                 = "westeurope"
          account_tier             = "Standard"
          account_replication_type = "LRS"
          min_tls_version          = var.tls
          https_traffic_only_enabled = var.tls
        }
        """,
    "key vault": """
        variable "purge" {
          type = bool
        }
        resource "azurerm_key_vault" "kv" {
          name                     = "kv"
          location                 = "westeurope"
          resource_group_name      = "rg"
          tenant_id                = "t"
          sku_name                 = "standard"
          purge_protection_enabled = var.purge
        }
        """,
    "aks private cluster": """
        variable "private" {}
        resource "azurerm_kubernetes_cluster" "k" {
          name                    = "k"
          location                = "westeurope"
          resource_group_name     = "rg"
          dns_prefix              = "k"
          private_cluster_enabled = var.private
          local_account_disabled  = var.private
        }
        """,
    "app https": """
        resource "azurerm_linux_web_app" "a" {
          name                = "a"
          location            = "westeurope"
          resource_group_name = "rg"
          service_plan_id     = "plan"
          https_only          = data.azurerm_app_service_environment_v3.env.internal
          site_config {}
        }
        """,
    "sql ip configuration": """
        variable "ip" {}
        resource "google_sql_database_instance" "db" {
          name             = "db"
          database_version = "POSTGRES_16"
          settings {
            tier = "db-f1-micro"
            dynamic "ip_configuration" {
              for_each = var.ip
              content {
                ipv4_enabled = true
              }
            }
          }
        }
        """,
    "instance metadata": """
        variable "metadata" {}
        resource "google_compute_instance" "vm" {
          name         = "vm"
          machine_type = "e2-small"
          zone         = "europe-west1-b"
          boot_disk {}
          network_interface {
            network = "default"
          }
          metadata = var.metadata
        }
        """,
    "gke endpoint": """
        variable "private" {}
        resource "google_container_cluster" "c" {
          name     = "c"
          location = "europe-west1"
          private_cluster_config {
            enable_private_nodes    = var.private
            enable_private_endpoint = var.private
          }
        }
        """,
    "kms rotation": """
        variable "rotation" {}
        resource "google_kms_crypto_key" "k" {
          name            = "k"
          key_ring        = "r"
          rotation_period = var.rotation
        }
        """,
    "bucket uniform access": """
        variable "uniform" {}
        resource "google_storage_bucket" "b" {
          name                        = "b"
          location                    = "EU"
          uniform_bucket_level_access = var.uniform
        }
        """,
    "iam member": """
        variable "who" {}
        resource "google_project_iam_member" "m" {
          project = "p"
          role    = "roles/viewer"
          member  = var.who
        }
        """,
}


@pytest.mark.parametrize("name", sorted(UNKNOWN_CASES))
def test_unknown_deciding_value_says_nothing(name: str) -> None:
    assert _ids({"main.tf": UNKNOWN_CASES[name]}) == []


def test_unknown_element_does_not_hide_a_known_one() -> None:
    text = """
        variable "extra" {}
        resource "google_project_iam_binding" "viewers" {
          project = "p"
          role    = "roles/viewer"
          members = [var.extra, "allUsers"]
        }
        """
    assert _lines({"main.tf": text}, "tf-gcp-iam-public-principal") == [5]


# --- port ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ('"20-25"', ["tf-azure-nsg-admin-port-open"]),
        ('"23-3388"', ["tf-azure-nsg-database-port-open"]),  # 3306 and 1433, not 22/3389
        ('"*"', ["tf-azure-nsg-admin-port-open", "tf-azure-nsg-all-ports-open"]),
        ('"0-65535"', ["tf-azure-nsg-admin-port-open", "tf-azure-nsg-all-ports-open"]),
        ('"8000-8080"', []),
        ("22", ["tf-azure-nsg-admin-port-open"]),  # a number, as HCL allows
    ],
)
def test_nsg_port_ranges(port: str, expected: list[str]) -> None:
    assert _ids({"main.tf": _nsg_rule(port)}) == expected


def test_nsg_port_ranges_list_and_source_prefixes() -> None:
    text = (
        _nsg_rule('"443"')
        .replace(
            'destination_port_range      = "443"',
            'destination_port_ranges     = ["443", "3300-3400"]',
        )
        .replace(
            'source_address_prefix       = "*"',
            'source_address_prefixes     = ["10.0.0.0/8", "::/0"]',
        )
    )
    found = _run({"main.tf": text})
    assert [rule for rule, _, _ in found] == [
        "tf-azure-nsg-admin-port-open",
        "tf-azure-nsg-database-port-open",
    ]
    assert "RDP (3389) open to ::/0" in found[0][2]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        ("", True),
        ('direction = "Outbound"', False),
        ('access = "Deny"', False),
        ('protocol = "Icmp"', False),
        ('protocol = "Udp"', True),  # RDP listens on UDP 3389 too
    ],
)
def test_nsg_only_inbound_allow_rules_with_ports_count(change: str, reported: bool) -> None:
    text = _nsg_rule('"3389"')
    if change:
        key = change.split(" = ")[0]
        lines = [
            f"  {change}" if line.strip().startswith(f"{key} ") else line
            for line in text.splitlines()
        ]
        text = "\n".join(lines)
    assert bool(_ids({"main.tf": text})) is reported


def test_nsg_udp_does_not_expose_ssh() -> None:
    assert _ids({"main.tf": _nsg_rule('"22"', protocol="Udp")}) == []


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ('["20-23"]', ["tf-gcp-firewall-admin-port-open"]),
        (
            '["3000-4000"]',
            ["tf-gcp-firewall-admin-port-open", "tf-gcp-firewall-database-port-open"],
        ),
        ('["1-65535"]', ["tf-gcp-firewall-admin-port-open", "tf-gcp-firewall-all-ports-open"]),
        ("[]", ["tf-gcp-firewall-admin-port-open", "tf-gcp-firewall-all-ports-open"]),
        ('["80", "443"]', []),
        ("[5432]", ["tf-gcp-firewall-database-port-open"]),
    ],
)
def test_gcp_firewall_port_ranges(ports: str, expected: list[str]) -> None:
    assert _ids({"main.tf": _gcp_firewall(ports)}) == expected


def test_gcp_egress_and_private_sources_are_not_reported() -> None:
    egress = _gcp_firewall('["22"]', extra='  direction = "EGRESS"')
    private = _gcp_firewall('["22"]', '["10.0.0.0/8", "192.168.0.0/16"]')
    assert _ids({"main.tf": egress}) == []
    assert _ids({"main.tf": private}) == []


# --- other decisions worth pinning ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("addresses", "reported"),
    [
        ("0.0.0.0 - 255.255.255.255", True),
        ("1.0.0.0 - 223.255.255.255", True),
        ("0.0.0.0 - 0.0.0.0", False),  # "Allow Azure services": not the internet
        ("10.0.0.0 - 10.255.255.255", False),
    ],
)
def test_database_firewall_span(addresses: str, reported: bool) -> None:
    start, _, end = addresses.partition(" - ")
    text = f"""
        resource "azurerm_postgresql_flexible_server_firewall_rule" "rule" {{
          name             = "rule"
          server_id        = azurerm_postgresql_flexible_server.db.id
          start_ip_address = "{start}"
          end_ip_address   = "{end}"
        }}
        """
    assert bool(_ids({"main.tf": text})) is reported


def test_gke_node_pools_with_private_nodes_pass() -> None:
    text = """
        resource "google_container_cluster" "main" {
          name                     = "main"
          location                 = "europe-west1"
          remove_default_node_pool = true
          initial_node_count       = 1

          master_authorized_networks_config {
            cidr_blocks {
              cidr_block = "203.0.113.0/24"
            }
          }
        }

        resource "google_container_node_pool" "general" {
          name    = "general"
          cluster = google_container_cluster.main.id
          network_config {
            enable_private_nodes = %s
          }
        }
        """
    assert _ids({"main.tf": text % "true"}) == []
    assert _ids({"main.tf": text % "false"}) == ["tf-gcp-gke-public-nodes"]


def test_compute_metadata_booleans_as_compute_engine_reads_them() -> None:
    text = """
        resource "google_compute_instance_template" "web" {
          name_prefix  = "web-"
          machine_type = "e2-small"
          disk {
            source_image = "debian-cloud/debian-12"
          }
          network_interface {
            network = "default"
          }
          metadata = {
            serial-port-enable     = true
            enable-oslogin         = "0"
            block-project-ssh-keys = "TRUE"
          }
        }
        """
    assert sorted(_ids({"main.tf": text})) == [
        "tf-gcp-compute-os-login-disabled",
        "tf-gcp-compute-serial-port-enabled",
    ]


def test_storage_account_public_access_off_silences_default_allow() -> None:
    text = """
        variable "public" {}
        resource "azurerm_storage_account" "s" {
          name                          = "s"
          resource_group_name           = "rg"
          location                      = "westeurope"
          account_tier                  = "Standard"
          account_replication_type      = "LRS"
          public_network_access_enabled = var.public
          network_rules {
            default_action = "Allow"
          }
        }
        """
    assert _ids({"main.tf": text}) == []
