from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from villes2.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Sauvegarde toute la base de données dans un fichier, même pendant que le site tourne "
        "(SQLite : API de sauvegarde en ligne ; PostgreSQL : pg_dump -Fc). Voir docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            type=Path,
            help="Fichier à créer, ou dossier où le créer (par défaut : var/backups/).",
        )

    def handle(self, *args, **options):
        destination = options["destination"]
        if destination is None:
            destination = settings.VAR_DIR / "backups"
            destination.mkdir(parents=True, exist_ok=True)
        try:
            path = database_backup(destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = filesizeformat(path.stat().st_size)
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {path} ({size})."))
