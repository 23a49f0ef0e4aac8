from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villes2.taxonomy import services

FORMATS_BY_SUFFIX = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".owl": "xml"}


class Command(BaseCommand):
    help = (
        "Importe un fichier SKOS (Turtle ou RDF/XML) dans le thésaurus, après avoir tout "
        "vérifié ; rien n'est écrit au moindre problème. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier .ttl (Turtle) ou .rdf (RDF/XML).")
        parser.add_argument(
            "--format",
            choices=["turtle", "xml"],
            default=None,
            help="Format du fichier (par défaut : d'après son extension).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifier et compter sans rien enregistrer."
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        file_format = options["format"] or FORMATS_BY_SUFFIX.get(path.suffix.lower())
        if file_format is None:
            raise CommandError("Format inconnu : précisez --format turtle ou --format xml.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error.strerror}") from error
        report = services.skos_import(data, file_format, dry_run=options["dry_run"])
        if not report.ok:
            raise CommandError("\n".join(report.summary()))
        for line in report.summary():
            self.stdout.write(line)
