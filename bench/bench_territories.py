"""Benchmark of the territories foundation: reference-data load and public pages.

Usage (from the repository root, in the virtualenv):

    python bench/bench_territories.py                      # SQLite, in a temporary folder
    python bench/bench_territories.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, times `load_reference_data` on the real files
(first load and idempotent re-run), then times the main pages with Django's test client
with schemes at two scales: realistic (the note's 113 declared schemes across the two
former regions) and 10× (1,130). The schemes are synthetic, named "SYNTHÉTIQUE …", and
live only in this throw-away database.
"""

import argparse
import os
import statistics

from _setup import django_setup, timed

PAGES = [
    "/territoires/",
    "/territoires/departement/37/",
    "/territoires/commune/37261/",
    "/territoires/region/24/?contenu=commune&page=3",
    "/territoires/recherche/?q=saint",
    "/territoires/departement/37/carte.geojson",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    engine = django_setup(args.database_url)
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from villes2.territories.models import Scheme, SchemeKind, Territory

    quiet = open(os.devnull, "w")  # noqa: SIM115
    first = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    second = timed("reload", lambda: call_command("load_reference_data", stdout=quiet))[0]
    print(f"\n## {engine}\n")
    print("| step | seconds |\n|---|---|")
    print(f"| load_reference_data, empty database | {first:.1f} |")
    print(f"| load_reference_data, second run (no change) | {second:.1f} |")

    setup_test_environment()
    client = Client()
    communes = list(
        Territory.objects.filter(kind="commune", ancestors__code__in=["24", "54"])
        .filter(ancestors__kind="ancienne-region")
        .values_list("pk", flat=True)
        .distinct()
    )
    kinds = [SchemeKind.CUCS, SchemeKind.ANRU_PNRU, SchemeKind.CONTRAT_PAYS]
    for scale, count in (("realistic (113 schemes)", 113), ("10× (1,130 schemes)", 1130)):
        Scheme.objects.all().delete()
        through = Scheme.territories.through
        schemes = Scheme.objects.bulk_create(
            Scheme(kind=kinds[n % 3], name=f"SYNTHÉTIQUE {n}", source="bench (synthetic)")
            for n in range(count)
        )
        through.objects.bulk_create(
            through(scheme_id=s.pk, territory_id=communes[(i * 7 + j * 101) % len(communes)])
            for i, s in enumerate(schemes)
            for j in range(3)
        )
        print(f"\n### Pages, {scale}: p50 / p95 ms over {args.repeat} requests, warm\n")
        print("| page | p50 | p95 |\n|---|---|---|")
        for page in PAGES:
            client.get(page)
            times = sorted(timed(page, lambda p=page: client.get(p), args.repeat))
            p50 = statistics.median(times) * 1000
            p95 = times[max(0, int(len(times) * 0.95) - 1)] * 1000
            print(f"| `{page}` | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
