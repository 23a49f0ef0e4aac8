"""Observation in /gestion/: the upload page (permission, report, nothing written on
rejection), the log of imports, the template downloads, the indicator and source pages."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.observation.models import ImportBatch, ImportStatus, IndicatorValue

from .factories import ImportBatchFactory, IndicatorFactory, SchemeIndicatorFactory, SourceFactory
from .test_import import HEADER, csv_bytes, snapshot

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/gestion/observation/importbatch/importer/"
LOG_URL = "/gestion/observation/importbatch/"
GOOD = csv_bytes(
    [
        HEADER,
        ["commune", "37261", "logements-test", "2023", "1 200"],
        ["departement", "37", "logements-test", "2023", "nd"],
    ]
)
BAD = csv_bytes(
    [
        HEADER,
        ["commune", "37261", "logements-test", "2023", "1 200"],
        ["commune", "99999", "logements-test", "2023", "5"],
        ["commune", "79191", "logements-test", "2023", "-5"],
    ]
)


@pytest.fixture
def source(territories):
    IndicatorFactory(code="logements-test")
    return SourceFactory(code="source-de-test", dataset="Recensement de test")


@pytest.fixture
def officer(client):
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    return client


def upload(client, name: str, content: bytes, source, geography: str = ""):
    with translation.override("fr"):
        return client.post(
            UPLOAD_URL,
            {
                "file": SimpleUploadedFile(name, content),
                "source": source.pk,
                "geography": geography,
            },
            HTTP_ACCEPT_LANGUAGE="fr",
        )


def test_the_page_needs_the_permission_to_import(client, source):
    assert client.get(UPLOAD_URL).status_code == 302  # to the login page
    client.force_login(staff_user("partner", role=roles.PARTNER))
    assert client.get(UPLOAD_URL).status_code == 403
    before = snapshot()
    assert upload(client, "valeurs.csv", GOOD, source).status_code == 403
    assert snapshot() == before
    assert not ImportBatch.objects.exists()


def test_a_good_file_is_imported_and_counted(officer, source):
    response = upload(officer, "valeurs.csv", GOOD, source, geography="COG 2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-done"' in page
    counts = response.context["report"]
    assert (counts.lines, counts.created, counts.skipped) == (2, 1, 1)
    assert "Valeur non disponible (nd) : ligne ignorée." in page
    value = IndicatorValue.objects.get(indicator__code="logements-test")
    assert (value.value, value.geography, value.source) == (1200, "COG 2026", source)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_by.username, batch.file_name) == (
        ImportStatus.IMPORTED,
        "officer",
        "valeurs.csv",
    )


def test_a_bad_file_shows_every_bad_line_and_writes_nothing(officer, source):
    before = snapshot()
    response = upload(officer, "valeurs.csv", BAD, source)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-refused"' in page
    assert "Import refusé : 2 lignes fautives sur 3 (2 erreurs). Rien n'a été écrit" in page
    rows = [(p.line, p.column) for p in response.context["report"].errors]
    assert rows == [(3, "code"), (4, "valeur")]
    assert "<td>3</td><td>code</td><td>Aucune commune n&#x27;a le code « 99999 »" in page
    assert "Un effectif ne peut pas être négatif." in page
    assert snapshot() == before
    assert ImportBatch.objects.get().status == ImportStatus.REJECTED


def test_a_hostile_file_is_refused_on_the_page(officer, source):
    before = snapshot()
    response = upload(officer, "valeurs.xlsx", b"PK\x03\x04 not a zip", source)
    assert "n&#x27;est pas un classeur XLSX" in response.content.decode()
    response = upload(officer, "valeurs.pdf", b"%PDF-1.7", source)
    assert response.context["form"].errors == {"file": ["Choisissez un fichier .csv ou .xlsx."]}
    assert snapshot() == before


def test_a_file_over_the_limit_is_not_read(officer, source, settings):
    settings.OBSERVATION_IMPORT_MAX_BYTES = 1000
    before = snapshot()
    response = upload(officer, "valeurs.csv", GOOD + b"x" * 2000, source)
    assert response.context["form"].errors == {"file": ["Ce fichier dépasse 0,0 Mo : découpez-le."]}
    assert snapshot() == before
    assert not ImportBatch.objects.exists()


def test_the_log_has_an_import_button_for_those_who_may_import(client, source):
    ImportBatchFactory(
        source=source,
        status=ImportStatus.REJECTED,
        report=[{"level": "error", "line": 3, "column": "code", "message": "Code <b>inconnu</b>."}],
    )
    assistant = staff_user("assistant", role=roles.ASSISTANT)
    client.force_login(assistant)
    page = client.get(LOG_URL).content.decode()
    assert UPLOAD_URL in page
    batch = ImportBatch.objects.get()
    detail = client.get(f"{LOG_URL}{batch.pk}/change/").content.decode()
    assert "<td>3</td><td>code</td><td>Code &lt;b&gt;inconnu&lt;/b&gt;.</td>" in detail
    viewer = staff_user("viewer")
    viewer.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename="view_importbatch")
    )
    client.force_login(viewer)
    response = client.get(LOG_URL)
    assert response.status_code == 200
    assert UPLOAD_URL not in response.content.decode()


@pytest.mark.parametrize(
    ("file_format", "start"), [("csv", b"\xef\xbb\xbfniveau;"), ("xlsx", b"PK")]
)
def test_the_templates_can_be_downloaded(officer, source, file_format, start):
    response = officer.get(f"/gestion/observation/importbatch/modele.{file_format}")
    assert response.status_code == 200
    assert response.content.startswith(start)
    assert response["Content-Disposition"] == (
        f'attachment; filename="villes2-modele-collecte.{file_format}"'
    )
    if file_format == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[0] == "valeurs"


def test_the_indicator_source_and_followed_indicator_pages(officer, source):
    indicator = IndicatorFactory(code="taux-test", rate=True)
    followed = SchemeIndicatorFactory(indicator=indicator)
    synthetic = SourceFactory(code="synthetique", synthetic=True)
    for url in [
        "/gestion/observation/indicator/",
        f"/gestion/observation/indicator/{indicator.pk}/change/",
        "/gestion/observation/indicator/add/",
        "/gestion/observation/source/",
        f"/gestion/observation/source/{synthetic.pk}/change/",
        "/gestion/observation/schemeindicator/",
        f"/gestion/observation/schemeindicator/{followed.pk}/change/",
    ]:
        assert officer.get(url).status_code == 200, url
    sources = officer.get("/gestion/observation/source/?synthetic__exact=1").content.decode()
    assert "synthetique" in sources
    response = officer.get(
        "/gestion/autocomplete/",
        {"app_label": "observation", "model_name": "indicator", "field_name": "themes", "term": ""},
    )
    assert response.status_code == 200
