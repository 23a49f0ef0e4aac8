"""A person's non-public fields never appear on any public page.

A person is public only through their roles in organisations, plus the fields of their
latest public-listing consent still in force (`selectors.person_public_fields`).
"""

import datetime
import random

import pytest
from django.utils import timezone

from villes2.actors.models import ConsentPurpose, Organisation, PublicField

from .factories import ConsentFactory, MembershipFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

# One value per publishable field, unique enough that finding it anywhere is a leak.
SECRETS = {
    PublicField.EMAIL: "nuit.blanche37@example.org",
    PublicField.PHONE: "06 12 34 56 78",
    PublicField.ADDRESS: "12 rue du Secret, 37000 Tours",
    PublicField.THEMES: "Médiation nocturne confidentielle",
    PublicField.BIOGRAPHY: "Jardinière des toits partagés depuis 1998.",
}
FIELDS = list(PublicField.values)
# Paths written out: reverse() follows the language of the last request (/en/ or not).
PERSON_URL = "/annuaire/personnes/camille-discrete/"
PERSONS_URL = "/annuaire/personnes/"
SEED = 20070529
COMBINATIONS = 30


def _combinations() -> list[tuple[frozenset[str], bool]]:
    """30 distinct (published fields, withdrawn) pairs, the empty and full sets included."""
    rng = random.Random(SEED)
    cases = [(frozenset(), False), (frozenset(FIELDS), False), (frozenset(FIELDS), True)]
    while len(cases) < COMBINATIONS:
        fields = frozenset(field for field in FIELDS if rng.random() < 0.5)
        case = (fields, rng.random() < 0.25)
        if case not in cases:
            cases.append(case)
    return cases


def _case_id(case) -> str:
    fields, withdrawn = case
    return ("+".join(sorted(fields)) or "none") + ("-withdrawn" if withdrawn else "")


@pytest.fixture
def person(territories):
    tours = territories.get(kind="commune", code="37261")
    person = PersonFactory(
        first_name="Camille",
        last_name="Discrète",
        slug="camille-discrete",
        job_title="Chargée de mission politique de la ville",
        email=SECRETS[PublicField.EMAIL],
        phone=SECRETS[PublicField.PHONE],
        address=SECRETS[PublicField.ADDRESS],
        biography=SECRETS[PublicField.BIOGRAPHY],
        themes=[TagFactory(name=SECRETS[PublicField.THEMES])],
        territories=[tours],
    )
    MembershipFactory(
        person=person, organisation=Organisation.objects.get(slug="ville-tours"), role="DSU"
    )
    return person


def _public_pages(client) -> dict[str, str]:
    """Every public page that shows this person, by URL; checks the person is on each."""
    urls = [
        PERSON_URL,
        "/en" + PERSON_URL,
        PERSONS_URL,
        PERSONS_URL + "?q=discrete",
        PERSONS_URL + "?q=chargee+de+mission",
        PERSONS_URL + "?territory=commune+37261",
        "/annuaire/organisations/ville-tours/",
        "/territoires/commune/37261/",
        "/territoires/departement/37/",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "Camille" in content and "Discrète" in content, f"person not shown on {url}"
        pages[url] = content
    return pages


def _outside_search_form(content: str) -> str:
    """The page without its filter form, whose theme list is checked on its own (below)."""
    before, _sep, rest = content.partition('role="search"')
    return before + rest.partition("</form>")[2] if rest else content


def _assert_published_exactly(pages, published):
    for field, value in SECRETS.items():
        for url, content in pages.items():
            shown = value in (
                _outside_search_form(content) if field == PublicField.THEMES else content
            )
            if field in published and url.endswith(PERSON_URL):
                assert shown, f"{field} consented but missing from {url}"
            elif field not in published:
                assert not shown, f"{field} not consented but shown on {url}"


@pytest.mark.parametrize("case", _combinations(), ids=_case_id)
def test_only_consented_fields_are_published(client, person, case):
    fields, withdrawn = case
    now = timezone.now()
    ConsentFactory(
        person=person,
        fields=sorted(fields),
        given_at=now - datetime.timedelta(days=10),
        withdrawn_at=now - datetime.timedelta(days=1) if withdrawn else None,
    )
    published = set() if withdrawn else set(fields)
    pages = _public_pages(client)
    _assert_published_exactly(pages, published)
    assert ("mailto:" in pages[PERSON_URL]) == (PublicField.EMAIL in published)


def test_without_consent_the_page_says_why(client, person):
    response = client.get("/en" + PERSON_URL)
    assert response.context["public_fields"] == set()
    assert "Contact details are published only with the person" in response.content.decode()


def test_withdrawing_hides_every_field_again(client, person):
    consent = ConsentFactory(person=person, fields=FIELDS)
    pages = _public_pages(client)
    _assert_published_exactly(pages, set(FIELDS))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    pages = _public_pages(client)
    _assert_published_exactly(pages, set())


def test_the_latest_consent_in_force_decides(client, person):
    now = timezone.now()
    ConsentFactory(person=person, fields=FIELDS, given_at=now - datetime.timedelta(days=30))
    ConsentFactory(person=person, fields=[PublicField.PHONE], given_at=now)
    pages = _public_pages(client)
    _assert_published_exactly(pages, {PublicField.PHONE})


def test_withdrawing_the_latest_consent_does_not_revive_an_older_one(client, person):
    now = timezone.now()
    ConsentFactory(person=person, fields=FIELDS, given_at=now - datetime.timedelta(days=30))
    ConsentFactory(
        person=person,
        fields=[PublicField.PHONE],
        given_at=now - datetime.timedelta(days=2),
        withdrawn_at=now,
    )
    pages = _public_pages(client)
    _assert_published_exactly(pages, set())


@pytest.mark.parametrize("purpose", [ConsentPurpose.NEWSLETTER, ConsentPurpose.EVENTS])
def test_other_purposes_publish_nothing(client, person, purpose):
    ConsentFactory(person=person, purpose=purpose, fields=FIELDS)
    pages = _public_pages(client)
    _assert_published_exactly(pages, set())


def test_unknown_field_names_in_a_consent_are_ignored(client, person):
    ConsentFactory(person=person, fields=["email", "informed_on", "<script>"])
    response = client.get(PERSON_URL)
    assert response.context["public_fields"] == {"email"}


@pytest.mark.parametrize("field", [PublicField.EMAIL, PublicField.PHONE, PublicField.BIOGRAPHY])
def test_search_does_not_look_into_private_fields(client, person, field):
    words = SECRETS[field].replace("@", " ")
    response = client.get(PERSONS_URL, {"q": words})
    assert response.context["page"].paginator.count == 0


def test_theme_filter_does_not_reveal_unpublished_themes(client, person):
    theme = person.themes.get()
    response = client.get(PERSONS_URL, {"theme": theme.pk})
    assert response.context["page"].paginator.count == 0


def test_theme_choices_hold_only_published_themes(client, person):
    for url in (PERSONS_URL, "/annuaire/"):
        assert SECRETS[PublicField.THEMES] not in client.get(url).content.decode(), url
