"""Attaching PDF files to records, and extracting their text for the search.

A file is accepted only if it is a PDF from its first byte (`%PDF-`), parses with pypdf,
is not encrypted, has pages, and carries nothing after its end marker but a little
padding: HTML or SVG renamed .pdf and PDF/HTML polyglots are refused (RELIABILITY.md,
"uploads"). The text is extracted after the commit by a background task
(`documents.tasks.extract_attachment_text`), then the record is re-indexed with it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from ..models import ATTACHMENT_DIR, Attachment, Document, ExtractionStatus, attachment_path
from .records import document_relations_changed

logger = logging.getLogger(__name__)
security_log = logging.getLogger("villes2.security")

PDF_MAGIC = b"%PDF-"
EOF_MARKER = b"%%EOF"
# What may follow the last %%EOF: the end of line, and the padding some writers add.
MAX_TRAILING_BYTES = 1024
# Markup that makes a file readable as HTML, SVG or XML by a browser that sniffs it.
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|\?xml|a\s|img\s)", re.I)
# The extracted text kept for the search: about 1 000 pages of dense text.
MAX_TEXT_CHARS = 2_000_000
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class CheckedPdf:
    """A file that passed every check of `attachment_check`."""

    content: bytes
    sha256: str
    page_count: int


def attachment_max_bytes() -> int:
    return int(settings.DOCUMENT_ATTACHMENT_MAX_BYTES)


def _megabytes(size: int) -> str:
    return _("%(number)s MB") % {"number": formats.number_format(size / 1024 / 1024, 1)}


def attachment_check(uploaded_file) -> CheckedPdf:
    """Read an uploaded file and check it is a plain PDF; ValidationError (French) if not.

    Reads at most one byte over the size cap, so a huge file costs no more than that."""
    limit = attachment_max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if not content.startswith(PDF_MAGIC):
        raise ValidationError(
            _("Only PDF files can be attached: this file is not a PDF document."),
            code="not_pdf",
        )
    _check_ends_as_pdf(content)
    page_count = _parse(content)
    return CheckedPdf(
        content=content, sha256=hashlib.sha256(content).hexdigest(), page_count=page_count
    )


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("This file is larger than %(size)s: compress it or attach a lighter version.")
        % {"size": _megabytes(limit)},
        code="too_large",
    )


def _check_ends_as_pdf(content: bytes) -> None:
    """A PDF ends with %%EOF (possibly several, one per incremental update). Missing: the
    file was cut. Followed by more than padding, or by markup anywhere near its start or
    after its end: a file that is also something else (a polyglot)."""
    end = content.rfind(EOF_MARKER)
    if end == -1:
        raise ValidationError(
            _("This PDF file is incomplete (its end is missing): upload it again."),
            code="truncated",
        )
    trailing = content[end + len(EOF_MARKER) :]
    if (
        len(trailing.strip(b"\r\n\t \x00")) > MAX_TRAILING_BYTES
        or MARKUP.search(trailing)
        or MARKUP.search(content[:1024])
    ):
        raise ValidationError(
            _(
                "This file holds other content than the PDF document (for instance a web "
                "page): it is refused. Save the document again as PDF from its application."
            ),
            code="polyglot",
        )


def _parse(content: bytes) -> int:
    """The number of pages, once pypdf has read the document and every page."""
    from pypdf import PdfReader

    unreadable = ValidationError(
        _("This PDF file cannot be read (it is damaged or not really a PDF)."),
        code="unreadable",
    )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "This PDF file is protected by a password or encrypted: save an "
                    "unprotected copy and attach it."
                ),
                code="encrypted",
            )
        pages = reader.pages
        page_count = len(pages)
        for page in pages:  # every page object must resolve
            page.mediabox  # noqa: B018 (reading the attribute parses the page)
    except ValidationError:
        raise
    except Exception:  # untrusted input: pypdf raises many kinds (PdfReadError, KeyError…)
        raise unreadable from None
    if page_count == 0:
        raise ValidationError(_("This PDF file has no page."), code="no_pages")
    return page_count


def clean_file_name(name: str) -> str:
    """The uploader's file name as shown to readers: its last part only (no folders),
    without control characters, at most 255 characters, never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    name = name.strip(". ") or "document.pdf"
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        extension = extension[:10]
        name = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return name


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
    transaction.on_commit(lambda: _write_file(storage, name, content))
    transaction.on_commit(lambda: _enqueue_extraction(attachment_pk))
    return attachment


def _write_file(storage, name: str, content: bytes) -> None:
    stored = storage.save(name, ContentFile(content))
    if stored != name:  # a random name already taken: never expected
        logger.error("attachment file stored as %s instead of %s", stored, name)


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


@dataclass
class FilesReport:
    """What `attachment_files_check` found: rows whose file is missing, files no row
    refers to, and how many of those were deleted."""

    missing: list[tuple[int, str]] = field(default_factory=list)  # (attachment pk, path)
    unreferenced: list[str] = field(default_factory=list)
    deleted: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unreferenced


def attachment_files_check(*, delete_unreferenced: bool = False, older_than: int = 3600):
    """Compare the attachment rows with the files under MEDIA_ROOT/documents/
    (RELIABILITY.md, invariant 7). Unreferenced files older than `older_than` seconds
    (not an upload being committed) are deleted when asked; missing files are reported
    only: the record needs its PDF uploaded again."""
    from django.core.files.storage import default_storage

    report = FilesReport()
    referenced = dict(Attachment.objects.values_list("file", "pk"))
    for name, pk in sorted(referenced.items(), key=lambda item: item[1]):
        if not default_storage.exists(name):
            report.missing.append((pk, name))
    root = Path(settings.MEDIA_ROOT) / ATTACHMENT_DIR
    now = time.time()
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if not path.is_file():
            continue
        name = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if name in referenced:
            continue
        report.unreferenced.append(name)
        if delete_unreferenced and now - path.stat().st_mtime > older_than:
            path.unlink()
            report.deleted += 1
    return report
