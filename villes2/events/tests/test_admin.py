"""The programme's back office: entry of an event with its audiences, organisers, places
and speakers, the clash warning on saving, the concurrent-edit check, the date checks,
deletion through the service, the roles, the changelist's query budget."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villes2.accounts import roles
from villes2.actors.models import Organisation
from villes2.core.testing import staff_user
from villes2.events import services
from villes2.events.models import Cycle, Event, EventPlace, ProgrammeLine
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .factories import event, organisation

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:events_event_add")
CHANGELIST_URL = reverse("admin:events_event_changelist")
DAY = datetime.date(2030, 3, 12)


def change_url(pk: int) -> str:
    return reverse("admin:events_event_change", args=[pk])


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


@pytest.fixture
def officer_client(client, reference_data):
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    return client


def form_data(instance: Event | None = None, **fields) -> dict:
    data = {
        "title": "Rencontre régionale sur la médiation",
        "slug": "rencontre-regionale-mediation-2030",
        "strand": "volet-humain",
        "kind": "rencontre-regionale",
        "cycle": "",
        "cycle_position": "",
        "description": "",
        "seen_version": str(instance.version) if instance else "",
        "start_date": "2030-03-12",
        "end_date": "2030-03-12",
        "date_precision": "jour",
        "date_confirmed": "on",
        "start_time": "",
        "end_time": "",
        "organisers": [],
        "themes": [],
        "territories": [],
        "venue": "",
        "address": "",
        "online_url": "",
        "status": "prevu",
        "capacity": "",
        "registration_closes_on": "",
        "source": "",
        "notes": "",
        "place_links-TOTAL_FORMS": "0",
        "place_links-INITIAL_FORMS": "0",
        "place_links-MIN_NUM_FORMS": "0",
        "place_links-MAX_NUM_FORMS": "1000",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def errors(response) -> dict:
    return response.context["adminform"].form.errors


def test_the_add_form_shows_every_part(officer_client):
    page = officer_client.get(ADD_URL).content.decode()
    for name in ("organisers", "themes", "territories", "place_links-0-territory"):
        assert f'name="{name}"' in page
    assert 'data-ajax--url="/gestion/autocomplete/"' in page
    assert page.count('type="checkbox" name="audiences"') == 8
    assert 'name="speakers-0-name"' in page


def test_an_event_is_entered_with_audiences_organisers_places_and_speakers(
    officer_client, monkeypatch
):
    """Entered as the admin form posts it; re-indexed once its relations are saved."""
    seen_by_reindex = []
    real = services.event_relations_changed

    def spy(event):
        seen_by_reindex.append(
            (
                list(event.organisers.values_list("slug", flat=True)),
                list(event.place_links.values_list("territory__name", flat=True)),
                event.speakers.count(),
            )
        )
        real(event)

    monkeypatch.setattr(services, "event_relations_changed", spy)
    ush, apdsu = Organisation.objects.get(slug="ush-centre"), Organisation.objects.get(slug="apdsu")
    mediation = Concept.objects.get(scheme__slug="themes", slug="mediation-sociale")
    data = form_data(
        organisers=[str(apdsu.pk), str(ush.pk)],
        audiences=["habitants", "elus"],
        themes=[str(mediation.pk)],
        **{
            "place_links-TOTAL_FORMS": "2",
            "place_links-0-order": "0",
            "place_links-0-territory": str(commune("37261").pk),  # Tours
            "place_links-1-order": "1",
            "place_links-1-territory": str(commune("45234").pk),  # Orléans
            "speakers-TOTAL_FORMS": "2",
            "speakers-0-order": "0",
            "speakers-0-name": "Claude Ruche",
            "speakers-0-confirmed": "on",
            "speakers-1-order": "1",
            "speakers-1-name": "Julien Viteau",
            "speakers-1-affiliation": "Université de Tours",
        },
    )
    response = officer_client.post(ADD_URL, data)
    assert response.status_code == 302, errors(response)
    created = Event.objects.get(slug="rencontre-regionale-mediation-2030")
    assert created.audiences == ["elus", "habitants"]  # in the list's order
    assert set(created.organisers.values_list("slug", flat=True)) == {"apdsu", "ush-centre"}
    assert list(created.themes.all()) == [mediation]
    assert [link.territory.name for link in created.place_links.all()] == ["Tours", "Orléans"]
    assert [(s.name, s.affiliation, s.confirmed) for s in created.speakers.all()] == [
        ("Claude Ruche", "", True),
        ("Julien Viteau", "Université de Tours", False),
    ]
    assert created.created_by.username == "officer"
    assert created.version == 1
    assert set(created.history.values_list("history_user__username", flat=True)) == {"officer"}
    assert seen_by_reindex == [(["apdsu", "ush-centre"], ["Tours", "Orléans"], 2)]


def test_saving_a_clashing_event_warns_naming_the_other(officer_client):
    other = event(
        slug="forum-des-bailleurs",
        title="Forum des bailleurs",
        places=[commune("45234")],
        start_date=DAY,
        end_date=DAY + datetime.timedelta(days=1),
    )
    data = form_data(
        organisers=[str(organisation().pk)],
        **{
            "place_links-TOTAL_FORMS": "1",
            "place_links-0-order": "0",
            "place_links-0-territory": str(commune("37261").pk),
        },
    )
    response = officer_client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain, errors(response)
    created = Event.objects.get(slug="rencontre-regionale-mediation-2030")  # saved anyway
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        f'Conflit possible avec « <a href="{change_url(other.pk)}">Forum des bailleurs</a> » '
        "(12 et 13 mars 2030) : dates qui se chevauchent, même ancienne région (Centre)."
    ]
    assert warnings[0] in response.content.decode()
    # Saved again unchanged, it still warns; moved to April, it no longer does.
    response = officer_client.post(
        change_url(created.pk),
        form_data(
            created,
            organisers=[str(o.pk) for o in created.organisers.all()],
            start_date="2030-04-12",
            end_date="2030-04-12",
            **{
                "place_links-TOTAL_FORMS": "1",
                "place_links-INITIAL_FORMS": "1",
                "place_links-0-id": str(created.place_links.get().pk),
                "place_links-0-event": str(created.pk),
                "place_links-0-territory": str(commune("37261").pk),
                "place_links-0-order": "0",
            },
        ),
        follow=True,
    )
    assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"] == []


def test_a_stale_version_is_refused(officer_client):
    existing = event(slug="rencontre-existante", title="Titre d'origine")
    organisers = [str(o.pk) for o in existing.organisers.all()]
    fields = {"title": "Ma modification", "slug": existing.slug, "organisers": organisers}
    data = form_data(existing, **fields)
    Event.objects.filter(pk=existing.pk).update(version=2)  # someone else saved meanwhile
    response = officer_client.post(change_url(existing.pk), data)
    assert response.status_code == 200
    assert errors(response)["__all__"] == [
        "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez. Vos "
        "modifications n'ont pas été enregistrées\xa0: rechargez la page pour voir les siennes, "
        "puis refaites les vôtres."
    ]
    assert Event.objects.get(pk=existing.pk).title == "Titre d'origine"
    data["seen_version"] = "2"
    assert officer_client.post(change_url(existing.pk), data).status_code == 302
    saved = Event.objects.get(pk=existing.pk)
    assert (saved.title, saved.version) == ("Ma modification", 3)


def test_an_end_before_the_start_is_refused_on_the_field(officer_client):
    data = form_data(
        organisers=[str(organisation().pk)], start_date="2030-03-12", end_date="2030-03-11"
    )
    response = officer_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert errors(response)["end_date"] == ["La fin ne peut pas précéder le début."]
    assert not Event.objects.filter(slug=data["slug"]).exists()


def test_the_database_refuses_an_end_before_the_start(reference_data):
    refused = Event(
        title="Incohérent",
        slug="incoherent",
        strand="volet-humain",
        start_date=DAY,
        end_date=DAY - datetime.timedelta(days=1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        refused.save()


def test_an_end_time_before_the_start_time_on_one_day_is_refused(officer_client):
    data = form_data(organisers=[str(organisation().pk)], start_time="14:00", end_time="09:00")
    response = officer_client.post(ADD_URL, data)
    assert errors(response)["end_time"] == [
        "Sur une seule journée, l'heure de fin vient après l'heure de début."
    ]


def test_a_month_precision_date_keeps_the_whole_month(officer_client):
    data = form_data(
        organisers=[str(organisation().pk)],
        start_date="2030-02-12",
        end_date="2030-02-12",
        date_precision="mois",
    )
    assert officer_client.post(ADD_URL, data).status_code == 302
    saved = Event.objects.get(slug=data["slug"])
    assert (saved.start_date, saved.end_date) == (
        datetime.date(2030, 2, 1),
        datetime.date(2030, 2, 28),
    )


@pytest.mark.parametrize(
    ("precision", "start", "end", "expected"),
    [
        ("mois", "2030-02-12", "2030-02-12", ("2030-02-01", "2030-02-28")),
        ("mois", "2030-01-20", "2030-03-02", ("2030-01-01", "2030-03-31")),
        ("annee", "2030-06-15", "2030-06-15", ("2030-01-01", "2030-12-31")),
        ("jour", "2030-06-15", "2030-06-16", ("2030-06-15", "2030-06-16")),
    ],
)
def test_every_caller_of_event_save_gets_the_whole_month_or_year(
    reference_data, precision, start, end, expected
):
    saved = event(
        date_precision=precision,
        start_date=datetime.date.fromisoformat(start),
        end_date=datetime.date.fromisoformat(end),
    )
    saved.refresh_from_db()
    assert (saved.start_date.isoformat(), saved.end_date.isoformat()) == expected


def test_event_save_refuses_an_end_before_the_start_in_french(reference_data):
    with pytest.raises(ValidationError) as refused:
        event(slug="a-l-envers", start_date=DAY, end_date=DAY - datetime.timedelta(days=1))
    assert refused.value.message_dict == {"end_date": ["La fin ne peut pas précéder le début."]}
    # Known to the month, any days of it will do: the whole month is kept.
    saved = event(
        slug="fevrier",
        date_precision="mois",
        start_date=datetime.date(2030, 2, 20),
        end_date=datetime.date(2030, 2, 3),
    )
    assert (saved.start_date, saved.end_date) == (
        datetime.date(2030, 2, 1),
        datetime.date(2030, 2, 28),
    )
    with pytest.raises(ValidationError) as refused:
        event(slug="horaires", start_time=datetime.time(14), end_time=datetime.time(9))
    assert refused.value.message_dict == {
        "end_time": ["Sur une seule journée, l'heure de fin vient après l'heure de début."]
    }
    assert not Event.objects.filter(slug__in=["a-l-envers", "horaires"]).exists()


def test_the_constraint_says_it_in_french(reference_data):
    refused = Event(
        title="Incohérent",
        slug="incoherent",
        strand="volet-humain",
        start_date=DAY,
        end_date=DAY - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as raised:
        refused.validate_constraints()
    assert raised.value.messages == ["La fin ne peut pas précéder le début."]


def test_a_place_must_be_a_commune(officer_client):
    loiret = Territory.objects.get(kind="departement", code="45")
    data = form_data(
        organisers=[str(organisation().pk)],
        **{"place_links-TOTAL_FORMS": "1", "place_links-0-territory": str(loiret.pk)},
    )
    response = officer_client.post(ADD_URL, data)
    assert response.status_code == 200
    (formset, _place_inline), *_ = [
        (inline.formset, inline) for inline in response.context["inline_admin_formsets"]
    ]
    assert formset.forms[0].errors["territory"] == [
        "Choisissez une commune : un lieu est une commune (« Tours »)."
    ]
    assert not EventPlace.objects.filter(territory=loiret).exists()


def test_a_speaker_needs_a_name(officer_client):
    data = form_data(
        organisers=[str(organisation().pk)],
        **{
            "speakers-TOTAL_FORMS": "1",
            "speakers-0-affiliation": "Université",
            "speakers-0-order": "0",
        },
    )
    response = officer_client.post(ADD_URL, data)
    assert response.status_code == 200
    speakers = [i.formset for i in response.context["inline_admin_formsets"]][1]
    assert speakers.forms[0].errors == {
        "name": ["Choisissez une personne de l'annuaire ou saisissez un nom."]
    }


def test_deletion_goes_through_the_service(officer_client, monkeypatch):
    deleted = []
    real = services.event_delete

    def spy(event):
        deleted.append(event.slug)
        real(event)

    monkeypatch.setattr(services, "event_delete", spy)
    director = staff_user("director", role=roles.DIRECTION)
    officer_client.force_login(director)
    one, two, three = (event(slug=f"a-supprimer-{n}") for n in range(3))
    response = officer_client.post(
        reverse("admin:events_event_delete", args=[one.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = officer_client.post(
        CHANGELIST_URL,
        {
            "action": "delete_selected",
            "_selected_action": [str(two.pk), str(three.pk)],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert sorted(deleted) == ["a-supprimer-0", "a-supprimer-1", "a-supprimer-2"]
    assert not Event.objects.filter(slug__startswith="a-supprimer-").exists()


@pytest.mark.parametrize(
    ("role", "can_view", "can_change"),
    [
        (roles.DIRECTION, True, True),
        (roles.ASSISTANT, True, True),
        (roles.PROJECT_OFFICER, True, True),
        (roles.DOCUMENTALIST, True, False),
        (roles.PARTNER, False, False),
    ],
)
def test_roles(client, reference_data, role, can_view, can_change):
    existing = event(slug="rencontre-des-roles", title="Titre d'origine")
    client.force_login(staff_user("someone", role=role))
    assert client.get(CHANGELIST_URL).status_code == (200 if can_view else 403)
    assert client.get(change_url(existing.pk)).status_code == (200 if can_view else 403)
    assert client.get(ADD_URL).status_code == (200 if can_change else 403)
    data = form_data(
        existing,
        title="Modifié",
        slug=existing.slug,
        organisers=[str(o.pk) for o in existing.organisers.all()],
    )
    assert client.post(change_url(existing.pk), data).status_code == (302 if can_change else 403)
    assert Event.objects.get(pk=existing.pk).title == (
        "Modifié" if can_change else "Titre d'origine"
    )


def test_the_documentalist_sees_the_form_read_only(client, reference_data):
    existing = event(slug="lecture-seule", title="Rencontre en lecture")
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    page = client.get(change_url(existing.pk)).content.decode()
    assert "Rencontre en lecture" in page
    assert 'name="title"' not in page
    assert 'name="_save"' not in page


def test_cycles_and_lines_of_action_have_their_pages(officer_client):
    cycle = Cycle.objects.get(slug="egalite-des-chances-acces-aux-droits")
    page = officer_client.get(reverse("admin:events_cycle_changelist")).content.decode()
    assert "Cycle sur l&#x27;égalité des chances dans l&#x27;accès aux droits" in page
    assert (
        officer_client.get(reverse("admin:events_cycle_change", args=[cycle.pk])).status_code == 200
    )
    page = officer_client.get(reverse("admin:events_programmeline_changelist")).content.decode()
    assert page.count('class="field-text"') == ProgrammeLine.objects.count() == 8


def test_the_changelist_links_to_the_coordination_page(officer_client):
    page = officer_client.get(CHANGELIST_URL).content.decode()
    coordination = reverse("events:coordination")
    assert f'<a href="{coordination}">Conflits entre les programmes</a>' in page
    assert "18 et 19 octobre 2007" in page  # the dates column
    assert "janvier 2008 (date à confirmer)" in page


def test_changelist_query_count_does_not_grow_with_rows(officer_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get(CHANGELIST_URL)
        assert response.status_code == 200
        return len(queries)

    officer_client.get(CHANGELIST_URL)  # session and permission caches warm
    few = count()
    for number in range(15):
        event(slug=f"rangee-{number}", start_date=DAY + datetime.timedelta(days=number))
    assert count() == few


def test_an_unknown_audience_gets_its_own_french_message(reference_data):
    # Not JSONField's "must be valid JSON": the validator's code must not be "invalid".
    with pytest.raises(ValidationError) as error:
        Event._meta.get_field("audiences").clean(["elus", "martiens"], Event())
    assert error.value.messages == ["Choisissez les publics dans la liste."]
