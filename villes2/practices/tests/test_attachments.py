"""PDF files attached to experience records: the catalogue's checks (a real PDF and
nothing else, under the size cap), refusals in French that store nothing, files written
and deleted after the commit only, the back office's attachment table, and the
download: public for published records, staff-only for the others."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.documents.tests.pdfs import encrypted_pdf_bytes, pdf_bytes, zero_page_pdf_bytes
from villes2.practices import services
from villes2.practices.models import PracticeAttachment, PracticeStatus

from .factories import PracticeFactory
from .test_admin import form_data

pytestmark = pytest.mark.django_db

S = PracticeStatus
CONTENT = pdf_bytes("Bilan des jardins partagés")
NOT_PDF = "Seuls des fichiers PDF peuvent être joints : ce fichier n’est pas un document PDF."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def attach(practice, django_capture_on_commit_callbacks, content=CONTENT, name="Bilan 2008.pdf"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.practice_attachment_add(
            practice, SimpleUploadedFile(name, content), title="Bilan"
        )


# --- The service --------------------------------------------------------------------


def test_a_pdf_is_attached_under_a_random_name_after_the_commit(
    media, django_capture_on_commit_callbacks, reference_data
):
    practice = PracticeFactory()
    modified = practice.modified
    attachment = attach(practice, django_capture_on_commit_callbacks, name="../../Bilan été.pdf")
    assert (attachment.original_name, attachment.title, attachment.size) == (
        "Bilan été.pdf",
        "Bilan",
        len(CONTENT),
    )
    assert attachment.file.name.startswith("experiences/")
    assert attachment.file.name.endswith(".pdf")
    assert "Bilan" not in attachment.file.name
    assert [p.read_bytes() for p in files(media)] == [CONTENT]
    practice.refresh_from_db()
    assert practice.modified > modified  # the OAI datestamp moved


def test_no_file_is_written_when_the_transaction_rolls_back(media, reference_data):
    practice = PracticeFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.practice_attachment_add(practice, SimpleUploadedFile("a.pdf", CONTENT))
        raise RuntimeError
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", NOT_PDF),
        (b"GIF89a....", NOT_PDF),
        (b"", "Le fichier est vide."),
        (CONTENT[:-20], "Ce fichier PDF est incomplet (sa fin manque) : téléversez-le à nouveau."),
        (
            CONTENT + b"<html><body>polyglotte</body></html>",
            "Ce fichier contient autre chose que le document PDF (par exemple une page web) : "
            "il est refusé. Enregistrez à nouveau le document en PDF depuis son application.",
        ),
        (
            encrypted_pdf_bytes("secret"),
            "Ce fichier PDF est protégé par un mot de passe ou chiffré : enregistrez-en une "
            "copie non protégée et joignez-la.",
        ),
        (zero_page_pdf_bytes(), "Ce fichier PDF n’a aucune page."),
    ],
)
def test_anything_but_a_plain_pdf_is_refused_in_french_and_stores_nothing(
    media, django_capture_on_commit_callbacks, reference_data, content, message
):
    practice = PracticeFactory()
    with pytest.raises(ValidationError) as refused:
        attach(practice, django_capture_on_commit_callbacks, content=content)
    assert refused.value.messages == [message]
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


def test_a_file_over_the_cap_is_refused(
    settings, media, django_capture_on_commit_callbacks, reference_data
):
    settings.DOCUMENT_ATTACHMENT_MAX_BYTES = 1000
    practice = PracticeFactory()
    with pytest.raises(ValidationError) as refused:
        attach(practice, django_capture_on_commit_callbacks, content=pdf_bytes("x" * 2000))
    assert refused.value.messages == [
        "Ce fichier dépasse 0,0 Mo : compressez-le ou joignez une version plus légère."
    ]
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


def test_the_same_file_twice_is_refused(media, django_capture_on_commit_callbacks, reference_data):
    practice = PracticeFactory()
    attach(practice, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        attach(practice, django_capture_on_commit_callbacks, name="copie.pdf")
    assert refused.value.messages == ["Ce fichier est déjà joint à cette fiche."]
    assert PracticeAttachment.objects.count() == 1
    # Another record may hold the same file.
    attach(PracticeFactory(), django_capture_on_commit_callbacks)
    assert PracticeAttachment.objects.count() == 2


def test_deleting_an_attachment_deletes_its_file_after_the_commit(
    media, django_capture_on_commit_callbacks, reference_data
):
    attachment = attach(PracticeFactory(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.practice_attachment_delete(attachment)
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


def test_deleting_a_record_deletes_its_files(
    media, django_capture_on_commit_callbacks, reference_data
):
    practice = PracticeFactory()
    attach(practice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.practice_delete(practice)
    assert files(media) == []


# --- The back office's attachment table ---------------------------------------------


@pytest.fixture
def staff_client(client, reference_data):
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    return client


def _inline(**fields) -> dict:
    return {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-title": "Rapport d’évaluation",
        **fields,
    }


def test_a_pdf_uploaded_in_the_back_office_goes_through_the_service(
    staff_client, media, django_capture_on_commit_callbacks
):
    practice = PracticeFactory()
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    data = form_data(
        practice,
        **_inline(**{"attachments-0-file": SimpleUploadedFile("evaluation.pdf", CONTENT)}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    attachment = PracticeAttachment.objects.get()
    assert (attachment.practice, attachment.original_name, attachment.title) == (
        practice,
        "evaluation.pdf",
        "Rapport d’évaluation",
    )
    assert [p.read_bytes() for p in files(media)] == [CONTENT]
    page = staff_client.get(url).content.decode()
    assert 'accept=".pdf,application/pdf"' in page
    assert "PDF uniquement" in page


def test_a_refused_upload_says_why_and_saves_nothing(staff_client, media):
    practice = PracticeFactory(title="Titre d’origine")
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    data = form_data(
        practice,
        title="Titre changé",
        **_inline(**{"attachments-0-file": SimpleUploadedFile("page.pdf", b"<html>x</html>")}),
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert NOT_PDF in response.content.decode()
    practice.refresh_from_db()
    assert (practice.title, practice.version) == ("Titre d’origine", 1)
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


def test_an_attachment_removed_in_the_back_office_is_deleted_with_its_file(
    staff_client, media, django_capture_on_commit_callbacks
):
    practice = PracticeFactory()
    attachment = attach(practice, django_capture_on_commit_callbacks)
    practice.refresh_from_db()
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    data = form_data(
        practice,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": str(attachment.pk),
            "attachments-0-practice": str(practice.pk),
            "attachments-0-title": "Bilan",
            "attachments-0-DELETE": "on",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    assert response.status_code == 302
    assert not PracticeAttachment.objects.exists()
    assert files(media) == []


# --- The download -------------------------------------------------------------------


def _url(attachment) -> str:
    return reverse("practices:attachment", args=[attachment.practice_id, attachment.pk])


def test_the_file_of_a_published_record_is_a_sandboxed_public_download(
    client, django_capture_on_commit_callbacks, reference_data
):
    attachment = attach(
        PracticeFactory(status=S.PUBLISHED), django_capture_on_commit_callbacks, name="Bilan é.pdf"
    )
    response = client.get(_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''Bilan%20%C3%A9.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; frame-ancestors 'none'"
    )
    assert response["Cache-Control"] == "public, max-age=3600"
    assert client.post(_url(attachment)).status_code == 405


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.WITHDRAWN])
def test_the_files_of_other_records_are_for_the_staff_only(
    client, django_capture_on_commit_callbacks, reference_data, status
):
    attachment = attach(PracticeFactory(status=status), django_capture_on_commit_callbacks)
    assert client.get(_url(attachment)).status_code == 404
    client.force_login(staff_user("chargee", role=roles.PROJECT_OFFICER))
    response = client.get(_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_under_another_record_or_without_its_file_is_not_found(
    client, media, django_capture_on_commit_callbacks, reference_data
):
    attachment = attach(PracticeFactory(status=S.PUBLISHED), django_capture_on_commit_callbacks)
    other = PracticeFactory(status=S.PUBLISHED)
    assert (
        client.get(reverse("practices:attachment", args=[other.pk, attachment.pk])).status_code
        == 404
    )
    for path in files(media):
        path.unlink()
    assert client.get(_url(attachment)).status_code == 404


def test_check_attachment_files_covers_experience_records(
    media, django_capture_on_commit_callbacks, reference_data
):
    import io
    import os

    from django.core.management import CommandError, call_command

    practice = PracticeFactory()
    kept = attach(practice, django_capture_on_commit_callbacks)
    lost = services.practice_attachment_add(practice, SimpleUploadedFile("b.pdf", pdf_bytes("b")))
    stray = media / "experiences" / "cd" / "stray.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4")
    os.utime(stray, (0, 0))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_attachment_files", "--delete-unreferenced", stdout=out)
    text = out.getvalue()
    assert (
        f"Fichier manquant pour la pièce jointe n° {lost.pk} (Fiches expérience) : {lost.file.name}"
    ) in text
    assert "Fichier sans pièce jointe (Fiches expérience) : experiences/cd/stray.pdf" in text
    assert "Documents : fichiers et base de données concordent." in text
    assert not stray.exists() and (media / kept.file.name).exists()
