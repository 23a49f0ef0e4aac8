from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from villes2.core.backup import BackupError, database_backup_check, database_restore


class Command(BaseCommand):
    help = (
        "Remplace toute la base de données par le contenu d'une sauvegarde faite par "
        "« backup ». Tout ou rien : en cas d'échec, la base reste inchangée."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="Fichier de sauvegarde à restaurer.")
        parser.add_argument(
            "--yes", action="store_true", help="Restaurer sans demander de confirmation."
        )

    def handle(self, *args, **options):
        source = options["source"]
        try:
            # Check first, so that a wrong file is refused before anyone is asked anything.
            database_backup_check(source=source)
            if not options["yes"] and not self.confirmed(source):
                raise CommandError("Restauration annulée : base inchangée.")
            database_restore(source=source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Base restaurée depuis {source}."))

    def confirmed(self, source: Path) -> bool:
        question = (
            f"Tout le contenu de la base « {connection.settings_dict['NAME']} » va être "
            f"remplacé par celui de {source}.\nTapez « oui » pour continuer : "
        )
        try:
            return input(question).strip().lower() == "oui"
        except EOFError:  # no terminal: never restore by default
            return False
