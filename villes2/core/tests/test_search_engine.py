"""The shared search engine, on whichever database the suite runs (SQLite and
PostgreSQL in CI): both backends must give the same results for the same queries."""

import pytest

from villes2.core.search import SearchRequest, run_search
from villes2.documents.models import Document
from villes2.documents.services import document_save
from villes2.taxonomy.models import Concept, ConceptScheme, Label

pytestmark = pytest.mark.django_db

# The corpus of these tests is documents: the founding data loaded for the session has
# searchable content of its own (the 2007 programme's events), left out here.
DOCUMENTS = ("documents",)


def make(title, *, abstract="", year=2007, status="publie", access="public", **extra):
    return document_save(
        Document(
            title=title,
            abstract=abstract,
            year=year,
            doc_type="rapport",
            status=status,
            access=access,
            **extra,
        )
    )


def titles(q="", **kwargs):
    results = run_search(SearchRequest(kinds=DOCUMENTS, q=q, **kwargs))
    return {hit.object.title for hit in results.hits}


@pytest.fixture
def corpus():
    return [
        make("La rénovation urbaine des quartiers nord", abstract="Bilan du PRU de Tours."),
        make("Rénover un quartier : guide", abstract="Méthodes pour les chefs de projet."),
        make(
            "Accès à l'emploi des jeunes",
            abstract="Insertion professionnelle en zone urbaine sensible.",
        ),
        make("Emplois et clauses d'insertion", abstract="Les marchés publics de l'ANRU."),
        make("Médiation sociale à Poitiers", abstract="Les adultes-relais dans les quartiers."),
        make("Brouillon sur la rénovation", status="brouillon"),
        make("Note interne rénovation", access="equipe"),
    ]


def test_stemming_plural_and_verb(corpus):
    assert titles("quartiers") == titles("quartier")
    assert "Rénover un quartier : guide" in titles("rénovation")
    assert "La rénovation urbaine des quartiers nord" in titles("rénover")


def test_accents_and_case(corpus):
    assert titles("renovation") == titles("RÉNOVATION") == titles("rénovation")
    assert "Médiation sociale à Poitiers" in titles("mediation")


def test_emplois_and_emploi_meet(corpus):
    assert (
        titles("emploi")
        == titles("emplois")
        == {"Accès à l'emploi des jeunes", "Emplois et clauses d'insertion"}
    )


def test_phrase_and_exclusion(corpus):
    assert titles('"rénovation urbaine"') == {"La rénovation urbaine des quartiers nord"}
    assert titles("quartiers -médiation") == {
        "La rénovation urbaine des quartiers nord",
        "Rénover un quartier : guide",
    }
    only_negative = titles("-rénovation")
    assert "Médiation sociale à Poitiers" in only_negative
    assert "La rénovation urbaine des quartiers nord" not in only_negative


def test_drafts_and_staff_only_are_not_public(corpus):
    public = titles("rénovation")
    assert "Brouillon sur la rénovation" not in public
    assert "Note interne rénovation" not in public
    staff = titles("rénovation", staff=True)
    assert {"Brouillon sur la rénovation", "Note interne rénovation"} <= staff


def test_title_ranks_above_abstract(corpus):
    make("Une étude", abstract="Il y est question de résidentialisation, en passant.")
    make("La résidentialisation", abstract="Retour d'expérience.")
    hits = run_search(SearchRequest(kinds=DOCUMENTS, q="résidentialisation")).hits
    assert [hit.object.title for hit in hits][:2] == ["La résidentialisation", "Une étude"]


def test_acronym_expands_from_thesaurus(corpus):
    scheme = ConceptScheme.objects.create(
        slug="test-scheme", uri="https://example.org/test", title_fr="Test"
    )
    zus = Concept.objects.create(
        scheme=scheme,
        slug="zus",
        uri="https://example.org/test/zus",
        pref_label_fr="zone urbaine sensible",
    )
    Label.objects.create(concept=zus, text="ZUS", kind="acronym")
    assert "Accès à l'emploi des jeunes" in titles("ZUS")
    make("Les ZUS de la région Centre")
    assert "Les ZUS de la région Centre" in titles("zone urbaine sensible")


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""',
        '"rénovation',
        "-",
        "- -",
        "OR",
        "AND NOT",
        "NEAR(a b)",
        "*",
        "title:x",
        "^",
        "é" * 10_000,
        "💥 quartier",
        "a' OR 1=1 --",
        "((()))",
        "\x00",
        "le la les",
    ],
)
def test_any_input_gives_results_or_nothing(corpus, q):
    results = run_search(SearchRequest(kinds=DOCUMENTS, q=q))
    assert results.total >= 0


