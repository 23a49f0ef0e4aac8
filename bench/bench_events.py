"""Benchmark of the agenda (events): public pages, calendar feeds, clash detection,
registrations under concurrency, retention.

Usage (from the repository root, in the virtualenv):

    python bench/bench_events.py                      # SQLite, in a temporary folder
    python bench/bench_events.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench_events

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, loads the reference data (territories, thesaurus,
the note's founding actors and 2007 programme), then generates SYNTHETIC events
(`bench/generate_events.py`) at two scales and measures, at each:

- the public pages and feeds: the first request with an empty cache (the calendar feeds
  are written then, and cached per index state), then p50 / p95 over `--repeat` warm
  requests through Django's test client, and the number of queries of the first request;
- the search index rebuild of the events, and a search for an event word;
- clash detection (`selectors.clashes.find_clashes`) over the upcoming events (what the
  coordination page shows by default) and over every event (its "past too" toggle), and
  the coordination page itself, signed in;
- registrations: 200 sequential `registration_create` calls on one event of capacity 100,
  then 8 threads × 25 on another, each thread with its own connection, counting that the
  capacity holds;
- the retention purge (dry run, then the real one, rolled back).

Scales. Realistic: 1,000 events over 2018–2027 (100 a year, the programme of one centre
and its partner networks; the note's 2007 programme has ten lines for its first half
year), 30 % open to registration, about 12,000 registrations. 10×: 10,000 events, what
ten centres pooling their programmes would hold.
"""

import argparse
import datetime
import os
import threading
import time

from _setup import QueryCounter, code_version, django_setup, p50_p95, timed
from generate_events import generate

