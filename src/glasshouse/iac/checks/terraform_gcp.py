"""Terraform checks for Google Cloud (the ``google`` provider): firewall rules open to the
internet, public Cloud Storage, BigQuery and IAM grants, Cloud SQL, Compute Engine
instances, GKE clusters, Cloud KMS keys and service-account keys.

Checks read evaluated attributes the way ``terraform_azure`` explains (a nested block is
a list of mappings; a written insecure value is reported on its line, an unsafe default
on the closest written block or the resource). Defaults assumed are those of the google
provider 5.x and 6.x, noted per check.

UNKNOWN never produces a finding and never counts as safe: where the deciding value is
UNKNOWN the check says nothing. Metadata values (``"TRUE"``, ``"1"``) are read the way
Compute Engine reads them, case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from glasshouse.iac.adapters.terraform import related
from glasshouse.iac.check import Check, Example
from glasshouse.iac.checks.terraform_azure import (
    ADMIN_PORTS,
    ALL_PROTOCOLS,
    DATABASE_PORTS,
    Evaluate,
    all_ports,
    at,
    block,
    blocks,
    exposed,
    flag,
    line,
    port_range,
    strings,
    text,
    tf_check,
    tf_example,
    unknown,
    world,
)
from glasshouse.iac.model import Node, Resource, Violation
from glasshouse.model import Severity

CIS = "CIS Google Cloud Platform Foundation Benchmark v2.0.0"
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"{CIS} {section}" for section in sections)


# --- firewall rules ----------------------------------------------------------------------

FIREWALL = ("google_compute_firewall",)
# IP protocol numbers Compute Engine accepts in place of names.
PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "132": "sctp"}


def _firewall_exposures(
    resource: Resource,
) -> Iterator[tuple[str, list[tuple[int, int]], Node, Node]]:
    """(protocol, port ranges, world source, allow block) of each allow block of an
    enabled ingress rule from the internet. direction defaults to INGRESS and disabled to
    false; UNKNOWN ones say nothing."""
    body = resource.body
    direction, disabled = body.get("direction"), body.get("disabled")
    if unknown(direction) or unknown(disabled) or flag(disabled) is True:
        return
    if direction is not None and (text(direction) or "").upper() != "INGRESS":
        return
    sources, _ = strings(body.get("source_ranges"))
    source = next((s for s in sources if world(str(s.value))), None)
    if source is None:
        return
    for allow in blocks(body, "allow")[0]:
        raw = (text(allow.get("protocol")) or "").lower()
        protocol = PROTOCOL_NUMBERS.get(raw, raw)
        if protocol not in ("tcp", "udp", "sctp", ALL_PROTOCOLS):
            continue  # icmp, esp, ah... or UNKNOWN
        ports = allow.get("ports")
        if unknown(ports):
            continue
        if protocol == ALL_PROTOCOLS or ports is None or not list(ports.elements()):
            yield protocol, [(0, 65535)], source, allow  # no ports: every port
            continue
        ranges = [
            parsed
            for element in strings(ports)[0]
            if (parsed := port_range(str(element.value))) is not None
        ]
        yield protocol, ranges, source, allow


def _firewall_ports(ports: dict[int, tuple[str, frozenset[str]]], skip_all: bool) -> Evaluate:
    def evaluate(resource: Resource) -> Iterator[Violation]:
        for protocol, ranges, source, _ in _firewall_exposures(resource):
            if skip_all and all_ports(ranges):
                continue  # reported by tf-gcp-firewall-all-ports-open
            hit = exposed(ports, protocol, ranges)
            if hit:
                yield Violation(line(source, resource), f"{', '.join(hit)} open to {source.value}")

    return evaluate


def _firewall_all(resource: Resource) -> Iterator[Violation]:
    for protocol, ranges, source, _ in _firewall_exposures(resource):
        if all_ports(ranges):
            what = "all protocols" if protocol == ALL_PROTOCOLS else f"all {protocol} ports"
            yield Violation(line(source, resource), f"{what} open to {source.value}")


def _firewall(
    protocol: str, ports: str | None = None, source: str = "0.0.0.0/0", extra: str = ""
) -> Example:
    allow = f'    protocol = "{protocol}"\n' + (f"    ports    = {ports}\n" if ports else "")
    return Example(
        "main.tf",
        f"""\
