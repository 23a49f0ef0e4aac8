"""Test data for the catalogue. Records are written through `document_save`, as every
surface writes them, so that they are indexed."""

from villes2.documents.models import Document
from villes2.documents.services import document_save


def record(*, descriptors=None, territories=None, authors=None, user=None, **fields) -> Document:
    """A saved, indexed record; public unless told otherwise."""
    values = {
        "title": "Notice de test",
        "doc_type": "rapport",
        "year": 2010,
        "status": "publie",
        "access": "public",
        **fields,
    }
    return document_save(
        Document(**values),
        descriptors=descriptors,
        territories=territories,
        authors=authors,
        user=user,
    )
