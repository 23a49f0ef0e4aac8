"""Attached files, served by the application (never as static files) so that the files
of drafts and staff-only records stay private (RELIABILITY.md, "uploads")."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from villes2.core.uploads import pdf_download

from ..models import Attachment, Document


@require_safe
def attachment(request, pk: int, attachment_pk: int):
    """The PDF as a download, 404 unless its record is visible to the reader."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, document=document)
    return pdf_download(
        attachment.file, filename=attachment.original_name, public=document.is_public
    )
