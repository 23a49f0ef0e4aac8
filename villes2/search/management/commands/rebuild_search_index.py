import time

from django.core.management.base import BaseCommand

from villes2.core.search import index_size_bytes, rebuild, search_registry


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every registered type (or of those given), in one "
        "transaction: after a bulk load, or to check that the index matches the data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kinds", nargs="*", help=f"Types to rebuild: {', '.join(search_registry.types)}."
        )

    def handle(self, *args, kinds, **options):
        unknown = [kind for kind in kinds if kind not in search_registry.types]
        if unknown:
            self.stderr.write(
                f"Type inconnu : {', '.join(unknown)}. "
                f"Types possibles : {', '.join(search_registry.types)}."
            )
            raise SystemExit(2)
        started = time.perf_counter()
        counts = rebuild(kinds or None)
        elapsed = time.perf_counter() - started
        for kind, count in counts.items():
            self.stdout.write(f"{kind} : {count} fiche(s) indexée(s)")
        self.stdout.write(
            f"Index reconstruit en {elapsed:.1f} s ; taille {index_size_bytes() / 1e6:.1f} Mo."
        )
