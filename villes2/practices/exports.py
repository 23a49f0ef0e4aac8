"""The EUKN export of experience records (*fiches expérience*), in JSON and XML: one
published record or a selection, for the national network of resource centres and the
European Urban Knowledge Network (docs/practices-export.md, `practices:export_format`).

One structure is built (`export_document`), then written as JSON (`to_json`) or XML
(`to_xml`): the two formats carry the same fields under the same names, described by
`schemas/eukn-practice-1.0.schema.json` and `schemas/eukn-practice-1.0.xsd`, and
documented field by field in `FIELDS` (the format page and the docs show it; a test
checks it against both schemas).

Only published records are ever exported, whoever asks; the lead contact appears only
as far as the person consented (otherwise the centre is the contact).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from villes2.actors import selectors as actor_selectors
from villes2.actors.models import Organisation, OrganisationKind, PublicField
from villes2.core.search import run_search
from villes2.core.search.forms import FACET_PARAMETERS, SearchForm
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories.models import SchemeKind, TerritoryKind

from .models import CRITERIA, ActorRole, Practice, Rating, TargetPublic
from .search import PRACTICES

FORMAT_NAME = "eukn-practice"
FORMAT_VERSION = "1.0"
# A name, not an address to fetch: the same on every instance, since consumers compare
# namespaces as strings (docs/practices-export.md).
XML_NAMESPACE = "https://villes2.example.org/experiences/format-eukn/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
JSON_SCHEMA_FILE = SCHEMA_DIR / f"eukn-practice-{FORMAT_VERSION}.schema.json"
XSD_FILE = SCHEMA_DIR / f"eukn-practice-{FORMAT_VERSION}.xsd"
# The SKOS scheme of EUKN's six themes (villes2/taxonomy/founding_data/eukn-themes.ttl).
EUKN_SCHEME = "eukn"
# EUKN's document type for an experience record.
EUKN_DOCUMENT_TYPE = "practice"
# The largest selection one request exports; a larger search is refused (French 400).
MAX_RECORDS = 1000
# Search pages read to collect a selection (the engine's largest page).
SEARCH_PAGE = 100
LANGUAGES = ("fr", "en")
# Characters XML 1.0 forbids (control characters pasted from a word processor): dropped
# from the XML export, as from the OAI-PMH responses, rather than failing the file.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Which code system a territory's `code` belongs to, by kind.
CODE_SYSTEMS = {
    TerritoryKind.REGION: "insee",
    TerritoryKind.FORMER_REGION: "insee",
    TerritoryKind.DEPARTEMENT: "insee",
    TerritoryKind.COMMUNE: "insee",
    TerritoryKind.EPCI: "siren",
    TerritoryKind.ZUS: "zus",
    TerritoryKind.QPV: "qpv",
}

# XML: the element of each item of a list (the list itself is a wrapper element).
ITEM_NAMES = {
    "practices": "practice",
    "languages": "language",
    "target_publics": "target_public",
    "actors": "actor",
    "territories": "territory",
    "schemes": "scheme",
    "themes": "theme",
    "eukn_themes": "eukn_theme",
    "fundings": "funding",
    "criteria": "criterion",
    "attachments": "attachment",
    "documents": "document",
    "events": "event",
    "transferred_to": "record",
    "transferred_from": "record",
}


class LangMap(dict):
    """Texts by language code: an object in JSON, one element per language with
    `xml:lang` in XML."""


class ExportRequestError(Exception):
    """A selection that cannot be exported; the message is for the user (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Building the structure --------------------------------------------------------------


def _both(label) -> LangMap:
    """A translatable label in French and English."""
    texts = LangMap()
    for code in LANGUAGES:
        with translation.override(code):
            texts[code] = str(label)
    return texts


def _labels(choices) -> dict[str, LangMap]:
    return {value: _both(label) for value, label in choices}


def _text(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _lang(fr: str, en: str = "") -> LangMap:
    texts = LangMap(fr=fr.strip())
    if en and en.strip():
        texts["en"] = en.strip()
    return texts


def _amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _instant(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def centre(absolute: Callable[[str], str]) -> dict:
    """The resource centre that produces the exports (and is the contact when the lead
    contact may not be shown)."""
    legal = settings.VILLES2_LEGAL
    return {
        "name": legal.get("publisher") or settings.OAI_REPOSITORY_NAME,
        "url": absolute(reverse("core:home")),
        "email": legal.get("contact_email") or None,
    }


@dataclass
class _Context:
    """What every record of one export shares: labels, mappings, consents."""

    absolute: Callable[[str], str]
    centre: dict
    eukn: dict[int, list]
    published_fields: dict[int, set[str]]
    roles: dict[str, LangMap]
    publics: dict[str, LangMap]
    territory_kinds: dict[str, LangMap]
    scheme_kinds: dict[str, LangMap]
    organisation_kinds: dict[str, LangMap]
    ratings: dict[str, LangMap]
    criteria: dict[str, LangMap]


def export_document(practices: Iterable[Practice], *, absolute: Callable[[str], str]) -> dict:
    """The export of `practices` (published, from `selectors.practices_for_export`, in
    the order wanted). URLs are those of the French site. Constant number of queries:
    the EUKN mappings (three) and the consents of the lead contacts (one)."""
    practices = [practice for practice in practices if practice.is_public]
    with translation.override(settings.LANGUAGE_CODE):
        theme_ids = {theme.pk for practice in practices for theme in practice.themes.all()}
        contact_ids = [
            practice.lead_contact_id
            for practice in practices
            if practice.lead_contact_id and not practice.lead_contact.processing_restricted
        ]
        context = _Context(
            absolute=absolute,
            centre=centre(absolute),
            eukn=taxonomy_selectors.covering_concepts(theme_ids, scheme_slug=EUKN_SCHEME),
            published_fields=(
                actor_selectors.public_fields_by_person(contact_ids) if contact_ids else {}
            ),
            roles=_labels(ActorRole.choices),
            publics=_labels(TargetPublic.choices),
            territory_kinds=_labels(TerritoryKind.choices),
            scheme_kinds=_labels(SchemeKind.choices),
            organisation_kinds=_labels(OrganisationKind.choices),
            ratings=_labels(Rating.choices),
            criteria=_labels(CRITERIA),
        )
        records = [_practice(practice, context) for practice in practices]
        schema = absolute(reverse("practices:export_schema_json"))
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "schema": schema,
        "exported_at": _instant(timezone.now()),
        "producer": context.centre,
        "count": len(records),
        "practices": records,
    }


def _practice(practice: Practice, context: _Context) -> dict:
    url = context.absolute
    languages = ["fr"]
    if practice.title_en.strip() or practice.summary_en.strip():
        languages.append("en")
    return {
        "id": practice.pk,
        "url": url(practice.get_absolute_url()),
        "oai_identifier": f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:experiences/{practice.pk}",
        "document_type": EUKN_DOCUMENT_TYPE,
        "languages": languages,
        "title": _lang(practice.title, practice.title_en),
        "summary": _lang(practice.summary, practice.summary_en),
        "context": _text(practice.context),
        "objectives": _text(practice.objectives),
        "actions": _text(practice.actions),
        "target_publics": [
            {"code": code, "label": context.publics[code]}
            for code in practice.publics
            if code in context.publics
        ],
        "target_public_detail": _text(practice.public_detail),
        "tools": _text(practice.tools),
        "results": _text(practice.results),
        "evaluation": _text(practice.evaluation),
        "success_factors": _text(practice.success_factors),
        "difficulties": _text(practice.difficulties),
        "actors": [
            {
                "role": actor.role,
                "role_label": context.roles[actor.role],
                "role_detail": _text(actor.role_detail),
                "organisation": _organisation(actor.organisation, context),
            }
            for actor in practice.actors.all()
        ],
        "contact": _contact(practice, context),
        "territories": [
            {
                "kind": territory.kind,
                "kind_label": context.territory_kinds[territory.kind],
                "code": territory.code,
                "code_system": CODE_SYSTEMS[territory.kind],
                "name": territory.name,
                "valid_from": _day(territory.valid_from),
                "valid_to": _day(territory.valid_to),
                "url": url(territory.get_absolute_url()),
            }
            for territory in sorted(
                practice.territories.all(), key=lambda t: (t.kind, t.name, t.code)
            )
        ],
        "schemes": [
            {
                "kind": scheme.kind,
                "kind_label": context.scheme_kinds[scheme.kind],
                "name": scheme.name,
                "start_date": _day(scheme.start_date),
                "end_date": _day(scheme.end_date),
            }
            for scheme in sorted(practice.schemes.all(), key=lambda s: (s.kind, s.name, s.pk))
        ],
        "themes": [
            {
                "uri": concept.uri,
                "scheme": concept.scheme.slug,
                "label": _lang(concept.pref_label_fr, concept.pref_label_en),
                "url": url(concept.get_absolute_url()),
            }
            for concept in sorted(practice.themes.all(), key=lambda c: (c.pref_label_fr, c.pk))
        ],
        "eukn_themes": [
            {
                "uri": concept.uri,
                "notation": concept.notation or None,
                "label": _eukn_label(concept),
            }
            for concept in eukn_themes(practice, context.eukn)
        ],
        "period": {"start_year": practice.start_year, "end_year": practice.end_year},
        "budget": {
            "amount": _amount(practice.budget),
            "currency": "EUR",
            "detail": _text(practice.budget_detail),
            "fundings": [
                {
                    "name": funding.display_name,
                    "organisation": (
                        _organisation(funding.organisation, context)
                        if funding.organisation_id
                        else None
                    ),
                    "amount": _amount(funding.amount),
                }
                for funding in practice.fundings.all()
            ],
        },
        "transferability": {
            "prerequisites": _text(practice.transfer_prerequisites),
            "specific_to_place": _text(practice.transfer_specific),
            "adaptation": _text(practice.transfer_adaptation),
            "cost_and_time": _text(practice.transfer_cost_time),
            "criteria": [
                {
                    "key": key,
                    "label": context.criteria[key],
                    "rating": getattr(practice, f"{key}_rating") or None,
                    "rating_label": context.ratings.get(getattr(practice, f"{key}_rating")),
                    "justification": _text(getattr(practice, f"{key}_justification")),
                }
                for key, _label in CRITERIA
            ],
        },
        "links": {
            "pdf": url(reverse("practices:pdf", args=[practice.pk])),
            "attachments": [
                {
                    "url": url(attachment.get_absolute_url()),
                    "title": str(attachment),
                    "file_name": attachment.original_name,
                    "media_type": "application/pdf",
                    "size": attachment.size,
                }
                for attachment in practice.attachments.all()
            ],
            "documents": [
                {
                    "id": document.pk,
                    "title": document.full_title,
                    "url": url(document.get_absolute_url()),
                }
                for document in practice.documents.all()
            ],
            "events": [
                {
                    "id": event.pk,
                    "title": event.title,
                    "url": url(event.get_absolute_url()),
                    "start_date": _day(event.start_date),
                    "end_date": _day(event.end_date),
                }
                for event in practice.events.all()
            ],
            "transferred_to": [_link(other, url) for other in practice.transferred_to.all()],
            "transferred_from": [_link(other, url) for other in practice.transferred_from.all()],
        },
        "workflow": {
            "first_published_at": _instant(practice.first_published_at),
            "last_reviewed_at": _instant(practice.last_reviewed_at),
            "last_reviewed_by": (
                _text(practice.last_reviewed_by.get_full_name())
                if practice.last_reviewed_by_id
                else None
            ),
            "modified": _instant(practice.modified),
        },
    }


def eukn_themes(practice: Practice, covering: dict[int, list]) -> list:
    """The EUKN themes of a record: those covering any of its themes (see
    `taxonomy.selectors.covering_concepts`), in EUKN's order, each once."""
    found = {}
    for theme in practice.themes.all():
        for concept in covering.get(theme.pk, ()):
            found[concept.pk] = concept
    return sorted(found.values(), key=lambda c: (len(c.notation), c.notation, c.pref_label_en))


def _eukn_label(concept) -> LangMap:
    texts = LangMap()
    if concept.pref_label_en:
        texts["en"] = concept.pref_label_en
    texts["fr"] = concept.pref_label_fr
    return texts


def _link(practice: Practice, url: Callable[[str], str]) -> dict:
    return {"id": practice.pk, "title": practice.title, "url": url(practice.get_absolute_url())}


def _organisation(organisation: Organisation, context: _Context) -> dict:
    return {
        "name": organisation.name,
        "acronym": _text(organisation.acronym),
        "siren": _text(organisation.siren),
        "kind": organisation.kind,
        "kind_label": context.organisation_kinds.get(
            organisation.kind, LangMap(fr=organisation.kind)
        ),
        "url": context.absolute(organisation.get_absolute_url()),
        "website": _text(organisation.website),
    }


def _contact(practice: Practice, context: _Context) -> dict:
    """The lead contact as far as they consented: name and public job title only with a
    public-listing consent in force (the directory's ledger records one only with at
    least one published field), e-mail and phone only if published; processing
    restricted: never. Otherwise the centre."""
    person = practice.lead_contact
    fields = context.published_fields.get(practice.lead_contact_id or 0, set())
    if person is not None and not person.processing_restricted and fields:
        return {
            "type": "person",
            "name": f"{person.first_name} {person.last_name}".strip(),
            "job_title": _text(person.job_title),
            "email": _text(person.email) if PublicField.EMAIL in fields else None,
            "phone": _text(person.phone) if PublicField.PHONE in fields else None,
            "url": context.absolute(person.get_absolute_url()),
        }
    return {
        "type": "centre",
        "name": context.centre["name"],
        "job_title": None,
        "email": context.centre["email"],
        "phone": None,
        "url": context.centre["url"],
    }


# --- Writing ---------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Not serialisable: {type(value).__name__}")


def to_json(document: dict) -> bytes:
    """UTF-8 JSON, not ASCII-escaped, indented."""
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode("utf-8")


def _clean_xml(text: str) -> str:
    return NOT_XML.sub("", text)


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return _clean_xml(str(value))


def _xml_add(parent: etree._Element, name: str, value) -> None:
    tag = f"{{{XML_NAMESPACE}}}{name}"
    if value is None:
        return
    if isinstance(value, LangMap):
        for code, text in value.items():
            element = etree.SubElement(parent, tag)
            element.set(XML_LANG, code)
            element.text = _clean_xml(text)
    elif isinstance(value, list):
        wrapper = etree.SubElement(parent, tag)
        for item in value:
            _xml_add(wrapper, ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        element = etree.SubElement(parent, tag)
        for key, item in value.items():
            _xml_add(element, key, item)
    else:
        etree.SubElement(parent, tag).text = _xml_value(value)


def to_xml(document: dict, *, schema_url: str) -> bytes:
    """The same structure as XML in `XML_NAMESPACE`: objects are elements, lists are
    wrapper elements of items (`ITEM_NAMES`), language maps are repeated elements with
    `xml:lang`, and null values are left out."""
    root = etree.Element(f"{{{XML_NAMESPACE}}}eukn_export", nsmap={None: XML_NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{XML_NAMESPACE} {schema_url}")
    for key, value in document.items():
        _xml_add(root, key, schema_url if key == "schema" else value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- Selections -------------------------------------------------------------------------------

SEARCH_PARAMETERS = frozenset({"q", "annee_min", "annee_max", "tri", "page", *FACET_PARAMETERS})


def selection_from_query(query: QueryDict) -> list[int]:
    """The ids of the published records a query string selects, in order: repeated
    `id=` parameters, or the parameters of the `/experiences/` list (a search
    restricted to experience records, public records only, every page of it). Raises
    `ExportRequestError` for an unknown or invalid parameter, or a selection larger
    than `MAX_RECORDS`."""
    unknown = sorted(set(query) - SEARCH_PARAMETERS - {"id"})
    if unknown:
        raise ExportRequestError(
            _("Unknown parameter: %(names)s. Use id= or the parameters of the list of experiences.")
            % {"names": ", ".join(f"« {name} »" for name in unknown)}
        )
    if "id" in query:
        return _ids_selection(query)
    return _search_selection(query)


def _ids_selection(query: QueryDict) -> list[int]:
    criteria = [
        name for name in query if name != "id" and any(v.strip() for v in query.getlist(name))
    ]
    if criteria:
        raise ExportRequestError(
            _("Give either record numbers (id=) or search criteria, not both.")
        )
    ids: list[int] = []
    for value in query.getlist("id"):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 10 or int(value) == 0:
            raise ExportRequestError(
                _("« %(value)s » is not a record number (id= takes a whole number).")
                % {"value": value[:30]}
            )
        if int(value) not in ids:
            ids.append(int(value))
    if len(ids) > MAX_RECORDS:
        raise _too_many(len(ids))
    return ids


def _too_many(count: int) -> ExportRequestError:
    return ExportRequestError(
        _(
            "The selection has %(count)s records; an export takes %(max)s at most. "
            "Narrow the search (theme, territory, period…)."
        )
        % {"count": count, "max": MAX_RECORDS}
    )


def _search_selection(query: QueryDict) -> list[int]:
    form = SearchForm(query, staff=False, kinds=(PRACTICES.key,))
    if not form.is_valid():
        problems = [
            f"« {name} » : {' '.join(str(message) for message in messages)}"
            if name != "__all__"
            else " ".join(str(message) for message in messages)
            for name, messages in form.errors.items()
        ]
        raise ExportRequestError(
            _("Invalid search parameters: %(problems)s") % {"problems": " ; ".join(problems)}
        )
    request = form.search_request()
    request.facets = ()
    request.per_page = SEARCH_PAGE
    ids: list[int] = []
    page = 1
    while True:
        request.page = page
        results = run_search(request)
        if results.total > MAX_RECORDS:
            raise _too_many(results.total)
        ids += [hit.object.pk for hit in results.hits if hit.kind == PRACTICES.key]
        if page >= min(results.num_pages, math.ceil(MAX_RECORDS / SEARCH_PAGE)):
            return ids
        page += 1


# --- The documentation of the format ---------------------------------------------------------


@dataclass(frozen=True)
class Field:
    path: str
    type: str
    description: object  # a lazy translation


@dataclass(frozen=True)
class FieldGroup:
    key: str
    title: object
    fields: tuple[Field, ...]


T = gettext_lazy

FIELDS: tuple[FieldGroup, ...] = (
    FieldGroup(
        "envelope",
        T("The file"),
        (
            Field("format", "string", T("Always « eukn-practice »: the name of this format.")),
            Field(
                "format_version",
                "string",
                T(
                    "« 1.0 ». A minor version only adds optional fields; a major version "
                    "changes or removes some."
                ),
            ),
            Field(
                "schema",
                "string (URI)",
                T("Address of the schema of this file (JSON Schema or XSD) on the producing site."),
            ),
            Field("exported_at", "date-time", T("When the file was produced (UTC).")),
            Field("producer", "object", T("The resource centre that produced the file.")),
            Field("producer.name", "string", T("Name of the centre.")),
            Field("producer.url", "string (URI)", T("Address of its site.")),
            Field("producer.email", "string | null", T("Its contact address, when it has one.")),
            Field("count", "integer", T("Number of records in the file.")),
            Field(
                "practices",
                "list",
                T(
                    "The records, in the order of the selection: the order of the search, or "
                    "of the id= parameters."
                ),
            ),
        ),
    ),
    FieldGroup(
        "practice",
        T("A record (each item of « practices »)"),
        (
            Field("id", "integer", T("Number of the record on the producing site (stable).")),
            Field("url", "string (URI)", T("Address of the record page (French site).")),
            Field(
                "oai_identifier",
                "string",
                T(
                    "Its OAI-PMH identifier, oai:<repository>:experiences/<id> "
                    "(set « experiences »)."
                ),
            ),
            Field("document_type", "string", T("Always « practice »: EUKN's document type.")),
            Field(
                "languages",
                "list of strings",
                T(
                    "ISO 639-1 codes of the record's languages: « fr », and « en » when an "
                    "English title or summary is given."
                ),
            ),
            Field("title", "language map", T("Title: « fr » always, « en » when given.")),
            Field("summary", "language map", T("Summary: « fr » always, « en » when given.")),
            Field("context", "string | null", T("Context.")),
            Field("objectives", "string | null", T("Objectives.")),
            Field("actions", "string | null", T("Actions carried out.")),
            Field("target_publics", "list", T("Target publics.")),
            Field(
                "target_publics[].code",
                "string",
                T(
                    "habitants, jeunes, enfants, familles, demandeurs-emploi, femmes, "
                    "personnes-agees, immigres, locataires, entreprises, associations, elus, "
                    "professionnels."
                ),
            ),
            Field("target_publics[].label", "language map", T("Label, in French and English.")),
            Field("target_public_detail", "string | null", T("The target public, in words.")),
            Field("tools", "string | null", T("Tools and resources.")),
            Field("results", "string | null", T("Results.")),
            Field("evaluation", "string | null", T("Evaluation.")),
            Field("success_factors", "string | null", T("Key success factors.")),
            Field("difficulties", "string | null", T("Difficulties.")),
            Field(
                "actors",
                "list",
                T("Actors and partners, organisations of the directory, in the record's order."),
            ),
            Field(
                "actors[].role",
                "string",
                T(
                    "porteur (lead), partenaire (partner), financeur (funder), evaluateur "
                    "(evaluator), appui (technical support)."
                ),
            ),
            Field("actors[].role_label", "language map", T("Label of the role.")),
            Field("actors[].role_detail", "string | null", T("The role, in words.")),
            Field("actors[].organisation", "organisation", T("The organisation (see below).")),
            Field(
                "contact",
                "object",
                T(
                    "The lead contact, as far as the person consented to be listed publicly; "
                    "otherwise the centre."
                ),
            ),
            Field(
                "contact.type",
                "string",
                T("« person », or « centre » when the person may not be shown."),
            ),
            Field("contact.name", "string", T("Name of the person, or of the centre.")),
            Field("contact.job_title", "string | null", T("Public job title of the person.")),
            Field(
                "contact.email",
                "string | null",
                T("E-mail: only if the person consented to publish it (the centre's otherwise)."),
            ),
            Field(
                "contact.phone",
                "string | null",
                T("Phone: only if the person consented to publish it."),
            ),
            Field(
                "contact.url",
                "string (URI) | null",
                T("The person's page in the directory, or the centre's site."),
            ),
            Field("territories", "list", T("Territories of the practice.")),
            Field(
                "territories[].kind",
                "string",
                T("region, ancienne-region (before 2016), departement, epci, commune, zus, qpv."),
            ),
            Field("territories[].kind_label", "language map", T("Label of the kind.")),
            Field("territories[].code", "string", T("Official code (see code_system).")),
            Field(
                "territories[].code_system",
                "string",
                T(
                    "insee: INSEE's official geographic code (regions, départements, "
                    "communes); siren: SIREN number (EPCI); qpv: code of the priority "
                    "neighbourhood; zus: code of the sensitive urban zone (decree 96-1156)."
                ),
            ),
            Field("territories[].name", "string", T("Name.")),
            Field(
                "territories[].valid_from",
                "date | null",
                T("Start of validity (zones, merged communes)."),
            ),
            Field("territories[].valid_to", "date | null", T("End of validity.")),
            Field("territories[].url", "string (URI)", T("Page of the territory.")),
            Field(
                "schemes",
                "list",
                T("Schemes (CUCS, urban renewal projects, contracts…) the practice belongs to."),
            ),
            Field(
                "schemes[].kind",
                "string",
                T("pnru, npnru, cucs, contrat-agglomeration, contrat-pays, contrat-ville."),
            ),
            Field("schemes[].kind_label", "language map", T("Label of the kind.")),
            Field("schemes[].name", "string", T("Name.")),
            Field("schemes[].start_date", "date | null", T("Start.")),
            Field("schemes[].end_date", "date | null", T("End.")),
            Field("themes", "list", T("Themes: concepts of the centre's thesaurus.")),
            Field("themes[].uri", "string (URI)", T("URI of the SKOS concept.")),
            Field("themes[].scheme", "string", T("Identifier of its concept scheme.")),
            Field("themes[].label", "language map", T("Preferred labels.")),
            Field("themes[].url", "string (URI)", T("Page of the concept.")),
            Field(
                "eukn_themes",
                "list",
                T(
                    "EUKN's themes covering the record's themes or their broader concepts, "
                    "through an exact, close or broad match; empty when none does (never "
                    "guessed)."
                ),
            ),
            Field("eukn_themes[].uri", "string (URI)", T("URI of the EUKN concept.")),
            Field(
                "eukn_themes[].notation", "string | null", T("EUKN's number of the theme, 1 to 6.")
            ),
            Field(
                "eukn_themes[].label",
                "language map",
                T("Labels: English as EUKN used them, French translation."),
            ),
            Field("period", "object", T("When the practice ran.")),
            Field("period.start_year", "integer", T("First year.")),
            Field("period.end_year", "integer | null", T("Last year; null while it goes on.")),
            Field("budget", "object", T("Budget and funding.")),
            Field("budget.amount", "number | null", T("Total budget.")),
            Field("budget.currency", "string", T("Always « EUR ».")),
            Field("budget.detail", "string | null", T("The budget, in words.")),
            Field("budget.fundings", "list", T("Funding sources, in the record's order.")),
            Field("budget.fundings[].name", "string", T("Name of the funder or programme.")),
            Field(
                "budget.fundings[].organisation",
                "organisation | null",
                T("The funder, when it is in the directory."),
            ),
            Field("budget.fundings[].amount", "number | null", T("Amount, when known.")),
            Field(
                "transferability",
                "object",
                T("Conditions of reproducibility and transposition, and the assessment."),
            ),
            Field("transferability.prerequisites", "string | null", T("What must exist locally.")),
            Field(
                "transferability.specific_to_place",
                "string | null",
                T("What was specific to the place."),
            ),
            Field("transferability.adaptation", "string | null", T("How to adapt it.")),
            Field(
                "transferability.cost_and_time", "string | null", T("Cost and time to transfer.")
            ),
            Field(
                "transferability.criteria",
                "list",
                T(
                    "The four assessment criteria, always in this order: coherence, "
                    "relevance, impact, transfer."
                ),
            ),
            Field(
                "transferability.criteria[].key",
                "string",
                T(
                    "coherence (with urban-policy principles), relevance (thematic), impact "
                    "(evidence of), transfer (suitability for)."
                ),
            ),
            Field("transferability.criteria[].label", "language map", T("Label of the criterion.")),
            Field(
                "transferability.criteria[].rating",
                "string | null",
                T("fort (strong), moyen (moderate), faible (weak)."),
            ),
            Field(
                "transferability.criteria[].rating_label",
                "language map | null",
                T("Label of the rating."),
            ),
            Field(
                "transferability.criteria[].justification",
                "string | null",
                T("Justification of the rating."),
            ),
            Field("links", "object", T("Links to files and to other records.")),
            Field("links.pdf", "string (URI)", T("The record as a printable PDF.")),
            Field("links.attachments", "list", T("Attached files (PDF).")),
            Field("links.attachments[].url", "string (URI)", T("Address of the file.")),
            Field("links.attachments[].title", "string", T("Label.")),
            Field("links.attachments[].file_name", "string", T("File name.")),
            Field("links.attachments[].media_type", "string", T("Always « application/pdf ».")),
            Field("links.attachments[].size", "integer", T("Size in bytes.")),
            Field(
                "links.documents",
                "list of links",
                T("Public records of the catalogue linked to the practice."),
            ),
            Field(
                "links.events", "list", T("Public events of the programme linked to the practice.")
            ),
            Field("links.events[].id", "integer", T("Number of the event.")),
            Field("links.events[].title", "string", T("Title.")),
            Field("links.events[].url", "string (URI)", T("Page of the event.")),
            Field("links.events[].start_date", "date", T("Start.")),
            Field("links.events[].end_date", "date", T("End.")),
            Field(
                "links.transferred_to",
                "list of links",
                T("Published records of the same practice reused elsewhere."),
            ),
            Field(
                "links.transferred_from",
                "list of links",
                T("Published records this practice was transferred from."),
            ),
            Field("workflow", "object", T("Review facts.")),
            Field("workflow.first_published_at", "date-time", T("First publication (UTC).")),
            Field(
                "workflow.last_reviewed_at",
                "date-time | null",
                T("Last review by the centre (UTC)."),
            ),
            Field(
                "workflow.last_reviewed_by",
                "string | null",
                T("Name of the staff member who last reviewed it."),
            ),
            Field(
                "workflow.modified",
                "date-time",
                T("Last change of the record or its links (the OAI-PMH datestamp)."),
            ),
        ),
    ),
    FieldGroup(
        "organisation",
        T("An organisation (actors and funders)"),
        (
            Field("name", "string", T("Name.")),
            Field("acronym", "string | null", T("Acronym.")),
            Field("siren", "string | null", T("SIREN number (9 digits), when known.")),
            Field("kind", "string", T("Kind of organisation (value of the directory).")),
            Field("kind_label", "language map", T("Label of the kind.")),
            Field("url", "string (URI)", T("Page of the organisation in the directory.")),
            Field("website", "string (URI) | null", T("Its own site.")),
        ),
    ),
    FieldGroup(
        "link",
        T("A link (documents, transferred records)"),
        (
            Field("id", "integer", T("Number of the record on the producing site.")),
            Field("title", "string", T("Title.")),
            Field("url", "string (URI)", T("Address of its page.")),
        ),
    ),
)
