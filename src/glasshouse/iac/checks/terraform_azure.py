"""Terraform checks for Azure (the ``azurerm`` provider): network security groups open to
the internet, storage accounts and containers, SQL/PostgreSQL/MySQL servers, Key Vault,
AKS and App Service; and the helpers the ``terraform_gcp`` checks read resources with.

A check reads a resource's evaluated attributes (see the Terraform adapter: variable
defaults, locals, ``count``/``for_each`` and dynamic blocks are resolved; a nested block
is always a list of mappings). A value written insecurely is reported on its own line.
An attribute whose provider default is unsafe is reported when absent, on the line of its
closest written block, else the resource's line; the per-check notes say which defaults
are assumed (the azurerm 3.x and 4.x defaults, which agree for every attribute read
here unless a note says otherwise).

UNKNOWN (a variable without a default, another resource's attribute) never produces a
finding and never counts as safe: where the deciding value is UNKNOWN the check says
nothing. Terraform converts ``"true"`` to a boolean attribute, so both are read as one.
"""

from __future__ import annotations

import ipaddress
import textwrap
from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac import ports
from glasshouse.iac.adapters.terraform import FORMAT
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

CIS = "CIS Microsoft Azure Foundations Benchmark v2.0.0"

Evaluate = Callable[[Resource], Iterable[Violation]]


# --- reading resources (shared with terraform_gcp) ---------------------------------------


def at(node: Node | None, *path: str) -> Node | None:
    """The node at ``path``: a nested block (a list) steps into its first block, and an
    UNKNOWN on the way is the (UNKNOWN) answer rather than absence."""
    current = node
    for step in path:
        if current is None or current.value is UNKNOWN:
            return current
        if isinstance(current.value, list):
            if not current.value:
                return None
            first: Node = current.value[0]
            current = first
            if current.value is UNKNOWN:
                return current
        current = current.get(step)
    return current


def blocks(node: Node | None, *path: str) -> tuple[list[Node], bool]:
    """The mappings of the nested block(s) at ``path``, and whether any (or the list) is
    UNKNOWN (a dynamic block over a collection that cannot be known)."""
    target = at(node, *path)
    if target is None:
        return [], False
    if target.value is UNKNOWN:
        return [], True
    if isinstance(target.value, dict):
        return [target], False
    found = [e for e in target.elements() if isinstance(e.value, dict)]
    return found, any(e.value is UNKNOWN for e in target.elements())


def block(node: Node | None, *path: str) -> Node | None:
    """The first block at ``path`` (a mapping), or None when absent or UNKNOWN."""
    found, _ = blocks(node, *path)
    return found[0] if found else None


def unknown(node: Node | None) -> bool:
    return node is not None and node.value is UNKNOWN


def flag(node: Node | None) -> bool | None:
    """A boolean written as ``true`` or ``"true"`` (any case); None for anything else."""
    if node is None:
        return None
    if isinstance(node.value, bool):
        return node.value
    if isinstance(node.value, str) and node.value.strip().lower() in ("true", "false"):
        return node.value.strip().lower() == "true"
    return None


def text(node: Node | None) -> str | None:
    """A known string or number, as text; None for anything else (UNKNOWN, absent)."""
    if node is None or isinstance(node.value, bool):
        return None
    return node.text()


def strings(node: Node | None) -> tuple[list[Node], bool]:
    """The known string elements of a string or a list, and whether any part is UNKNOWN."""
    if node is None:
        return [], False
    if node.value is UNKNOWN:
        return [], True
    elements = list(node.elements()) if isinstance(node.value, list) else [node]
    found = [e for e in elements if isinstance(e.value, str | int) and text(e) is not None]
    return found, any(e.value is UNKNOWN for e in elements)


def line(node: Node | None, *fallbacks: Node | Resource | None) -> int | None:
    """The line of ``node``, else of the first fallback that has one."""
    for candidate in (node, *fallbacks):
        if candidate is not None and candidate.line is not None:
            return candidate.line
    return None


world = ports.is_world  # a CIDR that is the whole address space (0.0.0.0/0, ::/0)


def port_range(value: str) -> tuple[int, int] | None:
    """``"22"``, ``"1000-2000"`` or ``"*"`` as (first, last); None when unreadable."""
    value = value.strip()
    if value == "*":
        return 0, 65535
    low, _, high = value.partition("-")
    try:
        first = int(low)
        last = int(high) if high else first
    except ValueError:
        return None
    return (first, last) if 0 <= first <= last <= 65535 else None


def all_ports(ranges: Iterable[tuple[int, int]]) -> bool:
    return any(low <= 1 and high >= 65535 for low, high in ranges)


def tf_example(source: str) -> Example:
    """A ``main.tf`` example from an indented block of HCL."""
    return Example("main.tf", textwrap.dedent(source).lstrip("\n"))


