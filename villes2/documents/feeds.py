"""RSS 2.0 and Atom feeds of new public records, overall and per theme, ordered by the
date a record first became public (`first_published_at`), so that an edit does not push
an old record back to the top. Drafts and staff-only records never appear."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept

from .models import Document, DocumentAuthor

FEED_SIZE = 30


def new_documents(theme: Concept | None = None) -> QuerySet[Document]:
    """The newest public records (of one theme), with what a feed item shows."""
    documents = Document.objects.public().filter(first_published_at__isnull=False)
    if theme is not None:
        concept_ids = [
            concept_id
            for concept_id, slugs in taxonomy_selectors.theme_slugs_by_concept().items()
            if theme.slug in slugs
        ]
        described = Document.descriptors.through.objects.filter(concept_id__in=concept_ids)
        documents = documents.filter(pk__in=described.values("document_id"))
    return documents.order_by("-first_published_at", "-pk").prefetch_related(
        "descriptors",
        Prefetch(
            "authors", queryset=DocumentAuthor.objects.select_related("person", "organisation")
        ),
    )[:FEED_SIZE]


class NewDocumentsRss(Feed):
    """`/flux/documents.rss`, or `/flux/documents/<theme>.rss` with a theme slug."""

    def __call__(self, request, *args, **kwargs):
        # French whatever the browser asks: the feed's links are those of the French site.
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    def get_object(self, request, theme: str | None = None) -> Concept | None:
        if theme is None:
            return None
        concept = Concept.objects.filter(
            scheme__is_theme_scheme=True, broader__isnull=True, slug=theme
        ).first()
        if concept is None:
            raise Http404
        return concept

    def title(self, obj: Concept | None) -> str:
        if obj is None:
            return _("Villes²: new documents")
        return _("Villes²: new documents on %(theme)s") % {"theme": obj.label}

    def link(self, obj: Concept | None) -> str:
        return reverse("documents:list")

    def description(self, obj: Concept | None) -> str:
        return _("The latest records of the documentation centre on urban policy.")

    def items(self, obj: Concept | None) -> QuerySet[Document]:
        return new_documents(obj)

    def item_title(self, item: Document) -> str:
        return item.full_title

    def item_description(self, item: Document) -> str:
        return item.abstract

    def item_pubdate(self, item: Document):
        return item.first_published_at

    def item_updateddate(self, item: Document):
        return item.modified

    def item_author_name(self, item: Document) -> str:
        return "; ".join(author.display_name for author in item.authors.all())

    def item_categories(self, item: Document) -> list[str]:
        return [concept.pref_label_fr for concept in item.descriptors.all()]


class NewDocumentsAtom(NewDocumentsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Concept | None) -> str:
        return self.description(obj)
