"""SKOS files to plain data and back, with rdflib. No database access here: services
validate and write what `read_graph` returns; selectors feed `build_graph` from the
database.

Vocabulary beyond SKOS core, in the project namespace `<THESAURUS_BASE_URI>ns#`:
- `v2:acronym`, a sub-property of `skos:altLabel` (exported as both, so any SKOS tool
  sees a synonym and Villes² keeps the kind);
- `v2:isThemeScheme` and `v2:order` on schemes.
`dct:identifier` carries the slug, so a round trip keeps URLs even when a URI does not
end with the slug; `owl:deprecated true` marks deprecated concepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from django.utils.text import slugify
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

FORMATS = {"turtle": "turtle", "xml": "xml"}
CONTENT_TYPES = {
    "turtle": "text/turtle; charset=utf-8",
    "xml": "application/rdf+xml; charset=utf-8",
}
EXTENSIONS = {"turtle": "ttl", "xml": "rdf"}
LANGUAGES = ("fr", "en")
MAPPING_RELATIONS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
# Model field sizes (models.py), checked here so that problems are reported, not raised.
MAX_URI, MAX_LABEL, MAX_NOTATION, MAX_SLUG, MAX_SCHEME_SLUG = 300, 200, 40, 120, 60


def project_namespace(base_uri: str) -> Namespace:
    return Namespace(f"{base_uri}ns#")


class SkosFileError(Exception):
    """The file cannot be read at all (malformed, forbidden XML constructs)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class SchemeData:
    uri: str
    slug: str
    title_fr: str
    title_en: str = ""
    description: str = ""
    source: str = ""
    is_theme_scheme: bool = False
    order: int = 0


@dataclass
class ConceptData:
    uri: str
    slug: str
    scheme_uri: str
    pref_label_fr: str
    pref_label_en: str = ""
    notation: str = ""
    scope_note_fr: str = ""
    scope_note_en: str = ""
    definition_fr: str = ""
    deprecated: bool = False
    # (text, language, kind) with kind one of LabelKind's values.
    labels: set[tuple[str, str, str]] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    mappings: set[tuple[str, str]] = field(default_factory=set)  # (target URI, relation)


@dataclass
class ReadResult:
    schemes: dict[str, SchemeData] = field(default_factory=dict)
    concepts: dict[str, ConceptData] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse(data: bytes, file_format: str, *, base_uri: str, graph: Graph | None = None) -> Graph:
    """Parse Turtle or RDF/XML into a graph (a new one, or `graph`). Relative IRIs resolve
    against `base_uri`. RDF/XML is first read by defusedxml, which refuses any DTD, so
    entity expansion ("billion laughs") and external entities never reach rdflib."""
    if file_format not in FORMATS:
        raise SkosFileError(f"Format inconnu « {file_format} » : turtle ou xml attendu.")
    if file_format == "xml":
        try:
            DefusedElementTree.fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            raise SkosFileError(
                "Fichier RDF/XML refusé : il contient une déclaration DOCTYPE ou ENTITY, "
                "interdite pour des raisons de sécurité."
            ) from None
        except DefusedElementTree.ParseError as error:
            line, column = getattr(error, "position", (0, 0))
            raise SkosFileError(
                f"Fichier RDF/XML mal formé, ligne {line}, colonne {column}."
            ) from None
    graph = graph if graph is not None else Graph()
    try:
        graph.parse(data=data, format=FORMATS[file_format], publicID=base_uri)
    except Exception as error:
        detail = " ".join(str(error).split())[:300]
        kind = "Turtle" if file_format == "turtle" else "RDF/XML"
        raise SkosFileError(f"Fichier {kind} illisible : {detail}") from None
    return graph


def subject_lines(text: str, graph: Graph, *, base_uri: str) -> dict[str, int]:
    """Where each subject is first described in the file (line numbers for the report).
    Turtle: a line starting with `<iri>` or `prefix:local`; RDF/XML: `rdf:about="…"`."""
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for about in re.findall(r'rdf:about="([^"]+)"', line):
            lines.setdefault(urljoin(base_uri, about), number)
        if not line or line[0] in " \t#@":
            continue
        token = line.split(None, 1)[0]
        if token.startswith("<") and token.endswith(">"):
            lines.setdefault(urljoin(base_uri, token[1:-1]), number)
        elif ":" in token and not token.lower().startswith("prefix"):
            prefix, _sep, local = token.partition(":")
            if prefix in prefixes:
                lines.setdefault(prefixes[prefix] + local, number)
    return lines


def _valid_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(uri) <= MAX_URI


def _slug_from(graph: Graph, subject: URIRef, fallback: str) -> str:
    identifier = graph.value(subject, DCTERMS.identifier)
    if identifier is not None:
        return slugify(str(identifier))
    tail = re.split(r"[/#]", str(subject).rstrip("/#"))[-1]
    return slugify(tail) or slugify(fallback)


