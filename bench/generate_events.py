"""SYNTHETIC events and registrations for the agenda benchmark (bench/bench_events.py).

Nothing here is ever loaded by the application: no migration, command or page imports
this module, and the rows it writes exist only in a benchmark's throw-away database.
Every event is marked: slug "syn-…", source "Données synthétiques (benchmark)"; every
registrant's e-mail ends in "@exemple.invalid".

Events are deterministic: event n depends only on (seed, n). They look like an
inter-network programme:

- spread evenly over the ten years 2018–2027 (event n falls in year 2018 + n mod 10, so
  any prefix of the set covers every year): 1,000 events are 100 a year, the realistic
  programme of one centre and its partner networks; 10,000 events, the 10× scale, are
  what ten centres pooling their programmes would hold; fewer in July–August;
- 1–3 co-organisers among 60 synthetic networks and the real founding organisations;
- 1–2 themes from the real thesaurus, 0–3 audiences;
- one place (a real commune of the ten départements, by population), 15 % with two
  candidate places not yet confirmed;
- 80 % exact days (20 % of them on two days), 15 % month only, 5 % year only; 8 % with
  an unconfirmed date; 3 % cancelled; 85 % published;
- 30 % open to registration with a capacity of 20–120 and 50–130 % of it registered.
"""

import datetime
import random

SOURCE = "Données synthétiques (benchmark)"
DEPARTEMENTS = ("16", "17", "18", "28", "36", "37", "41", "45", "79", "86")
FIRST_YEAR = 2018
YEARS = 10

SUBJECTS = [
    "la rénovation urbaine",
    "la gestion urbaine de proximité",
    "l'égalité des chances dans l'accès à l'emploi",
    "l'accès au logement des jeunes",
    "la médiation sociale",
    "la réussite éducative",
    "les ateliers santé ville",
    "l'évaluation des contrats de ville",
    "la participation des habitants",
    "les clauses d'insertion",
    "l'initiative économique des habitants",
    "la prévention de la délinquance",
    "l'observation des quartiers prioritaires",
    "la lutte contre les discriminations",
    "l'histoire et la mémoire des quartiers",
]
FORMS = [
    "Rencontre régionale sur {}",
    "Atelier d'échanges : {}",
    "Formation-action sur {}",
    "Journée d'étude : {}",
    "Réunion du réseau sur {}",
    "Webinaire : {}",
    "Colloque interrégional sur {}",
]
KINDS = [
    "rencontre-regionale",
    "atelier",
    "formation-action",
    "journee-etude",
    "reunion",
    "webinaire",
    "colloque",
]
STRANDS = ["volet-urbain", "volet-humain", "transversal"]
AUDIENCES = [
    "elus",
    "chefs-de-projet",
    "agents-etat",
    "bailleurs",
    "associations",
    "habitants",
    "professionnels",
]
# Fewer events in summer, none in August's first half: the rhythm of a programme.
MONTH_WEIGHTS = [8, 10, 11, 10, 10, 10, 5, 2, 10, 11, 10, 7]


def _networks(count: int = 60):
    from villes2.actors.models import Organisation

    existing = {o.slug: o for o in Organisation.objects.filter(slug__startswith="syn-reseau-")}
    rows = []
    for n in range(1, count + 1):
        slug = f"syn-reseau-{n}"
        if slug not in existing:
            rows.append(
                Organisation(
                    kind="reseau",
                    name=f"Réseau synthétique {n}",
                    acronym=f"RS{n}",
                    slug=slug,
                    source=SOURCE,
                )
            )
    Organisation.objects.bulk_create(rows)
    real = list(Organisation.objects.exclude(slug__startswith="syn-").order_by("slug"))
    return list(Organisation.objects.filter(slug__startswith="syn-reseau-")) + real


def _communes():
    from villes2.territories.models import Territory

    communes = list(
        Territory.objects.filter(
            kind="commune",
            valid_to__isnull=True,
            parents__kind="departement",
            parents__code__in=DEPARTEMENTS,
            population__gte=2000,
        ).order_by("code")
    )
    weights = [c.population for c in communes]
    return communes, weights


