from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "villes2.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .registry import NavItem, registry

        registry.add_section(NavItem("home", _("Home"), "core:home", order=0))
        registry.add_section(NavItem("centre", _("The centre"), "core:centre", order=10))
