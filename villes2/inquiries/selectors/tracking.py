"""The requester's private tracking link: a signed, dated token naming the request and
the secret key stored with it. A forged, altered or expired token, or one of a purged
request, finds nothing (the view answers 404)."""

import datetime

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.urls import reverse

from villes2.actors.models import Organisation
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.practices.models import Practice

from ..models import Inquiry

TRACKING_SALT = "villes2.inquiries.tracking"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TRACKING_SALT)


def inquiry_tracking_token(inquiry: Inquiry) -> str:
    return _signer().sign_object({"i": inquiry.pk, "k": inquiry.tracking_key})


def inquiry_tracking_url(inquiry: Inquiry) -> str:
    return reverse("inquiries:track", args=[inquiry_tracking_token(inquiry)])


def inquiry_from_tracking_token(token: str) -> Inquiry | None:
    """The request of a tracking token, or None. Links expire
    `INQUIRIES_TRACKING_DAYS` after they were issued (each mail issues a new one). The
    linked resources the requester may see come as `public_documents`,
    `public_practices`, `public_organisations` and `public_events`: a document withdrawn
    or an event unpublished since the answer is not shown."""
    try:
        payload = _signer().unsign_object(
            token, max_age=datetime.timedelta(days=settings.INQUIRIES_TRACKING_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    pk, key = payload.get("i"), payload.get("k")
    if not isinstance(pk, int) or not isinstance(key, str) or not key:
        return None
    return (
        Inquiry.objects.filter(pk=pk, tracking_key=key, purged_at__isnull=True)
        .select_related("territory")
        .prefetch_related(
            Prefetch("documents", Document.objects.public(), to_attr="public_documents"),
            Prefetch("practices", Practice.objects.public(), to_attr="public_practices"),
            Prefetch("organisations", Organisation.objects.all(), to_attr="public_organisations"),
            Prefetch("events", Event.objects.public(), to_attr="public_events"),
        )
        .first()
    )
