from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "villes2.documents"
    verbose_name = _("Documentation")

    def ready(self) -> None:
        from villes2.core.search import search_registry

        from . import search

        search_registry.register(search.DOCUMENTS)
        search_registry.add_facet_labels("type", search.type_labels)
        search_registry.add_facet_labels("access", search.access_labels)