resource "google_compute_firewall" "ingress" {{
  name    = "allow-ingress"
  network = "default"
{extra}
  allow {{
{allow}  }}

  source_ranges = ["{source}"]
  target_tags   = ["web"]
}}
""",
    )


# --- public data: Cloud Storage, BigQuery, IAM ---------------------------------------------

BUCKET_IAM = ("google_storage_bucket_iam_member", "google_storage_bucket_iam_binding")
BUCKET_ACLS = (
    "google_storage_bucket_acl",
    "google_storage_default_object_acl",
    "google_storage_object_acl",
)
ACCESS_CONTROLS = (
    "google_storage_bucket_access_control",
    "google_storage_default_object_access_control",
    "google_storage_object_access_control",
)
PUBLIC_PREDEFINED_ACLS = frozenset({"publicread", "publicreadwrite", "authenticatedread"})
BIGQUERY_IAM = (
    "google_bigquery_dataset_iam_member",
    "google_bigquery_dataset_iam_binding",
    "google_bigquery_table_iam_member",
    "google_bigquery_table_iam_binding",
)
# IAM on whole scopes, identities and secrets: never meant to be public (unlike a Cloud
# Run invoker or a static-website bucket).
SCOPE_IAM = tuple(
    f"google_{scope}_iam_{kind}"
    for scope in (
        "project",
        "folder",
        "organization",
        "service_account",
        "kms_crypto_key",
        "kms_key_ring",
        "secret_manager_secret",
    )
    for kind in ("member", "binding")
)


def _public_members(resource: Resource) -> Iterator[Violation]:
    # member (…_iam_member) or members (…_iam_binding) naming allUsers or
    # allAuthenticatedUsers; UNKNOWN elements say nothing about themselves.
    role = text(resource.body.get("role")) or "its role"
    for key in ("member", "members"):
        for node in strings(resource.body.get(key))[0]:
            if node.value in PUBLIC_MEMBERS:
                yield Violation(line(node, resource), f"grants {role} to {node.value}")


def _storage_public(resource: Resource) -> Iterator[Violation]:
    body = resource.body
    if resource.kind in BUCKET_IAM:
        yield from _public_members(resource)
    elif resource.kind in ACCESS_CONTROLS:
        node = body.get("entity")
        entity = text(node)
        if entity in PUBLIC_MEMBERS:
            yield Violation(line(node, resource), f"grants {text(body.get('role'))} to {entity}")
    else:
        predefined = body.get("predefined_acl")
        acl = text(predefined) or ""
        if acl.lower() in PUBLIC_PREDEFINED_ACLS:
            yield Violation(line(predefined, resource), f"predefined_acl = {acl}")
        for entry in strings(body.get("role_entity"))[0]:
            _, _, entity = str(entry.value).partition(":")
            if entity.strip() in PUBLIC_MEMBERS:
                yield Violation(line(entry, resource), f"role_entity {entry.value}")


def _uniform_access(resource: Resource) -> Iterator[Violation]:
    # uniform_bucket_level_access defaults to false (bucket_policy_only is its 3.x name).
    node = resource.body.get("uniform_bucket_level_access")
    legacy = resource.body.get("bucket_policy_only")
    if unknown(node) or unknown(legacy) or flag(node) is True or flag(legacy) is True:
        return
    yield Violation(line(node, resource), "object ACLs are enabled")


def _bigquery_public(resource: Resource) -> Iterator[Violation]:
    # access blocks (google_bigquery_dataset) or the google_bigquery_dataset_access
    # resource: special_group allAuthenticatedUsers, or iam_member allUsers /
    # allAuthenticatedUsers; and the dataset/table IAM resources.
    if resource.kind in BIGQUERY_IAM:
        yield from _public_members(resource)
        return
    entries = (
        [resource.body]
        if resource.kind == "google_bigquery_dataset_access"
        else blocks(resource.body, "access")[0]
    )
    for entry in entries:
        for key in ("special_group", "iam_member"):
            node = entry.get(key)
            who = text(node)
            if who in PUBLIC_MEMBERS:
                yield Violation(line(node, entry, resource), f"{key} = {who}")


_BUCKET = """
resource "google_storage_bucket" "reports" {{
  name     = "acme-reports"
  location = "EU"
{extra}
}}
"""

_DATASET = """
resource "google_bigquery_dataset" "sales" {{
  dataset_id = "sales"
  location   = "EU"

  access {{
    role          = "OWNER"
    user_by_email = "data-owner@acme.example"
  }}

  access {{
    role = "READER"
    {reader}
  }}
}}
"""


# --- Cloud SQL ---------------------------------------------------------------------------

SQL = ("google_sql_database_instance",)
SSL_REQUIRED = frozenset({"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"})


def _public_ip(ip_config: Node | None) -> bool | None:
    """Whether the instance has a public IP: settings.ip_configuration.ipv4_enabled
    defaults to true. None when UNKNOWN."""
    if unknown(ip_config):
        return None
    enabled = at(ip_config, "ipv4_enabled")
    if unknown(enabled):
        return None
    return flag(enabled) is not False


def _sql_open(resource: Resource) -> Iterator[Violation]:
    ip_config = at(resource.body, "settings", "ip_configuration")
    if _public_ip(ip_config) is not True:
        return
    for network in blocks(ip_config, "authorized_networks")[0]:
        node = network.get("value")
        cidr = text(node)
        if cidr is not None and world(cidr):
            yield Violation(line(node, network, resource), f"authorized network {cidr}")


def _sql_ssl(resource: Resource) -> Iterator[Violation]:
    # ssl_mode ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED passes; without
    # ssl_mode, require_ssl = true passes (the provider before 6.0). Reported only with
    # a public IP; private-IP-only instances are left to network controls.
    ip_config = at(resource.body, "settings", "ip_configuration")
    if unknown(at(resource.body, "settings")) or _public_ip(ip_config) is not True:
        return
    mode, require = at(ip_config, "ssl_mode"), at(ip_config, "require_ssl")
    if unknown(mode) or (mode is None and unknown(require)):
        return
    if mode is not None:
        value = text(mode)
        if value is not None and value.upper() not in SSL_REQUIRED:
            yield Violation(line(mode, resource), f"ssl_mode = {value}")
        return
    if flag(require) is True:
        return
    body = resource.body
    where = line(require, block(body, "settings", "ip_configuration"), block(body, "settings"))
    where = where if where is not None else resource.line
    yield Violation(where, "connections over the public IP may be unencrypted")


_SQL = """
resource "google_sql_database_instance" "orders" {{
  name             = "orders"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {{
    tier = "db-custom-2-7680"

    ip_configuration {{
{ip}
    }}
  }}
}}
"""


# --- Compute Engine ----------------------------------------------------------------------

INSTANCES = (
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_region_instance_template",
)
PROJECT_METADATA = ("google_compute_project_metadata", "google_compute_project_metadata_item")
FULL_SCOPES = frozenset({"cloud-platform", "https://www.googleapis.com/auth/cloud-platform"})
DEFAULT_SERVICE_ACCOUNT = re.compile(r"^(\d+-compute@developer\.gserviceaccount\.com|default)$")
TRUE_VALUES = frozenset({"true", "1", "yes", "y", "on"})
FALSE_VALUES = frozenset({"false", "0", "no", "n", "off"})


def _metadata_value(node: Node | None) -> bool | None:
    """A metadata boolean as Compute Engine reads it; None when absent or UNKNOWN."""
    value = node.text() if node is not None else None
    if value is None:
        return None
    value = value.strip().lower()
    return True if value in TRUE_VALUES else False if value in FALSE_VALUES else None


def _metadata(resource: Resource, key: str) -> tuple[Node | None, bool]:
    """The metadata entry ``key`` of an instance, template or project metadata resource,
    and whether the metadata (or the entry) cannot be known."""
    body = resource.body
    if resource.kind == "google_compute_project_metadata_item":
        name = body.get("key")
        if unknown(name):
            return None, True
        return (
            (body.get("value"), unknown(body.get("value"))) if text(name) == key else (None, False)
        )
    metadata = body.get("metadata")
    if unknown(metadata):
        return None, True
    entry = metadata.get(key) if metadata is not None else None
    return entry, unknown(entry)


def _default_full_scope(resource: Resource) -> Iterator[Violation]:
    # service_account { email, scopes }: no email means the Compute Engine default
    # account, which holds Editor on the project; with the cloud-platform scope nothing
    # limits it.
    for account in blocks(resource.body, "service_account")[0]:
        email = account.get("email")
        if unknown(email):
            continue
        address = text(email)
        if address is not None and not DEFAULT_SERVICE_ACCOUNT.match(address):
            continue
        for scope in strings(account.get("scopes"))[0]:
            if scope.value in FULL_SCOPES:
                yield Violation(
                    line(scope, account, resource),
                    "default service account with the cloud-platform scope",
                )


def _metadata_flag(key: str, bad: bool, message: str) -> Evaluate:
    """A metadata entry written with the boolean ``bad``."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        entry, _ = _metadata(resource, key)
        if _metadata_value(entry) is bad:
            yield Violation(line(entry, resource), message)

    return evaluate


