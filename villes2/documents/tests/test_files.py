"""Serving attachments: only when the record is visible to the reader, as a download
that no browser runs as a page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.documents import services

from .factories import record
from .pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

CONTENT = pdf_bytes("Politique de la ville")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def attached(**fields):
    from django.test import TestCase

    document = record(**fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        attachment = services.attachment_add(
            document, SimpleUploadedFile("Bilan « 2010 » été.pdf", CONTENT)
        )
    return attachment, reverse("documents:attachment", args=[document.pk, attachment.pk])


def test_public_file_is_a_sandboxed_download(client):
    _attachment, url = attached()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Bilan%20%C2%AB%202010%20%C2%BB%20%C3%A9t%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; frame-ancestors 'none'"
    )
    assert response["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "fields",
    [{"status": "brouillon"}, {"access": "equipe"}, {"status": "brouillon", "access": "equipe"}],
)
def test_private_files_are_hidden_from_anonymous_and_served_privately_to_staff(client, fields):
    _attachment, url = attached(**fields)
    assert client.get(url).status_code == 404
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_of_another_record_is_not_found(client):
    attachment, _url = attached()
    other = record(title="Autre")
    url = reverse("documents:attachment", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_a_missing_file_is_not_found(client):
    attachment, url = attached()
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(url).status_code == 404


def test_only_reads_are_allowed(client):
    _attachment, url = attached()
    assert client.post(url).status_code == 405
