"""A speaker from the directory whose processing is restricted (GDPR art. 18 and 21) is
shown nowhere public: not on the event page, the programme, the JSON-LD, the iCalendar
description nor in the search; restricting them through the directory's back office
re-indexes the events they speak at."""

import datetime
import json

import pytest
from django.urls import reverse
from lxml import html

from villes2.accounts import roles
from villes2.actors.models import Person
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.events.services import SpeakerInput
from villes2.territories.models import Territory

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar(territories):
    person = Person.objects.create(first_name="Anatole", last_name="Zébulon", slug="a-zebulon")
    event = factories.event(
        title="Séminaire sur la médiation",
        slug="seminaire-mediation",
        start_date=datetime.date(2026, 9, 3),
        places=[Territory.objects.get(kind="commune", code="37261")],
        place_confirmed=True,
        speakers=[
            SpeakerInput(person_id=person.pk, affiliation="Université de Tours"),
            SpeakerInput(name="Claire Libre"),
        ],
    )
    return person, event


def _admin_form(page: str) -> dict:
    """The values the admin change form would post as it is shown."""
    form = html.fromstring(page).xpath('//form[@id="person_form"]')[0]
    data: dict = {}
    for field in form.xpath(".//input[@name]|.//textarea[@name]|.//select[@name]"):
        name, kind = field.get("name"), field.get("type")
        if kind in ("submit", "button", "file") or (kind == "checkbox" and not field.checked):
            continue
        if field.tag == "select":
            values = field.xpath("./option[@selected]/@value")
            data.setdefault(name, []).extend(values)
        elif field.tag == "textarea":
            data[name] = field.text or ""
        else:
            data[name] = field.get("value", "on" if kind == "checkbox" else "")
    return data


def _restrict_in_the_back_office(client, person: Person) -> None:
    client.force_login(staff_user("direction", role=roles.DIRECTION))
    url = reverse("admin:actors_person_change", args=[person.pk])
    data = _admin_form(client.get(url).content.decode())
    data["processing_restricted"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    person.refresh_from_db()
    assert person.processing_restricted is True


def _found(q: str) -> list[str]:
    return [hit.object.slug for hit in run_search(SearchRequest(q=q, kinds=("events",))).hits]


def test_restricting_a_speaker_hides_them_everywhere_public(client, seminar):
    person, event = seminar
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Anatole Zébulon" in page and "Université de Tours" in page
    assert _found("Zébulon") == ["seminaire-mediation"]

    _restrict_in_the_back_office(client, person)

    tree = html.fromstring(client.get(event.get_absolute_url()).content.decode())
    (speakers,) = tree.xpath('//dl[contains(@class, "event-facts")]/dt[.="Intervenants"]')
    assert speakers.getnext().text_content().strip() == "Claire Libre"
    (json_ld,) = tree.xpath('//script[@type="application/ld+json"]/text()')
    assert json.loads(json_ld)["performer"] == [{"@type": "Person", "name": "Claire Libre"}]
    programme = client.get("/agenda/programme/2026/").content.decode()
    assert "Claire Libre" in programme
    ics = client.get(reverse("events:event_ics", args=[event.slug])).content.decode()
    description = ics.replace("\r\n ", "")
    assert "Intervenants : Claire Libre\\n" in description
    for content in (html.tostring(tree, encoding="unicode"), programme, description):
        assert "Zébulon" not in content
        assert "Université de Tours" not in content
    # Re-indexed by the directory's save: the name is gone from the search.
    assert _found("Zébulon") == []
    assert _found("Claire Libre") == ["seminaire-mediation"]


def test_lifting_the_restriction_shows_the_speaker_again(client, seminar):
    from villes2.actors.services import person_search_text_refresh

    person, event = seminar
    Person.objects.filter(pk=person.pk).update(processing_restricted=True)
    person.refresh_from_db()
    person_search_text_refresh(person=person)
    assert _found("Zébulon") == []
    assert "Zébulon" not in client.get(event.get_absolute_url()).content.decode()
    person.processing_restricted = False
    person.save()
    person_search_text_refresh(person=person)
    assert _found("Zébulon") == ["seminaire-mediation"]
    assert "Anatole Zébulon" in client.get(event.get_absolute_url()).content.decode()