def merged(evaluate: Evaluate) -> Evaluate:
    """One violation per line: rules written in one dynamic block share their lines, and
    the engine keeps only the first violation of a line, so their messages are joined."""

    def run(resource: Resource) -> Iterator[Violation]:
        by_line: dict[int | None, list[str]] = {}
        for violation in evaluate(resource):
            messages = by_line.setdefault(violation.line, [])
            if violation.message and violation.message not in messages:
                messages.append(violation.message)
        for where, messages in by_line.items():
            yield Violation(where, "; ".join(messages))

    return run


def tf_check(
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
        evaluate=merged(evaluate),
        references=references,
        cwe=cwe,
        iso27001=iso27001,
        cis=cis,
        failing=failing,
        passing=passing,
    )


# Ports shared with terraform_gcp: name, and the protocols on which the service listens.
ADMIN_PORTS = ports.ADMIN_PORTS
DATABASE_PORTS = ports.DATABASE_PORTS
ALL_PROTOCOLS = "all"


def exposed(
    ports: dict[int, tuple[str, frozenset[str]]],
    protocol: str,
    ranges: Iterable[tuple[int, int]],
) -> list[str]:
    """The services of ``ports`` that ``protocol`` over ``ranges`` reaches."""
    ranges = list(ranges)
    return [
        f"{name} ({port})"
        for port, (name, protocols) in ports.items()
        if (protocol == ALL_PROTOCOLS or protocol in protocols)
        and any(low <= port <= high for low, high in ranges)
    ]


# --- network security groups -------------------------------------------------------------

NSG_RULE = "azurerm_network_security_rule"
NSG = "azurerm_network_security_group"
# Source address prefixes that mean every address (service tags and the whole space).
ANY_SOURCE = frozenset({"*", "internet", "any"})


def _nsg_rules(resource: Resource) -> Iterator[Node]:
    if resource.kind == NSG_RULE:
        yield resource.body
    else:
        yield from blocks(resource.body, "security_rule")[0]


def _open_source(rule: Node) -> Node | None:
    """The rule's source prefix when it is the internet; None otherwise or if UNKNOWN."""
    candidates: list[Node] = []
    for key in ("source_address_prefix", "source_address_prefixes"):
        candidates += strings(rule.get(key))[0]
    for candidate in candidates:
        value = str(candidate.value).strip()
        if value.lower() in ANY_SOURCE or world(value):
            return candidate
    return None


def _nsg_exposure(rule: Node) -> tuple[str, list[tuple[int, int]], Node] | None:
    """(protocol, destination port ranges, source) of an inbound Allow rule from the
    internet; None when it is not one, or when what decides it is UNKNOWN."""
    direction, access = text(rule.get("direction")), text(rule.get("access"))
    protocol = (text(rule.get("protocol")) or "").lower()
    if (direction or "").lower() != "inbound" or (access or "").lower() != "allow":
        return None
    if protocol not in ("tcp", "udp", "*"):
        return None  # ICMP, ESP, AH (or UNKNOWN) carry no ports
    source = _open_source(rule)
    if source is None:
        return None
    ranges: list[tuple[int, int]] = []
    for key in ("destination_port_range", "destination_port_ranges"):
        for element in strings(rule.get(key))[0]:
            parsed = port_range(str(element.value))
            if parsed is not None:
                ranges.append(parsed)
    return (ALL_PROTOCOLS if protocol == "*" else protocol), ranges, source


def _nsg_open_ports(ports: dict[int, tuple[str, frozenset[str]]], skip_all: bool) -> Evaluate:
    # A rule is judged on its known ports; UNKNOWN ports, sources or protocols say nothing.
    def evaluate(resource: Resource) -> Iterator[Violation]:
        for rule in _nsg_rules(resource):
            exposure = _nsg_exposure(rule)
            if exposure is None:
                continue
            protocol, ranges, source = exposure
            if skip_all and all_ports(ranges):
                continue  # reported by tf-azure-nsg-all-ports-open
            hit = exposed(ports, protocol, ranges)
            if hit:
                shown = ", ".join(hit)
                yield Violation(line(source, rule, resource), f"{shown} open to {source.value}")

    return evaluate


def _nsg_all_ports(resource: Resource) -> Iterator[Violation]:
    for rule in _nsg_rules(resource):
        exposure = _nsg_exposure(rule)
        if exposure is not None and all_ports(exposure[1]):
            protocol, _, source = exposure
            what = "all ports" if protocol == ALL_PROTOCOLS else f"all {protocol.upper()} ports"
            yield Violation(line(source, rule, resource), f"{what} open to {source.value}")


def _nsg_rule(port: str, source: str = "*", protocol: str = "Tcp") -> Example:
    return tf_example(
        f"""
        resource "azurerm_network_security_rule" "inbound" {{
          name                        = "inbound"
          priority                    = 100
          direction                   = "Inbound"
          access                      = "Allow"
          protocol                    = "{protocol}"
          source_port_range           = "*"
          destination_port_range      = "{port}"
          source_address_prefix       = "{source}"
          destination_address_prefix  = "*"
          resource_group_name         = "rg-web"
          network_security_group_name = "nsg-web"
        }}
        """
    )


