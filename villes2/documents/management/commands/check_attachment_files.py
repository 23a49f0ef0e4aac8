from django.core.management.base import BaseCommand, CommandError

from villes2.documents import services


class Command(BaseCommand):
    help = (
        "Compare the attachment rows with the PDF files on disk (RELIABILITY.md, files and "
        "database agree): report rows without file and files without row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-unreferenced",
            action="store_true",
            help="Delete the files no row refers to (older than an hour).",
        )

    def handle(self, *args, delete_unreferenced, **options):
        report = services.attachment_files_check(delete_unreferenced=delete_unreferenced)
        for pk, name in report.missing:
            self.stdout.write(f"Fichier manquant pour la pièce jointe n° {pk} : {name}")
        for name in report.unreferenced:
            self.stdout.write(f"Fichier sans pièce jointe : {name}")
        if report.deleted:
            self.stdout.write(f"{report.deleted} fichier(s) sans pièce jointe supprimé(s).")
        if report.ok:
            self.stdout.write("Fichiers et base de données concordent.")
        elif report.missing:
            raise CommandError(f"{len(report.missing)} pièce(s) jointe(s) sans fichier.")
