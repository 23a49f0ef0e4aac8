"""Background work of the catalogue (django-tasks): enqueued after the commit that makes
it necessary, idempotent so that a retry does no harm."""

from django_tasks import task


@task()
def extract_attachment_text(attachment_pk: int) -> str | None:
    """Extract an attachment's text and re-index its record with it."""
    from .services import attachment_text_extract

    return attachment_text_extract(attachment_pk=attachment_pk)
