from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The cross-type search page, and the wiring of the lower apps into the shared
    search: thesaurus synonyms, theme and territory facet labels."""

    name = "villes2.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from villes2.core.search import search_registry
        from villes2.taxonomy import selectors as taxonomy
        from villes2.territories import selectors as territories

        search_registry.set_synonyms(taxonomy.synonym_groups, taxonomy.thesaurus_version)
        search_registry.add_facet_labels("theme", taxonomy.theme_labels)
        search_registry.add_facet_labels("territory", territories.facet_labels)
