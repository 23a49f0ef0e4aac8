"""The agenda in `/sitemap.xml` (villes2.api.sitemaps): published events, and cycles
with a published session."""

from django.contrib.sitemaps import Sitemap

from .models import Cycle, Event


class EventSitemap(Sitemap):
    i18n = False  # the French URLs, as the rest of the sitemap
    changefreq = "weekly"

    def items(self):
        return Event.objects.public().only("slug", "modified").order_by("pk")

    def lastmod(self, item: Event):
        return item.modified


class CycleSitemap(Sitemap):
    i18n = False
    changefreq = "monthly"

    def items(self):
        return Cycle.objects.public().only("slug").order_by("pk")