def _nsg_inline(port: str, source: str = "Internet") -> Example:
    return tf_example(
        f"""
        resource "azurerm_network_security_group" "web" {{
          name                = "nsg-web"
          location            = "westeurope"
          resource_group_name = "rg-web"

          security_rule {{
            name                       = "https"
            priority                   = 100
            direction                  = "Inbound"
            access                     = "Allow"
            protocol                   = "Tcp"
            source_port_range          = "*"
            destination_port_range     = "443"
            source_address_prefix      = "*"
            destination_address_prefix = "*"
          }}

          security_rule {{
            name                       = "second"
            priority                   = 110
            direction                  = "Inbound"
            access                     = "Allow"
            protocol                   = "Tcp"
            source_port_range          = "*"
            destination_port_ranges    = ["{port}"]
            source_address_prefixes    = ["{source}"]
            destination_address_prefix = "*"
          }}
        }}
        """
    )


# --- storage -----------------------------------------------------------------------------

STORAGE_ACCOUNT = ("azurerm_storage_account",)
WEAK_STORAGE_TLS = frozenset({"TLS1_0", "TLS1_1"})


def _nested_items_public(resource: Resource) -> Iterator[Violation]:
    # allow_nested_items_to_be_public (azurerm 3.x/4.x; allow_blob_public_access in 2.x).
    # The provider's default has been `true`, but Azure has refused the setting on new
    # accounts by policy since late 2023 and some provider releases default to `false`:
    # only a written `true` is reported.
    for key in ("allow_nested_items_to_be_public", "allow_blob_public_access"):
        node = resource.body.get(key)
        if flag(node) is True:
            yield Violation(line(node, resource), f"{key} = true")


def _container_public(resource: Resource) -> Iterator[Violation]:
    # container_access_type defaults to "private".
    node = resource.body.get("container_access_type")
    level = text(node)
    if level is not None and level.lower() in ("blob", "container"):
        yield Violation(line(node, resource), f'container_access_type = "{level}"')


def _storage_https(resource: Resource) -> Iterator[Violation]:
    # https_traffic_only_enabled (4.x) / enable_https_traffic_only (3.x): default true.
    for key in ("https_traffic_only_enabled", "enable_https_traffic_only"):
        node = resource.body.get(key)
        if flag(node) is False:
            yield Violation(line(node, resource), f"{key} = false")


def _storage_tls(resource: Resource) -> Iterator[Violation]:
    # min_tls_version defaults to TLS1_2 since azurerm 3.0 (TLS1_0 before): only a
    # written older version is reported.
    node = resource.body.get("min_tls_version")
    version = text(node)
    if version is not None and version.upper() in WEAK_STORAGE_TLS:
        yield Violation(line(node, resource), f'min_tls_version = "{version}"')


def _network_default_allow(
    rules_block: str | None, public_key: str = "public_network_access_enabled"
) -> Evaluate:
    """A written ``default_action = "Allow"`` (in ``rules_block``, or on the resource when
    None), unless public network access is written off (it defaults to on)."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        public = resource.body.get(public_key)
        if unknown(public) or flag(public) is False:
            return
        found, _ = blocks(resource.body, rules_block) if rules_block else ([resource.body], False)
        for rules in found:
            node = rules.get("default_action")
            action = text(node)
            if action is not None and action.lower() == "allow":
                yield Violation(line(node, rules, resource), 'default_action = "Allow"')

    return evaluate


def _storage_network(resource: Resource) -> Iterator[Violation]:
    # network_rules (inline, or the azurerm_storage_account_network_rules resource) with
    # default_action = "Allow". Without network_rules an account is open as well, but that
    # is every account left at its defaults: only a written "Allow" is reported.
    block = None if resource.kind == "azurerm_storage_account_network_rules" else "network_rules"
    yield from _network_default_allow(block)(resource)


def _storage_account(extra: str) -> Example:
    body = textwrap.indent(textwrap.dedent(extra).strip("\n"), "  ")
    return Example(
        "main.tf",
        f"""\
