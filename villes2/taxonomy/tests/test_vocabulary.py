"""The starter vocabulary: loaded by load_reference_data, idempotent, with the acronyms
of the founding note and glossary, and the reads other apps use."""

import pytest

from villes2.core.loading import LoadReport
from villes2.taxonomy import selectors, services
from villes2.taxonomy.models import Concept, ConceptScheme, LabelKind, Mapping

pytestmark = pytest.mark.django_db

TOP_CONCEPTS = {
    "renovation-urbaine-cadre-de-vie",
    "cohesion-sociale-acces-aux-droits",
    "emploi-developpement-economique",
    "education-reussite-educative",
    "sante",
    "prevention-citoyennete-mediation",
    "discriminations-egalite-des-chances",
    "histoire-et-memoire",
    "developpement-durable",
    "developpement-territorial-ingenierie",
    "evaluation-observation",
    "politique-de-la-ville-dispositifs",
}
ACRONYMS = {
    "ZUS": "zone urbaine sensible",
    "QPV": "quartier prioritaire de la politique de la ville",
    "CUCS": "contrat urbain de cohésion sociale",
    "ANRU": "Agence nationale pour la rénovation urbaine",
    "PRU": "projet de rénovation urbaine",
    "ORU": "opération de renouvellement urbain",
    "ZFU": "zone franche urbaine",
    "PRE": "programme de réussite éducative",
    "ASV": "atelier santé ville",
    "Acsé": "Agence nationale pour la cohésion sociale et l'égalité des chances",
    "GIP": "groupement d'intérêt public",
    "PNRU": "programme national de rénovation urbaine",
    "NPNRU": "nouveau programme national de renouvellement urbain",
    "EPCI": "établissement public de coopération intercommunale",
    "CPER": "contrat de projet État-Région",
}
REQUIRED_LABELS = [
    "rénovation urbaine",
    "résidentialisation",
    "gestion urbaine de proximité",
    "clauses d'insertion",
    "discriminations",
    "égalité des chances",
    "accès aux droits",
    "accès à l'emploi",
    "accès au logement",
    "initiative économique des habitants",
    "médiation sociale",
    "Développement durable",
    "évaluation",
    "Santé",
    "accompagnement scolaire",
    "histoire et mémoire de l'immigration",
    "développement territorial",
    "participation des habitants",
]
EUKN_THEMES = {
    "Social inclusion and integration",
    "Housing",
    "Transport and infrastructure",
    "Urban environment",
    "Economy, knowledge and employment",
    "Security and crime prevention",
}


def test_theme_scheme_and_its_top_concepts(reference_data):
    scheme = selectors.theme_scheme()
    assert scheme.slug == "themes"
    assert scheme.uri == "https://villes2.example.org/thesaurus/themes"
    tops = set(scheme.concepts.filter(broader__isnull=True).values_list("slug", flat=True))
    assert tops == TOP_CONCEPTS
    labels = set(scheme.concepts.values_list("pref_label_fr", flat=True))
    assert [label for label in REQUIRED_LABELS if label not in labels] == []
    # Every concept of the starter vocabulary has an English preferred label.
    assert list(scheme.concepts.filter(pref_label_en="").values_list("slug", flat=True)) == []


def test_acronyms_are_acronym_labels(reference_data):
    for acronym, label in ACRONYMS.items():
        concept = Concept.objects.get(scheme__slug="themes", pref_label_fr=label)
        assert list(
            concept.labels.filter(kind=LabelKind.ACRONYM).values_list("text", flat=True)
        ) == [acronym]
    # DSU is two things (glossary and common use): both concepts carry it.
    assert set(Concept.objects.filter(labels__text="DSU").values_list("slug", flat=True)) == {
        "developpement-social-urbain",
        "dotation-solidarite-urbaine",
    }


