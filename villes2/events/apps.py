from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "villes2.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, registry

        from . import services

        registry.add_section(NavItem("events", _("Events"), "events:list", order=40))
        registry.add_reference_loader(
            ReferenceLoader(
                "events", "Agenda : programme 2007 de la note", services.founding_programme_load
            )
        )
