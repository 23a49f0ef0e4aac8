"""The XML of OAI-PMH responses, built with lxml (never by string formatting), with the
namespaces and schema locations harvesters validate against."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from villes2.core.oai import OAISet, Record, RecordRepository

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# metadataPrefix → (schema, namespace). Dublin Core is the format every harvester reads.
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC)}

DC_ELEMENTS = frozenset(
    [
        "title",
        "creator",
        "subject",
        "description",
        "publisher",
        "contributor",
        "date",
        "type",
        "format",
        "identifier",
        "source",
        "language",
        "relation",
        "coverage",
        "rights",
    ]
)


@dataclass(frozen=True)
class Resumption:
    token: str  # empty on the last page of a list
    cursor: int
    size: int


# Characters XML 1.0 forbids (control characters pasted from word processors): dropped,
# since lxml refuses them and one bad abstract must not break a whole harvest page.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return NOT_XML.sub("", text)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, f"{{{OAI}}}{tag}", attributes)
    if text is not None:
        element.text = clean(text)
    return element


def format_datestamp(value: datetime.datetime) -> str:
    """A UTC datestamp to the second, the repository's granularity."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(base_url: str, echoed: dict[str, str] | None) -> etree._Element:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _sub(root, "responseDate", format_datestamp(datetime.datetime.now(datetime.UTC)))
    request = _sub(root, "request", base_url)
    for name, value in (echoed or {}).items():
        request.set(name, value)
    return root


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def error_response(base_url: str, echoed: dict[str, str] | None, code: str, message: str):
    root = _envelope(base_url, echoed)
    _sub(root, "error", message, code=code)
    return _serialize(root)


def identify_response(
    base_url: str,
    echoed: dict[str, str],
    repository: RecordRepository,
    earliest: str,
    granularity: str,
) -> bytes:
    root = _envelope(base_url, echoed)
    identify = _sub(root, "Identify")
    _sub(identify, "repositoryName", repository.name)
    _sub(identify, "baseURL", base_url)
    _sub(identify, "protocolVersion", "2.0")
    for email in repository.admin_emails:
        _sub(identify, "adminEmail", email)
    _sub(identify, "earliestDatestamp", earliest)
    _sub(identify, "deletedRecord", "persistent")
    _sub(identify, "granularity", granularity)
    description = _sub(identify, "description")
    oai_identifier = etree.SubElement(
        description, f"{{{OAI_IDENTIFIER}}}oai-identifier", nsmap={None: OAI_IDENTIFIER}
    )
    oai_identifier.set(f"{{{XSI}}}schemaLocation", f"{OAI_IDENTIFIER} {OAI_IDENTIFIER}.xsd")
    for tag, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository.repository_identifier),
        ("delimiter", ":"),
        ("sampleIdentifier", repository.sample_identifier),
    ):
        etree.SubElement(oai_identifier, f"{{{OAI_IDENTIFIER}}}{tag}").text = text
    return _serialize(root)


def metadata_formats_response(base_url: str, echoed: dict[str, str]) -> bytes:
    root = _envelope(base_url, echoed)
    formats = _sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        element = _sub(formats, "metadataFormat")
        _sub(element, "metadataPrefix", prefix)
        _sub(element, "schema", schema)
        _sub(element, "metadataNamespace", namespace)
    return _serialize(root)


def sets_response(base_url: str, echoed: dict[str, str], sets: Sequence[OAISet]) -> bytes:
    root = _envelope(base_url, echoed)
    listing = _sub(root, "ListSets")
    for oai_set in sets:
        element = _sub(listing, "set")
        _sub(element, "setSpec", oai_set.spec)
        _sub(element, "setName", oai_set.name)
    return _serialize(root)


def _header(parent: etree._Element, record: Record) -> None:
    header = record.header
    element = _sub(parent, "header", status="deleted") if header.deleted else _sub(parent, "header")
    _sub(element, "identifier", header.identifier)
    _sub(element, "datestamp", format_datestamp(header.datestamp))
    for spec in header.set_specs:
        _sub(element, "setSpec", spec)


def _oai_dc(parent: etree._Element, record: Record) -> None:
    dc = etree.SubElement(parent, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_SCHEMA}")
    for statement in record.dublin_core:
        if statement.element not in DC_ELEMENTS:
            raise ValueError(f"Not an unqualified Dublin Core element: {statement.element}")
        element = etree.SubElement(dc, f"{{{DC}}}{statement.element}")
        element.text = clean(statement.value)
        if statement.lang:
            element.set(XML_LANG, statement.lang)


def records_response(
    base_url: str,
    echoed: dict[str, str],
    verb: str,
    records: Sequence[Record],
    *,
    with_metadata: bool,
    resumption: Resumption | None = None,
) -> bytes:
    root = _envelope(base_url, echoed)
    listing = _sub(root, verb)
    for record in records:
        if verb == "ListIdentifiers":
            _header(listing, record)
            continue
        element = _sub(listing, "record")
        _header(element, record)
        if with_metadata and not record.header.deleted:
            _oai_dc(_sub(element, "metadata"), record)
    if resumption is not None:
        _sub(
            listing,
            "resumptionToken",
            resumption.token,
            completeListSize=str(resumption.size),
            cursor=str(resumption.cursor),
        )
    return _serialize(root)
