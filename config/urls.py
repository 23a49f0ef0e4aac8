from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from villes2.actors import urls as actors_urls
from villes2.api import sitemaps
from villes2.core import views as core_views

admin.site.site_header = _("Villes² — back office")
admin.site.site_title = _("Villes² back office")
admin.site.index_title = _("Management")

# French at the root, English under /en/ (no language cookie: only session and CSRF
# cookies are set, see RELIABILITY.md).
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    # The activity report (staff only), before the admin's own catch-all.
    path("gestion/rapport/", include("villes2.reports.urls")),
    # The staff's second factor (docs/accounts.md), likewise.
    path("gestion/double-authentification/", include("villes2.accounts.urls")),
    path("gestion/", admin.site.urls),
    # Interoperability (docs/interoperability.md): French only, outside i18n_patterns.
    path("oai", include("villes2.api.oai.urls")),
    path("flux/", include("villes2.api.feeds")),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
]
urlpatterns += i18n_patterns(
    path("", include("villes2.core.urls")),
    path("territoires/", include("villes2.territories.urls")),
    path("annuaire/", include("villes2.actors.urls")),
    path("documents/", include("villes2.documents.urls")),
    path("agenda/", include("villes2.events.urls")),
    path("experiences/", include("villes2.practices.urls")),
    path("observatoire/", include("villes2.observation.urls")),
    path("demandes/", include("villes2.inquiries.urls")),
    path("recherche/", include("villes2.search.urls")),
    path("thesaurus/", include("villes2.taxonomy.urls")),
    path("", include((actors_urls.about_urlpatterns, "about"))),
    prefix_default_language=False,
)
