"""Experience records in the "linked to this territory" section of territory pages:
published records about the territory or a territory inside it, newest first, with a
link to the list filtered on the territory; drafts, submitted, under-review and
withdrawn records never."""

import pytest
from lxml import html

from villes2.practices.models import PracticeStatus
from villes2.practices.selectors import linked_practices_section
from villes2.practices.services import practice_transition

from .factories import NON_PUBLIC_STATUSES, PracticeFactory, reviewer

pytestmark = pytest.mark.django_db
S = PracticeStatus


def _section(client, path):
    """The "Expériences" heading of the page's linked section, or None."""
    tree = html.fromstring(client.get(path).content.decode())
    for heading in tree.xpath('//section[@aria-labelledby="liens"]/h3'):
        if heading.text.strip() == "Expériences":
            return heading
    return None


def _items(heading) -> list[str]:
    return [a.text for a in heading.getnext().xpath("./li/a")]


@pytest.fixture
def tours(territories):
    return territories.get(kind="commune", code="37261")


def test_a_published_record_is_on_its_territory_and_the_containing_ones(client, tours):
    practice = PracticeFactory(published=True, title="Médiation à Tours", territories=[tours])
    for path in (
        "/territoires/commune/37261/",
        "/territoires/departement/37/",
        "/territoires/region/24/",
        "/territoires/ancienne-region/24/",
    ):
        heading = _section(client, path)
        assert heading is not None, path
        assert _items(heading) == ["Médiation à Tours"]
        assert heading.getnext().xpath("./li/a/@href") == [practice.get_absolute_url()]
        assert heading.xpath("./span/text()") == ["(1)"]
    assert _section(client, "/territoires/departement/86/") is None  # Vienne


def test_newest_first_and_a_total_beyond_five(client, tours):
    for year in (2001, 2003, 2005, 2007, 2009, 2011):
        PracticeFactory(
            published=True, title=f"Expérience {year}", start_year=year, territories=[tours]
        )
    heading = _section(client, "/territoires/departement/37/")
    assert heading.xpath("./span/text()") == ["(6)"]
    assert _items(heading) == [f"Expérience {year}" for year in (2011, 2009, 2007, 2005, 2003)]
    more = heading.getnext().getnext().xpath("./a/@href")
    assert more == ["/experiences/?territoire=departement-37"]


def test_the_see_all_link_leads_to_the_same_records(client, tours, territories):
    PracticeFactory(published=True, title="À Tours", territories=[tours])
    PracticeFactory(
        published=True,
        title="À Poitiers",
        territories=[territories.get(kind="commune", code="86194")],
    )
    PracticeFactory(status=S.SUBMITTED, title="Proposée à Tours", territories=[tours])
    response = client.get("/experiences/", {"territoire": "departement-37"})
    assert [hit.object.title for hit in response.context["results"].hits] == ["À Tours"]


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_non_published_records_are_never_linked(client, tours, status):
    PracticeFactory(status=status, title="Cachée", territories=[tours])
    assert linked_practices_section(tours) is None
    assert _section(client, "/territoires/commune/37261/") is None
    assert _section(client, "/territoires/departement/37/") is None
    PracticeFactory(published=True, title="Visible", territories=[tours])
    assert [item.title for item in linked_practices_section(tours).items] == ["Visible"]
    assert _items(_section(client, "/territoires/departement/37/")) == ["Visible"]


def test_a_withdrawn_record_leaves_the_territory_page(client, tours):
    practice = PracticeFactory(published=True, title="Bientôt retirée", territories=[tours])
    assert _items(_section(client, "/territoires/commune/37261/")) == ["Bientôt retirée"]
    practice_transition(practice, to_status=S.WITHDRAWN, user=reviewer())
    assert _section(client, "/territoires/commune/37261/") is None


@pytest.mark.parametrize(("count", "budget"), [(2, 15), (6, 16), (12, 16)])
def test_the_territory_page_reads_the_records_in_a_constant_number_of_queries(
    client, tours, django_assert_num_queries, count, budget
):
    for n in range(count):
        PracticeFactory(published=True, title=f"Expérience {n}", territories=[tours])
    client.get("/territoires/departement/37/")  # cached reference data
    # The records' section: the first five (1), and their total beyond five (1).
    with django_assert_num_queries(budget):
        response = client.get("/territoires/departement/37/")
    assert response.status_code == 200
    assert _section(client, "/territoires/departement/37/").xpath("./span/text()") == [f"({count})"]
