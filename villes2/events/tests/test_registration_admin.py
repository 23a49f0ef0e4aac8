"""Registrations in the back office: the list and its actions, the attendance sheet of
an event (check-in), the export of registrants, and who may do what."""

import csv
import html as html_lib
import io

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from villes2.accounts import roles
from villes2.actors.models import DataExport
from villes2.core.testing import staff_user
from villes2.events import services
from villes2.events.models import Registration, RegistrationStatus
from villes2.events.selectors.registrations import attendance_sheet

from . import factories

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
LIST_URL = "/gestion/events/registration/"


@pytest.fixture
def event():
    return factories.event(
        registration_open=True, capacity=3, title="Atelier évaluation", slug="atelier-evaluation"
    )


def _register(event, name, email, organisation="Ville de Blois"):
    return services.registration_create(
        event=event, name=name, organisation=organisation, email=email, role="", base_url=BASE
    )


@pytest.fixture
def registrations(event):
    """Three confirmed (alphabetically Bernard, Dupont, Martin) and one waiting."""
    return [
        _register(event, "Martin Léa", "lea@example.org"),
        _register(event, "Bernard Paul", "paul@example.org"),
        _register(event, "Dupont Anne", "anne@example.org"),
        _register(event, "Zola Émile", "emile@example.org"),
    ]


@pytest.fixture
def officer(client):
    user = staff_user("officer", role=roles.PROJECT_OFFICER)
    client.force_login(user)
    return user


def _sheet_url(event):
    return reverse("admin:events_registration_attendance", args=[event.pk])


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.DIRECTION, roles.ASSISTANT, roles.PROJECT_OFFICER])
def test_staff_roles_run_registrations(client, event, registrations, role):
    client.force_login(staff_user("someone", role=role))
    assert client.get(LIST_URL).status_code == 200
    assert client.get(_sheet_url(event)).status_code == 200


@pytest.mark.parametrize("role", [roles.DOCUMENTALIST, roles.PARTNER, ""])
def test_others_get_403_and_change_nothing(client, event, registrations, role):
    client.force_login(staff_user("someone", role=role))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(_sheet_url(event)).status_code == 403
    target = registrations[0]
    response = client.post(_sheet_url(event), {"registration": target.pk, "attended": "1"})
    assert response.status_code == 403
    assert client.get(_sheet_url(event) + "export.csv").status_code == 403
    target.refresh_from_db()
    assert target.attended is False
    assert not DataExport.objects.exists()


def test_anonymous_is_sent_to_the_login(client, event):
    response = client.get(_sheet_url(event))
    assert response.status_code == 302
    assert response.url.startswith("/gestion/login/")


# --- The attendance sheet --------------------------------------------------------------


def test_attendance_sheet_lists_confirmed_registrants_within_budget(
    client, officer, event, registrations, django_assert_num_queries
):
    # Session, user and permissions (4), the event (1), the rows and the counts (2).
    with django_assert_num_queries(8):
        response = client.get(_sheet_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    names = [r.name for r in response.context["sheet"].rows]
    assert names == ["Bernard Paul", "Dupont Anne", "Martin Léa"]
    assert "Zola" not in html
    assert "Présents : 0 sur 3 inscrits." in html
    assert "Liste d'attente : 1 ; annulées : 0." in html_lib.unescape(html)
    assert "<caption>Inscrits confirmés à « Atelier évaluation »</caption>" in html
    start = html.index("<caption>Inscrits confirmés")
    table = html[start : html.index("</table>", start)]
    assert table.count('<th scope="col">') == 6
    assert table.count('<th scope="row">') == 3
    assert table.count("Marquer présent</button>") == 3
    assert f'href="{_sheet_url(event)}export.csv"' in html


def test_check_in_toggle_from_the_sheet(client, officer, event, registrations):
    target = registrations[1]
    response = client.post(_sheet_url(event), {"registration": target.pk, "attended": "1"})
    assert response.status_code == 302
    assert response.url == f"{_sheet_url(event)}#inscription-{target.pk}"
    target.refresh_from_db()
    assert target.attended is True
    assert target.checked_in_at is not None
    page = client.get(_sheet_url(event)).content.decode()
    assert "Présents : 1 sur 3 inscrits." in page
    assert page.count("Marquer absent</button>") == 1
    assert reverse("admin:events_registration_certificate", args=[target.pk]) in page

    client.post(_sheet_url(event), {"registration": target.pk, "attended": "0"})
    target.refresh_from_db()
    assert (target.attended, target.checked_in_at) == (False, None)


def test_sheet_refuses_bad_posts(client, officer, event, registrations):
    other_event = factories.event(registration_open=True)
    stranger = _register(other_event, "Autre", "autre@example.org")
    assert client.post(_sheet_url(event), {"registration": "abc"}).status_code == 404
    response = client.post(_sheet_url(event), {"registration": stranger.pk, "attended": "1"})
    assert response.status_code == 404
    waiting = registrations[3]
    response = client.post(
        _sheet_url(event), {"registration": waiting.pk, "attended": "1"}, follow=True
    )
    assert "Seules les inscriptions confirmées peuvent être pointées." in (
        response.content.decode()
    )
    waiting.refresh_from_db()
    assert waiting.attended is False
    assert client.get(reverse("admin:events_registration_attendance", args=[0])).status_code == 404


def test_list_filtered_by_event_links_to_its_sheet(client, officer, event, registrations):
    page = client.get(f"{LIST_URL}?event__id__exact={event.pk}").content.decode()
    assert f'href="{_sheet_url(event)}"' in page
    assert "Feuille d'émargement" in html_lib.unescape(page)
    assert _sheet_url(event) not in client.get(LIST_URL).content.decode()
    found = client.get(f"{LIST_URL}?q=anne@example")
    assert [r.name for r in found.context["cl"].result_list] == ["Dupont Anne"]


# --- Actions -----------------------------------------------------------------------------


def _action(client, action, registrations):
    return client.post(
        LIST_URL,
        {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in registrations]},
        follow=True,
    )


