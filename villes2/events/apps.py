from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "villes2.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, RetentionTask, registry

        from . import services

        registry.add_section(NavItem("events", _("Events"), "events:list", order=40))
        registry.add_reference_loader(
            ReferenceLoader(
                "events", "Agenda : programme 2007 de la note", services.founding_programme_load
            )
        )
        # Registrations (reg): their personal data are purged by `purge_personal_data`.
        registry.add_retention_task(
            RetentionTask(
                "events-registrations",
                "Inscriptions aux événements (données personnelles)",
                services.registrations_retention_task,
            )
        )
        # Public pages (pages): territory pages, search, erasure of speakers' names.
        from villes2.core.search import search_registry

        from . import search
        from .selectors import agenda

        registry.add_territory_links("events", agenda.linked_events_section)
        registry.add_erasure_hook("events-speakers", search.speakers_erasure_hook)
        registry.add_erasure_hook("events-registrations", services.registrations_erasure_hook)
        search_registry.register(search.EVENTS)
        search_registry.add_facet_labels("type", search.type_labels)
