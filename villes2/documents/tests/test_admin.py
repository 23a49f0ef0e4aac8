"""The documentalist's back office: entry with authors and attachments, the duplicate
warning, deletions through the services, the roles, the changelist's query budget."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.documents.models import Attachment, Document, DocumentAuthor, Tombstone
from villes2.taxonomy.tests.factories import ConceptFactory

from .factories import record
from .pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:documents_document_add")
CHANGELIST_URL = reverse("admin:documents_document_changelist")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def documentalist_client(client):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    return client


def found(text: str) -> list[int]:
    results = run_search(SearchRequest(q=text, kinds=("documents",), staff=True))
    return [hit.object.pk for hit in results.hits]


def form_data(document: Document | None = None, **fields) -> dict:
    data = {
        "title": "Les quartiers prioritaires en Touraine",
        "subtitle": "",
        "doc_type": "etude",
        "year": "2016",
        "published_on": "",
        "publisher": "",
        "language": "fr",
        "abstract": "",
        "abstract_en": "",
        "url": "",
        "isbn": "",
        "pages": "",
        "licence": "",
        "access": "public",
        "status": "publie",
        "call_number": "",
        "notes": "",
        "seen_version": str(document.version) if document else "",
        "authors-TOTAL_FORMS": "0",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "1000",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_the_add_form_shows_every_part(documentalist_client):
    response = documentalist_client.get(ADD_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("descriptors", "territories", "authors-0-person", "authors-0-organisation"):
        assert f'name="{name}"' in content
    assert 'data-ajax--url="/gestion/autocomplete/"' in content
    assert 'name="attachments-0-file"' in content
    assert 'accept=".pdf,application/pdf"' in content


def test_a_record_is_entered_with_authors_descriptors_and_a_pdf(
    documentalist_client, django_capture_on_commit_callbacks
):
    concept = ConceptFactory(pref_label_fr="Gestion urbaine de proximité")
    organisation = OrganisationFactory(name="Agence d'urbanisme de test")
    data = form_data(
        descriptors=[str(concept.pk)],
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-order": "0",
            "authors-0-name": "Martin, Claire",
            "authors-0-role": "auteur",
            "authors-1-order": "1",
            "authors-1-organisation": str(organisation.pk),
            "authors-1-role": "direction",
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "Texte intégral",
            "attachments-0-file": SimpleUploadedFile(
                "etude.pdf", pdf_bytes("Diagnostic en marchant")
            ),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = documentalist_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    document = Document.objects.get()
    assert document.created_by.username == "doc"
    assert document.first_published_at is not None
    assert list(document.descriptors.all()) == [concept]
    assert [(a.display_name, a.role) for a in document.authors.all()] == [
        ("Martin, Claire", "auteur"),
        ("Agence d'urbanisme de test", "direction"),
    ]
    attachment = Attachment.objects.get()
    assert (attachment.title, attachment.extraction) == ("Texte intégral", "fait")
    # Indexed with its descriptors (saved after the record) and the PDF's text.
    assert found("proximité") == [document.pk]
    assert found("marchant") == [document.pk]


def test_a_refused_pdf_shows_the_reason_and_saves_nothing(documentalist_client, media):
    data = form_data(
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "",
            "attachments-0-file": SimpleUploadedFile("page.pdf", b"<html><script>x</script>"),
        }
    )
    response = documentalist_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert (
        "Seuls des fichiers PDF peuvent être joints : ce fichier n’est pas un document PDF."
        in response.content.decode()
    )
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_author_must_be_one_of_person_organisation_or_name(documentalist_client):
    organisation = OrganisationFactory()
    data = form_data(
        **{
            "authors-TOTAL_FORMS": "1",
            "authors-0-order": "0",
            "authors-0-name": "Dupont, Marie",
            "authors-0-organisation": str(organisation.pk),
            "authors-0-role": "auteur",
        }
    )
    response = documentalist_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "l’un des trois, pas plusieurs" in response.content.decode()
    assert not DocumentAuthor.objects.exists()


def test_a_likely_duplicate_needs_confirmation(documentalist_client):
    existing = record(title="Les Quartiers prioritaires, en Touraine !", year=2016)
    response = documentalist_client.post(ADD_URL, form_data())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce document est peut-être déjà au catalogue" in content
    assert reverse("admin:documents_document_change", args=[existing.pk]) in content
    assert 'type="checkbox" name="not_a_duplicate"' in content
    assert Document.objects.count() == 1

    response = documentalist_client.post(ADD_URL, form_data(not_a_duplicate="on"))
    assert response.status_code == 302
    assert Document.objects.count() == 2


def test_another_year_is_not_a_duplicate(documentalist_client):
    record(title="Les quartiers prioritaires en Touraine", year=2015)
    assert documentalist_client.post(ADD_URL, form_data()).status_code == 302


def test_a_change_is_reindexed_and_unpublishing_leaves_a_tombstone(documentalist_client):
    document = record(title="Ancien titre", year=2016)
    url = reverse("admin:documents_document_change", args=[document.pk])
    data = form_data(document, title="Titre renouvelé", status="brouillon")
    response = documentalist_client.post(url, data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.version) == ("Titre renouvelé", 2)
    assert found("renouvelé") == [document.pk]
    assert found("ancien") == []
    assert Tombstone.objects.filter(document_id=document.pk).exists()


def test_a_stale_form_is_refused(documentalist_client):
    document = record(title="Ancien titre")
    stale = form_data(document, title="Nouveau")
    document.version = 5
    document.save(update_fields=["version"])
    url = reverse("admin:documents_document_change", args=[document.pk])
    response = documentalist_client.post(url, stale)
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.title == "Ancien titre"


def test_an_attachment_removed_in_the_form_is_deleted_with_its_file(
    documentalist_client, media, django_capture_on_commit_callbacks
):
    from villes2.documents import services

    document = record()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(
            document, SimpleUploadedFile("a.pdf", pdf_bytes("amenagement"))
        )
    document.refresh_from_db()
    url = reverse("admin:documents_document_change", args=[document.pk])
    data = form_data(
        document,
        title=document.title,
        year=str(document.year),
        doc_type=document.doc_type,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": str(attachment.pk),
            "attachments-0-document": str(document.pk),
            "attachments-0-title": "",
            "attachments-0-DELETE": "on",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = documentalist_client.post(url, data)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
    assert found("amenagement") == []


def test_deleting_goes_through_the_service(documentalist_client):
    document = record(title="Notice publiée")
    url = reverse("admin:documents_document_delete", args=[document.pk])
    response = documentalist_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert Tombstone.objects.filter(document_id=document.pk).exists()
    assert found("publiée") == []


def test_bulk_deletion_goes_through_the_service(documentalist_client):
    documents = [record(title=f"Notice groupée {n}") for n in range(3)]
    response = documentalist_client.post(
        CHANGELIST_URL,
        {
            "action": "delete_selected",
            "_selected_action": [str(d.pk) for d in documents],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert Tombstone.objects.count() == 3
    assert found("groupée") == []


@pytest.mark.parametrize(
    ("role", "can_view", "can_add", "can_delete"),
    [
        (roles.DIRECTION, True, True, True),
        (roles.DOCUMENTALIST, True, True, True),
        (roles.PROJECT_OFFICER, True, True, False),
        (roles.ASSISTANT, True, False, False),
        (roles.PARTNER, False, False, False),
    ],
)
def test_roles(client, role, can_view, can_add, can_delete):
    document = record()
    client.force_login(staff_user("someone", role=role))
    change_url = reverse("admin:documents_document_change", args=[document.pk])
    delete_url = reverse("admin:documents_document_delete", args=[document.pk])
    import_url = reverse("admin:documents_document_import")
    assert client.get(CHANGELIST_URL).status_code == (200 if can_view else 403)
    assert client.get(change_url).status_code == (200 if can_view else 403)
    assert client.get(ADD_URL).status_code == (200 if can_add else 403)
    assert client.get(import_url).status_code == (200 if can_add else 403)
    assert client.post(delete_url, {"post": "yes"}).status_code == (302 if can_delete else 403)
    assert Document.objects.filter(pk=document.pk).exists() is not can_delete


def test_changelist_query_count_does_not_grow_with_rows(documentalist_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = documentalist_client.get(CHANGELIST_URL)
        assert response.status_code == 200
        return len(queries)

    for n in range(3):
        record(title=f"Notice {n}")
    few = count()
    for n in range(3, 20):
        record(title=f"Notice {n}", year=2000 + n)
    assert count() == few


def test_changelist_query_budget(documentalist_client, django_assert_num_queries):
    for n in range(10):
        record(title=f"Notice {n}")
    documentalist_client.get(CHANGELIST_URL)  # session and permission caches warm
    # Session, user, permissions (user, groups), the page of records, the year and
    # extraction filters' choices, the count for the pagination.
    with django_assert_num_queries(8):
        response = documentalist_client.get(CHANGELIST_URL)
    assert response.status_code == 200
