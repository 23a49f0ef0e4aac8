"""Validation of OAI-PMH responses against the vendored XML schemas (no network)."""

from functools import cache
from pathlib import Path

from lxml import etree

from villes2.api.oai import xml

SCHEMAS = Path(xml.__file__).resolve().parent / "schemas"


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def validate(content: bytes) -> etree._Element:
    """The parsed response, after checking it against OAI-PMH.xsd and every `oai_dc:dc`
    in it against oai_dc.xsd (the OAI-PMH schema does not check metadata)."""
    root = etree.fromstring(content)
    _schema("OAI-PMH.xsd").assertValid(root)
    for dc in root.iter(f"{{{xml.OAI_DC}}}dc"):
        _schema("oai_dc.xsd").assertValid(etree.fromstring(etree.tostring(dc)))
    return root