resource "azurerm_storage_account" "data" {{
  name                     = "stdata0042"
  resource_group_name      = "rg-data"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
{body}
}}
""",
    )


# --- databases ---------------------------------------------------------------------------

FIREWALL_RULES = (
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
    "azurerm_synapse_firewall_rule",
)
SINGLE_SERVERS = ("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server")
FLEXIBLE_CONFIGURATIONS = (
    "azurerm_postgresql_flexible_server_configuration",
    "azurerm_mysql_flexible_server_configuration",
)
# A firewall range this wide (half of IPv4 or more) is the internet, whatever its ends.
INTERNET_SPAN = 2**31


def _firewall_open(resource: Resource) -> Iterator[Violation]:
    # start_ip_address/end_ip_address (start_ip/end_ip on some resources). The 0.0.0.0 to
    # 0.0.0.0 rule ("Allow Azure services") is not the internet and is not reported.
    start_node = resource.body.get("start_ip_address") or resource.body.get("start_ip")
    end_node = resource.body.get("end_ip_address") or resource.body.get("end_ip")
    start, end = text(start_node), text(end_node)
    if start is None or end is None:
        return
    try:
        first, last = ipaddress.IPv4Address(start.strip()), ipaddress.IPv4Address(end.strip())
    except ValueError:
        return
    if int(last) - int(first) + 1 >= INTERNET_SPAN:
        yield Violation(line(start_node, resource), f"allows {start} to {end}")


def _db_tls(resource: Resource) -> Iterator[Violation]:
    # azurerm_mssql_server minimum_tls_version defaults to "1.2" ("Disabled" accepts any);
    # single servers' ssl_minimal_tls_version_enforced defaults to TLS1_2; flexible
    # servers take the tls_version (MySQL) or ssl_min_protocol_version (PostgreSQL)
    # server parameter.
    body = resource.body
    if resource.kind == "azurerm_mssql_server":
        node = body.get("minimum_tls_version")
        version = text(node)
        if version is not None and version.lower() in ("1.0", "1.1", "disabled"):
            yield Violation(line(node, resource), f'minimum_tls_version = "{version}"')
    elif resource.kind in SINGLE_SERVERS:
        node = body.get("ssl_minimal_tls_version_enforced")
        version = text(node)
        if version is not None and version.upper() in ("TLS1_0", "TLS1_1"):
            yield Violation(line(node, resource), f'ssl_minimal_tls_version_enforced = "{version}"')
        elif version == "TLSEnforcementDisabled":
            yield Violation(line(node, resource), "TLS version not enforced")
    else:
        name, node = text(body.get("name")), body.get("value")
        value = text(node)
        if name is None or value is None:
            return
        accepted = {v.strip().lower() for v in value.split(",")}
        if name.lower() in ("tls_version", "ssl_min_protocol_version") and accepted & {
            "tlsv1",
            "tlsv1.0",
            "tlsv1.1",
        }:
            yield Violation(line(node, resource), f'{name} = "{value}"')


def _db_ssl(resource: Resource) -> Iterator[Violation]:
    # Single servers: ssl_enforcement_enabled (required in 3.x; ssl_enforcement =
    # "Disabled" in 1.x). Flexible servers: the require_secure_transport parameter (on by
    # default) written off.
    body = resource.body
    if resource.kind in SINGLE_SERVERS:
        node = body.get("ssl_enforcement_enabled")
        if flag(node) is False:
            yield Violation(line(node, resource), "ssl_enforcement_enabled = false")
        legacy = body.get("ssl_enforcement")
        if (text(legacy) or "").lower() == "disabled":
            yield Violation(line(legacy, resource), 'ssl_enforcement = "Disabled"')
        return
    name, node = text(body.get("name")), body.get("value")
    value = text(node)
    if (name or "").lower() == "require_secure_transport" and (value or "").lower() in (
        "off",
        "0",
        "false",
    ):
        yield Violation(line(node, resource), f'require_secure_transport = "{value}"')


_FIREWALL = """
resource "azurerm_mssql_firewall_rule" "office" {{
  name             = "office"
  server_id        = azurerm_mssql_server.app.id
  start_ip_address = "{start}"
  end_ip_address   = "{end}"
}}
"""


def _firewall(addresses: str) -> Example:
    start, _, end = addresses.partition(" - ")
    return tf_example(_FIREWALL.format(start=start, end=end))


_POSTGRES_SINGLE = """
resource "azurerm_postgresql_server" "app" {{
  name                = "psql-app"
  location            = "westeurope"
  resource_group_name = "rg-db"
  sku_name            = "GP_Gen5_2"
  version             = "11"

  administrator_login          = "psqladmin"
  administrator_login_password = var.admin_password

  ssl_enforcement_enabled          = {ssl}
  ssl_minimal_tls_version_enforced = "{tls}"
}}

