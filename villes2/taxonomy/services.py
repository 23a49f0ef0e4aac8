"""Writes of the thesaurus: SKOS import (files and the founding vocabulary), URIs and
search text. Every write of concepts from a file goes through `_apply`, which validates
the whole file against the database first and writes nothing when anything is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from villes2.core.loading import ACTIONS, DataLoadError, LoadReport
from villes2.core.text import normalize_for_search

from . import skos
from .models import Concept, ConceptScheme, Label, Mapping

FOUNDING_DIR = Path(__file__).resolve().parent / "founding_data"
FOUNDING_FILES = ("villes2-themes.ttl", "eukn-themes.ttl")
ACTION_LABELS = {
    "created": "créés",
    "updated": "modifiés",
    "deleted": "supprimés",
    "unchanged": "inchangés",
}


def base_uri() -> str:
    base = settings.THESAURUS_BASE_URI
    return base if base.endswith("/") else f"{base}/"


def scheme_uri(*, slug: str) -> str:
    return f"{base_uri()}{slug}"


def concept_uri(*, scheme: ConceptScheme, slug: str) -> str:
    return f"{base_uri()}{scheme.slug}/{slug}"


def _search_text(pref_label_fr: str, pref_label_en: str, labels) -> str:
    """Preferred labels, then the others by kind and text: the same string whatever
    order the labels come in (a file's set, the database's collation)."""
    texts = [pref_label_fr, pref_label_en, *(text for _kind, text in sorted(labels))]
    return " | ".join(dict.fromkeys(normalize_for_search(text) for text in texts if text))


def concept_search_text_refresh(*, concept: Concept) -> None:
    """Recompute the normalized labels the autocomplete matches."""
    text = _search_text(
        concept.pref_label_fr,
        concept.pref_label_en,
        [(label.kind, label.text) for label in concept.labels.all()],
    )
    if text != concept.search_text:
        concept.search_text = text
        Concept.objects.filter(pk=concept.pk).update(search_text=text)


@dataclass
class ImportReport:
    """What an import found and did. `errors` non-empty means nothing was written."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: LoadReport = field(default_factory=LoadReport)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return self.counts.changed

    def summary(self) -> list[str]:
        """The report in French, one line per item."""
        if self.errors:
            return [
                f"Import refusé, thésaurus inchangé ({len(self.errors)} problème(s)) :",
                *(f"  - {error}" for error in self.errors),
            ]
        lines = ["Simulation : rien n'a été enregistré."] if self.dry_run else []
        for table, counter in self.counts.counts.items():
            figures = ", ".join(f"{counter[a]} {ACTION_LABELS[a]}" for a in ACTIONS if counter[a])
            lines.append(f"{table} : {figures}")
        if not self.changed:
            lines.append("Aucun changement : le thésaurus était déjà à jour.")
        lines += [f"Avertissement : {warning}" for warning in self.warnings]
        return lines


def skos_import(data: bytes, file_format: str, *, dry_run: bool = False) -> ImportReport:
    """Import a SKOS file (Turtle or RDF/XML): upsert schemes and concepts by URI, replace
    the labels, broader and related concepts and mappings of the concepts it describes.

    Everything is validated first (readable file, known schemes, preferred labels, no
    cycle, no duplicate preferred label or identifier, known broader and related
    concepts); any problem and nothing is written. Then one transaction, rolled back on
    `dry_run`. Concepts of the database absent from the file are kept."""
    report = ImportReport(dry_run=dry_run)
    limit = settings.THESAURUS_IMPORT_MAX_BYTES
    if len(data) > limit:
        report.errors.append(f"Fichier trop volumineux : {len(data)} octets, {limit} au plus.")
        return report
    try:
        graph = skos.parse(data, file_format, base_uri=base_uri())
    except skos.SkosFileError as error:
        report.errors.append(error.message)
        return report
    lines = skos.subject_lines(data.decode("utf-8", "replace"), graph, base_uri=base_uri())
    read = skos.read_graph(graph, base_uri=base_uri(), lines=lines)
    report.warnings += read.warnings
    report.errors += read.errors
    if not read.errors:
        report.errors += _validate(read)
    if report.errors:
        return report
    with transaction.atomic():
        _write(read, report.counts, report.warnings)
        if dry_run:
            transaction.set_rollback(True)
        elif report.counts.changed:
            concepts_changed(
                Concept.objects.filter(uri__in=list(read.concepts)).values_list("pk", flat=True)
            )
    return report


