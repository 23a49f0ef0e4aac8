"""Reads of the catalogue for pages and other apps."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from villes2.core.registry import LinkedItem, LinkedSection

from .models import Attachment, Document, DocumentAuthor

SEE_ALSO_LIMIT = 5


def document_for_page(user) -> QuerySet:
    """Records a user may open, with what the record page shows, in a fixed number of
    queries."""
    return Document.objects.visible_to(user).prefetch_related(
        Prefetch(
            "authors",
            queryset=DocumentAuthor.objects.select_related("person", "organisation"),
        ),
        "descriptors__scheme",
        "territories",
        Prefetch("attachments", queryset=Attachment.objects.defer("text")),
    )


def see_also(document: Document, *, user) -> list[Document]:
    """Other records sharing the most descriptors with this one, then the newest."""
    descriptor_ids = [concept.pk for concept in document.descriptors.all()]
    if not descriptor_ids:
        return []
    return list(
        Document.objects.visible_to(user)
        .exclude(pk=document.pk)
        .filter(descriptors__in=descriptor_ids)
        .annotate(shared=Count("descriptors", filter=Q(descriptors__in=descriptor_ids)))
        .order_by("-shared", "-year", "title")
        .only("pk", "title", "subtitle", "year", "doc_type")[:SEE_ALSO_LIMIT]
    )


def linked_documents_section(territory) -> LinkedSection | None:
    """Public records about a territory or a territory inside it, newest first."""
    from django.utils.translation import gettext_lazy as _

    records = (
        Document.objects.public()
        .filter(Q(territories=territory) | Q(territories__ancestors=territory))
        .distinct()
        .order_by("-year", "title")
    )
    items = list(records.only("pk", "title", "year", "doc_type")[:5])
    if not items:
        return None
    total = records.count() if len(items) == 5 else len(items)
    return LinkedSection(
        key="documents",
        title=_("Documents"),
        items=[
            LinkedItem(
                title=record.title,
                url=record.get_absolute_url(),
                detail=f"{record.get_doc_type_display()}, {record.year}",
            )
            for record in items
        ],
        total=total,
        more_url=reverse("documents:list") + f"?territoire={territory.kind}-{territory.code}",
    )
