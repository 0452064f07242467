"""A safe XML reader for hostile input, shared by the XML parsers (``pom.xml``,
``packages.config``).

Files under scan are untrusted, and XML's document type declarations are its attack
surface: external entities read local files or URLs, nested entity expansion ("billion
laughs") exhausts memory. Parsing is done with expat, rejecting any document type
declaration (and with it every entity declaration): no external entities, no entity
expansion, only the five predefined entities. Every failure, including nesting too deep
and encodings that cannot be mapped, is a one-line ``ParseError``. The result is a small
tree of ``XmlElement`` with namespace prefixes dropped and the line of each element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

from glasshouse.inventory.base import ParseError


@dataclass(slots=True)
class XmlElement:
    """An element: local name (prefix dropped), attributes, children, text, line."""

    tag: str
    line: int
    attrib: dict[str, str]
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> XmlElement | None:
        for element in self.children:
            if element.tag == tag:
                return element
        return None

    def all(self, *path: str) -> list[XmlElement]:
        """Descendants along ``path`` (each step one child level)."""
        level = [self]
        for tag in path:
            level = [c for element in level for c in element.children if c.tag == tag]
        return level

    def child_text(self, tag: str) -> str | None:
        """Stripped text of the first child ``tag``; None if absent or empty."""
        element = self.child(tag)
        if element is None:
            return None
        return element.text.strip() or None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _reject(*_args: object) -> NoReturn:
    raise ParseError("XML document type and entity declarations are not allowed")


def parse_xml(data: bytes) -> XmlElement:
    """Parse XML safely: no DTD, so no entities but the five predefined ones."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _reject
    parser.EntityDeclHandler = _reject
    parser.UnparsedEntityDeclHandler = _reject
    parser.ExternalEntityRefHandler = _reject
    stack: list[tuple[XmlElement, list[str]]] = []
    roots: list[XmlElement] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        element = XmlElement(
            _local(name), parser.CurrentLineNumber, {_local(k): v for k, v in attributes.items()}
        )
        if stack:
            stack[-1][0].children.append(element)
        else:
            roots.append(element)
        stack.append((element, []))

    def end(name: str) -> None:
        element, text = stack.pop()
        if text:
            element.text = "".join(text)

    def characters(data: str) -> None:
        if stack:
            stack[-1][1].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) or "malformed"
        raise ParseError(f"invalid XML: {message} at line {exc.lineno}") from None
    except RecursionError:
        raise ParseError("invalid XML: nested too deeply") from None
    except (ValueError, LookupError) as exc:  # encodings expat or Python cannot map
        raise ParseError(f"invalid XML: {str(exc).splitlines()[0]}") from None
    if not roots:
        raise ParseError("invalid XML: no root element")
    return roots[0]