variable "admin_password" {{
  type      = string
  sensitive = true
}}
"""

_FLEXIBLE_PARAMETER = """
resource "azurerm_mysql_flexible_server_configuration" "parameter" {{
  name                = "{name}"
  resource_group_name = "rg-db"
  server_name         = "mysql-app"
  value               = "{value}"
}}
"""


# --- Key Vault ---------------------------------------------------------------------------


def _purge_protection(resource: Resource) -> Iterator[Violation]:
    # purge_protection_enabled defaults to false; soft_delete_enabled (2.x only; always on
    # since 3.0) written false is reported too.
    node = resource.body.get("purge_protection_enabled")
    if not unknown(node) and flag(node) is not True:
        yield Violation(line(node, resource), "purge protection is off")
    soft = resource.body.get("soft_delete_enabled")
    if flag(soft) is False:
        yield Violation(line(soft, resource), "soft_delete_enabled = false")


_KEY_VAULT = """
resource "azurerm_key_vault" "app" {{
  name                = "kv-app-0042"
  location            = "westeurope"
  resource_group_name = "rg-app"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
{extra}
}}
"""


# --- AKS ---------------------------------------------------------------------------------

AKS = ("azurerm_kubernetes_cluster",)


def _aks_rbac(resource: Resource) -> Iterator[Violation]:
    # role_based_access_control_enabled defaults to true (3.x/4.x); the 2.x block
    # role_based_access_control { enabled = false } is read too.
    node = resource.body.get("role_based_access_control_enabled")
    if flag(node) is False:
        yield Violation(line(node, resource), "role_based_access_control_enabled = false")
    for block in blocks(resource.body, "role_based_access_control")[0]:
        enabled = block.get("enabled")
        if flag(enabled) is False:
            yield Violation(line(enabled, block, resource), "Kubernetes RBAC is disabled")


def _aks_api_public(resource: Resource) -> Iterator[Violation]:
    # A public API server (private_cluster_enabled defaults to false) needs authorized
    # IP ranges: api_server_access_profile.authorized_ip_ranges (3.x/4.x) or
    # api_server_authorized_ip_ranges (3.x). None at all, or 0.0.0.0/0, is reported.
    body = resource.body
    private = body.get("private_cluster_enabled")
    if unknown(private) or flag(private) is True:
        return
    profile = body.get("api_server_access_profile")
    ranges = [
        at(body, "api_server_access_profile", "authorized_ip_ranges"),
        body.get("api_server_authorized_ip_ranges"),
    ]
    known: list[Node] = []
    for node in ranges:
        found, partly_unknown = strings(node)
        if partly_unknown or unknown(profile):
            return
        known += found
    for element in known:
        if world(str(element.value)):
            yield Violation(line(element, resource), f"API server open to {element.value}")
            return
    if not known:
        where = line(block(body, "api_server_access_profile"), resource)
        yield Violation(where, "public API server without authorized IP ranges")


def _aks_local_accounts(resource: Resource) -> Iterator[Violation]:
    # local_account_disabled defaults to false: the static cluster-admin credential works.
    node = resource.body.get("local_account_disabled")
    if not unknown(node) and flag(node) is not True:
        yield Violation(line(node, resource), "local accounts are enabled")


_AKS = """
resource "azurerm_kubernetes_cluster" "main" {{
  name                = "aks-main"
  location            = "westeurope"
  resource_group_name = "rg-aks"
  dns_prefix          = "aks-main"
{extra}
  default_node_pool {{
    name       = "system"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }}

  identity {{
    type = "SystemAssigned"
  }}
}}
"""
_AKS_HARDENED = """\
  role_based_access_control_enabled = true
  local_account_disabled            = true

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }

  api_server_access_profile {
    authorized_ip_ranges = ["203.0.113.0/24"]
  }