def _project_ssh_keys(resource: Resource) -> Iterator[Violation]:
    # block-project-ssh-keys defaults to false; with enable-oslogin = TRUE on the instance
    # the project's keys are ignored anyway. OS Login enabled for the whole project (in
    # another configuration) cannot be seen here, hence the low severity.
    block, block_unknown = _metadata(resource, "block-project-ssh-keys")
    oslogin, oslogin_unknown = _metadata(resource, "enable-oslogin")
    if block_unknown or oslogin_unknown:
        return
    if _metadata_value(block) is True or _metadata_value(oslogin) is True:
        return
    yield Violation(line(block, resource), "project-wide SSH keys can log in")


def _shielded_vm(resource: Resource) -> Iterator[Violation]:
    # shielded_instance_config: enable_vtpm and enable_integrity_monitoring default to
    # true, enable_secure_boot to false (images without UEFI support cannot use it), so
    # only options written false are reported.
    for config in blocks(resource.body, "shielded_instance_config")[0]:
        for key in ("enable_secure_boot", "enable_vtpm", "enable_integrity_monitoring"):
            node = config.get(key)
            if flag(node) is False:
                yield Violation(line(node, config, resource), f"{key} = false")


_INSTANCE = """
resource "google_compute_instance" "web" {{
  name         = "web-1"
  machine_type = "e2-medium"
  zone         = "europe-west1-b"

  boot_disk {{
    initialize_params {{
      image = "debian-cloud/debian-12"
    }}
  }}

  network_interface {{
    network = "default"
  }}
{extra}
}}
"""


