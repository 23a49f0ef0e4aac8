"""Attachments: the checks on upload, the stored file and row, the background text
extraction and the search on the extracted text."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from villes2.core.search import SearchRequest, run_search
from villes2.documents import services
from villes2.documents.models import Attachment, ExtractionStatus

from .factories import record
from .pdfs import encrypted_pdf_bytes, pdf_bytes, zero_page_pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content: bytes, name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def found(text: str, *, staff: bool = False) -> list[int]:
    results = run_search(SearchRequest(q=text, kinds=("documents",), staff=staff))
    return [hit.object.pk for hit in results.hits]


def test_a_pdf_is_stored_extracted_and_searchable(media, django_capture_on_commit_callbacks):
    document = record(title="Rapport d'activité")
    content = pdf_bytes("Résidentialisation des immeubles", "Gardiennage et proximité")
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(
            document, upload(content, "../../etc/Rapport\x07 2010.pdf"), title="Rapport"
        )
    attachment.refresh_from_db()
    assert attachment.original_name == "Rapport 2010.pdf"
    assert attachment.page_count == 2
    assert attachment.size == len(content)
    assert attachment.extraction == ExtractionStatus.DONE
    assert attachment.text == "Résidentialisation des immeubles\nGardiennage et proximité"
    # A random name, never the uploaded one nor its hash.
    assert re.fullmatch(r"documents/([0-9a-f]{2})/\1[0-9a-f]{30}\.pdf", attachment.file.name)
    assert attachment.sha256 not in attachment.file.name
    assert stored_files(media) == [media / attachment.file.name]
    assert (media / attachment.file.name).read_bytes() == content
    assert found("gardiennage") == [document.pk]


def test_a_pdf_without_text_is_marked_empty(django_capture_on_commit_callbacks):
    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(document, upload(pdf_bytes("")))
    attachment.refresh_from_db()
    assert (attachment.extraction, attachment.text) == (ExtractionStatus.EMPTY, "")


def test_extraction_failure_is_recorded(monkeypatch, django_capture_on_commit_callbacks):
    document = record()

    def broken(attachment):
        raise RuntimeError("damaged content stream")

    monkeypatch.setattr(services.attachments, "_extract_text", broken)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(document, upload(pdf_bytes("texte")))
    attachment.refresh_from_db()
    assert attachment.extraction == ExtractionStatus.FAILED


def test_extraction_is_capped(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services.attachments, "MAX_TEXT_CHARS", 30)
    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(
            document, upload(pdf_bytes("premiere page assez longue", "deuxieme", "troisieme"))
        )
    attachment.refresh_from_db()
    assert attachment.text == "premiere page assez longue\ndeu"


def test_extraction_is_idempotent_and_ignores_a_deleted_attachment(
    django_capture_on_commit_callbacks,
):
    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(document, upload(pdf_bytes("quartier")))
    assert services.attachment_text_extract(attachment_pk=attachment.pk) == "fait"
    assert Attachment.objects.get(pk=attachment.pk).text == "quartier"
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment)
    assert services.attachment_text_extract(attachment_pk=attachment.pk) is None


def test_the_text_is_not_searchable_on_a_draft(django_capture_on_commit_callbacks):
    document = record(status="brouillon")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(document, upload(pdf_bytes("gentrification")))
    assert found("gentrification") == []
    assert found("gentrification", staff=True) == [document.pk]


def test_deleting_an_attachment_removes_file_and_text(media, django_capture_on_commit_callbacks):
    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(document, upload(pdf_bytes("mixite sociale")))
    assert found("mixite") == [document.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(Attachment.objects.get(pk=attachment.pk))
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert found("mixite") == []


def test_deleting_the_record_removes_its_files(media, django_capture_on_commit_callbacks):
    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(document, upload(pdf_bytes("texte")))
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document)
    assert stored_files(media) == []


def test_the_same_file_twice_on_a_record_is_refused(media, django_capture_on_commit_callbacks):
    document = record()
    content = pdf_bytes("texte")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(document, upload(content))
    with pytest.raises(ValidationError) as error:
        services.attachment_add(document, upload(content))
    assert error.value.messages == ["Ce fichier est déjà joint à cette notice."]
    assert Attachment.objects.count() == 1
    assert len(stored_files(media)) == 1


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
NOT_PDF = "Seuls des fichiers PDF peuvent être joints : ce fichier n’est pas un document PDF."
POLYGLOT = (
    "Ce fichier contient autre chose que le document PDF (par exemple une page web) : il "
    "est refusé. Enregistrez à nouveau le document en PDF depuis son application."
)
UNREADABLE = "Ce fichier PDF ne peut pas être lu (il est endommagé ou n’est pas vraiment un PDF)."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "Le fichier est vide.", id="empty"),
        pytest.param(HTML, NOT_PDF, id="html renamed .pdf"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>'
            b"</svg>",
            NOT_PDF,
            id="svg",
        ),
        pytest.param(b"<html>" + b" " * 100 + pdf_bytes("texte"), NOT_PDF, id="html then %PDF-"),
        pytest.param(b"\n" + pdf_bytes("texte"), NOT_PDF, id="%PDF- not at offset 0"),
        pytest.param(pdf_bytes("texte") + HTML, POLYGLOT, id="html after %%EOF"),
        pytest.param(pdf_bytes("texte") + b"A" * 5000, POLYGLOT, id="large data after %%EOF"),
        pytest.param(
            pdf_bytes("texte").replace(b"%\xe2\xe3\xcf\xd3", b"%<svg>"),
            POLYGLOT,
            id="markup in the header",
        ),
        pytest.param(
            pdf_bytes("texte")[:300],
            "Ce fichier PDF est incomplet (sa fin manque) : téléversez-le à nouveau.",
            id="truncated",
        ),
        pytest.param(b"%PDF-1.4\ngarbage\n%%EOF\n", UNREADABLE, id="broken"),
        pytest.param(
            encrypted_pdf_bytes("secret"),
            "Ce fichier PDF est protégé par un mot de passe ou chiffré : enregistrez-en une "
            "copie non protégée et joignez-la.",
            id="encrypted",
        ),
        pytest.param(zero_page_pdf_bytes(), "Ce fichier PDF n’a aucune page.", id="no page"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(media, content, message):
    document = record()
    with pytest.raises(ValidationError) as error:
        services.attachment_add(document, upload(content))
    assert error.value.messages == [message]
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused(media, settings):
    settings.DOCUMENT_ATTACHMENT_MAX_BYTES = 1000
    document = record()
    content = pdf_bytes("x" * 2000)
    with pytest.raises(ValidationError) as error:
        services.attachment_add(document, io.BytesIO(content))
    assert error.value.messages == [
        "Ce fichier dépasse 0,0 Mo : compressez-le ou joignez une version plus légère."
    ]
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\marie\\Documents\\bilan.pdf", "bilan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("rapport\r\n2010\x00.pdf", "rapport2010.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
        ("é" * 300 + ".pdf", "é" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(name, expected):
    assert services.clean_file_name(name) == expected


def test_the_file_is_written_only_when_the_row_is_committed(
    media, django_capture_on_commit_callbacks
):
    document = record()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment = services.attachment_add(document, upload(pdf_bytes("texte")))
    assert stored_files(media) == []  # a rollback now would leave no file behind
    for callback in callbacks:
        callback()
    assert stored_files(media) == [media / attachment.file.name]


def test_check_attachment_files_reports_and_cleans(media, settings):
    import io as _io
    import os

    from django.core.management import CommandError, call_command

    document = record()
    with TestCase.captureOnCommitCallbacks(execute=True):
        kept = services.attachment_add(document, upload(pdf_bytes("un")))
    lost = services.attachment_add(document, upload(pdf_bytes("deux")))  # never committed
    stray = media / "documents" / "ab" / "stray.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4")
    os.utime(stray, (0, 0))
    out = _io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_attachment_files", "--delete-unreferenced", stdout=out)
    text = out.getvalue()
    assert f"Fichier manquant pour la pièce jointe n° {lost.pk}" in text
    assert "Fichier sans pièce jointe (Documents) : documents/ab/stray.pdf" in text
    assert not stray.exists() and (media / kept.file.name).exists()
