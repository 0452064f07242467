"""Docker Compose files into one ``service`` resource per service.

A YAML file with a compose name but no ``services`` mapping is not a compose file: no
resources, no error. Compose's own ``${VAR}`` interpolation is not performed: such values
stay text, which no check mistakes for a risky setting.
"""

from __future__ import annotations

import re

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.model import Resource
from glasshouse.iac.yaml_nodes import load_documents

FORMAT = "compose"
_NAME = re.compile(r"^(docker-)?compose\.ya?ml$|^docker-compose\.[^/]+\.ya?ml$", re.IGNORECASE)


def matches(name: str, relative_path: str) -> bool:
    return bool(_NAME.match(name))


def parse(path: str, data: bytes) -> list[Resource]:
    resources: list[Resource] = []
    for document in load_documents(data):
        services = document.get("services")
        if services is None or not isinstance(services.value, dict):
            continue
        for name, service in services.items():
            if not isinstance(service.value, dict):
                continue
            resources.append(
                Resource(
                    format=FORMAT,
                    kind="service",
                    name=name,
                    path=path,
                    line=service.line,
                    body=service,
                )
            )
    return resources


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
