"""Benchmark of the directory (actors): public pages, import, staff export, erasure, retention.

Usage (from the repository root, in the virtualenv):

    python bench/bench_directory.py                      # SQLite, in a temporary folder
    python bench/bench_directory.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench_directory

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, loads the reference data (`load_reference_data`:
territories and the note's founding actors), then generates a synthetic directory at two
scales and measures, at each: the public pages (p50 / p95 over `--repeat` warm requests
through Django's test client, and the number of queries of one request), the import of a
CSV of 2,000 persons and of 600 organisations through `services.directory_import` (dry
run, then the write, rolled back afterwards so that the scale stays what it is), the
staff exports of every person (CSV and XLSX writers of `selectors/exports.py`), the
erasure of persons holding several roles and history rows (`services.person_erase`), and
the count of `selectors.retention_candidates()`.

Scales. Realistic: 600 organisations, 1,500 persons and 2,500 roles for the former
regions Centre and Poitou-Charentes, because the note counts about 110 contract sites
there (24 CUCS, 20 ANRU sites, 13 agglomeration and 50 pays contracts, over 44 ZUS) and
each site brings some five or six organisations (commune, EPCI, State delegate, social
landlord, neighbourhood associations) and fifteen contacts (elected officials, project
team, partners), plus the regional bodies and networks. 10×: ten times that, reached by
adding nine more batches of the same shape. Entries are synthetic ("SYNTHÉTIQUE
Organisation 123", "Prénom123 SYNTHÉTIQUE …", source "Données synthétiques (benchmark)"),
attached to the real communes, EPCI and départements of the two former regions, and exist
only in this throw-away database. On PostgreSQL, the database is analysed after each
generation (what autovacuum does in production after such growth); on SQLite the
directory tables are not (nothing analyses them in production).
"""

import argparse
import contextlib
import datetime
import os
import random
import statistics
import sys
import time

from _setup import QueryCounter, code_version, django_setup, p50_p95, timed

SOURCE = "Données synthétiques (benchmark)"
REALISTIC = {"organisations": 600, "persons": 1500, "roles": 2500}
FORMER_REGIONS = ("24", "54")  # Centre, Poitou-Charentes
PERSON_IMPORT_ROWS = 2000
ERASURES = 5
ORGANISATION_QUERY = "habitat"  # social landlords and housing associations: ~8 %
PERSON_QUERY = "mission"  # "Chargé(e) de mission …": ~20 %

# (kind, share of a batch of 600, name labels)
ORGANISATION_KINDS = [
    ("collectivite", 150, ["Commune", "Ville", "Conseil départemental", "Mairie annexe"]),
    ("epci", 50, ["Communauté d'agglomération", "Communauté de communes"]),
    ("service-etat", 50, ["Délégation du préfet", "Direction départementale", "Sous-préfecture"]),
    ("etablissement-public", 25, ["Caisse d'allocations familiales", "Agence d'urbanisme"]),
    ("bailleur-social", 35, ["Office public de l'habitat", "SA d'HLM Habitat", "Habitat social"]),
    ("association", 200, ["Centre social", "Régie de quartier", "Association de quartier"]),
    ("reseau", 12, ["Réseau des acteurs", "Réseau régional"]),
    ("universite-recherche", 20, ["Laboratoire", "Université"]),
    ("bureau-etudes", 25, ["Cabinet conseil", "Bureau d'études"]),
    ("entreprise", 25, ["Entreprise d'insertion", "Société"]),
    ("centre-ressources", 8, ["Centre de ressources"]),
]
JOB_TITLES = [
    "Chargée de mission politique de la ville",
    "Chargé de mission habitat",
    "Chargée de mission emploi insertion",
    "Chef de projet contrat de ville",
    "Cheffe de projet rénovation urbaine",
    "Maire",
    "Adjointe au maire",
    "Adjoint au maire délégué à la cohésion sociale",
    "Directeur général des services",
    "Délégué du préfet",
    "Responsable DSU",
    "Coordinatrice atelier santé ville",
    "Agent de développement local",
    "Président",
    "Directrice",
]
THEMES = [
    "Rénovation urbaine",
    "Emploi et insertion",
    "Éducation",
    "Santé",
    "Médiation sociale",
    "Habitat",
    "Développement durable",
    "Égalité des chances",
    "Prévention de la délinquance",
    "Culture",
    "Participation des habitants",
    "Développement économique",
    "Jeunesse",
    "Évaluation",
    "Observation",
    "Mobilité",
]
SYLLABLES = ["ba", "lo", "rin", "du", "mer", "cy", "ga", "vel", "to", "ni", "que", "sa", "ro"]


