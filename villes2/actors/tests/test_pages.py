"""Public directory pages: founding content, filters, bad input, territory links, budgets."""

import pytest

from villes2.actors.models import Organisation

from .factories import (
    ConsentFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganisationFactory,
    PersonFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# Paths written out: reverse() follows the language of the last request (/en/ or not).
INDEX_URL = "/annuaire/"
PERSONS_URL = "/annuaire/personnes/"


def _names(response):
    """The names listed on the page, in order."""
    return [
        getattr(item, "name", None) or f"{item.first_name} {item.last_name}"
        for item in response.context["page"].object_list
    ]


def _organisation_names(response):
    """The organisations listed, sorted here: their order is tested on its own (below)."""
    return sorted(_names(response))


def test_organisation_list_shows_the_founding_organisations(client, territories):
    response = client.get(INDEX_URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 34
    content = response.content.decode()
    assert "34 organisations" in content
    assert 'href="/annuaire/organisations/aire-198/"' in content
    assert 'href="/annuaire/personnes/"' in content
    assert 'role="search"' in content
    # 25 a page: the second page holds the last nine.
    response = client.get(INDEX_URL, {"page": 2})
    assert len(response.context["page"].object_list) == 9


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ush"}, ["USH Centre", "USH Poitou-Charentes", "Union sociale pour l'habitat"]),
        ({"q": "MSH tours"}, ["Maison des sciences de l'homme de Tours"]),
        # The parent's name is searched too.
        (
            {"q": "universite poitiers"},
            ["Maison des sciences de l'homme de Poitiers", "Université de Poitiers"],
        ),
        (
            {"kind": "collectivite"},
            [
                "Région Centre",
                "Région Poitou-Charentes",
                "Ville de Chinon",
                "Ville de Niort",
                "Ville de Poitiers",
                "Ville de Tours",
            ],
        ),
        (
            {"territory": "commune 37261"},
            [
                "Maison des sciences de l'homme de Tours",
                "Université de Tours",
                "Ville de Tours",
                "Villes²",
            ],
        ),
        ({"q": "ville", "territory": "Tours — commune 37261"}, ["Ville de Tours", "Villes²"]),
    ],
)
def test_organisation_filters(client, territories, query, expected):
    response = client.get(INDEX_URL, query)
    assert response.status_code == 200
    assert _organisation_names(response) == sorted(expected)


def test_organisations_are_listed_in_french_alphabetical_order(client, territories):
    names = _names(client.get(INDEX_URL))
    assert names[:5] == [
        "Agence nationale pour la cohésion sociale et l'égalité des chances",
        "Agence nationale pour la rénovation urbaine",
        "Aire 198",
        "APDSU",
        "Association pour le droit à l'initiative économique",
    ]


def test_organisation_filter_by_kind_network(client, territories):
    response = client.get("/annuaire/?kind=reseau")
    assert response.status_code == 200
    assert _organisation_names(response) == [
        "APDSU",
        "Aire 198",
        "IRDSU",
        "RDVC",
        "Réseau national des centres de ressources politique de la ville",
        "USH Centre",
        "USH Poitou-Charentes",
        "Union sociale pour l'habitat",
    ]
    assert "8 organisations" in response.content.decode()


def test_organisation_filter_by_network_gives_its_members_and_branches(client, territories):
    ush = Organisation.objects.get(slug="ush")
    response = client.get(INDEX_URL, {"network": ush.pk})
    assert _organisation_names(response) == ["USH Centre", "USH Poitou-Charentes"]
    rdvc = Organisation.objects.get(slug="rdvc")
    NetworkMembershipFactory(
        network=rdvc, organisation=Organisation.objects.get(slug="ville-tours")
    )
    response = client.get(INDEX_URL, {"network": rdvc.pk})
    assert _names(response) == ["Ville de Tours"]


def test_organisation_filter_by_theme(client, territories):
    theme = TagFactory(name="Renouvellement urbain")
    OrganisationFactory(name="Agence de test", themes=[theme])
    response = client.get(INDEX_URL, {"theme": theme.pk})
    assert _names(response) == ["Agence de test"]


