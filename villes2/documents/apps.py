from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "villes2.documents"
    verbose_name = _("Documentation")

    def ready(self) -> None:
        from villes2.core.registry import AttachmentStore, NavItem, registry
        from villes2.core.search import search_registry

        from . import models, search, selectors, services

        registry.add_section(NavItem("documents", _("Documentation"), "documents:list", order=30))
        registry.add_territory_links("documents", selectors.linked_documents_section)
        registry.add_erasure_hook("documents", services.authors_erasure_hook)
        registry.add_attachment_store(
            AttachmentStore("documents", "Documents", models.Attachment, models.ATTACHMENT_DIR)
        )
        search_registry.register(search.DOCUMENTS)
        search_registry.add_facet_labels("type", search.type_labels)
        search_registry.add_facet_labels("access", search.access_labels)