def pseudo_name(n: int) -> str:
    a, b, c = n % 13, (n // 13) % 13, (n // 169) % 13
    return (SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c]).capitalize()


def luhn_siren(n: int) -> str:
    """A 9-digit SIREN with a valid Luhn key, from 8 digits of `n`."""
    digits = f"{n % 10**8:08d}"
    for key in range(10):
        candidate = digits + str(key)
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


class Area:
    """The real territories of the two former regions, to attach synthetic entries to."""

    def __init__(self, Territory):
        inside = Territory.objects.filter(
            ancestors__kind="ancienne-region", ancestors__code__in=FORMER_REGIONS
        )
        communes = list(
            inside.filter(kind="commune").values_list("pk", "name", "code", "population").distinct()
        )
        self.communes = [(pk, name, code) for pk, name, code, _population in communes]
        # Urban policy is where people live: communes drawn by population.
        self.commune_weights = [max(population or 1, 1) for *_rest, population in communes]
        self.departements = list(
            inside.filter(kind="departement").values_list("pk", "code").order_by("code")
        )
        self.epcis = list(
            Territory.objects.filter(kind="epci", descendants__in=inside.filter(kind="commune"))
            .values_list("pk", "code")
            .distinct()
        )

    def commune(self, rng):
        return rng.choices(self.communes, weights=self.commune_weights)[0]


def skewed(rng, count: int) -> int:
    """An index in range(count), small ones far more often (a few big organisations)."""
    return min(int(count * rng.random() ** 2), count - 1)


