from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The yearly activity report, computed from the data (docs/reports.md)."""

    name = "villes2.reports"
    verbose_name = _("Activity report")
