"""Attached files, served by the application (never as static files) so that the files
of drafts and staff-only records stay private (RELIABILITY.md, "uploads")."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from ..models import Attachment, Document

# A PDF opened from here is a download: no script may run in it, even if a browser
# rendered it as something else, and it may not be framed.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
PUBLIC_MAX_AGE = 3600


@require_safe
def attachment(request, pk: int, attachment_pk: int):
    """The PDF as a download, 404 unless its record is visible to the reader."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, document=document)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):  # a row whose file is gone
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    if document.is_public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
