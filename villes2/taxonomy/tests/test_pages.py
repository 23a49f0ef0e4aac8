"""Public thesaurus pages, downloads and the staff autocomplete: content, languages,
counts of public records only, query budgets (STYLE.md §9), permissions."""

import json

import pytest
from django.contrib.auth import get_user_model

from villes2.accounts.roles import ASSISTANT
from villes2.core.testing import staff_user
from villes2.documents.models import Document
from villes2.taxonomy.models import Concept

pytestmark = pytest.mark.django_db

INDEX_URL = "/thesaurus/"
SANTE_URL = "/thesaurus/themes/sante/"
RESIDENTIALISATION_URL = "/thesaurus/themes/residentialisation/"


def _document(concepts, **values):
    document = Document.objects.create(
        title=values.pop("title", "Notice d'essai"), doc_type="rapport", year=2007, **values
    )
    document.descriptors.add(*concepts)
    return document


@pytest.fixture
def records(reference_data):
    """Public records, a draft and a staff-only record on two concepts."""
    residentialisation = Concept.objects.get(slug="residentialisation")
    sante = Concept.objects.get(slug="sante")
    public = {"status": "publie", "access": "public"}
    _document([residentialisation, sante], **public)
    _document([residentialisation], **public)
    _document([residentialisation, sante], status="brouillon", access="public")
    _document([residentialisation, sante], status="publie", access="equipe")
    return {"residentialisation": residentialisation, "sante": sante}


def _tree_counts(response) -> dict[str, int]:
    counts = {}

    def walk(nodes):
        for node in nodes:
            counts[node.concept.slug] = node.concept.public_count
            walk(node.children)

    for tree in response.context["trees"]:
        walk(tree.roots)
    return counts


def test_index_shows_each_scheme_as_a_tree_with_public_counts(client, records):
    response = client.get(INDEX_URL)
    assert response.status_code == 200
    trees = response.context["trees"]
    assert [tree.scheme.slug for tree in trees] == ["themes", "eukn"]
    assert len(trees[0].roots) == 12
    renovation = next(
        n for n in trees[0].roots if n.concept.slug == "renovation-urbaine-cadre-de-vie"
    )
    assert [child.concept.slug for child in renovation.children] == [
        "gestion-urbaine-proximite",
        "logement-social",
        "renovation-urbaine",
        "residentialisation",
    ]
    counts = _tree_counts(response)
    # Drafts and staff-only records are not counted.
    assert (counts["residentialisation"], counts["sante"], counts["agenda-21"]) == (2, 1, 0)
    content = response.content.decode()
    assert '<h2 id="schema-themes">Thèmes du centre de ressources</h2>' in content
    assert f'<a href="{RESIDENTIALISATION_URL}">résidentialisation</a>' in content
    assert 'href="/thesaurus/eukn.ttl"' in content


def test_index_query_budget(client, records, django_assert_num_queries):
    # Schemes, concepts with their counts, broader links: whatever the size.
    with django_assert_num_queries(3):
        client.get(INDEX_URL)