def test_person_list_shows_the_board_with_roles_and_no_contact(client, territories):
    response = client.get(PERSONS_URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 9
    content = response.content.decode()
    assert "9 persons" in content or "9 personnes" in content
    assert 'href="/annuaire/personnes/alain-baudin/"' in content
    assert 'href="/annuaire/organisations/ville-niort/">Ville de Niort</a>' in content
    assert "mailto:" not in content and "tel:" not in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "niort"}, ["Alain Baudin"]),  # through his organisation
        ({"q": "baudin"}, ["Alain Baudin"]),
        ({"q": "directrice"}, ["Brigitte Jallet"]),  # through her role
        ({"q": "rdvc"}, ["Yves Dauge", "Jean-Patrick Gille"]),
        ({"q": "poitiers"}, ["Daniel Beaufort", "Jean-Claude Bonnefon", "Pierre Jolly"]),
        (
            {"organisation_kind": "reseau"},
            [
                "Alain Baudin",
                "Jean-Claude Bonnefon",
                "Gilles Coatrieux",
                "Yves Dauge",
                "Jean-Patrick Gille",
                "Brigitte Jallet",
                "Pierre Jolly",
            ],
        ),
    ],
)
def test_person_filters(client, territories, query, expected):
    response = client.get(PERSONS_URL, query)
    assert response.status_code == 200
    assert _names(response) == expected


def test_person_filter_by_network_gives_its_officers(client, territories):
    rdvc = Organisation.objects.get(slug="rdvc")
    response = client.get(PERSONS_URL, {"network": rdvc.pk})
    assert _names(response) == ["Yves Dauge", "Jean-Patrick Gille"]


def test_person_filter_by_territory(client, territories):
    tours = territories.get(kind="commune", code="37261")
    PersonFactory(first_name="Camille", last_name="Test", territories=[tours])
    response = client.get(PERSONS_URL, {"territory": "departement 37"})
    assert _names(response) == ["Camille Test"]


def test_organisation_page(client, territories):
    response = client.get("/annuaire/organisations/ush-centre/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>USH Centre" in content
    assert (
        'href="/annuaire/organisations/ush/">Union sociale pour l&#x27;habitat (USH)</a>' in content
    )
    assert 'href="/territoires/ancienne-region/24/">Centre</a>' in content
    assert 'lang="fr">Union sociale pour l&#x27;habitat de la région Centre.' in content
    assert 'href="/annuaire/personnes/brigitte-jallet/">Brigitte Jallet</a>' in content
    assert "Directrice" in content
    assert "Note de mise en œuvre, 2007" in content


def test_organisation_page_lists_member_organisations_and_networks(client, territories):
    response = client.get("/annuaire/organisations/ush/")
    content = response.content.decode()
    assert 'href="/annuaire/organisations/ush-centre/">USH Centre</a>' in content
    assert 'href="/annuaire/organisations/ush-poitou-charentes/">' in content
    tours = Organisation.objects.get(slug="ville-tours")
    NetworkMembershipFactory(network=Organisation.objects.get(slug="rdvc"), organisation=tours)
    content = client.get("/annuaire/organisations/ville-tours/").content.decode()
    assert 'id="reseaux"' in content
    assert 'href="/annuaire/organisations/rdvc/">RDVC</a>' in content


def test_acronym_is_shown_once_and_not_when_it_is_the_name(client, territories):
    content = client.get("/annuaire/organisations/msh-tours/").content.decode()
    assert "<h1>Maison des sciences de l&#x27;homme de Tours" in content
    assert '<span class="muted">(MSH Tours)</span>' in content
    OrganisationFactory(name="CRPV", acronym="CRPV", slug="crpv")
    content = client.get("/annuaire/organisations/crpv/").content.decode()
    assert "<h1>CRPV <span" in content and "(CRPV)" not in content


def test_person_page_shows_roles_mandates_and_no_contact(client, territories):
    response = client.get("/annuaire/personnes/alain-baudin/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Alain Baudin</h1>" in content
    assert 'href="/annuaire/organisations/ville-niort/">Ville de Niort</a>' in content
    assert 'href="/annuaire/organisations/aire-198/">Aire 198</a>' in content
    assert "Vice-président" in content and "Maire" in content
    assert "29 mai 2007" in content
    assert response.context["public_fields"] == set()
    assert "mailto:" not in content
    assert 'href="/annuaire/personnes/alain-baudin/demande/"' in content.split("</main>")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/annuaire/organisations/inconnue/",
        "/annuaire/personnes/inconnu/",
        "/annuaire/organisations/%C3%A9/",
        "/en/annuaire/personnes/inconnu/",
    ],
)
def test_unknown_entries_give_404(client, territories, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("url", [INDEX_URL, PERSONS_URL])
@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 2000},
        {"q": "niort\x00"},
        {"territory": "Xyzzy"},
        {"territory": "Saint-Martin"},
        {"network": "not-a-number"},
        {"network": "999999"},
        {"theme": "-1"},
        {"kind": "inconnu", "organisation_kind": "inconnu"},
        {"page": "abc"},
        {"page": "99999"},
    ],
)
def test_bad_filter_input_is_explained_not_crashing(client, territories, url, query):
    response = client.get(url, query)
    assert response.status_code == 200
    if "page" not in query:
        assert response.context["page"].paginator.count == 0
        content = response.content.decode()
        assert 'class="errorlist"' in content
        assert 'id="resultats"' not in content  # no "0 results" for a filter not understood


