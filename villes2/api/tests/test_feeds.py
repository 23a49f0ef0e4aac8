"""RSS and Atom feeds of new public records, overall and per theme (/flux/)."""

import datetime

import pytest
from lxml import etree as ET

from villes2.documents.feeds import FEED_SIZE
from villes2.documents.services import document_save

from .factories import at, concept, record, theme_scheme, utc

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def feed_catalogue():
    scheme = theme_scheme()
    urban = concept(scheme, "t-urbain", "Renouvellement urbain")
    resid = concept(scheme, "t-resid", "Résidentialisation", broader=urban)
    social = concept(scheme, "t-social", "Cohésion sociale")
    with at(utc(2024, 1, 1)):
        old = record(title="Ancienne notice", abstract="Résumé ancien.", descriptors=[social])
    with at(utc(2024, 2, 1)):
        guide = record(
            title="Guide",
            abstract="Résumé du guide.",
            descriptors=[resid],
            authors=["Martin, Claire", "Dupont, Marie"],
        )
        draft = record(title="Brouillon secret", status="brouillon", descriptors=[resid])
        staff = record(title="Notice interne", access="equipe", descriptors=[resid])
    with at(utc(2024, 3, 1)):
        # An edit does not bring an old record back to the top of the feed.
        old.abstract = "Résumé revu."
        document_save(old)
    return {"guide": guide, "old": old, "draft": draft, "staff": staff}


def rss_items(response):
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def test_rss_feed_lists_new_public_records(client, feed_catalogue):
    response = client.get("/flux/documents.rss")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel, items = rss_items(response)
    assert channel.findtext("title") == "Villes² : nouveaux documents"
    assert [item.findtext("title") for item in items] == ["Guide", "Ancienne notice"]
    guide = items[0]
    assert guide.findtext("link") == f"http://testserver/documents/{feed_catalogue['guide'].pk}/"
    assert guide.findtext("description") == "Résumé du guide."
    assert guide.findtext("{http://purl.org/dc/elements/1.1/}creator") == (
        "Martin, Claire; Dupont, Marie"
    )
    assert [c.text for c in guide.findall("category")] == ["Résidentialisation"]
    assert guide.findtext("pubDate") == "Thu, 01 Feb 2024 00:00:00 +0000"


def test_atom_feed(client, feed_catalogue):
    response = client.get("/flux/documents.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Guide", "Ancienne notice"]
    assert entries[0].findtext(f"{ATOM}published") == "2024-02-01T00:00:00+00:00"
    assert entries[1].findtext(f"{ATOM}updated") == "2024-03-01T00:00:00+00:00"
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "Martin, Claire; Dupont, Marie"
    assert [c.get("term") for c in entries[0].findall(f"{ATOM}category")] == ["Résidentialisation"]


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_theme_feeds_include_narrower_concepts(client, feed_catalogue, extension):
    response = client.get(f"/flux/documents/t-urbain.{extension}")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Guide" in content and "Ancienne notice" not in content
    assert "Villes² : nouveaux documents — Renouvellement urbain" in content


@pytest.mark.parametrize("slug", ["inconnu", "t-resid"])
def test_unknown_theme_is_404(client, feed_catalogue, slug):
    # Only top concepts of the theme scheme have a feed.
    assert client.get(f"/flux/documents/{slug}.rss").status_code == 404


@pytest.mark.parametrize(
    "url", ["/flux/documents.rss", "/flux/documents.atom", "/flux/documents/t-urbain.rss"]
)
def test_drafts_and_staff_only_records_never_in_feeds(client, feed_catalogue, url):
    content = client.get(url).content.decode()
    assert "Brouillon secret" not in content
    assert "Notice interne" not in content


def test_feed_is_limited_and_uses_constant_queries(client, django_assert_num_queries):
    scheme = theme_scheme()
    theme = concept(scheme, "t-urbain", "Renouvellement urbain")
    start = utc(2024, 1, 1)
    for n in range(FEED_SIZE + 2):
        with at(start + datetime.timedelta(days=n)):
            record(title=f"Notice {n}", descriptors=[theme], authors=[f"Auteur {n}, A"])
    with django_assert_num_queries(3):
        response = client.get("/flux/documents.rss")
    _, items = rss_items(response)
    assert len(items) == FEED_SIZE
    assert items[0].findtext("title") == f"Notice {FEED_SIZE + 1}"


def test_feeds_are_french_for_an_english_browser(client, feed_catalogue):
    response = client.get("/flux/documents.rss", HTTP_ACCEPT_LANGUAGE="en")
    channel, items = rss_items(response)
    assert channel.findtext("title") == "Villes² : nouveaux documents"
    assert "/en/" not in items[0].findtext("link")
