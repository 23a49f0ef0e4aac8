from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "villes2.territories"
    verbose_name = _("Territories")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, registry

        from . import selectors, services

        registry.add_section(
            NavItem("territories", _("Territories"), "territories:index", order=80)
        )
        registry.add_reference_loader(
            ReferenceLoader("territories", "Territoires de France", services.reference_data_load)
        )
        registry.add_reference_loader(
            ReferenceLoader(
                "territory-table",
                "Tableau « Le territoire » de la note",
                services.declared_counts_load,
            )
        )
        registry.add_territory_links("schemes", selectors.linked_schemes_section)
