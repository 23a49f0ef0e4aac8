"""Files attached to experience records, served by the application (never as static
files): the public gets those of published records only, the staff those of every
record (RELIABILITY.md, "uploads")."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from villes2.core.uploads import pdf_download

from ..models import Practice, PracticeAttachment


@require_safe
def practice_attachment(request, pk: int, attachment_pk: int):
    """The PDF as a download, 404 unless its record is visible to the reader."""
    practice = get_object_or_404(Practice.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(PracticeAttachment, pk=attachment_pk, practice=practice)
    return pdf_download(
        attachment.file, filename=attachment.original_name, public=practice.is_public
    )
