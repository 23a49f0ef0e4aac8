from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    """Information and support requests (the desk), the FAQ drawn from their answers, and
    the interventions log of the support to sites (docs/inquiries.md)."""

    name = "villes2.inquiries"
    verbose_name = _("Requests and interventions")

    def ready(self) -> None:
        from villes2.core.registry import NavItem, RetentionTask, registry
        from villes2.core.search import search_registry

        from . import search, services

        registry.add_retention_task(
            RetentionTask(
                "inquiries",
                "Demandes d'information et d'appui (données personnelles)",
                services.retention_task,
            )
        )
        # Not in the header's menu (it would no longer fit on one line at 1280 px): the
        # footer and the home page's missions link the desk.
        registry.add_section(
            NavItem("inquiries", _("Ask us"), "inquiries:index", order=60, header=False)
        )
        search_registry.register(search.FAQ)
        search_registry.add_facet_labels("type", search.type_labels)
