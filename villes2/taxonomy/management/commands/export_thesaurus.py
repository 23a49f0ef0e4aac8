from django.core.management.base import BaseCommand, CommandError

from villes2.taxonomy import selectors
from villes2.taxonomy.models import ConceptScheme


class Command(BaseCommand):
    help = "Exporte le thésaurus (ou un schéma) en SKOS, Turtle ou RDF/XML, sur la sortie standard."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scheme", default=None, help="Identifiant du schéma (par défaut : tous)."
        )
        parser.add_argument("--format", choices=["turtle", "xml"], default="turtle")

    def handle(self, *args, **options):
        scheme = None
        if options["scheme"]:
            scheme = ConceptScheme.objects.filter(slug=options["scheme"]).first()
            if scheme is None:
                known = ", ".join(ConceptScheme.objects.values_list("slug", flat=True))
                raise CommandError(f"Schéma inconnu « {options['scheme']} » (connus : {known}).")
        self.stdout.write(
            selectors.skos_export(scheme=scheme, file_format=options["format"]), ending=""
        )
