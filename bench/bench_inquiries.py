"""Benchmark of the desk (requests, FAQ), the interventions log and the activity report.

Usage (from the repository root, in the virtualenv):

    python bench/bench_inquiries.py                      # SQLite, in a temporary folder
    python bench/bench_inquiries.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, loads the reference data, adds SYNTHETIC catalogue
records, experience records and events (`generate_documents`, `generate_practices`,
`generate_events`: what an answer links and the request page suggests from the shared
search; the same at both scales), then generates SYNTHETIC requests, FAQ entries and interventions
(`bench/generate_inquiries.py`) at two scales and measures, at each:

- the pages, through Django's test client, warm: p50 / p95 over `--repeat` requests, the
  queries of one request and its size — the public form (GET, and POST from a new
  address each time, the cache cleared for the throttle), the tracking page, the FAQ; the
  staff queue (default view, "my requests", overdue, a search), the request page with its
  suggestions, the interventions list, map and calendar; the activity report of a full
  year, its PDF and CSV (a page slower than a second is measured 5 times, not 20). A
  page that does not exist (yet) is listed as missing;
- the selectors alone: the request page's suggestions, the activity report of a year;
- the real service path: `--receive` requests through `inquiry_receive` (each in its own
  transaction, so that the acknowledgement and the centre's notice go to the locmem mail
  backend after commit), requests/s; removed afterwards;
- the retention purge (`inquiries_retention_purge`): dry run, then the real one, rolled
  back.

Scales. Realistic: 4,000 requests (about 400 a year over ten years: one regional
centre), 1,500 interventions, 100 FAQ entries. 10×: 40,000 requests, 15,000
interventions, 1,000 FAQ entries — the national network pooled. `--profile DIR` writes a
cProfile of every page and selector slower than 200 ms at p95; `--keep PREFIX` (SQLite)
copies the database of each scale to PREFIX-<scale>x.sqlite3, to profile a page again
without generating. Results are summarised in docs/performance.md, section "Desk,
interventions and activity report".
"""

import argparse
import contextlib
import cProfile
import datetime
import os
import time
from pathlib import Path

from _setup import QueryCounter, code_version, django_setup, p50_p95, timed
from generate_inquiries import generate, generate_faq, generate_interventions, reference