"""


# --- App Service -------------------------------------------------------------------------

APPS = (
    "azurerm_app_service",
    "azurerm_app_service_slot",
    "azurerm_function_app",
    "azurerm_function_app_slot",
    "azurerm_linux_web_app",
    "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app",
    "azurerm_windows_web_app_slot",
    "azurerm_linux_function_app",
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app",
    "azurerm_windows_function_app_slot",
)


def _app_https(resource: Resource) -> Iterator[Violation]:
    # https_only defaults to false on every App Service resource.
    node = resource.body.get("https_only")
    if not unknown(node) and flag(node) is not True:
        yield Violation(line(node, resource), "https_only is not true")


def _app_tls(resource: Resource) -> Iterator[Violation]:
    # site_config.minimum_tls_version / scm_minimum_tls_version (min_tls_version /
    # scm_min_tls_version on the 2.x resources) default to "1.2".
    for config in blocks(resource.body, "site_config")[0]:
        for key in (
            "minimum_tls_version",
            "scm_minimum_tls_version",
            "min_tls_version",
            "scm_min_tls_version",
        ):
            node = config.get(key)
            version = text(node)
            if version is not None and version in ("1.0", "1.1"):
                yield Violation(line(node, config, resource), f'{key} = "{version}"')


def _app_ftp(resource: Resource) -> Iterator[Violation]:
    # site_config.ftps_state: the default differs by resource and provider version
    # ("Disabled" on the 3.x/4.x web and function apps), so only a written
    # "AllAllowed" is reported.
    for config in blocks(resource.body, "site_config")[0]:
        node = config.get("ftps_state")
        if (text(node) or "").lower() == "allallowed":
            yield Violation(line(node, config, resource), 'ftps_state = "AllAllowed"')


_WEB_APP = """
resource "azurerm_linux_web_app" "shop" {{
  name                = "app-shop"
  location            = "westeurope"
  resource_group_name = "rg-web"
  service_plan_id     = azurerm_service_plan.web.id
{extra}
  site_config {{
{site}
  }}
}}
"""


def _web_app(extra: str = "", site: str = "") -> Example:
    return tf_example(_WEB_APP.format(extra=extra, site=site))


_HARDENED_SITE = '    minimum_tls_version = "1.2"\n    ftps_state          = "Disabled"'


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"{CIS} {section}" for section in sections)


CHECKS: tuple[Check, ...] = (
    tf_check(
        "tf-azure-nsg-admin-port-open",
        "Network security group opens SSH or RDP to the internet",
        Severity.CRITICAL,
        (NSG_RULE, NSG),
        _nsg_open_ports(ADMIN_PORTS, skip_all=False),
        "Set source_address_prefix (or source_address_prefixes) of the inbound Allow rule to "
        'your admin network instead of "*"/"Internet"/"0.0.0.0/0", or reach VMs through '
        "Azure Bastion and remove the rule for port 22/3389.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("6.1", "6.2"),
        failing=(_nsg_rule("22"), _nsg_inline("3380-3390", "0.0.0.0/0"), _nsg_rule("*")),
        passing=(_nsg_rule("22", "10.20.0.0/16"), _nsg_inline("8443")),
    ),
    tf_check(
        "tf-azure-nsg-database-port-open",
        "Network security group opens a database port to the internet",
        Severity.HIGH,
        (NSG_RULE, NSG),
        _nsg_open_ports(DATABASE_PORTS, skip_all=True),
        "Set source_address_prefix of the inbound Allow rule to the application subnet (or "
        "use source_application_security_group_ids), never '*', 'Internet' or 0.0.0.0/0.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(_nsg_rule("5432"), _nsg_inline("1433", "Internet")),
        passing=(_nsg_rule("5432", "10.0.1.0/24"), _nsg_inline("443")),
    ),
    tf_check(
        "tf-azure-nsg-all-ports-open",
        "Network security group opens all ports to the internet",
        Severity.HIGH,
        (NSG_RULE, NSG),
        _nsg_all_ports,
        'Replace destination_port_range = "*" on the inbound Allow rule from the internet '
        'with the exact destination_port_range the service needs (e.g. "443").',
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(_nsg_rule("*", protocol="*"), _nsg_rule("0-65535", "Internet")),
        passing=(_nsg_rule("*", "10.0.0.0/8", protocol="*"), _nsg_rule("443")),
    ),
    tf_check(
        "tf-azure-storage-nested-items-public",
        "Storage account lets containers and blobs be made public",
        Severity.MEDIUM,
        STORAGE_ACCOUNT,
        _nested_items_public,
        "Set allow_nested_items_to_be_public = false on the storage account (serve public "
        "content through a CDN or SAS tokens instead of anonymous container access).",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("3.7"),
        failing=(_storage_account("allow_nested_items_to_be_public = true"),),
        passing=(
            _storage_account("allow_nested_items_to_be_public = false"),
            _storage_account('min_tls_version = "TLS1_2"'),
        ),
    ),
    tf_check(
        "tf-azure-storage-container-public",
        "Storage container allows anonymous read access",
        Severity.HIGH,
        ("azurerm_storage_container",),
        _container_public,
        'Set container_access_type = "private" on the azurerm_storage_container and grant '
        "readers access with Entra ID roles or short-lived SAS tokens.",
        cwe="CWE-284",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("3.7"),
        failing=(
            tf_example(
                """
                resource "azurerm_storage_container" "assets" {
                  name                  = "assets"
                  storage_account_id    = azurerm_storage_account.assets.id
                  container_access_type = "container"
                }
                """
            ),
        ),
        passing=(
            tf_example(
                """
                resource "azurerm_storage_container" "assets" {
                  name                  = "assets"
                  storage_account_name  = "stassets0042"
                  container_access_type = "private"
                }
                """
            ),
        ),
    ),
    tf_check(
        "tf-azure-storage-https-not-required",
        "Storage account accepts plain HTTP",
        Severity.HIGH,
        STORAGE_ACCOUNT,
        _storage_https,
        "Set https_traffic_only_enabled = true (enable_https_traffic_only = true before "
        "azurerm 4.0), or remove the attribute: it defaults to true.",
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        cis=_cis("3.1"),
        failing=(
            _storage_account("https_traffic_only_enabled = false"),
            _storage_account('enable_https_traffic_only = "false"'),
        ),
        passing=(_storage_account("https_traffic_only_enabled = true"),),
    ),
    tf_check(
        "tf-azure-storage-weak-tls",
        "Storage account accepts TLS below 1.2",
        Severity.MEDIUM,
        STORAGE_ACCOUNT,
        _storage_tls,
        'Set min_tls_version = "TLS1_2" on the storage account (or remove it: TLS1_2 is the '
        "default since azurerm 3.0).",
        cwe="CWE-327",
        iso27001=("A.8.24",),
        cis=_cis("3.15"),
        failing=(_storage_account('min_tls_version = "TLS1_0"'),),
        passing=(_storage_account('min_tls_version = "TLS1_2"'), _storage_account("")),
    ),
    tf_check(
        "tf-azure-storage-network-default-allow",
        "Storage account accepts traffic from every network",
        Severity.MEDIUM,
        (*STORAGE_ACCOUNT, "azurerm_storage_account_network_rules"),
        _storage_network,
        'Set network_rules { default_action = "Deny" } with the ip_rules and '
        "virtual_network_subnet_ids that need access, or public_network_access_enabled = "
        "false with a private endpoint.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("3.8"),
        failing=(
            _storage_account(
                """
                network_rules {
                  default_action = "Allow"
                  bypass         = ["AzureServices"]
                }
                """
            ),
        ),
        passing=(
            _storage_account(
                """
                network_rules {
                  default_action = "Deny"
                  ip_rules       = ["203.0.113.10"]
                }
                """
            ),
            _storage_account(
                """
                public_network_access_enabled = false
                network_rules {
                  default_action = "Allow"
                }
                """
            ),
        ),
    ),
    tf_check(
        "tf-azure-db-firewall-open-to-internet",
        "Database firewall rule allows the whole internet",
        Severity.CRITICAL,
        FIREWALL_RULES,
        _firewall_open,
        "Narrow start_ip_address/end_ip_address of the firewall rule to the client addresses "
        "that need access (never 0.0.0.0 to 255.255.255.255), or set "
        "public_network_access_enabled = false on the server and use a private endpoint.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("4.1.2"),
        failing=(_firewall("0.0.0.0 - 255.255.255.255"),),
        passing=(
            _firewall("203.0.113.10 - 203.0.113.20"),
            _firewall("0.0.0.0 - 0.0.0.0"),
        ),
    ),
    tf_check(
        "tf-azure-db-weak-tls",
        "Database server accepts TLS below 1.2",
        Severity.MEDIUM,
        ("azurerm_mssql_server", *SINGLE_SERVERS, *FLEXIBLE_CONFIGURATIONS),
        _db_tls,
        'Set minimum_tls_version = "1.2" (azurerm_mssql_server), '
        'ssl_minimal_tls_version_enforced = "TLS1_2" (single servers), or the tls_version / '
        'ssl_min_protocol_version server parameter to "TLSv1.2" (flexible servers).',
        cwe="CWE-327",
        iso27001=("A.8.24",),
        cis=_cis("4.4.2"),
        failing=(
            tf_example(_POSTGRES_SINGLE.format(ssl="true", tls="TLS1_0")),
            tf_example(_FLEXIBLE_PARAMETER.format(name="tls_version", value="TLSv1.1,TLSv1.2")),
            tf_example(
                """
                resource "azurerm_mssql_server" "app" {
                  name                = "sql-app"
                  location            = "westeurope"
                  resource_group_name = "rg-db"
                  version             = "12.0"
                  minimum_tls_version = "1.1"
                }
                """
            ),
        ),
        passing=(
            tf_example(_POSTGRES_SINGLE.format(ssl="true", tls="TLS1_2")),
            tf_example(_FLEXIBLE_PARAMETER.format(name="tls_version", value="TLSv1.2,TLSv1.3")),
        ),
    ),
    tf_check(
        "tf-azure-db-ssl-not-enforced",
        "Database server accepts unencrypted connections",
        Severity.HIGH,
        (*SINGLE_SERVERS, *FLEXIBLE_CONFIGURATIONS),
        _db_ssl,
        "Set ssl_enforcement_enabled = true on single servers, and keep the "
        'require_secure_transport server parameter "ON" on flexible servers.',
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        cis=_cis("4.3.1", "4.4.1"),
        failing=(
            tf_example(_POSTGRES_SINGLE.format(ssl="false", tls="TLS1_2")),
            tf_example(_FLEXIBLE_PARAMETER.format(name="require_secure_transport", value="OFF")),
        ),
        passing=(
            tf_example(_POSTGRES_SINGLE.format(ssl="true", tls="TLS1_2")),
            tf_example(_FLEXIBLE_PARAMETER.format(name="require_secure_transport", value="ON")),
        ),
    ),
    tf_check(
        "tf-azure-keyvault-purge-protection-disabled",
        "Key Vault can be purged before its retention ends",
        Severity.MEDIUM,
        ("azurerm_key_vault",),
        _purge_protection,
        "Set purge_protection_enabled = true on the azurerm_key_vault (with "
        "soft_delete_retention_days of 7 to 90), so deleted keys and secrets stay recoverable.",
        cwe="CWE-693",
        iso27001=("A.8.24", "A.8.13"),
        cis=_cis("8.5"),
        failing=(
            tf_example(_KEY_VAULT.format(extra="")),
            tf_example(_KEY_VAULT.format(extra="  purge_protection_enabled = false")),
        ),
        passing=(tf_example(_KEY_VAULT.format(extra="  purge_protection_enabled = true")),),
    ),
    tf_check(
        "tf-azure-keyvault-network-default-allow",
        "Key Vault accepts traffic from every network",
        Severity.MEDIUM,
        ("azurerm_key_vault",),
        _network_default_allow("network_acls"),
        'Set network_acls { default_action = "Deny", bypass = "AzureServices" } with the '
        "ip_rules or virtual_network_subnet_ids that need access, or "
        "public_network_access_enabled = false with a private endpoint.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            tf_example(
                _KEY_VAULT.format(
                    extra="""\
  purge_protection_enabled = true

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }"""
                )
            ),
        ),
        passing=(
            tf_example(
                _KEY_VAULT.format(
                    extra="""\
  purge_protection_enabled = true

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = ["203.0.113.0/24"]
  }"""
                )
            ),
        ),
    ),
    tf_check(
        "tf-azure-aks-rbac-disabled",
        "AKS cluster has Kubernetes RBAC disabled",
        Severity.HIGH,
        AKS,
        _aks_rbac,
        "Set role_based_access_control_enabled = true on the azurerm_kubernetes_cluster (or "
        "remove it: it defaults to true); RBAC cannot be turned on later without recreating.",
        cwe="CWE-285",
        iso27001=("A.5.15", "A.8.2"),
        failing=(tf_example(_AKS.format(extra="  role_based_access_control_enabled = false\n")),),
        passing=(tf_example(_AKS.format(extra=_AKS_HARDENED)),),
    ),
    tf_check(
        "tf-azure-aks-api-server-public",
        "AKS API server is reachable from the whole internet",
        Severity.MEDIUM,
        AKS,
        _aks_api_public,
        "Set api_server_access_profile { authorized_ip_ranges = [...] } to your admin and "
        "CI networks, or private_cluster_enabled = true.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            tf_example(_AKS.format(extra="")),
            tf_example(
                _AKS.format(
                    extra="""\
  api_server_access_profile {
    authorized_ip_ranges = ["0.0.0.0/0"]
  }
