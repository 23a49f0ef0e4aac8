"""Experience records in `/sitemap.xml` (villes2.api.sitemaps): published records only."""

from django.contrib.sitemaps import Sitemap

from .models import Practice


class PracticeSitemap(Sitemap):
    i18n = False  # the French URLs, as the rest of the sitemap
    changefreq = "monthly"

    def items(self):
        return Practice.objects.public().only("pk", "modified").order_by("pk")

    def lastmod(self, item: Practice):
        return item.modified