def _instance(extra: str) -> Example:
    return tf_example(_INSTANCE.format(extra=extra))


_OWN_ACCOUNT = """
  service_account {
    email  = "web@acme-prod.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
"""
_HARDENED_METADATA = """
  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }
"""


# --- GKE ---------------------------------------------------------------------------------

GKE = ("google_container_cluster",)


def _legacy_abac(resource: Resource) -> Iterator[Violation]:
    node = resource.body.get("enable_legacy_abac")  # defaults to false
    if flag(node) is True:
        yield Violation(line(node, resource), "enable_legacy_abac = true")


def _private_endpoint(resource: Resource) -> bool | None:
    node = at(resource.body, "private_cluster_config", "enable_private_endpoint")
    return None if unknown(node) else flag(node) is True


def _master_networks(resource: Resource) -> Iterator[Violation]:
    # Without master_authorized_networks_config, a public control plane accepts every
    # address; a cidr_block of 0.0.0.0/0 is the same. A private endpoint passes.
    private = _private_endpoint(resource)
    ip_endpoint = at(resource.body, "control_plane_endpoints_config", "ip_endpoints_config")
    enabled = at(ip_endpoint, "enabled")  # false: only the DNS endpoint, behind IAM
    if private is not False or unknown(ip_endpoint) or unknown(enabled) or flag(enabled) is False:
        return
    config = resource.body.get("master_authorized_networks_config")
    if unknown(config):
        return
    configs, partly_unknown = blocks(resource.body, "master_authorized_networks_config")
    if partly_unknown:
        return
    if not configs:
        yield Violation(resource.line, "control plane accepts every address")
        return
    for cidr in blocks(configs[0], "cidr_blocks")[0]:
        node = cidr.get("cidr_block")
        value = text(node)
        if value is not None and world(value):
            yield Violation(line(node, cidr, resource), f"authorized network {value}")


def _pools_private(resource: Resource) -> bool | None:
    """Whether every node pool sets network_config.enable_private_nodes = true itself,
    overriding the cluster's default: the inline node_pool blocks, or, without a default
    pool, the google_container_node_pool resources of the module naming this cluster.
    None when that cannot be known."""
    body = resource.body
    inline, inline_unknown = blocks(body, "node_pool")
    remove_default = body.get("remove_default_node_pool")
    if inline_unknown or unknown(remove_default):
        return None
    if not inline and flag(remove_default) is not True:
        return False  # the default node pool takes the cluster's setting
    pools = inline + [r.body for r in related(resource, "google_container_node_pool", "cluster")]
    if not pools:
        return False
    values = [at(pool, "network_config", "enable_private_nodes") for pool in pools]
    if any(unknown(value) for value in values):
        return None
    return all(flag(value) is True for value in values)


def _private_nodes(resource: Resource) -> Iterator[Violation]:
    # private_cluster_config.enable_private_nodes defaults to false: nodes get public IPs,
    # unless every node pool makes its own nodes private.
    config = resource.body.get("private_cluster_config")
    node = at(resource.body, "private_cluster_config", "enable_private_nodes")
    if unknown(config) or unknown(node) or flag(node) is True:
        return
    if _pools_private(resource) is not False:
        return
    config_block = block(resource.body, "private_cluster_config")
    yield Violation(line(node, config_block, resource), "nodes have public IP addresses")