def _by_language(
    graph: Graph, subject: URIRef, predicate: URIRef, where: str, result: ReadResult
) -> dict[str, list[str]]:
    """Literals of a predicate per language (untagged counts as French)."""
    values: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if not isinstance(value, Literal):
            result.errors.append(
                f"{where} : {predicate.n3(graph.namespace_manager)} n'est pas un texte."
            )
            continue
        language = (value.language or "fr").lower()
        if language not in LANGUAGES:
            result.warnings.append(
                f"{where} : libellé « {value} » en langue « {language} » ignoré "
                "(seuls le français et l'anglais sont pris en charge)."
            )
            continue
        values.setdefault(language, []).append(" ".join(str(value).split()))
    return values


def read_graph(graph: Graph, *, base_uri: str, lines: dict[str, int] | None = None) -> ReadResult:
    """The schemes and concepts of a SKOS graph, with every problem found in French,
    each naming its subject URI (and line when known)."""
    lines = lines or {}
    result = ReadResult()
    v2 = project_namespace(base_uri)

    def where(subject) -> str:
        line = lines.get(str(subject))
        return f"<{subject}>" + (f" (ligne {line})" if line else "")

    scheme_subjects = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    for subject in sorted(scheme_subjects, key=str):
        if not isinstance(subject, URIRef) or not _valid_uri(str(subject)):
            result.errors.append(f"Schéma {where(subject)} : URI http(s) attendue.")
            continue
        titles = _by_language(graph, subject, SKOS.prefLabel, where(subject), result)
        for language, texts in _by_language(
            graph, subject, DCTERMS.title, where(subject), result
        ).items():
            titles.setdefault(language, texts)
        title_fr = (titles.get("fr") or titles.get("en") or [""])[0]
        if not title_fr:
            result.errors.append(f"Schéma {where(subject)} : titre (skos:prefLabel) manquant.")
            continue
        slug = _slug_from(graph, subject, title_fr)[:MAX_SCHEME_SLUG]
        order = graph.value(subject, v2.order)
        result.schemes[str(subject)] = SchemeData(
            uri=str(subject),
            slug=slug,
            title_fr=title_fr[:MAX_LABEL],
            title_en=(titles.get("en") or [""])[0][:MAX_LABEL],
            description=str(graph.value(subject, DCTERMS.description) or ""),
            source=str(graph.value(subject, DCTERMS.source) or "")[:300],
            is_theme_scheme=bool(
                (value := graph.value(subject, v2.isThemeScheme)) is not None
                and value.toPython() is True
            ),
            order=int(order.toPython())
            if isinstance(order, Literal) and str(order).isdigit()
            else 0,
        )

    concept_subjects = set(graph.subjects(RDF.type, SKOS.Concept))
    concept_subjects |= set(graph.subjects(SKOS.inScheme, None)) - scheme_subjects
    concept_subjects |= set(graph.subjects(SKOS.topConceptOf, None))
    concept_subjects |= set(graph.objects(None, SKOS.hasTopConcept))
    for subject in sorted(concept_subjects, key=str):
        here = f"Concept {where(subject)}"
        if not isinstance(subject, URIRef) or not _valid_uri(str(subject)):
            result.errors.append(f"{here} : URI http(s) de 300 caractères au plus attendue.")
            continue
        schemes = {str(s) for s in graph.objects(subject, SKOS.inScheme)}
        schemes |= {str(s) for s in graph.objects(subject, SKOS.topConceptOf)}
        schemes |= {str(s) for s in graph.subjects(SKOS.hasTopConcept, subject)}
        if not schemes:
            result.errors.append(f"{here} : aucun schéma (skos:inScheme manquant).")
            continue
        if len(schemes) > 1:
            result.errors.append(
                f"{here} : plusieurs schémas ({', '.join(sorted(schemes))}), "
                "un seul est pris en charge."
            )
            continue
        preferred = _by_language(graph, subject, SKOS.prefLabel, here, result)
        if not preferred.get("fr"):
            result.errors.append(f"{here} : libellé préféré en français (skos:prefLabel) manquant.")
            continue
        for language, texts in preferred.items():
            if len(set(texts)) > 1:
                result.errors.append(
                    f"{here} : plusieurs libellés préférés en {language} "
                    f"({' ; '.join(sorted(set(texts)))}), un seul par langue."
                )
        pref = {language: texts[0] for language, texts in preferred.items()}
        labels: dict[tuple[str, str], str] = {}
        for predicate, kind in (
            (SKOS.hiddenLabel, "hidden"),
            (SKOS.altLabel, "alt"),
            (v2.acronym, "acronym"),
        ):
            for language, texts in _by_language(graph, subject, predicate, here, result).items():
                for text in texts:
                    if text and text != pref.get(language):
                        labels[(text, language)] = kind  # later kinds win: acronym > alt
        notes = _by_language(graph, subject, SKOS.scopeNote, here, result)
        definitions = _by_language(graph, subject, SKOS.definition, here, result)
        texts_to_check = [*pref.values(), *(text for text, _language in labels)]
        too_long = [text for text in texts_to_check if len(text) > MAX_LABEL]
        if too_long:
            result.errors.append(
                f"{here} : libellé de plus de {MAX_LABEL} caractères : « {too_long[0][:60]}… »."
            )
        notation = str(graph.value(subject, SKOS.notation) or "")
        if len(notation) > MAX_NOTATION:
            result.errors.append(f"{here} : notation de plus de {MAX_NOTATION} caractères.")
        slug = _slug_from(graph, subject, pref["fr"])[:MAX_SLUG]
        if not slug:
            result.errors.append(f"{here} : identifiant impossible à déduire de l'URI.")
        deprecated = graph.value(subject, OWL.deprecated)
        concept = ConceptData(
            uri=str(subject),
            slug=slug,
            scheme_uri=schemes.pop(),
            pref_label_fr=pref["fr"],
            pref_label_en=pref.get("en", ""),
            notation=notation,
            scope_note_fr="\n".join(notes.get("fr", [])),
            scope_note_en="\n".join(notes.get("en", [])),
            definition_fr="\n".join(definitions.get("fr", [])),
            deprecated=deprecated is not None and deprecated.toPython() is True,
            labels={(text, language, kind) for (text, language), kind in labels.items()},
        )
        concept.broader = {str(o) for o in graph.objects(subject, SKOS.broader)}
        concept.broader |= {str(s) for s in graph.subjects(SKOS.narrower, subject)}
        concept.related = {str(o) for o in graph.objects(subject, SKOS.related)}
        concept.related |= {str(s) for s in graph.subjects(SKOS.related, subject)}
        concept.related.discard(concept.uri)
        for relation in MAPPING_RELATIONS:
            for target in graph.objects(subject, SKOS[relation]):
                concept.mappings.add((str(target), relation))
        if concept.uri in concept.broader:
            result.errors.append(
                f"{here} : un concept ne peut pas être son propre concept plus large."
            )
        result.concepts[concept.uri] = concept
    return result


