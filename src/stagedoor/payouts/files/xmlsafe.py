"""Reading XML we did not write (bank reports) or wrote with a third-party library: through xmlschema's defused
parser, which refuses DTDs, entities and external references (no billion laughs, no XXE)."""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element

import xmlschema
from xmlschema.exceptions import XMLResourceError, XMLResourceForbidden

from .errors import ReportUnreadable

MAX_BYTES = 50 * 1024 * 1024


def parse_xml(data: bytes) -> Element:
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise ReportUnreadable("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ReportUnreadable(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        resource = xmlschema.XMLResource(io.BytesIO(bytes(data)), defuse="always", lazy=False)
    except XMLResourceForbidden as exc:
        raise ReportUnreadable(f"The file uses XML features we refuse: {exc}.") from None
    except (XMLResourceError, SyntaxError, ValueError) as exc:
        raise ReportUnreadable(f"The file is not well-formed XML: {exc}.") from None
    root = resource.root
    assert isinstance(root, Element)
    return root


def local(tag: str) -> str:
    """`{urn:…}TxSts` → `TxSts`."""
    return tag.rsplit("}", 1)[-1]


def child(parent: Element | None, *names: str) -> Element | None:
    """The first descendant along a path of local names, whatever the namespace (versions differ)."""
    node = parent
    for name in names:
        if node is None:
            return None
        node = next((el for el in node if local(el.tag) == name), None)
    return node


def children(parent: Element | None, name: str) -> list[Element]:
    return [] if parent is None else [el for el in parent if local(el.tag) == name]


def text(parent: Element | None, *names: str) -> str:
    node = child(parent, *names)
    return (node.text or "").strip() if node is not None else ""