"""
                )
            ),
        ),
        passing=(
            tf_example(_AKS.format(extra=_AKS_HARDENED)),
            tf_example(_AKS.format(extra="  private_cluster_enabled = true\n")),
        ),
    ),
    tf_check(
        "tf-azure-aks-local-accounts-enabled",
        "AKS cluster keeps its local admin account",
        Severity.LOW,
        AKS,
        _aks_local_accounts,
        "Set local_account_disabled = true together with an "
        "azure_active_directory_role_based_access_control block, so every access goes "
        "through Entra ID.",
        cwe="CWE-287",
        iso27001=("A.5.17", "A.8.5"),
        failing=(tf_example(_AKS.format(extra="")),),
        passing=(tf_example(_AKS.format(extra=_AKS_HARDENED)),),
    ),
    tf_check(
        "tf-azure-app-https-only-disabled",
        "App Service app accepts plain HTTP",
        Severity.MEDIUM,
        APPS,
        _app_https,
        "Set https_only = true on the web or function app (it defaults to false), so HTTP "
        "requests are redirected to HTTPS.",
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        cis=_cis("9.2"),
        failing=(_web_app(site=_HARDENED_SITE), _web_app("  https_only = false\n")),
        passing=(_web_app("  https_only = true\n", _HARDENED_SITE),),
    ),
    tf_check(
        "tf-azure-app-weak-tls",
        "App Service app accepts TLS below 1.2",
        Severity.MEDIUM,
        APPS,
        _app_tls,
        'Set site_config { minimum_tls_version = "1.2" } (and scm_minimum_tls_version), or '
        "remove them: both default to 1.2.",
        cwe="CWE-327",
        iso27001=("A.8.24",),
        cis=_cis("9.3"),
        failing=(_web_app("  https_only = true\n", '    minimum_tls_version = "1.0"'),),
        passing=(_web_app("  https_only = true\n", _HARDENED_SITE),),
    ),
    tf_check(
        "tf-azure-app-ftp-allowed",
        "App Service app allows plain FTP deployments",
        Severity.MEDIUM,
        APPS,
        _app_ftp,
        'Set site_config { ftps_state = "Disabled" } (or "FtpsOnly" if FTP deployment is '
        "really needed).",
        cwe="CWE-319",
        iso27001=("A.8.24", "A.8.20"),
        cis=_cis("9.10"),
        failing=(_web_app("  https_only = true\n", '    ftps_state = "AllAllowed"'),),
        passing=(_web_app("  https_only = true\n", _HARDENED_SITE),),
    ),
)
