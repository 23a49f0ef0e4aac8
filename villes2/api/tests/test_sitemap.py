"""/sitemap.xml: public pages only, French URLs, bounded territory section."""

import re
from collections import Counter

import pytest
from lxml import etree as ET

from villes2.actors.tests.factories import OrganisationFactory

from .factories import at, concept, record, theme_scheme, utc

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def entries(response) -> dict[str, str | None]:
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def site(territories):
    scheme = theme_scheme()
    theme = concept(scheme, "t-urbain", "Renouvellement urbain")
    with at(utc(2024, 2, 1, 10, 30)):
        public = record(title="Publique", descriptors=[theme])
        draft = record(title="Brouillon", status="brouillon")
        staff = record(title="Interne", access="equipe")
    organisation = OrganisationFactory(name="Association du plan")
    return {
        "public": public,
        "draft": draft,
        "staff": staff,
        "organisation": organisation,
        "theme": theme,
    }


def test_sitemap_lists_public_pages(client, site):
    response = client.get("/sitemap.xml", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    urls = entries(response)
    base = "http://testserver"
    for path in ("/", "/le-centre/", "/mentions-legales/", "/documents/", "/territoires/"):
        assert base + path in urls
    assert urls[f"{base}/documents/{site['public'].pk}/"] == "2024-02-01"
    assert f"{base}/documents/{site['draft'].pk}/" not in urls
    assert f"{base}/documents/{site['staff'].pk}/" not in urls
    assert f"{base}{site['organisation'].get_absolute_url()}" in urls
    assert f"{base}/thesaurus/themes-test/t-urbain/" in urls
    assert not [url for url in urls if "/en/" in url]  # French, whatever the browser asks
    assert not [url for url in urls if "/personnes/" in url]


def test_sitemap_territories_are_the_centre_s_areas(client, site):
    urls = entries(client.get("/sitemap.xml"))
    kinds = Counter(
        match.group(1) for url in urls if (match := re.search(r"/territoires/([a-z-]+)/", url))
    )
    assert kinds["ancienne-region"] == 2
    assert kinds["departement"] == 10  # the six of Centre and the four of Poitou-Charentes
    assert kinds["epci"] == 119  # COG 2026, with a member commune in the area
    assert kinds["qpv"] == 81  # the 2024 list
    assert kinds["commune"] == 0
    assert kinds["zus"] == 44  # the founding note's figure
    assert "http://testserver/territoires/departement/37/" in urls
    assert "http://testserver/territoires/departement/75/" not in urls


@pytest.mark.parametrize("extra", [0, 5])
def test_sitemap_uses_a_constant_number_of_queries(client, site, django_assert_num_queries, extra):
    for n in range(extra):
        record(title=f"Notice {n}")
        OrganisationFactory(name=f"Organisation {n}")
    # A count and a page per section read from the database (the static pages read none;
    # an empty section needs no page).
    with django_assert_num_queries(14):
        assert client.get("/sitemap.xml").status_code == 200
