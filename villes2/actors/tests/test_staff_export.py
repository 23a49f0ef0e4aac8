"""Staff CSV/XLSX exports: the import's columns, formula-safe cells, a query budget,
permissions, and a log row for every export."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from hypothesis import given
from hypothesis import strategies as st

from villes2.accounts import roles
from villes2.actors import selectors, services
from villes2.actors.columns import ORGANISATION_COLUMNS, PERSON_COLUMNS, headers
from villes2.actors.models import (
    DataExport,
    Mandate,
    Membership,
    NetworkMembership,
    Organisation,
    OrganisationKind,
    Person,
)
from villes2.actors.selectors.exports import FORMULA_TRIGGERS
from villes2.actors.services.exports import export_filters
from villes2.core.testing import staff_user
from villes2.territories.models import TerritoryKind
from villes2.territories.tests.factories import TerritoryFactory

from .factories import MembershipFactory, OrganisationFactory, PersonFactory


@pytest.fixture(autouse=True)
def empty_directory(db):
    """Exports take whole tables: start from an empty directory (the founding data,
    loaded once per session, is removed inside each test's transaction only)."""
    Mandate.objects.all().delete()
    Membership.objects.all().delete()
    NetworkMembership.objects.all().delete()
    Person.objects.all().delete()
    Organisation.objects.update(parent=None)
    Organisation.objects.all().delete()


PERSONS_URL = "/gestion/actors/person/"
ORGANISATIONS_URL = "/gestion/actors/organisation/"


def _user(django_user_model, role: str, username: str = "staff"):
    return staff_user(username, role=role)


def _parse_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM French Excel needs
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _parse_xlsx(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if value is None else value for value in row] for row in sheet.values]


