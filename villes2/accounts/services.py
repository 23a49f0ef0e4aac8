from django.conf import settings
from django.utils import timezone


def login_attempts_retention_task(dry_run: bool) -> tuple[int, list[str]]:
    """Failed sign-in attempts (user name, address, browser) are kept as long as they can
    lock: purged once older than the lockout time (`core.registry.RetentionTask`, run by
    `purge_personal_data`)."""
    from axes.models import AccessAttempt

    old = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - settings.AXES_COOLOFF_TIME)
    count = old.count()
    if not dry_run:
        old.delete()
    verb = "à supprimer" if dry_run else "supprimées"
    return count, [f"Tentatives de connexion échouées {verb} : {count}"]
