from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "villes2.taxonomy"
    verbose_name = _("Thesaurus")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, ReferenceLoader, registry

        from . import services

        registry.add_section(NavItem("thesaurus", _("Thesaurus"), "taxonomy:index", order=45))
        # Registered after territories and actors, before documents (INSTALLED_APPS
        # order): catalogue records loaded later can use the concepts.
        registry.add_reference_loader(
            ReferenceLoader(
                "thesaurus",
                "Thésaurus : thèmes du centre et thèmes EUKN",
                services.founding_thesaurus_load,
            )
        )