def concepts_changed(concept_ids) -> int:
    """After concepts changed (labels, broader, scheme, deprecation): re-index what quotes
    them or a narrower concept, whose themes and lineage follow from theirs. Runs in the
    caller's transaction; returns the number of entries re-indexed."""
    from villes2.core import search

    from . import selectors

    ids = set(concept_ids)
    if not ids:
        return 0
    ids |= {pk for pk, lineage in selectors.concept_lineage().items() if lineage & ids}
    return search.reindex_dependents("taxonomy.Concept", ids)


def founding_thesaurus_load(*, report: LoadReport, reference_dir: Path | None = None) -> None:
    """Load the starter vocabulary (founding_data/*.ttl): the centre's themes and EUKN's
    six themes with their mappings. Idempotent (upsert by URI). It ships with the code,
    so `reference_dir` does not apply; concepts added by staff are kept."""
    from rdflib import Graph

    graph = Graph()
    lines: dict[str, int] = {}
    try:
        for name in FOUNDING_FILES:
            data = (FOUNDING_DIR / name).read_bytes()
            skos.parse(data, "turtle", base_uri=base_uri(), graph=graph)
            for uri, line in skos.subject_lines(data.decode(), graph, base_uri=base_uri()).items():
                lines.setdefault(uri, line)
    except skos.SkosFileError as error:
        raise DataLoadError([error.message]) from error
    read = skos.read_graph(graph, base_uri=base_uri(), lines=lines)
    problems = read.errors or _validate(read)
    if problems:
        raise DataLoadError([f"thésaurus : {problem}" for problem in problems])
    _write(read, report, [])


def _validate(read: skos.ReadResult) -> list[str]:
    """Problems of the file against the database: unknown schemes and concepts, cycles,
    duplicates. Returns French messages naming URIs."""
    errors: list[str] = []
    db_schemes = {s.uri: s for s in ConceptScheme.objects.all()}
    db_concepts = {
        uri: (scheme_id, slug, label)
        for uri, scheme_id, slug, label in Concept.objects.values_list(
            "uri", "scheme_id", "slug", "pref_label_fr"
        )
    }
    scheme_uri_by_id = {s.pk: uri for uri, s in db_schemes.items()}

    # Schemes: slugs and the single theme scheme.
    for uri, scheme in read.schemes.items():
        clash = next(
            (s for s in db_schemes.values() if s.slug == scheme.slug and s.uri != uri), None
        )
        if clash:
            errors.append(
                f"Schéma <{uri}> : l'identifiant « {scheme.slug} » est déjà celui du "
                f"schéma <{clash.uri}>."
            )
    themes = {uri for uri, s in read.schemes.items() if s.is_theme_scheme}
    themes |= {
        uri for uri, s in db_schemes.items() if s.is_theme_scheme and uri not in read.schemes
    }
    if len(themes) > 1:
        errors.append(
            "Un seul schéma de thèmes est possible ; en voici plusieurs : "
            f"{', '.join(sorted(themes))}."
        )

    def scheme_of(uri: str) -> str | None:
        if uri in read.concepts:
            return read.concepts[uri].scheme_uri
        if uri in db_concepts:
            return scheme_uri_by_id[db_concepts[uri][0]]
        return None

    # Final identifiers and labels per scheme: the file's concepts and the others kept.
    taken_slugs: dict[tuple[str, str], str] = {}
    taken_labels: dict[tuple[str, str], str] = {}
    for uri, (scheme_id, slug, label) in db_concepts.items():
        if uri not in read.concepts:
            taken_slugs[(scheme_uri_by_id[scheme_id], slug)] = uri
            taken_labels[(scheme_uri_by_id[scheme_id], label)] = uri
    for uri, concept in read.concepts.items():
        here = f"Concept <{uri}>"
        if concept.scheme_uri not in read.schemes and concept.scheme_uri not in db_schemes:
            errors.append(f"{here} : schéma inconnu <{concept.scheme_uri}>.")
            continue
        other = taken_slugs.setdefault((concept.scheme_uri, concept.slug), uri)
        if other != uri:
            errors.append(
                f"{here} : l'identifiant « {concept.slug} » est déjà celui de <{other}> "
                "dans le même schéma."
            )
        other = taken_labels.setdefault((concept.scheme_uri, concept.pref_label_fr), uri)
        if other != uri:
            errors.append(
                f"{here} : libellé préféré « {concept.pref_label_fr} » en double avec "
                f"<{other}> dans le même schéma."
            )
        for parent in sorted(concept.broader):
            parent_scheme = scheme_of(parent)
            if parent_scheme is None:
                errors.append(f"{here} : concept plus large inconnu <{parent}>.")
            elif parent_scheme != concept.scheme_uri:
                errors.append(
                    f"{here} : le concept plus large <{parent}> est dans un autre schéma ; "
                    "utilisez une correspondance (skos:broadMatch)."
                )
        for other_uri in sorted(concept.related):
            if scheme_of(other_uri) is None:
                errors.append(f"{here} : concept associé inconnu <{other_uri}>.")
        for target, _relation in sorted(concept.mappings):
            target_scheme = scheme_of(target)
            if target_scheme == concept.scheme_uri:
                errors.append(
                    f"{here} : la correspondance vers <{target}> doit viser un autre schéma "
                    "(dans le même schéma, utilisez skos:broader ou skos:related)."
                )
    errors += _cycles(read)
    return errors


