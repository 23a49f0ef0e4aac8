"""Erase the directory contacts whose retention period has run out (GDPR art. 5.1.e),
then run the other apps' purges registered in `core.registry` (events' registrations…).

Run it from cron or a systemd timer, e.g. weekly; `--dry-run` first to see who.
"""

from django.core.management.base import BaseCommand

from villes2.actors import services
from villes2.core.registry import registry


class Command(BaseCommand):
    help = (
        "Efface les contacts de l'annuaire dont la durée de conservation est écoulée, "
        "puis les autres données personnelles en fin de conservation (inscriptions aux "
        "événements…) (--dry-run : affiche seulement ce qui le serait)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Ne rien effacer, seulement le rapport."
        )
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help="Durée de conservation en années (défaut : PERSON_RETENTION_YEARS).",
        )

    def handle(self, *args, dry_run: bool, years: int | None, **options):
        report = services.retention_purge(dry_run=dry_run, years=years)
        count = len(report.candidates)
        if dry_run:
            self.stdout.write(f"Simulation : {count} fiche(s) seraient effacées.")
        else:
            self.stdout.write(f"{len(report.erasures)} fiche(s) effacées sur {count}.")
        # Entry numbers and dates only: the report may end up in a mailed cron log.
        for person in report.candidates:
            last = person.last_contact_on or person.created_at.date()
            self.stdout.write(
                f"  fiche n° {person.pk}, dernier contact ou création : {last:%d/%m/%Y}"
            )
        for person, rows in report.failed:
            self.stderr.write(f"  fiche n° {person.pk} non effacée : {rows} la protègent.")
        if report.removed_files:
            self.stdout.write(
                f"{report.removed_files} fichier(s) d'import en attente de plus d'un jour "
                "supprimé(s)."
            )
        # The other apps' purges (`--years` is the directory's alone).
        for task in registry.retention_tasks:
            count, lines = task.run(dry_run)
            if dry_run:
                self.stdout.write(f"Simulation, {task.label} : {count} à purger.")
            else:
                self.stdout.write(f"{task.label} : {count} purgé(s).")
            for line in lines:
                self.stdout.write(f"  {line}")
