from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villes2.documents import services


class Command(BaseCommand):
    help = (
        "Importe des notices dans le catalogue depuis un fichier CSV (colonnes : "
        "docs/documents.md, section CSV import). Tout ou rien : une seule ligne fautive et "
        "rien n'est écrit ; chaque cellule fautive est signalée."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier .csv")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie le fichier et dit ce qui serait créé, sans rien écrire.",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Identifiant de connexion de la personne à qui l'historique attribue l'import.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for the import to refuse the file.
                content = handle.read(services.document_import_max_bytes() + 1)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": error.strerror}
            ) from error
        report = services.document_import(
            file_name=path.name, content=content, user=user, dry_run=options["dry_run"]
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                _("Import refused (errors: %(count)s): nothing was written.")
                % {"count": len(report.errors)},
                returncode=1,
            )