def generate(models, area, tags, rng, batch: int) -> None:
    """Add one batch of the realistic shape: organisations, persons, roles, territories,
    themes, networks, consents, with their creation history rows."""
    from django.utils import timezone
    from django.utils.text import slugify

    from villes2.core.text import normalize_for_search

    Organisation, Person, Membership = (
        models["Organisation"],
        models["Person"],
        models["Membership"],
    )
    Consent, NetworkMembership = models["Consent"], models["NetworkMembership"]
    now = timezone.now()
    n_org, n_person, n_role = (REALISTIC[key] for key in ("organisations", "persons", "roles"))
    kinds = [(kind, labels) for kind, share, labels in ORGANISATION_KINDS for _ in range(share)]
    random.Random(600).shuffle(kinds)  # the same mix in every batch

    existing = list(
        Organisation.objects.filter(source=SOURCE).values_list("pk", "name", "acronym", "kind")
    )
    organisations, territory_links, theme_links = [], [], []
    new_territories: list[list[int]] = []
    for i in range(n_org):
        n = batch * n_org + i
        kind, labels = kinds[i]
        label = labels[n % len(labels)]
        if kind == "service-etat":
            territories = [rng.choice(area.departements)[0]]
            place = ""
        elif kind == "epci":
            territories = [rng.choice(area.epcis)[0]]
            place = ""
        else:
            pk, name, _code = area.commune(rng)
            territories = [pk] + [area.commune(rng)[0] for _ in range(rng.randrange(3))]
            place = f" ({name})"
        name = f"SYNTHÉTIQUE {label} {n}{place}"
        acronym = f"SYN{n}" if rng.random() < 0.3 else ""
        organisations.append(
            Organisation(
                kind=kind,
                name=name,
                acronym=acronym,
                slug=slugify(f"synthetique-{n}-{label}")[:120],
                website=f"https://synthetique-{n}.example.org" if rng.random() < 0.5 else "",
                address=f"{n} rue Synthétique\n37000 Tours" if rng.random() < 0.4 else "",
                description="Organisation synthétique du banc d'essai. " * 3,
                is_partner=rng.random() < 0.03,
                source=SOURCE,
                sort_name=normalize_for_search(name),
            )
        )
        new_territories.append(territories)
    # Parents among the organisations made before (no cycles): State services of a
    # prefecture, associations of a network or federation.
    pool = existing + [(None, o.name, o.acronym, o.kind) for o in organisations]
    parents: list[int | None] = []
    for i, organisation in enumerate(organisations):
        index = len(existing) + i
        parent = rng.randrange(index) if index and rng.random() < 0.2 else None
        parents.append(parent)
        parent_text = f" {pool[parent][1]} {pool[parent][2]}" if parent is not None else ""
        organisation.search_text = normalize_for_search(
            f"{organisation.name} {organisation.acronym}{parent_text}"
        )
    Organisation.objects.bulk_create(organisations)
    all_pks = [pk for pk, *_rest in existing] + [o.pk for o in organisations]
    for organisation, parent in zip(organisations, parents, strict=True):
        organisation.parent_id = all_pks[parent] if parent is not None else None
    Organisation.objects.bulk_update(
        [o for o in organisations if o.parent_id], ["parent"], batch_size=500
    )
    Organisation.history.bulk_history_create(
        organisations, default_date=now, default_change_reason="Banc d'essai"
    )
    through = Organisation.territories.through
    for organisation, territories in zip(organisations, new_territories, strict=True):
        territory_links += [
            through(organisation_id=organisation.pk, territory_id=pk) for pk in set(territories)
        ]
        theme_links += [
            Organisation.themes.through(organisation_id=organisation.pk, tag_id=tag.pk)
            for tag in rng.sample(tags, rng.randrange(4))
        ]
    through.objects.bulk_create(territory_links)
    Organisation.themes.through.objects.bulk_create(theme_links)
    all_organisations = {
        pk: (name, acronym, kind)
        for pk, name, acronym, kind in Organisation.objects.filter(source=SOURCE).values_list(
            "pk", "name", "acronym", "kind"
        )
    }
    org_pks = sorted(all_organisations)
    networks = [pk for pk in org_pks if all_organisations[pk][2] == "reseau"]

    # Persons and their roles: one each, the extra roles to people already holding one.
    roles: list[list[tuple[int, str]]] = [[] for _ in range(n_person)]
    for r in range(n_role):
        person = r if r < n_person else rng.randrange(n_person)
        title = JOB_TITLES[(batch * n_role + r) % len(JOB_TITLES)]
        roles[person].append((org_pks[skewed(rng, len(org_pks))], title))
    persons = []
    start = datetime.datetime(2007, 5, 29, tzinfo=datetime.UTC)
    for i in range(n_person):
        n = batch * n_person + i
        first, last = f"Prénom{n}", f"SYNTHÉTIQUE {pseudo_name(n)}"
        job_title = roles[i][0][1]
        parts = [first, last, job_title]
        for org_pk, role in roles[i]:
            name, acronym, _kind = all_organisations[org_pk]
            parts += [role, name, acronym]
        created_at = start + datetime.timedelta(days=rng.randrange(19 * 365))
        persons.append(
            Person(
                first_name=first,
                last_name=last,
                slug=f"prenom{n}-synthetique",
                job_title=job_title,
                email=f"prenom{n}@synthetique.invalid" if rng.random() < 0.7 else "",
                phone=f"02 47 {n % 100:02d} {n // 100 % 100:02d} 00" if rng.random() < 0.5 else "",
                address=f"{n} avenue Synthétique\n86000 Poitiers" if rng.random() < 0.3 else "",
                biography="Présentation synthétique. " * 5 if rng.random() < 0.2 else "",
                informed_on=created_at.date() if rng.random() < 0.6 else None,
                processing_restricted=rng.random() < 0.005,
                last_contact_on=(
                    created_at.date() + datetime.timedelta(days=rng.randrange(2000))
                    if rng.random() < 0.5
                    else None
                ),
                created_at=created_at,
                source=SOURCE,
                search_text=normalize_for_search(" ".join(parts)),
                sort_name=normalize_for_search(f"{last} {first}"),
            )
        )
    Person.objects.bulk_create(persons)
    Person.history.bulk_history_create(
        persons, default_date=now, default_change_reason="Banc d'essai"
    )
    memberships = [
        Membership(
            person_id=person.pk,
            organisation_id=org_pk,
            role=role,
            start_date=datetime.date(2008 + k, 1, 1) if rng.random() < 0.4 else None,
            attested_on=datetime.date(2007, 5, 29) if rng.random() < 0.3 else None,
            source=SOURCE,
        )
        for person, person_roles in zip(persons, roles, strict=True)
        for k, (org_pk, role) in enumerate(person_roles)
    ]
    Membership.objects.bulk_create(memberships)
    Membership.history.bulk_history_create(
        memberships, default_date=now, default_change_reason="Banc d'essai"
    )

    person_territories, person_themes, consents, network_members = [], [], [], []
    for person in persons:
        if rng.random() < 0.5:
            person_territories.append(
                Person.territories.through(person_id=person.pk, territory_id=area.commune(rng)[0])
            )
        if rng.random() < 0.4:
            person_themes += [
                Person.themes.through(person_id=person.pk, tag_id=tag.pk)
                for tag in rng.sample(tags, rng.randrange(1, 4))
            ]
        if rng.random() < 0.2:  # a fifth publish some fields
            fields = rng.sample(["email", "phone", "address", "themes", "biography"], 2)
            given = now - datetime.timedelta(days=rng.randrange(1, 1500))
            if rng.random() < 0.2:  # changed their mind once: the older row is withdrawn
                consents.append(
                    Consent(
                        person_id=person.pk,
                        purpose="public-listing",
                        fields=["email"],
                        given_at=given - datetime.timedelta(days=30),
                        withdrawn_at=given,
                        channel="formulaire en ligne",
                        text_version="2026-11-25",
                    )
                )
            consents.append(
                Consent(
                    person_id=person.pk,
                    purpose="public-listing",
                    fields=fields,
                    given_at=given,
                    channel="formulaire en ligne",
                    text_version="2026-11-25",
                )
            )
        if rng.random() < 0.15:
            consents.append(
                Consent(
                    person_id=person.pk,
                    purpose="newsletter",
                    given_at=now - datetime.timedelta(days=rng.randrange(1, 1500)),
                    channel="courrier",
                    text_version="2026-11-25",
                )
            )
        if networks and rng.random() < 0.05:
            network_members.append(
                NetworkMembership(
                    network_id=rng.choice(networks), person_id=person.pk, source=SOURCE
                )
            )
    for organisation in organisations:
        if networks and organisation.pk not in networks and rng.random() < 0.25:
            network_members.append(
                NetworkMembership(
                    network_id=rng.choice(networks), organisation_id=organisation.pk, source=SOURCE
                )
            )
    Person.territories.through.objects.bulk_create(person_territories)
    Person.themes.through.objects.bulk_create(person_themes)
    Consent.objects.bulk_create(consents)
    NetworkMembership.objects.bulk_create(network_members)