# --- Cell neutralisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 2 47 00 00 00", "'+33 2 47 00 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0cmd", "'\0cmd"),
        ("Mairie de Tours", "Mairie de Tours"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cell_neutralise_examples(value, expected):
    assert selectors.cell_neutralise(value) == expected


@given(st.text())
def test_cell_neutralise_never_leaves_a_trigger_first(value):
    safe = selectors.cell_neutralise(value)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert safe == (f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value)


_cells = st.lists(st.lists(st.text(max_size=30), min_size=2, max_size=2), max_size=5)


@given(_cells)
def test_csv_cells_read_back_neutralised(rows):
    content = selectors.rows_csv(header=["a", "b"], rows=rows)
    parsed = _parse_csv(content)
    assert parsed[1:] == [[selectors.cell_neutralise(value) for value in row] for row in rows]


@given(_cells)
def test_xlsx_cells_are_text_never_formulas(rows):
    content = selectors.rows_xlsx(header=["a", "b"], rows=rows, title="t")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is None:
                continue
            assert cell.data_type == "s"
            assert not cell.value.startswith(FORMULA_TRIGGERS)


def test_xlsx_keeps_what_a_formula_would_have_eaten():
    content = selectors.rows_xlsx(
        header=["a", "b"], rows=[["=1+1", "#N/A"], ["\x01=cmd|' /C calc'!A0", "Tours"]], title="t"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[2]] == ["'=1+1", "#N/A"]
    assert [cell.data_type for cell in sheet[2]] == ["s", "s"]
    # The control character is dropped (XLSX cannot hold it) before neutralising.
    assert sheet["A3"].value == "'=cmd|' /C calc'!A0"


# --- Rows -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_rows_use_the_import_columns():
    parent = OrganisationFactory(name="Conseil régional", slug="conseil-regional")
    tours = TerritoryFactory(kind=TerritoryKind.COMMUNE, code="37261", name="Tours")
    indre = TerritoryFactory(kind=TerritoryKind.DEPARTEMENT, code="37", name="Indre-et-Loire")
    OrganisationFactory(
        name="Agence d'urbanisme",
        slug="agence-urbanisme",
        acronym="ATU",
        kind=OrganisationKind.AGENCY,
        siren="732829320",
        parent=parent,
        website="https://atu.example.org",
        address="1 rue de la Loire\n37000 Tours",
        is_partner=True,
        territories=[tours, indre],
    )
    for organisation in Organisation.objects.all():
        services.organisation_search_text_refresh(organisation=organisation)
    rows = selectors.organisation_export_rows(organisations=Organisation.objects.all())
    assert selectors.organisation_export_headers() == headers(ORGANISATION_COLUMNS)
    assert rows[0] == [
        "agence-urbanisme",
        "Agence d'urbanisme",
        "ATU",
        "etablissement-public",
        "732829320",
        "conseil-regional",
        "https://atu.example.org",
        "1 rue de la Loire\n37000 Tours",
        "commune:37261|departement:37",
        "oui",
        "Données de test (synthétiques)",
    ]
    assert rows[1][0] == "conseil-regional"
    assert rows[1][5] == "" and rows[1][9] == "non"


@pytest.mark.django_db
def test_person_rows_one_per_role_and_restricted_persons_left_out():
    mairie = OrganisationFactory(name="Mairie de Niort", slug="mairie-niort")
    agglo = OrganisationFactory(name="Agglomération du Niortais", slug="agglo-niort")
    for organisation in (mairie, agglo):
        services.organisation_search_text_refresh(organisation=organisation)
    claire = PersonFactory(
        first_name="Claire",
        last_name="Martin",
        slug="claire-martin",
        email="claire.martin@example.org",
        phone="05 49 00 00 00",
        informed_on=datetime.date(2024, 3, 5),
        territories=[TerritoryFactory(kind=TerritoryKind.COMMUNE, code="79191")],
    )
    MembershipFactory(person=claire, organisation=mairie, role="Adjointe")
    MembershipFactory(person=claire, organisation=agglo, role="Vice-présidente")
    services.person_search_text_refresh(
        person=PersonFactory(first_name="Zoé", last_name="Zed", slug="zoe-zed")
    )
    PersonFactory(first_name="Aline", last_name="Cachée", processing_restricted=True)
    rows = selectors.person_export_rows(persons=Person.objects.all())
    assert selectors.person_export_headers() == headers(PERSON_COLUMNS)
    assert [row[0] for row in rows] == ["claire-martin", "claire-martin", "zoe-zed"]
    assert rows[0] == [
        "claire-martin",
        "Claire",
        "Martin",
        "Chargée de mission",
        "claire.martin@example.org",
        "05 49 00 00 00",
        "",
        "agglo-niort",
        "Vice-présidente",
        "commune:79191",
        "05/03/2024",
        "Données de test (synthétiques)",
    ]
    assert rows[1][7:9] == ["mairie-niort", "Adjointe"]
    assert rows[1][:7] == rows[0][:7]
    assert rows[2][7:9] == ["", ""] and rows[2][10] == ""


@pytest.mark.django_db
def test_exports_take_a_constant_number_of_queries(django_assert_num_queries):
    territory = TerritoryFactory()
    for index in range(6):
        parent = OrganisationFactory(territories=[territory])
        organisation = OrganisationFactory(parent=parent, territories=[territory])
        MembershipFactory(organisation=organisation, person__territories=[territory])
        MembershipFactory(organisation=parent, role=f"Rôle {index}")
    with django_assert_num_queries(2):  # organisations with parents, territories
        organisation_rows = selectors.organisation_export_rows(
            organisations=Organisation.objects.all()
        )
    with django_assert_num_queries(3):  # persons, roles with organisations, territories
        person_rows = selectors.person_export_rows(persons=Person.objects.all())
    assert len(organisation_rows) == 12
    assert len(person_rows) == 12


# --- Admin actions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_csv_export_downloads_logs_and_is_formula_safe(client, django_user_model, caplog):
    officer = _user(django_user_model, roles.PROJECT_OFFICER)
    client.force_login(officer)
    person = PersonFactory(first_name="=cmd", last_name="Martin", phone="+33 5 49 00 00 00")
    with caplog.at_level("INFO", logger="villes2.security"):
        response = client.post(
            f"{PERSONS_URL}?q=Martin&informe=non",
            {"action": "export_csv", "_selected_action": [person.pk]},
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="villes2-personnes-')
    rows = _parse_csv(response.content)
    assert rows[0] == headers(PERSON_COLUMNS)
    assert rows[1][1:3] == ["'=cmd", "Martin"]
    assert rows[1][5] == "'+33 5 49 00 00 00"
    log = DataExport.objects.get()
    assert (log.exported_by, log.what, log.file_format, log.row_count, log.filters) == (
        officer,
        "personnes",
        "csv",
        1,
        # The search may be someone's name, which must not outlive their erasure here.
        "q=…&informe=non",
    )
    assert f"data export user={officer.pk} what=personnes format=csv rows=1" in caplog.text
    assert "Martin" not in caplog.text  # never the data, nor the search


@pytest.mark.parametrize(
    ("query", "recorded"),
    [
        ("", ""),
        ("q=Claire+Martin", "q=…"),
        ("informe=non&q=Martin&o=1.-2", "informe=non&q=…&o=1.-2"),
        ("q=&informe=oui", "informe=oui"),  # an empty search is no search
        ("q=%C3%A9lise&q=autre", "q=…"),
        ("q=…", "q=…"),  # what the log holds, recorded again, is unchanged
        ("kind__exact=reseau&all=", "kind__exact=reseau&all="),
    ],
)
def test_export_filters_keep_the_fact_of_a_search_not_its_text(query, recorded):
    assert export_filters(query) == recorded


@pytest.mark.django_db
def test_organisation_export_records_filters_without_the_search(client, django_user_model):
    client.force_login(_user(django_user_model, roles.PROJECT_OFFICER))
    organisation = OrganisationFactory(name="Mairie de Tours", kind=OrganisationKind.COLLECTIVITE)
    response = client.post(
        f"{ORGANISATIONS_URL}?kind__exact={OrganisationKind.COLLECTIVITE}&q=Tours",
        {"action": "export_xlsx", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 200
    assert DataExport.objects.get().filters == f"kind__exact={OrganisationKind.COLLECTIVITE}&q=…"


@pytest.mark.django_db
def test_organisation_xlsx_export_with_select_across(client, django_user_model):
    officer = _user(django_user_model, roles.PROJECT_OFFICER)
    client.force_login(officer)
    first = OrganisationFactory(name="=SUM(A1)")
    OrganisationFactory.create_batch(2)
    response = client.post(
        ORGANISATIONS_URL,
        {"action": "export_xlsx", "_selected_action": [first.pk], "select_across": "1"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == selectors.XLSX_CONTENT_TYPE
    rows = _parse_xlsx(response.content)
    assert rows[0] == headers(ORGANISATION_COLUMNS)
    assert len(rows) == 4  # "select all": every organisation, not the one ticked
    assert "'=SUM(A1)" in [row[1] for row in rows]
    log = DataExport.objects.get()
    assert (log.what, log.file_format, log.row_count) == ("organisations", "xlsx", 3)


@pytest.mark.django_db
def test_partner_sees_no_export_action_and_cannot_export(client, django_user_model):
    partner = _user(django_user_model, roles.PARTNER, "partner")
    client.force_login(partner)
    organisation = OrganisationFactory()
    page = client.get(ORGANISATIONS_URL)
    assert page.status_code == 200
    assert b"export_csv" not in page.content
    assert b"export_xlsx" not in page.content
    response = client.post(
        ORGANISATIONS_URL, {"action": "export_csv", "_selected_action": [organisation.pk]}
    )
    # Without any action the list ignores the POST: no file, no log.
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert DataExport.objects.count() == 0


@pytest.mark.django_db
def test_export_actions_offered_to_staff(client, django_user_model):
    client.force_login(_user(django_user_model, roles.ASSISTANT))
    OrganisationFactory()
    PersonFactory()
    for url in (PERSONS_URL, ORGANISATIONS_URL):
        content = client.get(url).content
        assert b'value="export_csv"' in content
        assert b'value="export_xlsx"' in content


@pytest.mark.django_db
def test_gdpr_json_export_is_logged_once_without_the_search(client, django_user_model, caplog):
    officer = _user(django_user_model, roles.PROJECT_OFFICER)
    client.force_login(officer)
    person = PersonFactory(last_name="Martin")
    caplog.clear()  # the sign-in's own line (docs/accounts.md)
    with caplog.at_level("INFO", logger="villes2.security"):
        response = client.post(
            f"{PERSONS_URL}?q=Martin&informe=non",
            {"action": "export_json", "_selected_action": [person.pk]},
        )
    assert response.status_code == 200
    log = DataExport.objects.get()
    assert (log.exported_by, log.what, log.file_format, log.row_count, log.filters) == (
        officer,
        "donnees-personnelles",
        "json",
        1,
        "q=…&informe=non",
    )
    security_lines = [r.getMessage() for r in caplog.records if r.name == "villes2.security"]
    assert security_lines == [
        f"data export user={officer.pk} what=donnees-personnelles format=json rows=1 "
        f"persons={person.pk}"
    ]


@pytest.mark.django_db
def test_gdpr_json_export_needs_the_change_permission(client, django_user_model, caplog):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(viewer)
    person = PersonFactory()
    page = client.get(PERSONS_URL)
    assert page.status_code == 200
    assert b"export_json" not in page.content
    with caplog.at_level("INFO", logger="villes2.security"):
        response = client.post(
            PERSONS_URL, {"action": "export_json", "_selected_action": [person.pk]}
        )
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert not response["Content-Type"].startswith("application/json")
    assert DataExport.objects.count() == 0
    assert "data export" not in caplog.text


@pytest.mark.django_db
def test_export_log_is_read_only_and_for_direction(client, django_user_model):
    director = _user(django_user_model, roles.DIRECTION, "director")
    log = DataExport.objects.create(
        exported_by=director, what="personnes", file_format="csv", row_count=3
    )
    client.force_login(director)
    assert client.get("/gestion/actors/dataexport/").status_code == 200
    assert client.get(f"/gestion/actors/dataexport/{log.pk}/change/").status_code == 200
    assert client.get("/gestion/actors/dataexport/add/").status_code == 403
    assert client.get(f"/gestion/actors/dataexport/{log.pk}/delete/").status_code == 403
    response = client.post(f"/gestion/actors/dataexport/{log.pk}/change/", {"row_count": 0})
    assert response.status_code == 403
    log.refresh_from_db()
    assert log.row_count == 3

    superuser = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(superuser)
    assert client.get("/gestion/actors/dataexport/add/").status_code == 403

    client.force_login(_user(django_user_model, roles.PROJECT_OFFICER, "officer"))
    assert client.get("/gestion/actors/dataexport/").status_code == 403
