"""Benchmark of experience records: list and record pages, PDF, EUKN exports, OAI-PMH,
feeds, the search index, the workflow.

Usage (from the repository root, in the virtualenv):

    python bench/bench_practices.py                      # SQLite, in a temporary folder
    python bench/bench_practices.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench_practices

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, loads the reference data, then generates
SYNTHETIC records (`bench/generate_practices.py`) at two scales and measures, at each:

- the public pages, exports and feeds: p50 / p95 over `--repeat` warm requests through
  Django's test client, the number of queries and the size of one response;
- the search index rebuild of the records;
- the workflow: `practice_transition` (in review → published → withdrawn, a tombstone
  and a re-index each time).

Scales. Realistic: 500 records, 400 of them published — what one regional centre
capitalises in about fifteen years (20 to 40 records a year). 10×: 5,000, what the
national network of about nineteen centres would pool.
"""

import argparse
import datetime
import os
import time

from _setup import QueryCounter, code_version, django_setup, p50_p95, timed
from generate_practices import generate

REALISTIC = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated multiples of the realistic scale"
    )
    args = parser.parse_args()
    scales = sorted(int(value) for value in args.scales.split(","))

    engine = django_setup(args.database_url, log_level="WARNING")
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from villes2.core import search
    from villes2.practices.models import Practice
    from villes2.practices.services import practice_transition

    quiet = open(os.devnull, "w")  # noqa: SIM115
    load = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    print(f"\n## {engine}\n")
    print(f"Code: `{code_version()}`, {datetime.datetime.now():%Y-%m-%d %H:%M}.")
    print(f"Reference data: {load:.1f} s.")

    setup_test_environment()
    client = Client()
    staff_user = get_user_model().objects.create_superuser("bench", "bench@exemple.invalid", "x")

    generated = 0
    for scale in scales:
        target = REALISTIC * scale
        start = time.perf_counter()
        published = generate(generated, target)
        generation = time.perf_counter() - start
        generated = target
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        index = timed("index", lambda: search.rebuild(["practices"]))[0]
        label = "realistic" if scale == 1 else f"{scale}×"
        public = Practice.objects.public()
        print(f"\n### {label}: data\n")
        print("| records | published | generated in | index rebuilt in |")
        print("|---|---|---|---|")
        print(
            f"| {Practice.objects.count():,} | {public.count():,} (+{published:,}) "
            f"| {generation:.1f} s | {index:.1f} s |"
        )

        record = public.order_by("pk")[public.count() // 2]
        hundred = "&".join(
            f"id={pk}" for pk in public.order_by("pk").values_list("pk", flat=True)[:100]
        )
        pages = [
            "/experiences/",
            "/experiences/?theme=renovation-urbaine-cadre-de-vie",
            "/experiences/?public=jeunes&periode=2000-2009",
            "/experiences/?territoire=ancienne-region-24",
            "/experiences/?q=mediation+sociale",
            f"/experiences/{record.pk}/",
            f"/experiences/{record.pk}/fiche.pdf",
            f"/experiences/{record.pk}/export.json",
            f"/experiences/{record.pk}/export.xml",
            f"/experiences/export.json?{hundred}",
            f"/experiences/export.xml?{hundred}",
            "/experiences/export.json?theme=renovation-urbaine-cadre-de-vie&periode=2000-2009",
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=experiences",
            "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            "/flux/experiences.rss",
            "/territoires/ancienne-region/24/",
            "/recherche/?q=jardins+partages",
        ]
        print(
            f"\n### {label}: pages, p50 / p95 ms over {args.repeat} requests, warm; "
            f"queries of one request\n"
        )
        print("| page | p50 | p95 | queries | bytes |")
        print("|---|---|---|---|---|")
        for page in pages:
            cache.clear()
            client.get(page)  # warm the process's caches (facet table, thesaurus)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            times = timed(page, lambda p=page: client.get(p), args.repeat)
            p50, p95 = p50_p95(times)
            shown = page if len(page) < 80 else page[:60] + "…(100 ids)"
            print(
                f"| `{shown}` | {p50:.1f} | {p95:.1f} | {counter.count} | "
                f"{len(response.content):,} |"
            )

        print(f"\n### {label}: workflow\n")
        candidates = list(Practice.objects.filter(status="en-relecture").order_by("pk")[:20])
        times = []
        for practice in candidates:
            for step in ("publiee", "retiree"):
                begin = time.perf_counter()
                with transaction.atomic():
                    practice_transition(practice, to_status=step, user=staff_user)
                times.append(time.perf_counter() - begin)
        p50, p95 = p50_p95(times)
        print(
            f"- {len(times)} transitions (publish, withdraw) with tombstone and re-index: "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms."
        )


if __name__ == "__main__":
    main()
