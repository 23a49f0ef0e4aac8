"""The index quotes descriptors (labels, themes, lineage) and organisation authors: when
those change, the records quoting them are re-indexed in the same transaction."""

import pytest
from django.contrib.admin.sites import AdminSite

from villes2.actors.models import Organisation
from villes2.actors.services import organisation_merge, organisation_search_text_refresh
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.documents.models import Document
from villes2.documents.services import AuthorInput, document_save
from villes2.taxonomy import services as taxonomy_services
from villes2.taxonomy.admin import ConceptAdmin
from villes2.taxonomy.models import Concept, ConceptScheme

pytestmark = pytest.mark.django_db


def titles(**kwargs):
    return {hit.object.title for hit in run_search(SearchRequest(**kwargs)).hits}


@pytest.fixture
def setup():
    ConceptScheme.objects.filter(is_theme_scheme=True).update(is_theme_scheme=False)
    scheme = ConceptScheme.objects.create(
        slug="dep", uri="https://example.org/dep", title_fr="Dép", is_theme_scheme=True
    )

    def concept(slug, label, broader=None):
        created = Concept.objects.create(
            scheme=scheme, slug=slug, uri=f"https://example.org/dep/{slug}", pref_label_fr=label
        )
        if broader:
            created.broader.add(broader)
        return created

    top_a, top_b = concept("theme-a", "Thème alpha"), concept("theme-b", "Thème bêta")
    leaf = concept("leaf", "Gestion xylophonique", broader=top_a)
    organisation = Organisation.objects.create(
        kind="association", name="Association zyzomys", slug="zyzomys"
    )
    document = document_save(
        Document(title="Un rapport", doc_type="rapport", year=2007, status="publie"),
        descriptors=[leaf],
        authors=[AuthorInput(organisation_id=organisation.pk)],
    )
    return {"a": top_a, "b": top_b, "leaf": leaf, "org": organisation, "doc": document}


def test_renamed_concept_is_searched_under_its_new_label(setup):
    leaf = setup["leaf"]
    leaf.pref_label_fr = "Gestion quetzalcoatlienne"
    leaf.save()
    taxonomy_services.concepts_changed([leaf.pk])
    assert titles(q="quetzalcoatlienne") == {"Un rapport"}
    assert titles(q="xylophonique") == set()


def test_moved_concept_changes_the_theme_facet(setup):
    assert titles(filters={"theme": ("theme-a",)}) == {"Un rapport"}
    leaf = setup["leaf"]
    leaf.broader.set([setup["b"]])
    taxonomy_services.concepts_changed([leaf.pk])
    assert titles(filters={"theme": ("theme-a",)}) == set()
    assert titles(filters={"theme": ("theme-b",)}) == {"Un rapport"}
    assert titles(filters={"descriptor": (str(setup["b"].pk),)}) == {"Un rapport"}


def test_moving_a_broader_concept_reaches_records_of_narrower_ones(setup):
    middle = setup["a"]
    middle.pref_label_fr = "Thème gamma"
    middle.save()
    taxonomy_services.concepts_changed([middle.pk])
    assert titles(filters={"descriptor": (str(middle.pk),)}) == {"Un rapport"}


def test_deleting_a_concept_in_the_admin_reindexes_its_records(setup, rf):
    request = rf.post("/")
    request.user = staff_user("doc")
    ConceptAdmin(Concept, AdminSite()).delete_queryset(
        request, Concept.objects.filter(pk=setup["leaf"].pk)
    )
    assert titles(q="xylophonique") == set()
    assert titles(filters={"theme": ("theme-a",)}) == set()


def test_renamed_or_merged_organisation_is_searched_under_its_name(setup):
    organisation = setup["org"]
    assert titles(q="zyzomys") == {"Un rapport"}
    organisation.name = "Association quokka"
    organisation.save()
    organisation_search_text_refresh(organisation=organisation)
    assert titles(q="quokka") == {"Un rapport"} and titles(q="zyzomys") == set()
    keep = Organisation.objects.create(kind="association", name="Fédération wombat", slug="w")
    organisation_merge(keep=keep, others=[organisation], user=staff_user("dir"))
    assert titles(q="wombat") == {"Un rapport"}