def persons_csv(rng, organisation_slugs: list[str], area, scale: int) -> bytes:
    """2,000 new persons, one role each, in the import's columns (UTF-8, `;`)."""
    from villes2.actors.columns import PERSON_COLUMNS, headers
    from villes2.actors.selectors import rows_csv

    rows = []
    for n in range(PERSON_IMPORT_ROWS):
        title = JOB_TITLES[n % len(JOB_TITLES)]
        rows.append(
            [
                "",
                f"Importé{n}",
                f"SYNTHÉTIQUE {pseudo_name(n * 7 + 3)}",
                title,
                f"importe{n}.x{scale}@synthetique.invalid",
                f"05 49 {n % 100:02d} {n // 100 % 100:02d} 00" if n % 2 else "",
                "",
                organisation_slugs[skewed(rng, len(organisation_slugs))],
                title,
                f"commune:{area.commune(rng)[2]}" if n % 3 else "",
                "",
                SOURCE,
            ]
        )
    return rows_csv(header=headers(PERSON_COLUMNS), rows=rows)


def organisations_csv(rng, organisation_slugs: list[str], area) -> bytes:
    """The realistic number of new organisations, in the import's columns."""
    from villes2.actors.columns import ORGANISATION_COLUMNS, headers
    from villes2.actors.selectors import rows_csv

    rows = []
    kinds = [(kind, labels) for kind, share, labels in ORGANISATION_KINDS for _ in range(share)]
    for n in range(REALISTIC["organisations"]):
        kind, labels = kinds[n]
        rows.append(
            [
                "",
                f"SYNTHÉTIQUE Importée {labels[n % len(labels)]} {n}",
                f"SYNI{n}" if n % 4 == 0 else "",
                kind,
                luhn_siren(90000000 + n) if n % 3 == 0 else "",
                organisation_slugs[skewed(rng, len(organisation_slugs))] if n % 5 == 0 else "",
                f"synthetique-importee-{n}.example.org" if n % 2 else "",
                "",
                "|".join(f"commune:{area.commune(rng)[2]}" for _ in range(1 + n % 3)),
                "non",
                SOURCE,
            ]
        )
    return rows_csv(header=headers(ORGANISATION_COLUMNS), rows=rows)