def test_territory_page_links_organisations_and_persons(client, territories):
    response = client.get("/territoires/commune/37261/")
    content = response.content.decode()
    assert 'href="/annuaire/organisations/ville-tours/">Ville de Tours</a>' in content
    assert 'href="/annuaire/organisations/villes2/">Villes²</a>' in content
    # The département sees what acts on the territories inside it.
    PersonFactory(
        first_name="Camille", last_name="Test", territories=[territories.get(code="37261")]
    )
    content = client.get("/territoires/departement/37/").content.decode()
    assert 'href="/annuaire/organisations/ville-tours/">Ville de Tours</a>' in content
    assert 'href="/annuaire/personnes/camille-test/">Camille Test</a>' in content


# Query budgets. Each page is measured with several related rows, so that a query per
# row (N+1) shows as a changed count.
def _related_rows(territories):
    tours = territories.get(kind="commune", code="37261")
    ush_centre = Organisation.objects.get(slug="ush-centre")
    themes = [TagFactory(name=f"Thème {n}") for n in range(3)]
    for n in range(3):
        person = PersonFactory(territories=[tours], themes=themes)
        MembershipFactory(person=person, organisation=ush_centre, role=f"Rôle {n}")
        MembershipFactory(person=person, organisation=Organisation.objects.get(slug="rdvc"))
        ConsentFactory(person=person, fields=["email", "themes"])
        NetworkMembershipFactory(
            network=Organisation.objects.get(slug=f"{('rdvc', 'aire-198', 'irdsu')[n]}"),
            organisation=ush_centre,
        )
    ush_centre.themes.add(*themes)
    ush_centre.territories.add(tours)
    OrganisationFactory(name="Antenne de test", parent=ush_centre)
    OrganisationFactory(name="Antenne de test bis", parent=ush_centre)
    return person


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/annuaire/", 5),
        ("/annuaire/?page=2", 5),
        ("/annuaire/?q=ush&kind=reseau", 5),
        ("/annuaire/?territory=commune+37261", 6),
        # +1 everywhere: the consents that say which persons' themes are public.
        # An unknown territory costs the picker's three look-ups (code, old code, name).
        ("/annuaire/?territory=Xyzzy", 6),
        ("/annuaire/personnes/", 6),
        ("/annuaire/personnes/?q=ush", 6),
        ("/en/annuaire/personnes/", 6),
        ("/annuaire/organisations/ush-centre/", 6),
        ("/annuaire/organisations/ush/", 6),
        ("/annuaire/organisations/universite-tours/", 6),
        ("/annuaire/personnes/alain-baudin/", 6),
    ],
)
def test_query_budget(client, territories, django_assert_num_queries, url, budget):
    _related_rows(territories)
    with django_assert_num_queries(budget):
        assert client.get(url).status_code == 200


def test_query_budget_of_a_person_with_several_related_rows(
    client, territories, django_assert_num_queries
):
    person = _related_rows(territories)
    with django_assert_num_queries(6):
        assert client.get(f"/annuaire/personnes/{person.slug}/").status_code == 200
