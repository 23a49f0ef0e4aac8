import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from villes2.core.loading import ACTIONS, DataLoadError, LoadReport
from villes2.core.registry import registry


class Command(BaseCommand):
    help = (
        "Charge les données de référence (territoires de France, contours) et les données "
        "fondatrices de la note, en une transaction. Idempotent : une seconde exécution ne "
        "change rien et le dit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-dir",
            type=Path,
            default=None,
            help="Dossier des fichiers de référence (par défaut : ceux livrés avec Villes²).",
        )

    def handle(self, *args, **options):
        report = LoadReport()
        started = time.perf_counter()
        try:
            with transaction.atomic():
                for loader in registry.reference_loaders:
                    step = time.perf_counter()
                    if options["reference_dir"]:
                        loader.load(report=report, reference_dir=options["reference_dir"])
                    else:
                        loader.load(report=report)
                    self.stdout.write(
                        f"{loader.label} : {time.perf_counter() - step:.1f} s", self.style.SUCCESS
                    )
        except DataLoadError as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"Données de référence refusées, base inchangée "
                f"({len(error.problems)} problème(s)) :\n{lines}"
            ) from error
        labels = {
            "created": "créés",
            "updated": "modifiés",
            "deleted": "supprimés",
            "unchanged": "inchangés",
        }
        for table, counter in report.counts.items():
            figures = ", ".join(f"{counter[action]} {labels[action]}" for action in ACTIONS)
            self.stdout.write(f"  {table} : {figures}")
        elapsed = time.perf_counter() - started
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Données chargées en {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Aucun changement : les données étaient à jour ({elapsed:.1f} s)."
                )
            )