def test_eukn_themes_and_mappings_from_every_top_concept(reference_data):
    eukn = ConceptScheme.objects.get(slug="eukn")
    assert set(eukn.concepts.values_list("pref_label_en", flat=True)) == EUKN_THEMES
    assert eukn.is_theme_scheme is False
    mapped = set(
        Mapping.objects.filter(
            source__scheme__slug="themes", target__scheme=eukn, source__broader__isnull=True
        ).values_list("source__slug", flat=True)
    )
    assert mapped == TOP_CONCEPTS
    housing = Concept.objects.get(uri="https://villes2.example.org/thesaurus/eukn/housing")
    assert set(Mapping.objects.filter(target=housing).values_list("source__slug", "relation")) == {
        ("renovation-urbaine-cadre-de-vie", "closeMatch"),
        ("logement-social", "closeMatch"),
        ("acces-au-logement", "broadMatch"),
        ("evaluation-observation", "relatedMatch"),
        ("politique-de-la-ville-dispositifs", "relatedMatch"),
    }


def test_synonym_groups_join_labels_and_acronyms(reference_data):
    groups = selectors.synonym_groups()
    assert ["zone urbaine sensible", "sensitive urban zone", "ZUS"] in groups
    assert [
        "contrat urbain de cohésion sociale",
        "urban social cohesion contract",
        "CUCS",
    ] in groups


def test_theme_slugs_for_goes_up_to_the_top_concepts(reference_data):
    def themes(slug, scheme="themes"):
        return selectors.theme_slugs_for([Concept.objects.get(scheme__slug=scheme, slug=slug)])

    assert themes("residentialisation") == {"renovation-urbaine-cadre-de-vie"}
    assert themes("zone-urbaine-sensible") == {"politique-de-la-ville-dispositifs"}  # 2 levels
    assert themes("programme-reussite-educative") == {
        "education-reussite-educative",
        "politique-de-la-ville-dispositifs",
    }
    assert themes("sante") == {"sante"}
    # Another scheme reaches themes through exact and close matches only.
    assert themes("housing", "eukn") == {"renovation-urbaine-cadre-de-vie"}
    assert themes("transport-and-infrastructure", "eukn") == set()
    assert selectors.theme_slugs_for([]) == set()


def test_lineage_and_themes_by_concept(reference_data):
    zus = Concept.objects.get(slug="zone-urbaine-sensible")
    lineage = selectors.concept_lineage()[zus.pk]
    assert set(Concept.objects.filter(pk__in=lineage).values_list("slug", flat=True)) == {
        "zone-urbaine-sensible",
        "geographie-prioritaire",
        "politique-de-la-ville-dispositifs",
    }
    assert selectors.theme_slugs_by_concept()[zus.pk] == frozenset(
        {"politique-de-la-ville-dispositifs"}
    )
    assert selectors.theme_labels(["sante"]) == {"sante": "Santé"}


def test_loading_again_changes_nothing(reference_data):
    version = selectors.thesaurus_version()
    report = LoadReport()
    services.founding_thesaurus_load(report=report)
    assert report.changed is False
    assert report.counts["concepts"]["unchanged"] == 71
    assert selectors.thesaurus_version() == version


def test_staff_additions_survive_a_reload(reference_data):
    concept = Concept.objects.get(slug="mediation-sociale")
    concept.labels.create(text="adulte-relais", kind=LabelKind.ALT)
    extra = Concept.objects.create(
        scheme=concept.scheme,
        slug="correspondants-de-nuit",
        uri="https://villes2.example.org/thesaurus/themes/correspondants-de-nuit",
        pref_label_fr="correspondants de nuit",
    )
    extra.broader.add(concept)
    services.founding_thesaurus_load(report=LoadReport())
    extra.refresh_from_db()
    assert list(extra.broader.values_list("slug", flat=True)) == ["mediation-sociale"]
    # Labels of a concept the file describes follow the file.
    assert not concept.labels.filter(text="adulte-relais").exists()