def generate(start: int, stop: int, *, seed: int = 7) -> int:
    """Write events start..stop-1 with their relations and registrations; return the
    number of registrations written. Idempotence is the caller's: it grows a set."""
    from django.db import transaction

    from villes2.events.models import Event, EventPlace, Registration
    from villes2.taxonomy.models import Concept

    organisations = _networks()
    communes, weights = _communes()
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("slug"))
    registrations = 0
    with transaction.atomic():
        for first in range(start, stop, 500):
            events, places, organiser_links, theme_links, regs = [], [], [], [], []
            for n in range(first, min(first + 500, stop)):
                rng = random.Random(seed * 1_000_003 + n)
                year = FIRST_YEAR + n % YEARS
                month = rng.choices(range(1, 13), MONTH_WEIGHTS)[0]
                day = rng.randint(1, 28)
                precision = rng.choices(["jour", "mois", "annee"], [80, 15, 5])[0]
                if precision == "jour":
                    start_date = datetime.date(year, month, day)
                    end_date = start_date + datetime.timedelta(days=rng.random() < 0.2)
                elif precision == "mois":
                    start_date = datetime.date(year, month, 1)
                    end_date = (start_date + datetime.timedelta(days=32)).replace(
                        day=1
                    ) - datetime.timedelta(days=1)
                else:
                    start_date, end_date = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
                registration = rng.random() < 0.3
                capacity = rng.randint(20, 120) if registration else None
                event = Event(
                    title=rng.choice(FORMS).format(rng.choice(SUBJECTS)),
                    slug=f"syn-{n}",
                    description=SOURCE,
                    strand=rng.choice(STRANDS),
                    kind=rng.choice(KINDS),
                    audiences=sorted(rng.sample(AUDIENCES, rng.randint(0, 3))),
                    start_date=start_date,
                    end_date=end_date,
                    date_precision=precision,
                    date_confirmed=rng.random() >= 0.08,
                    place_confirmed=rng.random() >= 0.15,
                    status="annule" if rng.random() < 0.03 else "confirme",
                    published=rng.random() < 0.85,
                    registration_open=registration,
                    capacity=capacity,
                    source=SOURCE,
                )
                events.append(event)
                chosen_places = rng.choices(communes, weights, k=1 if event.place_confirmed else 2)
                places.append(list(dict.fromkeys(chosen_places)))
                organiser_links.append(rng.sample(organisations, rng.randint(1, 3)))
                theme_links.append(rng.sample(themes, rng.randint(1, 2)))
                regs.append(int(capacity * rng.uniform(0.5, 1.3)) if capacity else 0)
            Event.objects.bulk_create(events)
            saved = {e.slug: e for e in Event.objects.filter(slug__in=[e.slug for e in events])}
            place_rows, organiser_rows, theme_rows, registration_rows = [], [], [], []
            for event, event_places, organisers, event_themes, count in zip(
                events, places, organiser_links, theme_links, regs, strict=True
            ):
                pk = saved[event.slug].pk
                place_rows += [
                    EventPlace(event_id=pk, territory_id=p.pk, order=i)
                    for i, p in enumerate(event_places)
                ]
                organiser_rows += [
                    Event.organisers.through(event_id=pk, organisation_id=o.pk) for o in organisers
                ]
                theme_rows += [
                    Event.themes.through(event_id=pk, concept_id=c.pk) for c in event_themes
                ]
                for i in range(count):
                    registration_rows.append(
                        Registration(
                            event_id=pk,
                            name=f"Participant {i}",
                            organisation="Organisation synthétique",
                            email=f"participant{i}.{event.slug}@exemple.invalid",
                            role="Chargé de mission",
                            status="inscrit" if i < event.capacity else "attente",
                            attended=i < event.capacity and i % 5 != 0,
                        )
                    )
            EventPlace.objects.bulk_create(place_rows)
            Event.organisers.through.objects.bulk_create(organiser_rows)
            Event.themes.through.objects.bulk_create(theme_rows)
            Registration.objects.bulk_create(registration_rows, batch_size=2000)
            registrations += len(registration_rows)
    return registrations
