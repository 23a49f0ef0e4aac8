"""RSS 2.0 and Atom feeds of newly published experience records, newest first by the
date a record was first published (`first_published_at`), so that an edit or a new
review does not push an old record back to the top. Only published records appear: a
withdrawn record leaves the feed (docs/interoperability.md, "Feeds")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import ActorRole, Practice, PracticeActor

FEED_SIZE = 30


def new_practices() -> QuerySet[Practice]:
    """The newest published records, with what a feed item shows (three queries)."""
    return (
        Practice.objects.public()
        .filter(first_published_at__isnull=False)
        .order_by("-first_published_at", "-pk")
        .prefetch_related(
            "themes",
            Prefetch(
                "actors",
                queryset=PracticeActor.objects.filter(role=ActorRole.LEAD).select_related(
                    "organisation"
                ),
                to_attr="lead_actors",
            ),
        )[:FEED_SIZE]
    )


class NewPracticesRss(Feed):
    """`/flux/experiences.rss`."""

    def __call__(self, request, *args, **kwargs):
        # French whatever the browser asks: the feed's links are those of the French site.
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return _("Villes²: new experience records")

    def link(self) -> str:
        return reverse("practices:list")

    def description(self) -> str:
        return _(
            "The latest experience records published by the resource centre: practices "
            "spotted by the networks, with the conditions of their transfer."
        )

    def items(self) -> QuerySet[Practice]:
        return new_practices()

    def item_title(self, item: Practice) -> str:
        return item.title

    def item_description(self, item: Practice) -> str:
        return item.summary

    def item_pubdate(self, item: Practice):
        return item.first_published_at

    def item_updateddate(self, item: Practice):
        return item.modified

    def item_author_name(self, item: Practice) -> str:
        # The lead organisations: public, unlike the lead contact (a person).
        return "; ".join(actor.organisation.name for actor in item.lead_actors)

    def item_categories(self, item: Practice) -> list[str]:
        return [concept.pref_label_fr for concept in item.themes.all()]


class NewPracticesAtom(NewPracticesRss):
    """`/flux/experiences.atom`."""

    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
