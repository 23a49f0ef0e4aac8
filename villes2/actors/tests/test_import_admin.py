"""The import page in /gestion/: permissions, upload → dry run → confirm, pending file."""

import hashlib
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from villes2.accounts import roles
from villes2.actors.columns import ORGANISATION_COLUMNS, PERSON_COLUMNS, headers
from villes2.actors.models import ImportRun, Person

from .test_import import csv_bytes, organisation, table_counts

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/gestion/actors/importrun/importer/"
GOOD = csv_bytes(
    [
        ["prenom", "nom", "courriel", "organisation", "role"],
        ["Claire", "Martin", "claire.martin@example.org", "mairie-de-test", "Cheffe de projet"],
        ["Paul", "Durand", "", "mairie-de-test", "Adjoint"],
    ]
)


@pytest.fixture
def pending_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def mairie():
    return organisation(name="Mairie de test", slug="mairie-de-test")


def staff(django_user_model, username: str, *, role: str = "", codenames=()):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="actors", codename__in=codenames)
    )
    return user


@pytest.fixture
def officer_client(client, django_user_model):
    client.force_login(staff(django_user_model, "officer", role=roles.PROJECT_OFFICER))
    return client


def upload(client, name: str, content: bytes, kind: str = "personnes"):
    return client.post(UPLOAD_URL, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def confirm(client, content: bytes, kind: str = "personnes"):
    sha256 = hashlib.sha256(content).hexdigest()
    return client.post(UPLOAD_URL, {"kind": kind, "sha256": sha256})


@pytest.mark.parametrize(
    "codenames",
    [
        (),  # staff without any right
        ("add_person", "change_person"),  # may edit persons, not import
        ("add_importrun", "add_organisation", "change_organisation"),  # not persons
    ],
)
def test_without_the_rights_the_page_is_403_and_nothing_is_written(
    client, django_user_model, pending_dir, mairie, codenames
):
    client.force_login(staff(django_user_model, "someone", codenames=codenames))
    before = table_counts()
    if "add_organisation" not in codenames:
        assert client.get(UPLOAD_URL).status_code == 403
        assert client.get("/gestion/actors/importrun/modele/personnes.csv").status_code == 403
    assert upload(client, "personnes.csv", GOOD).status_code == 403
    assert confirm(client, GOOD).status_code == 403
    assert table_counts() == before
    assert not pending_dir.exists()


def test_anonymous_is_sent_to_the_login_page(client, pending_dir):
    response = upload(client, "personnes.csv", GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/login/")
    assert not pending_dir.exists()


def test_dry_run_then_confirm_imports_the_same_bytes_and_deletes_them(
    officer_client, pending_dir, mairie
):
    before = table_counts()
    response = upload(officer_client, "personnes.csv", GOOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirmer l'import" in page
    assert "Lignes lues : 2. Ce que fera l'import :" in page
    assert '<th scope="row">À créer</th><td>2</td>' in page
    assert table_counts() == before  # a dry run writes nothing

    sha256 = hashlib.sha256(GOOD).hexdigest()
    assert [path.name for path in pending_dir.iterdir()] == [sha256]
    assert f'value="{sha256}"' in page

    response = confirm(officer_client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/gestion/actors/person/"
    claire = Person.objects.get(slug="claire-martin")
    assert claire.history.get().history_user.username == "officer"
    run = ImportRun.objects.get()
    assert (run.file_name, run.created, run.imported_by.username) == ("personnes.csv", 2, "officer")
    assert list(pending_dir.iterdir()) == []
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Fichier personnes.csv importé. Créées : 2, mises à jour : 0, inchangées : 0."
    ]

    # The same confirmation again: nothing is pending any more.
    response = confirm(officer_client, GOOD)
    assert response.status_code == 302
    assert ImportRun.objects.count() == 1


def test_errors_are_shown_in_a_table_and_cannot_be_confirmed(officer_client, pending_dir, mairie):
    bad = csv_bytes(
        [
            ["prenom", "nom", "courriel", "organisation"],
            ["Anne", "", "x", "nulle-part"],
            ["Bob", "Petit", "pas-un-courriel", "mairie-de-test"],
        ]
    )
    before = table_counts()
    response = upload(officer_client, "personnes.csv", bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirmer l'import" not in page
    assert '<table id="import-errors">' in page
    assert "<td>2</td><td>nom</td><td>Le nom est obligatoire.</td>" in page
    assert "<td>3</td><td>courriel</td>" in page
    assert table_counts() == before
    assert not pending_dir.exists()


def test_a_confirmation_needs_the_upload_of_the_same_session(
    client, django_user_model, pending_dir, mairie
):
    officer = staff(django_user_model, "officer", role=roles.PROJECT_OFFICER)
    other = Client()
    other.force_login(staff(django_user_model, "other", role=roles.ASSISTANT))
    client.force_login(officer)
    upload(other, "personnes.csv", GOOD)
    before = table_counts()
    response = confirm(client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL
    assert table_counts() == before
    # A forged kind or digest never reaches the disk.
    response = client.post(UPLOAD_URL, {"kind": "personnes", "sha256": "../../etc/passwd"})
    assert response.status_code == 302
    assert table_counts() == before


def test_an_upload_over_the_limit_is_refused_by_the_form(settings, officer_client, pending_dir):
    settings.DIRECTORY_IMPORT_MAX_BYTES = 1_000
    before = table_counts()
    response = upload(officer_client, "personnes.csv", GOOD + b"Zoe,Zed,,,\r\n" * 200)
    assert response.status_code == 200
    assert "Ce fichier dépasse" in response.content.decode()
    assert table_counts() == before
    assert not pending_dir.exists()


def test_a_pdf_renamed_csv_is_reported_not_a_500(officer_client, pending_dir):
    response = upload(officer_client, "personnes.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert response.status_code == 200
    assert "Ce fichier est un document PDF, pas un CSV." in response.content.decode()


def test_csrf_is_checked(django_user_model, pending_dir, mairie):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(django_user_model, "officer", role=roles.PROJECT_OFFICER))
    before = table_counts()
    assert upload(client, "personnes.csv", GOOD).status_code == 403
    assert table_counts() == before
    assert not pending_dir.exists()


def test_empty_templates_have_the_headers_and_describe_the_columns(officer_client):
    response = officer_client.get("/gestion/actors/importrun/modele/personnes.csv")
    assert response["Content-Disposition"] == 'attachment; filename="villes2-personnes.csv"'
    assert response.content.decode("utf-8-sig") == ";".join(headers(PERSON_COLUMNS)) + "\r\n"

    response = officer_client.get("/gestion/actors/importrun/modele/organisations.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    first, help_sheet = workbook.worksheets
    assert [cell.value for cell in first[1]] == headers(ORGANISATION_COLUMNS)
    assert first["E1"].comment.text == "9 chiffres, vérifiés"
    assert [row[0] for row in help_sheet.iter_rows(min_row=2, values_only=True)] == headers(
        ORGANISATION_COLUMNS
    )
    assert officer_client.get("/gestion/actors/importrun/modele/inconnu.csv").status_code == 404


def test_the_page_lists_the_columns(officer_client):
    page = officer_client.get(UPLOAD_URL + "?kind=organisations").content.decode()
    assert "<code>organisation_parente</code>" in page
    assert "identifiant (slug) ou SIREN de l&#x27;organisation parente" in page
    assert 'value="organisations" required id="id_kind_0" checked' in page


def test_the_changelists_offer_the_import_to_those_who_may(client, django_user_model):
    client.force_login(staff(django_user_model, "officer", role=roles.PROJECT_OFFICER))
    page = client.get("/gestion/actors/person/").content.decode()
    assert f'href="{UPLOAD_URL}?kind=personnes">Importer un fichier</a>' in page
    page = client.get("/gestion/actors/organisation/").content.decode()
    assert f'href="{UPLOAD_URL}?kind=organisations">Importer un fichier</a>' in page

    client.force_login(staff(django_user_model, "partner", role=roles.PARTNER))
    response = client.get("/gestion/actors/organisation/")
    assert response.status_code == 200
    assert "Importer un fichier" not in response.content.decode()


def test_the_import_log_is_read_only_and_add_leads_to_the_upload(officer_client):
    assert officer_client.get("/gestion/actors/importrun/").status_code == 200
    response = officer_client.get("/gestion/actors/importrun/add/")
    assert (response.status_code, response["Location"]) == (302, UPLOAD_URL)