def test_facets_combine_with_query(corpus):
    results = run_search(
        SearchRequest(kinds=DOCUMENTS, q="rénovation", facets=("type", "year", "access"))
    )
    assert results.total == 2
    assert [(o.value, o.count) for o in results.facets["type"]] == [("rapport", 2)]
    assert [(o.value, o.count) for o in results.facets["access"]] == [("public", 2)]


def test_highlight(corpus):
    hit = run_search(SearchRequest(kinds=DOCUMENTS, q="renovation")).hits[0]
    assert "<mark>rénovation</mark>" in hit.title.lower() or "<mark>" in hit.title


def test_highlight_marks_whole_phrases_and_escapes_html():
    from villes2.core.search.highlight import highlight, snippet
    from villes2.core.search.query import parse

    query = parse('"zone urbaine sensible" emploi')
    html = highlight("« Zone urbaine » sensible & zone urbaine, emplois <i>", query.highlight)
    assert html == (
        "« <mark>Zone</mark> <mark>urbaine</mark> » <mark>sensible</mark> &amp; "
        "zone urbaine, <mark>emplois</mark> &lt;i&gt;"
    )
    long_text = "mot " * 200 + "le quartier rénové " + "mot " * 200
    extract = snippet(long_text, parse("rénovation").highlight)
    assert "<mark>rénové</mark>" in extract
    assert extract.startswith("… ") and extract.endswith(" …")


GOLDEN_CORPUS = {
    "renov": ("Rénovation urbaine des quartiers", "Les démolitions et la reconstruction."),
    "renover": ("Rénover les grands ensembles", "Guide pour les chefs de projet."),
    "emploi": ("L'emploi des jeunes", "Insertion professionnelle en zone urbaine sensible."),
    "emplois": ("Emplois aidés et associations", "Les contrats aidés dans les quartiers."),
    "sante": ("Santé et accès aux droits", "Les ateliers santé ville."),
    "ecole": ("Éducation et accompagnement scolaire", "La réussite éducative."),
    "mediation": ("Médiateurs de nuit", "La médiation sociale à Poitiers."),
}
# Query → expected keys: the same on SQLite and PostgreSQL (the suite runs on both).
GOLDEN_QUERIES = [
    ("rénovation", {"renov", "renover"}),
    ("renovation", {"renov", "renover"}),
    ("RENOVER", {"renov", "renover"}),
    ("quartier", {"renov", "emplois"}),
    ("quartiers", {"renov", "emplois"}),
    ("emploi", {"emploi", "emplois"}),
    ("emplois", {"emploi", "emplois"}),
    ("sante", {"sante"}),
    ("education", {"ecole"}),
    ("éducatives", {"ecole"}),
    ('"zone urbaine sensible"', {"emploi"}),
    ('"urbaine zone"', set()),
    ("quartiers -emplois", {"renov"}),
    ("médiation OU santé", {"mediation", "sante"}),
    ("jeunes insertion", {"emploi"}),
    ("jeunes poitiers", set()),
    ("l'emploi", {"emploi", "emplois"}),
]


@pytest.fixture
def golden():
    return {
        key: make(title, abstract=abstract).pk for key, (title, abstract) in GOLDEN_CORPUS.items()
    }


@pytest.mark.parametrize(("q", "expected"), GOLDEN_QUERIES)
def test_golden_french_queries(golden, q, expected):
    ids = {
        hit.object.pk for hit in run_search(SearchRequest(kinds=DOCUMENTS, q=q, per_page=50)).hits
    }
    mine = set(golden.values())
    assert ids & mine == {golden[key] for key in expected}


def test_exclusions_survive_a_very_long_query(corpus):
    words = " ".join(f"mot{n}" for n in range(30))
    from villes2.core.search.query import parse

    query = parse(f"{words} -rénovation")
    assert [clause.negated for clause in query.clauses][-1] is True
    assert len(query.clauses) <= 12
