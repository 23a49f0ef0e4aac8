from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "villes2.observation"
    verbose_name = _("Observation of territories")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, registry

        from . import reference

        registry.add_section(
            NavItem("observation", _("Observatory"), "observation:index", order=70)
        )
        registry.add_reference_loader(
            ReferenceLoader(
                "observation-populations",
                "Observatoire : populations légales",
                reference.population_load,
            )
        )
