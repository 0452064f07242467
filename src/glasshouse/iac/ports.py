"""The ports whose exposure to the whole internet is a finding, and what "the whole
internet" is. One table for every format's network checks (AWS security groups and
NACLs in Terraform and CloudFormation, Azure NSGs, Google Cloud firewalls), so that an
open port means the same thing whichever tool wrote the rule."""

from __future__ import annotations

import ipaddress

_TCP = frozenset({"tcp"})
_TCP_UDP = frozenset({"tcp", "udp"})

# port -> (service, the protocols it listens on)
ADMIN_PORTS: dict[int, tuple[str, frozenset[str]]] = {
    22: ("SSH", _TCP),
    3389: ("RDP", _TCP_UDP),
}
DATABASE_PORTS: dict[int, tuple[str, frozenset[str]]] = {
    1433: ("SQL Server", _TCP),
    1434: ("SQL Server browser", frozenset({"udp"})),
    1521: ("Oracle", _TCP),
    2379: ("etcd", _TCP),
    3306: ("MySQL/MariaDB", _TCP),
    5432: ("PostgreSQL", _TCP),
    5439: ("Redshift", _TCP),
    5984: ("CouchDB", _TCP),
    6379: ("Redis", _TCP),
    7000: ("Cassandra", _TCP),
    7001: ("Cassandra", _TCP),
    8086: ("InfluxDB", _TCP),
    8182: ("Neptune", _TCP),
    9042: ("Cassandra", _TCP),
    9200: ("Elasticsearch/OpenSearch", _TCP),
    9300: ("Elasticsearch/OpenSearch", _TCP),
    11211: ("Memcached", _TCP_UDP),
    27017: ("MongoDB/DocumentDB", _TCP),
    27018: ("MongoDB", _TCP),
    27019: ("MongoDB", _TCP),
}


def names(ports: dict[int, tuple[str, frozenset[str]]]) -> dict[int, str]:
    """port -> service, for checks that do not look at the protocol."""
    return {port: service for port, (service, _) in ports.items()}


def is_world(cidr: str) -> bool:
    """Whether ``cidr`` covers every address (0.0.0.0/0, ::/0 and their spellings)."""
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False