def test_concept_page(client, records):
    response = client.get("/thesaurus/themes/zone-urbaine-sensible/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>zone urbaine sensible</h1>" in content
    assert '<dd lang="en">sensitive urban zone</dd>' in content
    assert '<span lang="fr">ZUS</span>' in content
    assert "décret n° 96-1156" in content
    assert 'href="/thesaurus/themes/geographie-prioritaire/"' in content  # broader
    assert 'href="/thesaurus/themes/quartier-prioritaire/"' in content  # related
    assert "Aucune notice publique" in content


def test_concept_page_counts_public_records_and_links_to_them(client, records):
    top = client.get(SANTE_URL)
    assert top.context["concept"].public_count == 1
    assert top.context["records_url"] == "/documents/?theme=sante"
    narrower = client.get(RESIDENTIALISATION_URL)
    assert narrower.context["concept"].public_count == 2
    pk = records["residentialisation"].pk
    assert narrower.context["records_url"] == f"/documents/?descripteur={pk}"
    assert f'href="/documents/?descripteur={pk}"' in narrower.content.decode()


def test_mappings_shown_both_ways(client, reference_data):
    content = client.get("/thesaurus/themes/renovation-urbaine-cadre-de-vie/").content.decode()
    assert 'Correspondance proche — <a href="/thesaurus/eukn/housing/">Logement</a>' in content
    housing = client.get("/en/thesaurus/eukn/housing/")
    relations = [
        (i["relation"], i["concept"].slug, i["inverse"]) for i in housing.context["correspondences"]
    ]
    assert ("narrower match", "acces-au-logement", True) in relations
    assert ("close match", "renovation-urbaine-cadre-de-vie", True) in relations
    assert "<h1>Housing</h1>" in housing.content.decode()


def test_concept_page_query_budget(client, records, django_assert_num_queries):
    # Concept with count, labels, broader, narrower, related, mappings both ways.
    with django_assert_num_queries(7):
        client.get("/thesaurus/themes/politique-de-la-ville-dispositifs/")
    with django_assert_num_queries(7):
        client.get(RESIDENTIALISATION_URL)


def test_english_pages(client, reference_data):
    content = client.get("/en/thesaurus/themes/zone-urbaine-sensible/").content.decode()
    assert "<h1>sensitive urban zone</h1>" in content
    assert '<dd lang="fr">zone urbaine sensible</dd>' in content
    index = client.get("/en/thesaurus/").content.decode()
    assert '<a href="/en/thesaurus/themes/sante/">Health</a>' in index


def test_unknown_concept_is_404(client, reference_data):
    assert client.get("/thesaurus/themes/nulle-part/").status_code == 404
    assert client.get("/thesaurus/eukn/sante/").status_code == 404
    assert client.get("/thesaurus/nul.ttl").status_code == 404


@pytest.mark.parametrize(
    ("url", "content_type", "start"),
    [
        ("/thesaurus/themes.ttl", "text/turtle; charset=utf-8", "@prefix"),
        ("/thesaurus/eukn.rdf", "application/rdf+xml; charset=utf-8", '<?xml version="1.0"'),
    ],
)
def test_skos_downloads(client, reference_data, url, content_type, start):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.decode().startswith(start)


AUTOCOMPLETE_URL = "/thesaurus/api/concepts"


def test_autocomplete_is_staff_only(client, reference_data):
    assert client.get(AUTOCOMPLETE_URL, {"q": "zus"}).status_code == 403
    user = get_user_model().objects.create_user("lecteur", password="x")
    client.force_login(user)
    assert client.get(AUTOCOMPLETE_URL, {"q": "zus"}).status_code == 403


def test_autocomplete_matches_labels_without_accents(
    client, reference_data, django_assert_num_queries
):
    client.force_login(staff_user(role=ASSISTANT))
    client.get(AUTOCOMPLETE_URL, {"q": "x"})  # the session is loaded once
    with django_assert_num_queries(5):  # session, user, its second factor, concepts, their labels
        response = client.get(AUTOCOMPLETE_URL, {"q": "zus"})
    results = json.loads(response.content)["results"]
    assert [(r["label"], r["matched"], r["scheme"]) for r in results] == [
        ("zone urbaine sensible", "ZUS", "themes")
    ]
    labels = [
        r["label"] for r in client.get(AUTOCOMPLETE_URL, {"q": "RENOVATION urb"}).json()["results"]
    ]
    assert labels[0] == "rénovation urbaine"
    assert "Rénovation urbaine et cadre de vie" in labels
    eukn = client.get(AUTOCOMPLETE_URL, {"q": "logement", "schema": "eukn"}).json()["results"]
    assert [r["label"] for r in eukn] == ["Logement"]
    assert client.get(AUTOCOMPLETE_URL, {"q": "  "}).json() == {"results": []}
