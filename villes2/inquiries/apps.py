from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    """Information and support requests (the desk), the FAQ drawn from their answers, and
    the interventions log of the support to sites (docs/inquiries.md)."""

    name = "villes2.inquiries"
    verbose_name = _("Requests and interventions")

    def ready(self) -> None:
        from villes2.core.registry import RetentionTask, registry

        from . import services

        registry.add_retention_task(
            RetentionTask(
                "inquiries",
                "Demandes d'information et d'appui (données personnelles)",
                services.retention_task,
            )
        )