def _legacy_auth(resource: Resource) -> Iterator[Violation]:
    # master_auth: client_certificate_config.issue_client_certificate (default false) and
    # the username/password of basic authentication (removed in GKE 1.19).
    for auth in blocks(resource.body, "master_auth")[0]:
        issue = at(auth, "client_certificate_config", "issue_client_certificate")
        if flag(issue) is True:
            yield Violation(line(issue, auth, resource), "issues client certificates")
        for key in ("username", "password"):
            node = auth.get(key)
            if text(node):
                yield Violation(line(node, auth, resource), "basic authentication is enabled")
                break


_GKE = """
resource "google_container_cluster" "main" {{
  name               = "main"
  location           = "europe-west1"
  initial_node_count = 1
{extra}
}}
"""
_GKE_HARDENED = """
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }

  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = "203.0.113.0/24"
      display_name = "office"
    }
  }
"""


# --- Cloud KMS and service-account keys ----------------------------------------------------

MAX_ROTATION_SECONDS = 90 * 24 * 3600
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _kms_rotation(resource: Resource) -> Iterator[Violation]:
    # rotation_period (a duration in seconds, "7776000s") is absent by default: the key is
    # never rotated. Only symmetric keys (purpose ENCRYPT_DECRYPT, the default) rotate
    # automatically, and imported keys (import_only) cannot.
    body = resource.body
    purpose, imported = body.get("purpose"), body.get("import_only")
    if unknown(purpose) or unknown(imported) or flag(imported) is True:
        return
    if purpose is not None and text(purpose) != "ENCRYPT_DECRYPT":
        return
    node = body.get("rotation_period")
    if unknown(node):
        return
    if node is None:
        yield Violation(resource.line, "no rotation_period: the key is never rotated")
        return
    match = DURATION.match(text(node) or "")
    if match and float(match[1]) > MAX_ROTATION_SECONDS:
        days = float(match[1]) / 86400
        yield Violation(line(node, resource), f"rotated every {days:g} days")


def _service_account_key(resource: Resource) -> Iterator[Violation]:
    yield Violation(resource.line, "user-managed key; its private key is kept in the state")


_KMS_KEY = """
resource "google_kms_crypto_key" "data" {{
  name     = "data"
  key_ring = "projects/acme-prod/locations/europe/keyRings/main"
{extra}
}}
"""


