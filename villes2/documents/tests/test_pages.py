"""The public catalogue pages: list (search with facets, htmx), record page."""

import pytest

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.documents.models import Document
from villes2.documents.services import AuthorInput, document_save
from villes2.taxonomy.models import Concept, ConceptScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    ConceptScheme.objects.filter(is_theme_scheme=True).update(is_theme_scheme=False)
    return ConceptScheme.objects.create(
        slug="t-themes", uri="https://example.org/t", title_fr="Thèmes test", is_theme_scheme=True
    )


def concept(scheme, slug, label, broader=None):
    c = Concept.objects.create(
        scheme=scheme, slug=slug, uri=f"https://example.org/t/{slug}", pref_label_fr=label
    )
    if broader:
        c.broader.add(broader)
    return c


@pytest.fixture
def catalogue(scheme, territories):
    urban = concept(scheme, "t-urbain", "Renouvellement urbain test")
    resid = concept(scheme, "t-resid", "Résidentialisation test", broader=urban)
    social = concept(scheme, "t-social", "Cohésion sociale test")
    tours = territories.get(kind="commune", code="37261")
    records = {
        "guide": document_save(
            Document(
                title="Guide de la résidentialisation",
                abstract="Comment résidentialiser les immeubles des grands ensembles.",
                doc_type="guide-methodologique",
                year=2006,
                status="publie",
            ),
            descriptors=[resid],
            territories=[tours],
            authors=[AuthorInput(name="Martin, Claire")],
        ),
        "study": document_save(
            Document(
                title="Étude sur la rénovation des quartiers",
                abstract="Les quartiers en rénovation urbaine de la région Centre.",
                doc_type="etude",
                year=2007,
                status="publie",
            ),
            descriptors=[urban],
        ),
        "social": document_save(
            Document(
                title="Cohésion sociale et quartiers",
                doc_type="rapport",
                year=2005,
                status="publie",
            ),
            descriptors=[social],
        ),
        "draft": document_save(
            Document(title="Brouillon quartiers secret", doc_type="rapport", year=2007),
            descriptors=[urban],
        ),
        "staff": document_save(
            Document(
                title="Note interne quartiers",
                doc_type="rapport",
                year=2007,
                status="publie",
                access="equipe",
            ),
            descriptors=[urban],
        ),
    }
    return records