REQUESTS, INTERVENTIONS, FAQ = 4000, 1500, 100
CONTEXT_DOCUMENTS = 10_000  # bench_search.py's smaller scale: one centre's catalogue
SLOW_MS = 200
SLOW_REPEAT = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated multiples of the realistic scale"
    )
    parser.add_argument("--receive", type=int, default=300, help="requests through the service")
    parser.add_argument("--profile", default="", help="folder for cProfile files of slow pages")
    parser.add_argument(
        "--keep",
        default="",
        help="SQLite: copy the database of each scale to KEEP-<scale>.sqlite3 (to profile)",
    )
    args = parser.parse_args()
    scales = sorted(int(value) for value in args.scales.split(","))
    profile_dir = Path(args.profile) if args.profile else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)

    engine = django_setup(args.database_url, log_level="WARNING")
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from generate_documents import generate as documents_generate
    from generate_documents import reference as documents_reference
    from generate_events import generate as events_generate
    from generate_practices import generate as practices_generate

    from villes2.core import search
    from villes2.inquiries.models import FaqEntry, Inquiry, InquiryAction, Intervention
    from villes2.inquiries.services import inquiries_retention_purge, inquiry_receive

    quiet = open(os.devnull, "w")  # noqa: SIM115
    load = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    print(f"\n## {engine}\n")
    print(f"Code: `{code_version()}`, {datetime.datetime.now():%Y-%m-%d %H:%M}.")
    print(f"Reference data: {load:.1f} s.")
    begin = time.perf_counter()
    documents_generate(0, CONTEXT_DOCUMENTS, ref=documents_reference())
    practices_generate(0, 500)
    events_generate(0, 1000)
    search.rebuild()
    print(
        f"Context (the same at both scales): {CONTEXT_DOCUMENTS:,} synthetic catalogue records, "
        "500 experience records, 1,000 events, in the search index "
        f"({time.perf_counter() - begin:.1f} s)."
    )
    setup_test_environment()
    user_model = get_user_model()
    ref = reference()
    today = timezone.localdate()
    report_year = today.year - 1

    generated = {"requests": 0, "interventions": 0, "faq": 0}
    for scale in scales:
        label = "realistic" if scale == 1 else f"{scale}×"
        begin = time.perf_counter()
        entries = generate(generated["requests"], REQUESTS * scale, ref=ref)
        requests_time = time.perf_counter() - begin
        begin = time.perf_counter()
        generate_interventions(generated["interventions"], INTERVENTIONS * scale, ref=ref)
        generate_faq(generated["faq"], FAQ * scale, ref=ref)
        other_time = time.perf_counter() - begin
        generated = {
            "requests": REQUESTS * scale,
            "interventions": INTERVENTIONS * scale,
            "faq": FAQ * scale,
        }
        index = timed("index", lambda: search.rebuild(["faq"]))[0]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if args.keep and connection.vendor == "sqlite":
            kept = Path(f"{args.keep}-{scale}x.sqlite3")
            kept.unlink(missing_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(kept)])
        # The signed-in staff member is the first synthetic agent (so that "my requests"
        # lists the ~1,000 requests of one agent), made superuser.
        agent = user_model.objects.get(username="syn-agent-0-0")
        agent.is_superuser = True
        agent.save(update_fields=["is_superuser"])
        staff = Client(raise_request_exception=False)
        staff.force_login(agent)
        public = Client(raise_request_exception=False)

        inquiries = Inquiry.objects.all()
        open_count = inquiries.open().count()
        overdue_count = inquiries.overdue().count()
        print(f"\n### {label}: data\n")
        print(
            "| requests | open / overdue | log entries | interventions | FAQ (published) "
            "| generated in |"
        )
        print("|---|---|---|---|---|---|")
        print(
            f"| {inquiries.count():,} | {open_count:,} / {overdue_count:,} "
            f"| {InquiryAction.objects.count():,} | {Intervention.objects.count():,} "
            f"| {FaqEntry.objects.count():,} ({FaqEntry.objects.public().count():,}) "
            f"| {requests_time:.1f} s (+{entries:,} log entries); {other_time:.1f} s; "
            f"FAQ indexed in {index:.1f} s |"
        )
        _delays(inquiries, report_year)

        # --- Pages ---------------------------------------------------------------------
        sample = _sample(inquiries, agent)
        pages = _pages(sample, report_year)
        print(
            f"\n### {label}: pages, p50 / p95 ms over {args.repeat} requests, warm; "
            "queries of one request\n"
        )
        print("| page | p50 | p95 | queries | bytes |")
        print("|---|---|---|---|---|")
        for name, url, who in pages:
            client = staff if who == "staff" else public
            cache.clear()
            response = client.get(url)  # warm the process's caches
            if response.status_code != 200:
                state = "missing" if response.status_code == 404 else "error"
                print(f"| {name} | {state} ({response.status_code}) | | | |")
                continue
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url)
            size = (
                len(response.content)
                if not response.streaming
                else sum(len(chunk) for chunk in response.streaming_content)
            )
            first = timed(url, lambda u=url, c=client: _get(c, u))
            # A page over a second is measured 5 times, not 20: the run stays short.
            repeat = args.repeat if first[0] < 1 else min(args.repeat, SLOW_REPEAT)
            times = first + timed(url, lambda u=url, c=client: _get(c, u), repeat - 1)
            p50, p95 = p50_p95(times)
            shown = url if "/suivi/" not in url else "/demandes/suivi/<token>/"
            note = f" ({repeat} requests)" if repeat != args.repeat else ""
            print(
                f"| {name}{note} `{shown}` | {p50:.1f} | {p95:.1f} | {counter.count} | {size:,} |"
            )
            if profile_dir and p95 > SLOW_MS:
                _profile(
                    profile_dir / f"{engine}-{label}-{name}.prof",
                    lambda u=url, c=client: _get(c, u),
                )

        form = _form_post(public, args.repeat, ref.themes[:2])
        if form is None:
            print("| form POST | missing | | | |")
        elif len(form) == 1:
            print(f"| form POST | failed ({form[0]}) | | | |")
        else:
            p50, p95, queries, mails = form
            print(
                f"| form POST `/demandes/nouvelle/` (→ 302; {mails} mails for "
                f"{args.repeat + 2} requests) | {p50:.1f} | {p95:.1f} | {queries} | — |"
            )

        # --- Selectors -----------------------------------------------------------------
        print(f"\n### {label}: selectors, p50 / p95 ms over {args.repeat} calls\n")
        print("| selector | p50 | p95 | queries |")
        print("|---|---|---|---|")
        for name, function in _selectors(sample, report_year):
            if function is None:
                print(f"| {name} | missing | | |")
                continue
            try:
                function()
            except Exception as error:  # work in progress elsewhere: say so, go on
                print(f"| {name} | error ({error!r:.80}) | | |")
                continue
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                function()
            times = timed(name, function, args.repeat)
            p50, p95 = p50_p95(times)
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {counter.count} |")
            if profile_dir and p95 > SLOW_MS:
                _profile(profile_dir / f"{engine}-{label}-{name.split()[0]}.prof", function)

        # --- The service path ----------------------------------------------------------
        print(f"\n### {label}: `inquiry_receive`\n")
        mail.outbox = []
        last = Inquiry.objects.order_by("-pk").values_list("pk", flat=True).first()
        themes = ref.themes[:2]
        times = []
        begin = time.perf_counter()
        for i in range(args.receive):
            start = time.perf_counter()
            inquiry_receive(
                Inquiry(
                    requester_name=f"Demandeur synthétique reçu {i}",
                    requester_email=f"recu{scale}-{i}@exemple.invalid",
                    requester_type="chef-de-projet",
                    subject=f"[Synthétique] Demande reçue par le service n° {i}",
                    question="Question synthétique (benchmark).",
                    kind="information",
                    channel="formulaire",
                    territory_id=ref.territories[i % len(ref.territories)],
                ),
                themes=themes,
                consent="J'accepte que le centre garde mon contact.",
                base_url="http://testserver",
            )
            times.append(time.perf_counter() - start)
        elapsed = time.perf_counter() - begin
        p50, p95 = p50_p95(times)
        print(
            f"- {args.receive} requests through `inquiry_receive` (each its own transaction, "
            f"the mails sent after commit): {args.receive / elapsed:.0f} requests/s, "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; {len(mail.outbox)} mails in the outbox."
        )
        Inquiry.objects.filter(pk__gt=last).delete()

        # --- Retention -----------------------------------------------------------------
        print(f"\n### {label}: retention purge\n")
        dry = timed("dry", lambda: inquiries_retention_purge(dry_run=True))[0]
        count, _lines = inquiries_retention_purge(dry_run=True)
        counter = QueryCounter()
        error = ""
        with transaction.atomic():
            try:
                with connection.execute_wrapper(counter):
                    real = timed("real", lambda: inquiries_retention_purge(dry_run=False))[0]
            except Exception as exc:  # reported, not hidden: the purge must work at scale
                real, error = float("nan"), f" — **failed**: {exc!r}"
            transaction.set_rollback(True)
        print(
            f"- {count:,} requests closed more than two years ago: dry run {dry * 1000:.0f} ms, "
            f"purge {real * 1000:.0f} ms in {counter.count} queries (rolled back){error}."
        )
        print(f"\nLoad average (1 min) at the end of this scale: {os.getloadavg()[0]:.1f}.")


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _profile(path: Path, function) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        function()
    profiler.disable()
    profiler.dump_stats(str(path))


