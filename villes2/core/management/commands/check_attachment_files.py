from django.core.management.base import BaseCommand, CommandError

from villes2.core.registry import registry
from villes2.core.uploads import files_check


class Command(BaseCommand):
    help = (
        "Compare the rows of every attachment store (catalogue records, experience records) "
        "with the files on disk (RELIABILITY.md, files and database agree): report rows "
        "without file and files without row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-unreferenced",
            action="store_true",
            help="Delete the files no row refers to (older than an hour).",
        )

    def handle(self, *args, delete_unreferenced, **options):
        missing = 0
        for store in registry.attachment_stores:
            report = files_check(
                store.model, store.directory, delete_unreferenced=delete_unreferenced
            )
            for pk, name in report.missing:
                self.stdout.write(
                    f"Fichier manquant pour la pièce jointe n° {pk} ({store.label}) : {name}"
                )
            for name in report.unreferenced:
                self.stdout.write(f"Fichier sans pièce jointe ({store.label}) : {name}")
            if report.deleted:
                self.stdout.write(
                    f"{report.deleted} fichier(s) sans pièce jointe supprimé(s) ({store.label})."
                )
            if report.ok:
                self.stdout.write(f"{store.label} : fichiers et base de données concordent.")
            missing += len(report.missing)
        if missing:
            raise CommandError(f"{missing} pièce(s) jointe(s) sans fichier.")
