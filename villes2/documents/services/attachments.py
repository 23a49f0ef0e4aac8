"""Attaching PDF files to records, and extracting their text for the search.

A file is accepted only if it passes the shared PDF check (`core.uploads.pdf_check`:
a PDF from its first byte, parsed by pypdf, not encrypted, with pages, nothing after its
end marker but padding; RELIABILITY.md, "uploads"). The text is extracted after the
commit by a background task (`documents.tasks.extract_attachment_text`), then the record
is re-indexed with it.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villes2.core.uploads import (
    CheckedPdf,
    clean_file_name,
    files_check,
    pdf_check,
    size_label,
    store_file,
)

from ..models import ATTACHMENT_DIR, Attachment, Document, ExtractionStatus, attachment_path
from .records import document_relations_changed

logger = logging.getLogger(__name__)
security_log = logging.getLogger("villes2.security")

# The extracted text kept for the search: about 1 000 pages of dense text.
MAX_TEXT_CHARS = 2_000_000


def attachment_max_bytes() -> int:
    return int(settings.DOCUMENT_ATTACHMENT_MAX_BYTES)


# The label of a size, for the admin's help text.
_megabytes = size_label


def attachment_check(uploaded_file) -> CheckedPdf:
    """Check an uploaded file is a plain PDF under the catalogue's size cap;
    ValidationError (French) if not."""
    return pdf_check(uploaded_file, limit=attachment_max_bytes())


@transaction.atomic
def attachment_add(document: Document, uploaded_file, *, title: str = "", user=None) -> Attachment:
    """Check a PDF and attach it to a record; its text is extracted after the commit.

    Raises ValidationError, with a French message, and stores nothing when the file is
    refused."""
    try:
        checked = attachment_check(uploaded_file)
    except ValidationError as error:
        security_log.info(
            "attachment refused user=%s document=%s code=%s",
            getattr(user, "pk", None),
            document.pk,
            getattr(error, "code", ""),
        )
        raise
    if document.attachments.filter(sha256=checked.sha256).exists():
        raise ValidationError(
            _("This file is already attached to this record."), code="already_attached"
        )
    attachment = Attachment(
        document=document,
        original_name=clean_file_name(getattr(uploaded_file, "name", "")),
        title=title.strip()[:255],
        size=len(checked.content),
        sha256=checked.sha256,
        page_count=checked.page_count,
        extraction=ExtractionStatus.PENDING,
    )
    # A random path (models.attachment_path), never the uploaded name. The file itself is
    # written once the row is committed (RELIABILITY.md, invariant 7): a rolled-back
    # transaction leaves neither row nor file; `manage.py check_attachment_files` reports
    # a row whose file could not be written.
    attachment.file.name = attachment_path(attachment, "")
    attachment.full_clean()
    attachment.save()
    document_relations_changed(document)
    attachment_pk, name, content = attachment.pk, attachment.file.name, checked.content
    storage = attachment.file.storage
    transaction.on_commit(lambda: store_file(storage, name, content))
    transaction.on_commit(lambda: _enqueue_extraction(attachment_pk))
    return attachment


def _enqueue_extraction(attachment_pk: int) -> None:
    from ..tasks import extract_attachment_text

    extract_attachment_text.enqueue(attachment_pk)


@transaction.atomic
def attachment_delete(attachment: Attachment) -> None:
    """Remove an attachment; the record is re-indexed without its text, and the file is
    deleted once the deletion is committed."""
    document = attachment.document
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    document_relations_changed(document)
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def attachment_text_extract(*, attachment_pk: int) -> str | None:
    """Extract the text of an attached PDF, store it and re-index the record. Returns the
    extraction status, or None when the attachment no longer exists. Idempotent: running
    it twice stores the same text."""
    attachment = Attachment.objects.filter(pk=attachment_pk).first()
    if attachment is None:
        return None
    try:
        text = _extract_text(attachment)
    except Exception:  # untrusted input: a damaged page must not leave it pending forever
        logger.exception("text extraction failed attachment=%s", attachment_pk)
        text, status = "", ExtractionStatus.FAILED
    else:
        status = ExtractionStatus.DONE if text.strip() else ExtractionStatus.EMPTY
    with transaction.atomic():
        updated = Attachment.objects.filter(pk=attachment_pk).update(
            text=text if status == ExtractionStatus.DONE else "", extraction=status
        )
        if not updated:  # deleted meanwhile
            return None
        document = Document.objects.get(pk=attachment.document_id)
        document_relations_changed(document)
    return status


def _extract_text(attachment: Attachment) -> str:
    from pypdf import PdfReader

    parts: list[str] = []
    length = 0
    with attachment.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()), strict=False)
        for page in reader.pages:
            page_text = _storable(page.extract_text() or "")
            parts.append(page_text)
            length += len(page_text) + 1
            if length >= MAX_TEXT_CHARS:
                break
    return "\n".join(parts)[:MAX_TEXT_CHARS]


def _storable(text: str) -> str:
    """Text both databases store: PostgreSQL refuses NUL, and no database takes the lone
    surrogates a broken font map can give."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def attachment_files_check(*, delete_unreferenced: bool = False, older_than: int = 3600):
    """Compare the attachment rows with the files under MEDIA_ROOT/documents/."""
    return files_check(
        Attachment,
        ATTACHMENT_DIR,
        delete_unreferenced=delete_unreferenced,
        older_than=older_than,
    )