def _cycles(read: skos.ReadResult) -> list[str]:
    """Cycles of broader concepts in the state after import (the file's broader concepts
    for the concepts it describes, the database's for the others)."""
    parents: dict[str, set[str]] = {}
    through = Concept.broader.through
    for child, parent in through.objects.values_list("from_concept__uri", "to_concept__uri"):
        if child not in read.concepts:
            parents.setdefault(child, set()).add(parent)
    for uri, concept in read.concepts.items():
        parents[uri] = set(concept.broader)
    errors: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for parent in sorted(parents.get(node, ())):
            if state.get(parent) == 1:
                cycle = path[path.index(parent) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " → ".join(f"<{uri}>" for uri in [*cycle, parent])
                    errors.append(f"Cycle de concepts plus larges : {chain}.")
            elif parent not in state:
                visit(parent, path)
        path.pop()
        state[node] = 2

    for node in sorted(parents):
        if node not in state:
            visit(node, [])
    return errors


CONCEPT_FIELDS = (
    "slug",
    "notation",
    "pref_label_fr",
    "pref_label_en",
    "scope_note_fr",
    "scope_note_en",
    "definition_fr",
    "deprecated",
)
SCHEME_FIELDS = (
    "slug",
    "title_fr",
    "title_en",
    "description",
    "source",
    "is_theme_scheme",
    "order",
)


def _write(read: skos.ReadResult, report: LoadReport, warnings: list[str]) -> None:
    """Upsert what `_validate` accepted. Rows are saved only when they change, so a
    second import of the same file writes nothing (and no history)."""
    schemes = {s.uri: s for s in ConceptScheme.objects.all()}
    # A scheme losing the theme flag first, so the one-theme-scheme constraint holds.
    for uri, data in read.schemes.items():
        scheme = schemes.get(uri)
        if scheme and scheme.is_theme_scheme and not data.is_theme_scheme:
            scheme.is_theme_scheme = False
            scheme.save(update_fields=["is_theme_scheme"])
    for uri, data in read.schemes.items():
        scheme = schemes.get(uri)
        values = {name: getattr(data, name) for name in SCHEME_FIELDS}
        if scheme is None:
            scheme = ConceptScheme(uri=uri, **values)
            scheme.full_clean(validate_unique=False, validate_constraints=False)
            scheme.save()
            schemes[uri] = scheme
            report.add("schémas", "created")
        elif any(getattr(scheme, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(scheme, name, value)
            scheme.full_clean(validate_unique=False, validate_constraints=False)
            scheme.save()
            report.add("schémas", "updated")
        else:
            report.add("schémas", "unchanged")

    existing = {
        c.uri: c
        for c in Concept.objects.filter(uri__in=list(read.concepts)).prefetch_related("labels")
    }
    created: set[str] = set()
    changed: set[str] = set()
    saved: set[str] = set()
    # Pass 1: the concepts themselves and their labels.
    for uri, data in read.concepts.items():
        scheme = schemes[data.scheme_uri]
        values = {name: getattr(data, name) for name in CONCEPT_FIELDS}
        concept = existing.get(uri)
        if concept is None:
            concept = Concept(uri=uri, scheme=scheme, **values)
            concept.full_clean(validate_unique=False, validate_constraints=False)
            concept.save()
            existing[uri] = concept
            report.add("concepts", "created")
            created.add(uri)
        elif concept.scheme_id != scheme.pk or any(
            getattr(concept, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(concept, name, value)
            concept.scheme = scheme
            concept.version += 1
            concept.full_clean(validate_unique=False, validate_constraints=False)
            concept.save()
            saved.add(uri)
            changed.add(uri)
        current = {(label.text, label.language, label.kind) for label in concept.labels.all()}
        if current != data.labels:
            concept.labels.all().delete()
            Label.objects.bulk_create(
                Label(concept=concept, text=text, language=language, kind=kind)
                for text, language, kind in sorted(data.labels)
            )
            report.add("libellés", "deleted", len(current - data.labels))
            report.add("libellés", "created", len(data.labels - current))
            changed.add(uri)
        text = _search_text(
            data.pref_label_fr,
            data.pref_label_en,
            [(kind, text) for text, _language, kind in data.labels],
        )
        if text != concept.search_text:
            concept.search_text = text
            Concept.objects.filter(pk=concept.pk).update(search_text=text)

    ids = dict(Concept.objects.values_list("uri", "pk"))
    by_id = {concept.pk: concept for concept in existing.values()}
    through = Concept.broader.through
    broader: dict[int, set[int]] = {}
    for child, parent in through.objects.filter(from_concept__in=list(by_id)).values_list(
        "from_concept_id", "to_concept_id"
    ):
        broader.setdefault(child, set()).add(parent)
    related_through = Concept.related.through
    related: dict[int, set[int]] = {}
    for one, other in related_through.objects.filter(from_concept__in=list(by_id)).values_list(
        "from_concept_id", "to_concept_id"
    ):
        related.setdefault(one, set()).add(other)
    mappings: dict[int, set[tuple[int, str]]] = {}
    for source, target, relation in Mapping.objects.filter(source__in=list(by_id)).values_list(
        "source_id", "target_id", "relation"
    ):
        mappings.setdefault(source, set()).add((target, relation))

    file_ids = {ids[uri] for uri in read.concepts}
    uri_by_id = {concept.pk: uri for uri, concept in existing.items()}
    # Pass 2: relations, now that every concept exists.
    for uri, data in read.concepts.items():
        concept = existing[uri]
        wanted = {ids[parent] for parent in data.broader}
        old = broader.get(concept.pk, set())
        if wanted != old:
            concept.broader.set(wanted)
            report.add("relations", "created", len(wanted - old))
            report.add("relations", "deleted", len(old - wanted))
            changed.add(uri)
        # Related links from concepts the file does not describe are kept.
        kept = {other for other in related.get(concept.pk, set()) if other not in file_ids}
        wanted = {ids[other] for other in data.related} | kept
        old = related.get(concept.pk, set())
        if wanted != old:
            concept.related.set(wanted)
            # Symmetric: the other ends changed too, and count each link once.
            for other in wanted ^ old:
                related.setdefault(other, set()).symmetric_difference_update({concept.pk})
                if other in uri_by_id:
                    changed.add(uri_by_id[other])
            related[concept.pk] = wanted
            report.add("relations", "created", len(wanted - old))
            report.add("relations", "deleted", len(old - wanted))
            changed.add(uri)
        wanted_mappings = set()
        for target, relation in data.mappings:
            if target in ids:
                wanted_mappings.add((ids[target], relation))
            else:
                warnings.append(
                    f"Concept <{uri}> : correspondance {relation} vers <{target}> ignorée "
                    "(concept absent du thésaurus)."
                )
        if wanted_mappings != mappings.get(concept.pk, set()):
            Mapping.objects.filter(source=concept).delete()
            for target_id, relation in sorted(wanted_mappings):
                mapping = Mapping(source=concept, target_id=target_id, relation=relation)
                mapping.full_clean(validate_unique=False, validate_constraints=False)
                mapping.save()
            report.add(
                "correspondances", "created", len(wanted_mappings - mappings.get(concept.pk, set()))
            )
            report.add(
                "correspondances", "deleted", len(mappings.get(concept.pk, set()) - wanted_mappings)
            )
            changed.add(uri)
    # Concepts changed only in their labels or relations: a new version (an editor who
    # opened one before the import is warned) and a new date (the search reloads).
    touched = [existing[uri].pk for uri in changed - created - saved]
    if touched:
        Concept.objects.filter(pk__in=touched).update(
            version=F("version") + 1, modified=timezone.now()
        )
    for uri in read.concepts:
        if uri in created:
            continue
        report.add("concepts", "updated" if uri in changed else "unchanged")