def test_list_shows_public_records_and_facets(client, catalogue):
    response = client.get("/documents/", {"q": "quartiers"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Étude sur la rénovation des" in content and "Cohésion sociale et" in content
    assert "secret" not in content and "Note interne" not in content
    results = response.context["results"]
    assert results.total == 2
    types = {o.value: o.count for o in results.facets["type"]}
    assert types == {"etude": 1, "rapport": 1}
    # Staff-only and draft records are not counted in any facet.
    assert sum(o.count for o in results.facets["theme"]) == 2


def test_facet_filter_in_url_combines_with_query(client, catalogue):
    response = client.get("/documents/", {"q": "quartiers", "type": "etude"})
    assert [h.object.title for h in response.context["results"].hits] == [
        "Étude sur la rénovation des quartiers"
    ]
    assert 'href="?q=quartiers"' in response.content.decode()  # remove the filter
    # The other types stay offered, with what they would add (values are alternatives).
    types = {o.value: (o.count, o.selected) for o in response.context["results"].facets["type"]}
    assert types == {"etude": (1, True), "rapport": (1, False)}
    both = client.get("/documents/", {"q": "quartiers", "type": ["etude", "rapport"]})
    assert both.context["results"].total == 2


def test_theme_facet_and_descriptor_filter_include_narrower(client, catalogue):
    response = client.get("/documents/", {"theme": "t-urbain"})
    titles = {h.object.title for h in response.context["results"].hits}
    assert titles == {"Guide de la résidentialisation", "Étude sur la rénovation des quartiers"}
    urban = Concept.objects.get(slug="t-urbain")
    response = client.get("/documents/", {"descripteur": urban.pk})
    assert {h.object.title for h in response.context["results"].hits} == titles


def test_territory_facet_includes_departement(client, catalogue):
    response = client.get("/documents/", {"territoire": "departement-37"})
    assert [h.object.title for h in response.context["results"].hits] == [
        "Guide de la résidentialisation"
    ]


def test_htmx_request_gets_the_results_area_only(client, catalogue):
    response = client.get("/documents/", {"q": "quartiers"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="search-area"')
    assert 'hx-swap-oob="true"' in content
    assert "HX-Request" in response.headers["Vary"]
    restore = client.get(
        "/documents/",
        {"q": "quartiers"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"unbalanced'},
        {"q": "x" * 20_000},
        {"annee_min": "abc"},
        {"annee_min": "2010", "annee_max": "2000"},
        {"page": "-4"},
        {"page": "99999"},
        {"type": "<script>"},
        {"tri": "n'importe"},
        {"territoire": "x" * 500},
        {"annee": "²"},
        {"annee": "9" * 60},
        {"annee": "٢٠٠٧"},
        {"annee_min": "9" * 60},
        {"theme": "\x00"},
    ],
)
def test_bad_parameters_never_fail(client, catalogue, params):
    response = client.get("/documents/", params)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_year_range_error_is_explained(client, catalogue):
    response = client.get("/documents/", {"annee_min": "2010", "annee_max": "2000"})
    assert "The end year is before the start year." in response.content.decode() or (
        "L’année de fin" in response.content.decode() or "année de fin" in response.content.decode()
    )


def test_record_page(client, catalogue):
    guide = catalogue["guide"]
    response = client.get(guide.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="DC.title" content="Guide de la résidentialisation">' in content
    assert '<meta name="DC.creator" content="Martin, Claire">' in content
    assert "Résidentialisation test" in content
    # "See also" by shared descriptors: the study shares no descriptor, so nothing.
    assert response.context["see_also"] == []


def test_see_also_shares_descriptors_and_hides_private(client, catalogue):
    study = catalogue["study"]
    response = client.get(study.get_absolute_url())
    assert response.context["see_also"] == []  # the other two are a draft and staff-only
    staff = staff_user("doc", role=roles.DOCUMENTALIST)
    client.force_login(staff)
    response = client.get(study.get_absolute_url())
    assert {d.title for d in response.context["see_also"]} == {
        "Brouillon quartiers secret",
        "Note interne quartiers",
    }


def test_draft_and_staff_only_records_are_not_public(client, catalogue):
    for key in ("draft", "staff"):
        assert client.get(catalogue[key].get_absolute_url()).status_code == 404
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    assert client.get(catalogue["draft"].get_absolute_url()).status_code == 200


def test_partners_see_only_public_records(client, catalogue):
    """Partners sign in to the back office (staff accounts) but are outside the centre:
    no draft nor staff-only record, in search or by address; nor does a staff account
    without a role."""
    for user in (staff_user("partenaire", role=roles.PARTNER), staff_user("sans-role")):
        client.force_login(user)
        for key in ("draft", "staff"):
            assert client.get(catalogue[key].get_absolute_url()).status_code == 404
        response = client.get("/documents/", {"q": "quartiers"})
        titles = {hit.object.title for hit in response.context["results"].hits}
        assert titles.isdisjoint({"Brouillon quartiers secret", "Note interne quartiers"})
        assert "access" not in [b.facet for b in response.context["facet_blocks"]]
        response = client.get("/recherche/", {"q": "quartiers"})
        assert "Brouillon quartiers secret" not in response.text


def test_staff_search_sees_drafts_with_a_badge(client, catalogue):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    response = client.get("/documents/", {"q": "quartiers"})
    assert response.context["results"].total == 4
    assert "access" in [b.facet for b in response.context["facet_blocks"]]


def test_list_query_budget(client, catalogue, django_assert_num_queries):
    client.get("/documents/")  # loads the thesaurus synonyms once (cached after)
    # Thesaurus version (1), counts and facets (1), page of hits (1), records with
    # descriptors, territories, authors, attachments (5), theme labels (2).
    with django_assert_num_queries(10):
        client.get("/documents/", {"q": "quartiers"})
    # A ticked facet is counted once more without its own filter (+1).
    with django_assert_num_queries(11):
        client.get("/documents/", {"q": "quartiers", "type": "rapport", "tri": "date"})


def test_record_page_query_budget(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(7):
        client.get(catalogue["guide"].get_absolute_url())


def test_territory_pages_link_public_records(client, catalogue, territories):
    document_save(
        Document(title="Brouillon sur Tours", doc_type="rapport", year=2007),
        territories=[territories.get(kind="commune", code="37261")],
    )
    content = client.get("/territoires/departement/37/").content.decode()
    assert "Guide de la résidentialisation" in content  # linked to Tours, in the 37
    assert "Brouillon sur Tours" not in content
    assert "/documents/?territoire=departement-37" in content


def test_a_page_past_the_end_shows_the_last_page(client, catalogue):
    response = client.get("/documents/", {"q": "quartiers", "page": "50"})
    results = response.context["results"]
    assert results.page == results.num_pages == 1 and len(results.hits) == 2


def test_search_page_bad_parameters_never_fail(client, catalogue):
    for params in ({"annee": "²"}, {"quoi": "\x00"}, {"q": "a" * 20_000, "page": "x"}):
        assert client.get("/recherche/", params).status_code == 200
