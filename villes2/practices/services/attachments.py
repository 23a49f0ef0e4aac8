"""PDF files attached to experience records (a leaflet, an evaluation report).

The same checks as the catalogue's files (`core.uploads.pdf_check`: a real, readable,
unencrypted PDF and nothing else, under the catalogue's size cap), stored under a random
name once the row is committed, deleted once the deletion is committed (RELIABILITY.md,
"uploads" and invariant 7). Their text is not indexed: a record is found by its own
texts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villes2.core.uploads import CheckedPdf, clean_file_name, pdf_check, size_label, store_file

from ..models import Practice, PracticeAttachment, attachment_path
from .records import practice_relations_changed

security_log = logging.getLogger("villes2.security")


def practice_attachment_max_bytes() -> int:
    # The catalogue's cap: the same kind of files, checked the same way.
    return int(settings.DOCUMENT_ATTACHMENT_MAX_BYTES)


def practice_attachment_size_label() -> str:
    """The cap as the forms say it ("30,0 Mo")."""
    return size_label(practice_attachment_max_bytes())


def practice_attachment_check(uploaded_file, *, practice: Practice | None = None) -> CheckedPdf:
    """Check an uploaded file is a plain PDF under the cap, and not already attached to
    `practice`; ValidationError (French) if not."""
    checked = pdf_check(uploaded_file, limit=practice_attachment_max_bytes())
    if (
        practice is not None
        and practice.pk is not None
        and PracticeAttachment.objects.filter(practice=practice, sha256=checked.sha256).exists()
    ):
        raise ValidationError(
            _("This file is already attached to this experience record."), code="already_attached"
        )
    return checked


@transaction.atomic
def practice_attachment_add(
    practice: Practice, uploaded_file, *, title: str = "", user=None
) -> PracticeAttachment:
    """Check a PDF and attach it to a record. Raises ValidationError, with a French
    message, and stores nothing when the file is refused."""
    try:
        checked = practice_attachment_check(uploaded_file, practice=practice)
    except ValidationError as error:
        security_log.info(
            "attachment refused user=%s practice=%s code=%s",
            getattr(user, "pk", None),
            practice.pk,
            getattr(error, "code", ""),
        )
        raise
    attachment = PracticeAttachment(
        practice=practice,
        original_name=clean_file_name(getattr(uploaded_file, "name", "")),
        title=title.strip()[:255],
        size=len(checked.content),
        sha256=checked.sha256,
    )
    # A random path, never the uploaded name; the file is written after the commit.
    attachment.file.name = attachment_path(attachment, "")
    attachment.full_clean()
    attachment.save()
    practice_relations_changed(practice)
    name, content, storage = attachment.file.name, checked.content, attachment.file.storage
    transaction.on_commit(lambda: store_file(storage, name, content))
    return attachment


@transaction.atomic
def practice_attachment_delete(attachment: PracticeAttachment) -> None:
    """Remove an attachment; its file is deleted once the deletion is committed."""
    practice = attachment.practice
    stored, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    practice_relations_changed(practice)
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