def build_graph(schemes, concepts, *, base_uri: str) -> Graph:
    """A SKOS graph of the given schemes and concepts (model instances; concepts with
    `labels`, `broader`, `related` and `mappings__target` prefetched, `scheme` joined)."""
    v2 = project_namespace(base_uri)
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("owl", OWL)
    graph.bind("v2", v2)
    for scheme in schemes:
        node = URIRef(scheme.uri)
        graph.add((node, RDF.type, SKOS.ConceptScheme))
        graph.add((node, DCTERMS.identifier, Literal(scheme.slug)))
        graph.add((node, SKOS.prefLabel, Literal(scheme.title_fr, lang="fr")))
        if scheme.title_en:
            graph.add((node, SKOS.prefLabel, Literal(scheme.title_en, lang="en")))
        if scheme.description:
            graph.add((node, DCTERMS.description, Literal(scheme.description, lang="fr")))
        if scheme.source:
            graph.add((node, DCTERMS.source, Literal(scheme.source, lang="fr")))
        if scheme.is_theme_scheme:
            graph.add((node, v2.isThemeScheme, Literal(True)))
        graph.add((node, v2.order, Literal(scheme.order, datatype=XSD.integer)))
    for concept in concepts:
        node = URIRef(concept.uri)
        scheme = URIRef(concept.scheme.uri)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, DCTERMS.identifier, Literal(concept.slug)))
        graph.add((node, SKOS.prefLabel, Literal(concept.pref_label_fr, lang="fr")))
        if concept.pref_label_en:
            graph.add((node, SKOS.prefLabel, Literal(concept.pref_label_en, lang="en")))
        for text, language in ((concept.scope_note_fr, "fr"), (concept.scope_note_en, "en")):
            if text:
                graph.add((node, SKOS.scopeNote, Literal(text, lang=language)))
        if concept.definition_fr:
            graph.add((node, SKOS.definition, Literal(concept.definition_fr, lang="fr")))
        if concept.notation:
            graph.add((node, SKOS.notation, Literal(concept.notation)))
        if concept.deprecated:
            graph.add((node, OWL.deprecated, Literal(True)))
        for label in concept.labels.all():
            literal = Literal(label.text, lang=label.language)
            if label.kind == "hidden":
                graph.add((node, SKOS.hiddenLabel, literal))
            else:
                graph.add((node, SKOS.altLabel, literal))
                if label.kind == "acronym":
                    graph.add((node, v2.acronym, literal))
        broader = list(concept.broader.all())
        if not broader:
            graph.add((node, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, node))
        for parent in broader:
            graph.add((node, SKOS.broader, URIRef(parent.uri)))
            graph.add((URIRef(parent.uri), SKOS.narrower, node))
        for other in concept.related.all():
            graph.add((node, SKOS.related, URIRef(other.uri)))
        for mapping in concept.mappings.all():
            graph.add((node, SKOS[mapping.relation], URIRef(mapping.target.uri)))
    return graph


def serialize(graph: Graph, file_format: str) -> str:
    return graph.serialize(format="turtle" if file_format == "turtle" else "pretty-xml")