def _sample(inquiries, agent) -> dict:
    """The rows the pages show: a recent answered request of the agent's with linked
    resources (tracking page, request page), an open one, a search word."""
    from villes2.inquiries.models import Intervention

    answered = (
        inquiries.filter(status="repondue", assignee=agent).order_by("-received_at").first()
        or inquiries.filter(status="repondue").order_by("-received_at").first()
    )
    opened = inquiries.open().filter(assignee=agent).order_by("-received_at").first()
    opened = opened or inquiries.open().order_by("-received_at").first()
    return {
        "answered": answered,
        "open": opened or answered,
        "intervention": Intervention.objects.order_by("-date").first(),
    }


def _url(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _pages(sample: dict, year: int) -> list[tuple[str, str, str]]:
    """(name, url, who) of every page measured; staff pages by their admin URL names."""
    from villes2.inquiries.selectors.tracking import inquiry_tracking_url

    inquiries = "/gestion/inquiries/inquiry/"
    interventions = "/gestion/inquiries/intervention/"
    pages = [
        ("form", "/demandes/nouvelle/", "public"),
        ("tracking", inquiry_tracking_url(sample["answered"]), "public"),
        ("FAQ", "/demandes/faq/", "public"),
        ("queue (open requests)", inquiries, "staff"),
        ("my requests", f"{inquiries}?attribution=moi", "staff"),
        ("my requests, all statuses", f"{inquiries}?attribution=moi&statut=toutes", "staff"),
        ("overdue", f"{inquiries}?echeance=depassee", "staff"),
        ("all requests", f"{inquiries}?statut=toutes", "staff"),
        ("search", f"{inquiries}?q=contrat+de+ville", "staff"),
        ("search by reference", f"{inquiries}?q={sample['answered'].reference}", "staff"),
        ("request page (open)", f"{inquiries}{sample['open'].pk}/change/", "staff"),
        ("request page (answered)", f"{inquiries}{sample['answered'].pk}/change/", "staff"),
        ("interventions (this year)", interventions, "staff"),
        ("interventions, a full year", f"{interventions}?annee={year}", "staff"),
        ("map (this year)", f"{interventions}carte/", "staff"),
        ("map, a full year", f"{interventions}carte/?annee={year}", "staff"),
        ("map data, a full year", f"{interventions}carte/donnees.geojson?annee={year}", "staff"),
        ("calendar (this month)", f"{interventions}calendrier/", "staff"),
        ("calendar, a month", f"{interventions}calendrier/?annee={year}&mois=10", "staff"),
        (
            "calendar feed, a year",
            f"{interventions}calendrier/interventions.ics?annee={year}",
            "staff",
        ),
        ("report", f"/gestion/rapport/{year}/", "staff"),
        ("report PDF", f"/gestion/rapport/{year}/rapport.pdf", "staff"),
        ("report CSV", f"/gestion/rapport/{year}/rapport.csv", "staff"),
    ]
    return pages


def _selectors(sample: dict, year: int):
    """(name, function or None when missing) of the selectors measured alone."""
    found = []
    try:
        from villes2.inquiries.selectors.desk import suggested_resources
    except ImportError:
        suggested_resources = None
    inquiry = sample["open"]
    found.append(
        (
            "`suggested_resources` (an open request)",
            (lambda: suggested_resources(inquiry)) if suggested_resources else None,
        )
    )
    activity_report = None
    with contextlib.suppress(ImportError):
        from villes2.reports.selectors import activity_report
    found.append(
        (
            f"`activity_report(year={year})`",
            (lambda: activity_report(year=year)) if activity_report else None,
        )
    )
    return found


def _form_post(client, repeat: int, themes: list[int]) -> tuple | None:
    """POST of the public form, a new request each time (a new address and e-mail, the
    cache cleared for the throttle), the redirect to the thank-you page not followed:
    (p50, p95, queries, mails) or None when the form is missing. The requests written
    are removed."""
    from django.core import mail
    from django.core.cache import cache
    from django.db import connection

    from villes2.inquiries.models import Inquiry

    last = Inquiry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    mail.outbox = []

    def post(i: int):
        cache.clear()
        return client.post(
            "/demandes/nouvelle/",
            {
                "requester_name": f"Demandeur synthétique du formulaire {i}",
                "requester_email": f"formulaire{i}@exemple.invalid",
                "requester_type": "chef-de-projet",
                "requester_organisation": "Données synthétiques (benchmark)",
                "kind": "information",
                "territory": "37261",
                "subject": f"[Synthétique] Demande par le formulaire n° {i}",
                "question": "Question synthétique (benchmark) sur le contrat de ville.",
                "themes": themes,
                "consent": "on",
                "website": "",
            },
            REMOTE_ADDR=f"127.0.{i // 250}.{i % 250 + 1}",
        )

    response = post(0)
    if response.status_code != 302:
        return None if response.status_code == 404 else (response.status_code,)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        post(1)
    times = []
    for i in range(2, repeat + 2):
        begin = time.perf_counter()
        response = post(i)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 302, response.status_code
    mails = len(mail.outbox)
    Inquiry.objects.filter(pk__gt=last).delete()
    return (*p50_p95(times), counter.count, mails)


def _delays(inquiries, year: int) -> None:
    """Medians of the generated data, in working days: a check of the generator."""
    import statistics

    from villes2.inquiries.services.working_days import working_days_between

    rows = inquiries.filter(received_at__year=year, answered_at__isnull=False).values_list(
        "received_at", "first_response_at", "answered_at"
    )
    firsts = [working_days_between(r.date(), f.date()) for r, f, _a in rows if f]
    answers = [working_days_between(r.date(), a.date()) for r, _f, a in rows]
    if answers:
        print(
            f"\nGenerated {year}: {inquiries.filter(received_at__year=year).count()} requests, "
            f"{len(answers)} answered; median first response "
            f"{statistics.median(firsts)} working days, median answer "
            f"{statistics.median(answers)} working days."
        )


if __name__ == "__main__":
    main()
