from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActorsConfig(AppConfig):
    name = "villes2.actors"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, registry

        from . import selectors, services

        registry.add_section(NavItem("actors", _("Directory"), "actors:index", order=20))
        registry.add_reference_loader(
            ReferenceLoader(
                "actors", "Annuaire : données de la note", services.founding_actors_load
            )
        )
        registry.add_territory_links("actors", selectors.linked_actors_section)