class Rollback(Exception):
    pass


def measure_import(kind: str, file_name: str, content: bytes) -> dict:
    """Dry run, then the write (inside an outer transaction rolled back afterwards)."""
    from django.db import connection, transaction

    from villes2.actors.services import directory_import

    result = {}
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        report = directory_import(kind=kind, file_name=file_name, content=content, dry_run=True)
        result["dry"] = time.perf_counter() - start
    result["dry_queries"] = counter.count
    if not report.ok:
        sys.exit("Import refused:\n" + "\n".join(report.lines()[:20]))
    result["rows"], result["warnings"] = report.rows, len(report.warnings)
    counter = QueryCounter()
    with contextlib.suppress(Rollback), transaction.atomic():
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            report = directory_import(kind=kind, file_name=file_name, content=content)
            result["write"] = time.perf_counter() - start
        if not report.ok or report.created != result["rows"]:
            sys.exit("Import failed:\n" + "\n".join(report.lines()[:20]))
        raise Rollback
    result["write_queries"] = counter.count
    return result


def erasure_subject(models, tags, area, k: int, organisation_pks: list[int]):
    """A person with three roles, consents, a network, themes, territories, an open
    erasure request and several history rows (saved four times)."""
    from villes2.actors import services

    Person, Membership = models["Person"], models["Membership"]
    person = Person.objects.create(
        first_name=f"Effacé{k}",
        last_name="SYNTHÉTIQUE Effacement",
        slug=f"efface{k}-synthetique",
        job_title="Chargée de mission",
        email=f"efface{k}@synthetique.invalid",
        phone="02 47 00 00 00",
        source=SOURCE,
    )
    for version in range(4):
        person.job_title = f"Chargée de mission {version}"
        person.save()
    for organisation_pk in organisation_pks[:3]:
        Membership.objects.create(
            person=person, organisation_id=organisation_pk, role="Cheffe de projet", source=SOURCE
        )
    person.themes.add(*tags[:3])
    person.territories.add(area.commune(random.Random(k))[0])
    services.consents_record(
        person=person, purposes={"public-listing"}, public_fields={"email"}, channel="courrier"
    )
    services.consents_record(
        person=person,
        purposes={"public-listing", "newsletter"},
        public_fields={"email", "phone"},
        channel="courrier",
    )
    networks = list(models["Organisation"].objects.networks().values_list("pk", flat=True)[:1])
    if networks:
        models["NetworkMembership"].objects.create(
            network_id=networks[0], person=person, source=SOURCE
        )
    services.person_search_text_refresh(person=person)
    request = services.rights_request_submit(
        person=person,
        kind="effacement",
        requester_name=str(person),
        requester_email=person.email,
        message="Demande synthétique.",
        channel="courriel",
    )
    return person, request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated multiples of the realistic scale"
    )
    args = parser.parse_args()
    scales = sorted(int(value) for value in args.scales.split(","))

    engine = django_setup(args.database_url, log_level="WARNING")  # security log lines
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils.text import slugify

    from villes2.actors import models as actor_models
    from villes2.actors import selectors, services
    from villes2.territories.models import Territory

    quiet = open(os.devnull, "w")  # noqa: SIM115
    load = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    models = {
        name: getattr(actor_models, name)
        for name in (
            "Organisation",
            "Person",
            "Membership",
            "Consent",
            "NetworkMembership",
            "RightsRequest",
            "Tag",
        )
    }
    Organisation, Person, Membership = (
        models["Organisation"],
        models["Person"],
        models["Membership"],
    )
    area = Area(Territory)
    tags = models["Tag"].objects.bulk_create(
        models["Tag"](name=f"SYNTHÉTIQUE {theme}", slug=slugify(f"synthetique-{theme}"))
        for theme in THEMES
    )
    code = code_version()
    print(f"\n## {engine}\n")
    print(f"Code: `{code}`, {datetime.datetime.now():%Y-%m-%d %H:%M}.")
    print(
        f"Reference data: {load:.1f} s. Area: {len(area.communes):,} communes, "
        f"{len(area.epcis)} EPCI, {len(area.departements)} départements "
        f"({', '.join(code for _pk, code in area.departements)})."
    )

    setup_test_environment()
    client = Client()
    rng = random.Random(2026)
    batches = 0
    for scale in scales:
        generation = 0.0
        while batches < scale:
            generation += timed("generate", lambda b=batches: generate(models, area, tags, rng, b))[
                0
            ]
            batches += 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        volumes = {
            "organisations": Organisation.objects.count(),
            "persons": Person.objects.count(),
            "roles": Membership.objects.count(),
            "consents": models["Consent"].objects.count(),
            "network memberships": models["NetworkMembership"].objects.count(),
            "history rows": Person.history.count()
            + Organisation.history.count()
            + Membership.history.count(),
        }
        label = "realistic" if scale == 1 else f"{scale}×"
        print(f"\n### {label}: data\n")
        print("| " + " | ".join(volumes) + " | generated in |")
        print("|" + "---|" * (len(volumes) + 1))
        print("| " + " | ".join(f"{v:,}" for v in volumes.values()) + f" | {generation:.1f} s |")

        synthetic = Organisation.objects.filter(source=SOURCE)
        big = (
            synthetic.annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .values_list("slug", "n")
            .first()
        )
        busy = (
            Person.objects.public()
            .filter(source=SOURCE)
            .annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .values_list("slug", "n")
            .first()
        )
        theme = tags[0].pk
        pages = [
            "/annuaire/",
            f"/annuaire/?q={ORGANISATION_QUERY}",
            "/annuaire/?kind=association&page=3",
            "/annuaire/?territory=departement+37",
            "/annuaire/personnes/",
            f"/annuaire/personnes/?q={PERSON_QUERY}",
            "/annuaire/personnes/?q=synthetique",
            f"/annuaire/personnes/?theme={theme}",
            "/annuaire/personnes/?territory=departement+37",
            f"/annuaire/organisations/{big[0]}/",
            f"/annuaire/personnes/{busy[0]}/",
            f"/annuaire/personnes/annuaire.vcf?q={PERSON_QUERY}",
            "/territoires/departement/37/",
        ]
        print(
            f"\n### {label}: pages, p50 / p95 ms over {args.repeat} requests, warm; "
            f"queries of one request\n"
        )
        print(
            f"(`{big[0]}`: {big[1]} roles; `{busy[0]}`: {busy[1]} roles; "
            f"theme {theme}: {tags[0].name})\n"
        )
        print("| page | p50 | p95 | queries | bytes |\n|---|---|---|---|---|")
        load_before = os.getloadavg()[0]
        for page in pages:
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            times = timed(page, lambda p=page: client.get(p), args.repeat)
            p50, p95 = p50_p95(times)
            print(
                f"| `{page}` | {p50:.1f} | {p95:.1f} | {counter.count} | "
                f"{len(response.content):,} |"
            )

        themes = timed("themes", lambda: list(selectors.public_themes()), args.repeat)
        fields = timed("fields", selectors.public_fields_by_person, args.repeat)
        departement = Territory.objects.get(kind="departement", code="37")
        linked = timed(
            "linked", lambda t=departement: selectors.linked_actors_section(t), args.repeat
        )
        for name, times in (
            ("`selectors.public_themes()` alone (built by every list page)", themes),
            ("`selectors.public_fields_by_person()` alone (inside it)", fields),
            ("`selectors.linked_actors_section(<département 37>)` alone", linked),
        ):
            p50, p95 = p50_p95(times)
            print(f"| {name} | {p50:.1f} | {p95:.1f} | | |")
        print(
            f"\nLoad average (1 min) before / after the pages: {load_before:.1f} / "
            f"{os.getloadavg()[0]:.1f} (2 cores)."
        )

        print(f"\n### {label}: import through `services.directory_import` (single runs)\n")
        print(
            "| file | rows | dry run s | rows/s | queries/row | write s | rows/s | queries/row |"
            "\n|---|---|---|---|---|---|---|---|"
        )
        slugs = list(synthetic.order_by("pk").values_list("slug", flat=True))
        files = [
            ("personnes", f"bench-personnes-x{scale}.csv", persons_csv(rng, slugs, area, scale)),
            (
                "organisations",
                f"bench-organisations-x{scale}.csv",
                organisations_csv(rng, slugs, area),
            ),
        ]
        for kind, name, content in files:
            r = measure_import(kind, name, content)
            print(
                f"| {kind}, {len(content) / 1024:.0f} KB | {r['rows']:,} | {r['dry']:.1f} | "
                f"{r['rows'] / r['dry']:,.0f} | {r['dry_queries'] / r['rows']:.1f} | "
                f"{r['write']:.1f} | {r['rows'] / r['write']:,.0f} | "
                f"{(r['write_queries'] - r['dry_queries']) / r['rows']:.1f} |"
            )

        print(f"\n### {label}: staff export of every person and organisation (single runs)\n")
        print(
            "| export | rows | queries | reading rows s | CSV s | CSV size | XLSX s | XLSX size |"
            "\n|---|---|---|---|---|---|---|---|"
        )
        for what, rows_function, header_function, model in (
            ("persons", selectors.person_export_rows, selectors.person_export_headers, Person),
            (
                "organisations",
                selectors.organisation_export_rows,
                selectors.organisation_export_headers,
                Organisation,
            ),
        ):
            counter = QueryCounter()
            start = time.perf_counter()
            with connection.execute_wrapper(counter):
                rows = rows_function(**{what: model.objects.all()})
            reading = time.perf_counter() - start
            start = time.perf_counter()
            csv_content = selectors.rows_csv(header=header_function(), rows=rows)
            csv_seconds = time.perf_counter() - start
            start = time.perf_counter()
            xlsx_content = selectors.rows_xlsx(header=header_function(), rows=rows, title=what)
            xlsx_seconds = time.perf_counter() - start
            print(
                f"| {what} | {len(rows):,} | {counter.count} | {reading:.2f} | {csv_seconds:.2f} | "
                f"{len(csv_content) / 1024:,.0f} KB | {xlsx_seconds:.2f} | "
                f"{len(xlsx_content) / 1024:,.0f} KB |"
            )

        print(f"\n### {label}: erasure and retention\n")
        big_pks = list(
            synthetic.annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)[:3]
        )
        erase_times, erase_queries, erase_rows = [], [], []
        for k in range(ERASURES):
            person, request = erasure_subject(models, tags, area, scale * 100 + k, big_pks)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                erasure = services.person_erase(person=person, reason="demande", request=request)
                erase_times.append(time.perf_counter() - start)
            erase_queries.append(counter.count)
            erase_rows.append(sum(erasure.counts.values()))
        retention = timed(
            "retention", lambda: selectors.retention_candidates().count(), args.repeat
        )
        r50, r95 = p50_p95(retention)
        erase_ms = sorted(t * 1000 for t in erase_times)
        print("| operation | ms | queries | rows |\n|---|---|---|---|")
        print(
            f"| `person_erase`, median of {ERASURES} (min–max) | {statistics.median(erase_ms):.0f} "
            f"({erase_ms[0]:.0f}–{erase_ms[-1]:.0f}) | {statistics.median(erase_queries):.0f} | "
            f"{statistics.median(erase_rows):.0f} removed or anonymised |"
        )
        print(
            f"| `retention_candidates().count()`, p50 / p95 over {args.repeat} | "
            f"{r50:.1f} / {r95:.1f} | 1 | {selectors.retention_candidates().count():,} candidates |"
        )
        print(f"\nLoad average (1 min) at the end of this scale: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
