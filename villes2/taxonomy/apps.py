from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "villes2.taxonomy"
    verbose_name = _("Thesaurus")