CHECKS: tuple[Check, ...] = (
    tf_check(
        "tf-gcp-firewall-admin-port-open",
        "Firewall rule opens SSH or RDP to the internet",
        Severity.CRITICAL,
        FIREWALL,
        _firewall_ports(ADMIN_PORTS, skip_all=False),
        "Set source_ranges of the ingress rule to your admin network instead of 0.0.0.0/0 or "
        "::/0, or use Identity-Aware Proxy TCP forwarding (source_ranges = "
        '["35.235.240.0/20"]) for port 22/3389.',
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("3.6", "3.7"),
        failing=(
            _firewall("tcp", '["22"]'),
            _firewall("tcp", '["3000-4000"]', "::/0"),
            _firewall("all"),
        ),
        passing=(
            _firewall("tcp", '["22"]', "35.235.240.0/20"),
            _firewall("tcp", '["443"]'),
            _firewall("tcp", '["22"]', extra="  disabled = true"),
        ),
    ),
    tf_check(
        "tf-gcp-firewall-database-port-open",
        "Firewall rule opens a database port to the internet",
        Severity.HIGH,
        FIREWALL,
        _firewall_ports(DATABASE_PORTS, skip_all=True),
        "Set source_ranges of the ingress rule to the application's subnets (or use "
        "source_tags / source_service_accounts), never 0.0.0.0/0, for database ports.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(_firewall("tcp", '["5432", "6379"]'),),
        passing=(
            _firewall("tcp", '["5432"]', "10.10.0.0/16"),
            _firewall("tcp", '["443"]'),
        ),
    ),
    tf_check(
        "tf-gcp-firewall-all-ports-open",
        "Firewall rule opens all ports to the internet",
        Severity.HIGH,
        FIREWALL,
        _firewall_all,
        'Replace allow { protocol = "all" } (or an allow block without ports) from 0.0.0.0/0 '
        'with allow { protocol = "tcp", ports = [...] } listing only the needed ports.',
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(_firewall("all"), _firewall("tcp")),
        passing=(
            _firewall("all", source="10.0.0.0/8"),
            _firewall("tcp", '["443"]'),
            _firewall("icmp"),
        ),
    ),
    tf_check(
        "tf-gcp-storage-public",
        "Cloud Storage bucket or object is public",
        Severity.CRITICAL,
        (*BUCKET_IAM, *BUCKET_ACLS, *ACCESS_CONTROLS),
        _storage_public,
        "Remove allUsers and allAuthenticatedUsers from the bucket's IAM member/members, "
        "role_entity, entity or predefined_acl; share objects with signed URLs, or set "
        'public_access_prevention = "enforced" on the bucket.',
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("5.1"),
        failing=(
            tf_example(
                """
                resource "google_storage_bucket_iam_member" "public" {
                  bucket = "acme-reports"
                  role   = "roles/storage.objectViewer"
                  member = "allUsers"
                }
                """
            ),
            tf_example(
                """
                resource "google_storage_bucket_acl" "reports" {
                  bucket      = "acme-reports"
                  role_entity = ["OWNER:project-owners-123456", "READER:allAuthenticatedUsers"]
                }
                """
            ),
        ),
        passing=(
            tf_example(
                """
                resource "google_storage_bucket_iam_binding" "readers" {
                  bucket  = "acme-reports"
                  role    = "roles/storage.objectViewer"
                  members = ["group:analysts@acme.example"]
                }
                """
            ),
        ),
    ),
    tf_check(
        "tf-gcp-storage-uniform-access-disabled",
        "Cloud Storage bucket uses object ACLs",
        Severity.LOW,
        ("google_storage_bucket",),
        _uniform_access,
        "Set uniform_bucket_level_access = true on the google_storage_bucket, so access is "
        "granted by IAM alone and no object ACL can make a file public.",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("5.2"),
        failing=(
            tf_example(_BUCKET.format(extra="")),
            tf_example(_BUCKET.format(extra="  uniform_bucket_level_access = false")),
        ),
        passing=(tf_example(_BUCKET.format(extra="  uniform_bucket_level_access = true")),),
    ),
    tf_check(
        "tf-gcp-bigquery-dataset-public",
        "BigQuery dataset is public",
        Severity.CRITICAL,
        ("google_bigquery_dataset", "google_bigquery_dataset_access", *BIGQUERY_IAM),
        _bigquery_public,
        "Remove the access block (or IAM member) granting allUsers or allAuthenticatedUsers; "
        "grant the dataset to named groups with access { group_by_email = ... }.",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("7.1"),
        failing=(
            tf_example(_DATASET.format(reader='special_group = "allAuthenticatedUsers"')),
            tf_example(
                """
                resource "google_bigquery_dataset_iam_member" "public" {
                  dataset_id = "sales"
                  role       = "roles/bigquery.dataViewer"
                  member     = "allUsers"
                }
                """
            ),
        ),
        passing=(tf_example(_DATASET.format(reader='group_by_email = "analysts@acme.example"')),),
    ),
    tf_check(
        "tf-gcp-iam-public-principal",
        "IAM grant on a project, identity, key or secret to everyone",
        Severity.CRITICAL,
        SCOPE_IAM,
        _public_members,
        "Remove allUsers and allAuthenticatedUsers from the IAM member/members; grant the "
        "role to the groups or service accounts that need it.",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.2"),
        failing=(
            tf_example(
                """
                resource "google_project_iam_binding" "viewers" {
                  project = "acme-prod"
                  role    = "roles/viewer"
                  members = ["group:ops@acme.example", "allAuthenticatedUsers"]
                }
                """
            ),
        ),
        passing=(
            tf_example(
                """
                resource "google_project_iam_member" "viewer" {
                  project = "acme-prod"
                  role    = "roles/viewer"
                  member  = "group:ops@acme.example"
                }
                """
            ),
        ),
    ),
    tf_check(
        "tf-gcp-sql-open-to-internet",
        "Cloud SQL instance accepts connections from the whole internet",
        Severity.CRITICAL,
        SQL,
        _sql_open,
        "Remove the authorized_networks entry with value 0.0.0.0/0 and list the client "
        "networks instead, or set ipv4_enabled = false and connect over private IP or the "
        "Cloud SQL Auth Proxy.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("6.5"),
        failing=(
            tf_example(
                _SQL.format(
                    ip="""\
      ssl_mode = "ENCRYPTED_ONLY"

      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }"""
                )
            ),
        ),
        passing=(
            tf_example(
                _SQL.format(
                    ip="""\
      ssl_mode = "ENCRYPTED_ONLY"

      authorized_networks {
        name  = "office"
        value = "203.0.113.0/24"
      }"""
                )
            ),
        ),
    ),
    tf_check(
        "tf-gcp-sql-ssl-not-required",
        "Cloud SQL instance accepts unencrypted connections on its public IP",
        Severity.MEDIUM,
        SQL,
        _sql_ssl,
        'Set settings { ip_configuration { ssl_mode = "ENCRYPTED_ONLY" } } (or '
        "TRUSTED_CLIENT_CERTIFICATE_REQUIRED; require_ssl = true on providers before 6.0).",
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        cis=_cis("6.4"),
        failing=(
            tf_example(_SQL.format(ip="      ipv4_enabled = true")),
            tf_example(_SQL.format(ip='      ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"')),
        ),
        passing=(
            tf_example(_SQL.format(ip='      ssl_mode = "ENCRYPTED_ONLY"')),
            tf_example(
                _SQL.format(
                    ip='      ipv4_enabled    = false\n      private_network = "projects/acme/'
                    'global/networks/main"'
                )
            ),
        ),
    ),
    tf_check(
        "tf-gcp-compute-default-service-account-full-access",
        "VM uses the default service account with full access to Cloud APIs",
        Severity.HIGH,
        INSTANCES,
        _default_full_scope,
        "Set service_account { email } to a dedicated service account with only the roles "
        "the VM needs, or narrow scopes to the APIs it calls instead of cloud-platform.",
        cwe="CWE-250",
        iso27001=("A.8.2", "A.5.15"),
        cis=_cis("4.2"),
        failing=(
            _instance(
                """
  service_account {
    scopes = ["cloud-platform"]
  }
"""
            ),
        ),
        passing=(_instance(_OWN_ACCOUNT),),
    ),
    tf_check(
        "tf-gcp-compute-serial-port-enabled",
        "VM serial console is reachable",
        Severity.MEDIUM,
        (*INSTANCES, *PROJECT_METADATA),
        _metadata_flag("serial-port-enable", True, "serial-port-enable is on"),
        'Remove metadata serial-port-enable (or set it to "FALSE"); use OS Login over SSH '
        "for interactive access.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.5"),
        cis=_cis("4.5"),
        failing=(
            _instance('\n  metadata = {\n    serial-port-enable = "TRUE"\n  }\n'),
            tf_example(
                """
                resource "google_compute_project_metadata_item" "serial" {
                  key   = "serial-port-enable"
                  value = "true"
                }
                """
            ),
        ),
        passing=(_instance(_HARDENED_METADATA),),
    ),
    tf_check(
        "tf-gcp-compute-os-login-disabled",
        "OS Login is turned off",
        Severity.MEDIUM,
        (*INSTANCES, *PROJECT_METADATA),
        _metadata_flag("enable-oslogin", False, "enable-oslogin is off"),
        'Set metadata enable-oslogin = "TRUE" (on the project with '
        "google_compute_project_metadata_item, and do not turn it off per instance).",
        cwe="CWE-287",
        iso27001=("A.5.17", "A.8.5"),
        cis=_cis("4.4"),
        failing=(_instance('\n  metadata = {\n    enable-oslogin = "FALSE"\n  }\n'),),
        passing=(
            _instance(_HARDENED_METADATA),
            tf_example(
                """
                resource "google_compute_project_metadata_item" "oslogin" {
                  key   = "enable-oslogin"
                  value = "TRUE"
                }
                """
            ),
        ),
    ),
    tf_check(
        "tf-gcp-compute-project-ssh-keys-allowed",
        "VM accepts project-wide SSH keys",
        Severity.LOW,
        INSTANCES,
        _project_ssh_keys,
        'Set metadata block-project-ssh-keys = "TRUE" on the instance (or enable-oslogin = '
        '"TRUE"), so keys added to the project do not open every VM.',
        cwe="CWE-287",
        iso27001=("A.5.17", "A.8.5"),
        cis=_cis("4.3"),
        failing=(_instance(_OWN_ACCOUNT),),
        passing=(
            _instance(_HARDENED_METADATA),
            _instance("\n  metadata = {\n    block-project-ssh-keys = true\n  }\n"),
        ),
    ),
    tf_check(
        "tf-gcp-compute-shielded-vm-disabled",
        "VM turns off a Shielded VM protection",
        Severity.LOW,
        INSTANCES,
        _shielded_vm,
        "Set shielded_instance_config { enable_secure_boot = true, enable_vtpm = true, "
        "enable_integrity_monitoring = true } on a Shielded VM image.",
        cwe="CWE-693",
        iso27001=("A.8.7", "A.8.9"),
        cis=_cis("4.8"),
        failing=(
            _instance(
                """
  shielded_instance_config {
    enable_secure_boot          = true
    enable_integrity_monitoring = false
  }
"""
            ),
        ),
        passing=(
            _instance(
                """
  shielded_instance_config {
    enable_secure_boot = true
  }
"""
            ),
        ),
    ),
    tf_check(
        "tf-gcp-gke-legacy-abac-enabled",
        "GKE cluster authorizes with legacy ABAC",
        Severity.HIGH,
        GKE,
        _legacy_abac,
        "Set enable_legacy_abac = false (the default) on the google_container_cluster and "
        "grant access with Kubernetes RBAC and IAM.",
        cwe="CWE-285",
        iso27001=("A.5.15", "A.8.2"),
        failing=(tf_example(_GKE.format(extra="  enable_legacy_abac = true")),),
        passing=(tf_example(_GKE.format(extra=_GKE_HARDENED)),),
    ),
    tf_check(
        "tf-gcp-gke-control-plane-public",
        "GKE control plane accepts every address",
        Severity.MEDIUM,
        GKE,
        _master_networks,
        "Add master_authorized_networks_config { cidr_blocks { cidr_block = ... } } listing "
        "your admin and CI networks, or set private_cluster_config { "
        "enable_private_endpoint = true }.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            tf_example(_GKE.format(extra="")),
            tf_example(
                _GKE.format(
                    extra="""
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block = "0.0.0.0/0"
    }
  }
"""
                )
            ),
        ),
        passing=(tf_example(_GKE.format(extra=_GKE_HARDENED)),),
    ),
    tf_check(
        "tf-gcp-gke-public-nodes",
        "GKE nodes have public IP addresses",
        Severity.MEDIUM,
        GKE,
        _private_nodes,
        "Set private_cluster_config { enable_private_nodes = true } (with a "
        "master_ipv4_cidr_block) and reach the internet through Cloud NAT.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            tf_example(_GKE.format(extra="")),
            tf_example(
                _GKE.format(
                    extra="""
  private_cluster_config {
    enable_private_nodes = false
  }
"""
                )
            ),
        ),
        passing=(tf_example(_GKE.format(extra=_GKE_HARDENED)),),
    ),
    tf_check(
        "tf-gcp-gke-legacy-client-auth",
        "GKE cluster accepts legacy client credentials",
        Severity.MEDIUM,
        GKE,
        _legacy_auth,
        "Remove master_auth { username, password } and set master_auth { "
        "client_certificate_config { issue_client_certificate = false } }; authenticate "
        "with Google identities.",
        cwe="CWE-287",
        iso27001=("A.5.17", "A.8.5"),
        failing=(
            tf_example(
                _GKE.format(
                    extra="""
  master_auth {
    client_certificate_config {
      issue_client_certificate = true
    }
  }
"""
                )
            ),
        ),
        passing=(
            tf_example(
                _GKE.format(
                    extra="""
  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }
"""
                )
            ),
        ),
    ),
    tf_check(
        "tf-gcp-kms-key-not-rotated",
        "Cloud KMS key is not rotated every 90 days",
        Severity.MEDIUM,
        ("google_kms_crypto_key",),
        _kms_rotation,
        'Set rotation_period = "7776000s" (90 days) or shorter on the google_kms_crypto_key.',
        cwe="CWE-324",
        iso27001=("A.8.24",),
        cis=_cis("1.10"),
        failing=(
            tf_example(_KMS_KEY.format(extra="")),
            tf_example(_KMS_KEY.format(extra='  rotation_period = "31536000s"')),
        ),
        passing=(
            tf_example(_KMS_KEY.format(extra='  rotation_period = "7776000s"')),
            tf_example(_KMS_KEY.format(extra='  purpose = "ASYMMETRIC_SIGN"')),
        ),
    ),
    tf_check(
        "tf-gcp-service-account-key",
        "Service account key is created by Terraform",
        Severity.LOW,
        ("google_service_account_key",),
        _service_account_key,
        "Remove the google_service_account_key: use Workload Identity Federation, attached "
        "service accounts or impersonation instead of long-lived keys kept in the state.",
        cwe="CWE-522",
        iso27001=("A.5.17", "A.8.24"),
        cis=_cis("1.4"),
        failing=(
            tf_example(
                """
                resource "google_service_account_key" "ci" {
                  service_account_id = "ci@acme-prod.iam.gserviceaccount.com"
                }
                """
            ),
        ),
        passing=(
            tf_example(
                """
                resource "google_service_account" "ci" {
                  account_id   = "ci"
                  display_name = "CI deployer"
                }
                """
            ),
        ),
    ),
)
