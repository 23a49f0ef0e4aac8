from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "villes2.practices"
    verbose_name = _("Experience records")

    def ready(self) -> None:
        from villes2.core.registry import AttachmentStore, NavItem, registry
        from villes2.core.search import search_registry

        from . import models, search, selectors

        registry.add_section(NavItem("practices", _("Experiences"), "practices:list", order=35))
        registry.add_territory_links("practices", selectors.linked_practices_section)
        registry.add_attachment_store(
            AttachmentStore(
                "practices",
                "Fiches expérience",
                models.PracticeAttachment,
                models.ATTACHMENT_DIR,
            )
        )
        search_registry.register(search.PRACTICES)
        search_registry.add_facet_labels("type", search.type_labels)
        search_registry.add_facet_labels("public", search.public_labels)
        search_registry.add_facet_labels("scheme", search.scheme_labels)
        search_registry.add_facet_labels("period", search.period_labels)