def test_mark_present_and_absent_actions(client, officer, registrations):
    response = _action(client, "mark_present", registrations)
    html = response.content.decode()
    assert "3 inscription(s) mise(s) à jour." in html
    assert "1 inscription(s) laissée(s) telle(s) quelle(s)" in html
    assert Registration.objects.filter(attended=True).count() == 3
    _action(client, "mark_absent", registrations[:1])
    assert Registration.objects.filter(attended=True).count() == 2


def test_cancel_action_goes_through_the_service(
    client, officer, registrations, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(client, "cancel_registrations", registrations[:1])
    assert "1 inscription(s) annulée(s)." in response.content.decode()
    statuses = {r.name: r.status for r in Registration.objects.all()}
    assert statuses == {
        "Martin Léa": RegistrationStatus.CANCELLED,
        "Bernard Paul": RegistrationStatus.CONFIRMED,
        "Dupont Anne": RegistrationStatus.CONFIRMED,
        "Zola Émile": RegistrationStatus.CONFIRMED,  # promoted
    }
    assert [m.to for m in mailoutbox] == [["lea@example.org"], ["emile@example.org"]]


def test_only_name_and_organisation_can_be_corrected(client, officer, registrations):
    target = registrations[0]
    url = reverse("admin:events_registration_change", args=[target.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"name", "organisation"}
    response = client.post(
        url, {"name": "Martin Léa-Marie", "organisation": "Agglopolys", "email": "x@example.org"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.organisation, target.email) == (
        "Martin Léa-Marie",
        "Agglopolys",
        "lea@example.org",
    )


def test_no_add_or_delete_in_the_back_office(client, officer, registrations):
    assert client.get(f"{LIST_URL}add/").status_code == 403
    delete = reverse("admin:events_registration_delete", args=[registrations[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Registration.objects.count() == 4


def test_anonymise_action(client, officer, registrations):
    response = _action(client, "anonymise", registrations[:1])
    assert "1 inscription(s) anonymisée(s)." in response.content.decode()
    target = Registration.objects.get(pk=registrations[0].pk)
    assert (target.name, target.email, target.organisation) == ("", "", "")
    assert target.anonymised_at is not None
    # The event is to come: the place is freed and goes to the first waiting.
    assert target.status == RegistrationStatus.CANCELLED
    promoted = Registration.objects.get(pk=registrations[3].pk)
    assert promoted.status == RegistrationStatus.CONFIRMED


# --- Export ----------------------------------------------------------------------------


def test_export_is_formula_safe_and_logged(client, officer, event):
    _register(event, '=HYPERLINK("http://evil.example","x")', "a@example.org", "+33 Mairie")
    _register(event, "Dupont Anne", "anne@example.org", "@Agglo")
    response = client.get(_sheet_url(event) + "export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="inscrits-atelier-evaluation-{today:%Y-%m-%d}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Nom",
        "Organisation",
        "Courriel",
        "Fonction",
        "Statut",
        "Inscrit le",
        "Présent",
    ]
    assert rows[1][:5] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+33 Mairie",
        "a@example.org",
        "",
        "Inscrit",
    ]
    assert rows[2][1] == "'@Agglo"
    assert rows[2][6] == "non"
    assert len(rows) == 3

    response = client.get(_sheet_url(event) + "export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    values = list(sheet.values)
    assert values[1][0] == '\'=HYPERLINK("http://evil.example","x")'
    assert len(values) == 3

    exports = list(
        DataExport.objects.order_by("pk").values_list("what", "file_format", "row_count")
    )
    assert exports == [("inscriptions", "csv", 2), ("inscriptions", "xlsx", 2)]
    assert DataExport.objects.first().filters == f"event={event.pk}"
    assert client.get(_sheet_url(event) + "export.pdf").status_code == 404


def test_export_actions(client, officer, registrations):
    response = client.post(
        LIST_URL,
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [r.pk for r in registrations[:2]]},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Martin Léa", "Bernard Paul"]
    assert DataExport.objects.get().row_count == 2


def test_attendance_sheet_selector_counts(event, registrations):
    services.registration_cancel(registration=registrations[0], base_url=BASE, notify=False)
    sheet = attendance_sheet(event)
    assert [r.name for r in sheet.rows] == ["Bernard Paul", "Dupont Anne", "Zola Émile"]
    assert (sheet.present, sheet.waitlisted, sheet.cancelled) == (0, 0, 1)
