from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "villes2.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from villes2.core.registry import RetentionTask, registry

        from . import security, services

        security.connect()
        registry.add_retention_task(
            RetentionTask(
                "login-attempts",
                "Tentatives de connexion échouées (adresse, nom d’utilisateur)",
                services.login_attempts_retention_task,
            )
        )
