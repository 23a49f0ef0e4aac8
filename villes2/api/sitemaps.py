"""`/sitemap.xml`: the public pages search engines should know, in French (the default
language, at the root). Bounded: territories are the centre's own areas down to EPCI and
priority neighbourhoods (communes are reached from them); persons are left out (their
pages depend on consent, see ARCHITECTURE.md §2)."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from villes2.actors.models import Organisation
from villes2.documents.models import Document
from villes2.events.sitemaps import CycleSitemap, EventSitemap
from villes2.inquiries.sitemaps import FaqSitemap
from villes2.practices.sitemaps import PracticeSitemap
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory, TerritoryKind


class FrenchSitemap(Sitemap):
    i18n = False


class StaticPagesSitemap(FrenchSitemap):
    changefreq = "monthly"

    def items(self) -> list[str]:
        return [
            "core:home",
            "core:centre",
            "core:legal_notice",
            "core:accessibility",
            "core:personal_data",
            "about:board",
            "about:partners",
            "documents:list",
            "events:list",
            "practices:list",
            "territories:index",
            "actors:index",
            "taxonomy:index",
            "inquiries:index",
            "inquiries:faq",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class DocumentSitemap(FrenchSitemap):
    changefreq = "monthly"

    def items(self):
        return Document.objects.public().only("pk", "modified").order_by("pk")

    def lastmod(self, item: Document):
        return item.modified


class OrganisationSitemap(FrenchSitemap):
    changefreq = "monthly"

    def items(self):
        return Organisation.objects.only("slug").order_by("pk")


SITEMAP_TERRITORY_KINDS = (
    TerritoryKind.FORMER_REGION,
    TerritoryKind.REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.EPCI,
    TerritoryKind.ZUS,
    TerritoryKind.QPV,
)


class TerritorySitemap(FrenchSitemap):
    changefreq = "yearly"

    def items(self):
        codes = settings.VILLES2_FORMER_REGIONS
        centre = Q(kind=TerritoryKind.FORMER_REGION, code__in=codes)
        inside = Q(
            ancestors__kind=TerritoryKind.FORMER_REGION,
            ancestors__code__in=codes,
            kind__in=SITEMAP_TERRITORY_KINDS,
        )
        ids = Territory.objects.filter(centre | inside).values("pk")
        return Territory.objects.filter(pk__in=ids).only("kind", "code").order_by("kind", "code")


class ConceptSitemap(FrenchSitemap):
    changefreq = "yearly"

    def items(self):
        return (
            Concept.objects.filter(deprecated=False)
            .select_related("scheme")
            .only("slug", "modified", "scheme__slug")
            .order_by("pk")
        )

    def lastmod(self, item: Concept):
        return item.modified


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "documents": DocumentSitemap,
    "organisations": OrganisationSitemap,
    "territories": TerritorySitemap,
    "thesaurus": ConceptSitemap,
    "events": EventSitemap,
    "cycles": CycleSitemap,
    "experiences": PracticeSitemap,
    "faq": FaqSitemap,
}


@require_safe
def sitemap(request):
    # French whatever the browser asks: the URLs listed are those of the French site.
    with translation.override(settings.LANGUAGE_CODE):
        response = sitemap_view(request, sitemaps=SITEMAPS)
        response.render()
    return response
