"""Published FAQ entries in `/sitemap.xml` (villes2.api.sitemaps, which lists the desk's
page and the FAQ list with the static pages). A draft is never listed."""

from django.contrib.sitemaps import Sitemap

from .models import FaqEntry


class FaqSitemap(Sitemap):
    i18n = False  # the French URLs, as the rest of the sitemap
    changefreq = "monthly"

    def items(self):
        return FaqEntry.objects.public().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item: FaqEntry):
        return item.updated_at