REALISTIC = 1000


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
    from villes2.events.models import Event, Registration
    from villes2.events.selectors.clashes import find_clashes
    from villes2.events.services import registration_create, registrations_retention_purge
    from villes2.territories.models import Territory

    quiet = open(os.devnull, "w")  # noqa: SIM115
    load = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    print(f"\n## {engine}\n")
    print(f"Code: `{code_version()}`, {datetime.datetime.now():%Y-%m-%d %H:%M}.")
    print(f"Reference data: {load:.1f} s.")

    setup_test_environment()
    client = Client()
    staff = Client()
    staff.force_login(
        get_user_model().objects.create_superuser("bench", "bench@exemple.invalid", "x")
    )
    today = datetime.date.today()

    def registration_event(title: str, slug: str):
        """A synthetic event in two months, open to registration, with 100 places."""
        return Event.objects.create(
            title=title,
            slug=slug,
            strand="transversal",
            start_date=today + datetime.timedelta(days=60),
            end_date=today + datetime.timedelta(days=60),
            published=True,
            registration_open=True,
            capacity=100,
            source="Données synthétiques (benchmark)",
        )

    generated = 0
    for scale in scales:
        target = REALISTIC * scale
        start = time.perf_counter()
        registrations = generate(generated, target)
        generation = time.perf_counter() - start
        generated = target
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        index = timed("index", lambda: search.rebuild(["events"]))[0]
        label = "realistic" if scale == 1 else f"{scale}×"
        upcoming = Event.objects.filter(end_date__gte=today).count()
        print(f"\n### {label}: data\n")
        print("| events | upcoming | registrations (all) | generated in | index rebuilt in |")
        print("|---|---|---|---|---|")
        print(
            f"| {Event.objects.count():,} | {upcoming:,} | {Registration.objects.count():,} "
            f"| {generation:.1f} s (+{registrations:,} registrations) | {index:.1f} s |"
        )

        busy_organiser = "syn-reseau-1"
        theme = "renovation-urbaine"
        event = Event.objects.filter(slug__startswith="syn-", published=True).order_by("pk")[
            REALISTIC // 2
        ]
        month = f"{today.year}/{today.month}"
        pages = [
            ("/agenda/", client),
            ("/agenda/?territoire=ancienne-region-24", client),
            (f"/agenda/?theme={theme}", client),
            (f"/agenda/?organisateur={busy_organiser}", client),
            ("/agenda/?mois=2024-10", client),
            (f"/agenda/mois/{month}/", client),
            (f"/agenda/programme/{today.year}/", client),
            ("/agenda/programme/2007/", client),
            (f"/agenda/evenements/{event.slug}/", client),
            ("/agenda/cycles/egalite-des-chances-acces-aux-droits/", client),
            ("/agenda/ical", client),
            (f"/agenda/ical/organisateur/{busy_organiser}", client),
            ("/agenda/ical/territoire/ancienne-region/24", client),
            (f"/agenda/evenements/{event.slug}.ics", client),
            ("/territoires/ancienne-region/24/", client),
            ("/recherche/?q=rencontre+regionale&quoi=events", client),
            ("/agenda/coordination/", staff),
            ("/agenda/coordination/?passes=1", staff),
        ]
        print(
            f"\n### {label}: pages, p50 / p95 ms over {args.repeat} requests, warm; "
            f"queries of one request\n"
        )
        print("| page | first (cold cache) | p50 | p95 | queries | bytes |")
        print("|---|---|---|---|---|---|")
        for page, who in pages:
            cache.clear()  # the calendar feeds are cached: the first request writes them
            counter = QueryCounter()
            begin = time.perf_counter()
            with connection.execute_wrapper(counter):
                response = who.get(page)
            cold = (time.perf_counter() - begin) * 1000
            assert response.status_code == 200, (page, response.status_code)
            times = timed(page, lambda p=page, w=who: w.get(p), args.repeat)
            p50, p95 = p50_p95(times)
            print(
                f"| `{page}` | {cold:.1f} | {p50:.1f} | {p95:.1f} | {counter.count} | "
                f"{len(response.content):,} |"
            )

        print(f"\n### {label}: clash detection (`find_clashes`), p50 / p95 ms\n")
        print("| scope | events considered | clashes | p50 | p95 |\n|---|---|---|---|---|")
        centre = Territory.objects.get(kind="ancienne-region", code="24")
        for name, kwargs, considered in (
            ("upcoming", {"since": today}, upcoming),
            ("upcoming, Centre", {"since": today, "region": centre}, upcoming),
            ("all, past included", {}, Event.objects.count()),
        ):
            found = find_clashes(**kwargs)
            times = timed(name, lambda k=kwargs: find_clashes(**k), max(3, args.repeat // 4))
            p50, p95 = p50_p95(times)
            print(f"| {name} | {considered:,} | {len(found):,} | {p50:.1f} | {p95:.1f} |")

        print(f"\n### {label}: registrations\n")
        sequential = registration_event(
            "Synthétique : inscriptions séquentielles", f"syn-seq-{scale}"
        )
        times = []
        for i in range(200):
            begin = time.perf_counter()
            with transaction.atomic():
                registration_create(
                    event=sequential,
                    name=f"Participant {i}",
                    organisation="Organisation synthétique",
                    email=f"seq{i}@exemple.invalid",
                    role="",
                    base_url="http://testserver",
                )
            times.append(time.perf_counter() - begin)
        p50, p95 = p50_p95(times)
        counts = Registration.objects.filter(event=sequential)
        print(
            f"- 200 sequential registrations, capacity 100: p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
            f"{counts.confirmed().count()} confirmed, {counts.waitlisted().count()} waiting."
        )
        concurrent = registration_event(
            "Synthétique : inscriptions simultanées", f"syn-par-{scale}"
        )
        errors: list[str] = []

        def register(thread: int, event=concurrent, errors=errors) -> None:
            try:
                for i in range(25):
                    registration_create(
                        event=event,
                        name=f"Participant {thread}-{i}",
                        organisation="Organisation synthétique",
                        email=f"par{thread}-{i}@exemple.invalid",
                        role="",
                        base_url="http://testserver",
                    )
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - begin
        counts = Registration.objects.filter(event=concurrent)
        print(
            f"- 8 threads × 25 registrations, capacity 100: {elapsed:.1f} s in all "
            f"({200 / elapsed:.0f} registrations/s); {counts.confirmed().count()} confirmed, "
            f"{counts.waitlisted().count()} waiting, {len(errors)} errors"
            + (f" (first: {errors[0]})" if errors else "")
            + "."
        )

        print(f"\n### {label}: retention purge of registrations\n")
        dry = timed("dry", lambda: registrations_retention_purge(dry_run=True))[0]
        report = registrations_retention_purge(dry_run=True)
        with transaction.atomic():
            real = timed("real", lambda: registrations_retention_purge(dry_run=False))[0]
            transaction.set_rollback(True)
        print(
            f"- {report.count:,} registrations of {len(report.lines):,} events past the "
            f"retention period: dry run {dry * 1000:.0f} ms, anonymisation {real * 1000:.0f} ms "
            "(rolled back)."
        )
        print(f"\nLoad average (1 min) at the end of this scale: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
