"""SYNTHETIC requests, FAQ entries and interventions for the desk benchmark
(bench/bench_inquiries.py).

Nothing here is ever loaded by the application: no migration, command or page imports
this module, and the rows it writes exist only in a benchmark's throw-away database.
Every row is marked: request subjects, FAQ questions and intervention subjects start with
"[Synthétique]", requesters are "Demandeur synthétique n" with an e-mail ending in
"@exemple.invalid", staff accounts are "syn-agent-…", notes say "Données synthétiques
(benchmark)".

Rows are deterministic: request n depends only on (seed, n), so a set is grown in place
(the first 4,000 of the 40,000 are the realistic set). Requests are written in bulk, not
through the services, but keep their invariants: the due date is
`services.due_date_for(received_at)`, the first response comes before or with the answer,
the answer before the closure, the status is the one its dates say, and the log tells the
same story. They look like one regional centre's desk over ten years:

- about 400 a year, received over the ten years up to now (uniformly: any prefix of the
  set covers every year), in office hours on working days for most of them;
- kinds, requester types and channels drawn with a desk's weights (information and
  project leaders most often, half through the web form);
- the territory a real commune (by population), EPCI, QPV or département of the ten
  départements of Centre and Poitou-Charentes (90 %), 1–3 themes of the real thesaurus;
- 85 % answered (closed 30 days after the answer, as `inquiries_auto_close` does, once
  that date is past), first response and answer drawn in working days so that their
  medians are one and three working days, with a tail of a few weeks; of the others,
  those older than two months are closed without answer (98 %) or left open and overdue
  (forgotten: 0.3 % of all requests, open for months or years);
  recent ones are new (most of those of the last three days), assigned, in progress
  or waiting;
- 4–6 log entries each (receipt, assignment, research, exchanges, answer, closure) with
  the minutes spent; assigned to 4 staff accounts per block of 4,000 requests (one
  centre's staff: the 10× set is ten centres pooled);
- answers link 0–2 directory organisations and experience records when there are any.

Interventions: dated over the same ten years, on a real commune, EPCI or QPV of the ten
départements, 0.5–4 half-days by halves, 0–3 procedures, 0–2 schemes, 0–3
organisations, 1–2 staff, 15 % answering a request. FAQ entries: 1–2 themes, 80 %
published, half drawn from an answered request.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

SOURCE = "Données synthétiques (benchmark)"
DEPARTEMENTS = ("16", "17", "18", "28", "36", "37", "41", "45", "79", "86")
YEARS = 10
CENTRE = 4000  # requests of one centre over the ten years: one block of staff
AGENTS_PER_CENTRE = 4
PARIS = ZoneInfo("Europe/Paris")
BATCH = 1000

SUBJECTS = [
    "chiffres clés d'un quartier prioritaire",
    "évaluation à mi-parcours du contrat de ville",
    "montage d'un dossier de fonds européens",
    "cahier des charges d'une étude de diagnostic",
    "gestion urbaine de proximité après la rénovation",
    "expériences de médiation sociale de nuit",
    "clauses d'insertion dans les marchés publics",
    "conseil citoyen : composition et fonctionnement",
    "articulation entre le PRU et le contrat de ville",
    "bibliographie sur la réussite éducative",
    "atelier santé ville : premiers pas",
    "relogement des ménages pendant les démolitions",
    "formation des agents d'accueil aux discriminations",
    "données sur l'emploi des jeunes du quartier",
    "appel à projets politique de la ville",
    "zone franche urbaine et installation d'entreprises",
    "observatoire local de la cohésion sociale",
    "mémoire des quartiers et archives orales",
]
SENTENCES = [
    "Nous préparons le comité de pilotage du contrat de ville et cherchons des repères.",
    "Le quartier a été retenu dans la nouvelle géographie prioritaire.",
    "Pouvez-vous nous indiquer des expériences comparables dans la région ?",
    "La commune souhaite lancer une étude et hésite sur le périmètre.",
    "Les partenaires demandent des chiffres récents sur la population du quartier.",
    "Nous aurions besoin d'un appui pour rédiger le cahier des charges.",
    "Une rencontre avec les élus est prévue le mois prochain.",
    "Le bailleur s'interroge sur l'accompagnement des locataires.",
    "L'association cherche des financements pour pérenniser l'action.",
    "Quels documents de référence recommandez-vous sur ce sujet ?",
    "La question porte aussi sur l'articulation avec les crédits de droit commun.",
    "Merci de nous rappeler pour en parler de vive voix.",
]
ANSWERS = [
    "Vous trouverez ci-joint les références du centre de ressources sur ce sujet.",
    "Deux expériences comparables sont décrites dans nos fiches.",
    "Le centre peut vous accompagner lors d'une demi-journée sur site.",
    "Les données les plus récentes figurent dans le portrait du territoire.",
    "Nous vous orientons vers le réseau régional compétent.",
    "Une formation sur ce thème est prévue au prochain programme.",
]
KIND_WEIGHTS = {
    "information": 50,
    "assistance-technique": 20,
    "appui-methodologique": 20,
    "formation": 10,
}
REQUESTER_WEIGHTS = {
    "chef-de-projet": 30,
    "collectivite": 18,
    "etat": 10,
    "elu": 8,
    "association": 12,
    "bailleur": 6,
    "professionnel": 6,
    "etudiant": 5,
    "habitant": 3,
    "autre": 2,
}
CHANNEL_WEIGHTS = {"formulaire": 50, "courriel": 25, "telephone": 20, "rencontre": 5}
# Working days to the first response, and from it to the answer (medians 1 and +2).
FIRST_RESPONSE_DAYS = {0: 35, 1: 25, 2: 15, 3: 10, 4: 5, 5: 4, 7: 3, 10: 2, 20: 1}
ANSWER_EXTRA_DAYS = {0: 40, 1: 15, 2: 12, 3: 10, 5: 10, 8: 8, 15: 4, 30: 1}
INTERVENTION_KINDS = {
    "conseil": 30,
    "animation": 15,
    "formation": 12,
    "comite-pilotage": 18,
    "evaluation": 10,
    "montage-dossier": 8,
    "appel-offres": 4,
    "autre": 3,
}
PROCEDURES = [
    "cucs",
    "contrat-de-ville",
    "pru",
    "contrat-agglomeration",
    "contrat-de-pays",
    "contrat-regional",
    "fonds-europeens",
    "zfu",
    "reussite-educative",
    "asv",
]
INTERVENTION_SUBJECTS = [
    "Appui à l'évaluation du contrat de ville",
    "Animation d'un atelier des partenaires",
    "Comité de pilotage du projet de renouvellement urbain",
    "Aide au montage d'un dossier FEDER",
    "Formation des agents au diagnostic partagé",
    "Conseil sur l'articulation des procédures",
    "Relecture d'un cahier des charges",
    "Séminaire des chefs de projet",
]


@dataclass
class Reference:
    """What the rows are drawn from: real territories and themes, directory rows."""

    territories: list  # (pk, kind)
    territory_weights: list
    sites: list
    site_weights: list
    themes: list  # concept pks
    organisations: list
    practices: list
    schemes: list


def _weights(table: dict) -> tuple[list, list]:
    return list(table), list(table.values())


def reference() -> Reference:
    """The real territories of the ten départements (communes by population, their EPCI,
    QPV and the départements themselves), the thesaurus' themes, the directory."""
    from villes2.actors.models import Organisation
    from villes2.practices.models import Practice
    from villes2.taxonomy.models import Concept
    from villes2.territories.models import Scheme, Territory

    inside = Territory.objects.filter(
        ancestors__kind="departement", ancestors__code__in=DEPARTEMENTS, valid_to__isnull=True
    ).distinct()
    communes = list(
        inside.filter(kind="commune", population__gte=1000)
        .order_by("pk")
        .values_list("pk", "population")
    )
    epci = list(inside.filter(kind="epci").order_by("pk").values_list("pk", flat=True))
    qpv = list(inside.filter(kind="qpv").order_by("pk").values_list("pk", flat=True))
    departements = list(
        Territory.objects.filter(kind="departement", code__in=DEPARTEMENTS)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    themes = list(
        Concept.objects.filter(scheme__is_theme_scheme=True, deprecated=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not communes or not themes:
        raise SystemExit("Load the reference data first (manage.py load_reference_data).")
    total = sum(population for _pk, population in communes)
    # Requests: communes 60 % (by population), EPCI 15 %, QPV 15 %, départements 10 %.
    territories = [pk for pk, _p in communes] + epci + qpv + departements
    weights = [60 * population / total for _pk, population in communes]
    weights += [15 / max(len(epci), 1)] * len(epci)
    weights += [15 / max(len(qpv), 1)] * len(qpv)
    weights += [10 / len(departements)] * len(departements)
    # Sites of interventions: communes 50 %, EPCI 25 %, QPV 25 %.
    sites = [pk for pk, _p in communes] + epci + qpv
    site_weights = [50 * population / total for _pk, population in communes]
    site_weights += [25 / max(len(epci), 1)] * len(epci)
    site_weights += [25 / max(len(qpv), 1)] * len(qpv)
    return Reference(
        territories=territories,
        territory_weights=weights,
        sites=sites,
        site_weights=site_weights,
        themes=themes,
        organisations=list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:300]),
        practices=list(
            Practice.objects.filter(status="publiee").order_by("pk").values_list("pk", flat=True)
        ),
        schemes=list(Scheme.objects.order_by("pk").values_list("pk", flat=True)),
    )


def agents(stop: int) -> list:
    """The staff accounts of the centres the requests 0..stop-1 belong to (4 per block
    of 4,000), created when missing; staff without a password (nobody signs in as
    them)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    centres = max(1, -(-stop // CENTRE))
    names = [
        f"syn-agent-{centre}-{k}" for centre in range(centres) for k in range(AGENTS_PER_CENTRE)
    ]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    rows = []
    for name in names:
        if name in existing:
            continue
        _syn, _agent, centre, k = name.split("-")
        user = user_model(
            username=name,
            first_name=f"Agent {k}",
            last_name=f"Centre synthétique {centre}",
            email=f"{name}@exemple.invalid",
            is_staff=True,
        )
        user.set_unusable_password()
        rows.append(user)
    user_model.objects.bulk_create(rows)
    by_name = {u.username: u for u in user_model.objects.filter(username__in=names)}
    return [by_name[name] for name in names]


def _working_day_at(rng: random.Random, start: datetime.datetime, days: int):
    """A moment in office hours `days` working days after `start` (later the same day
    for 0)."""
    from villes2.inquiries.services.working_days import add_working_days

    local = start.astimezone(PARIS)
    if days == 0:
        return start + datetime.timedelta(minutes=rng.randint(20, 300))
    day = add_working_days(local.date(), days)
    return datetime.datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=PARIS
    )


def _received(rng: random.Random, n: int, now: datetime.datetime) -> datetime.datetime:
    """Spread over the ten years up to now: request n in the n-th slot of its block
    (so any prefix covers every year), at office hours on a working day for 85 %."""
    from villes2.inquiries.services.working_days import is_working_day

    span = YEARS * 365.25 * 86400
    slot = (n % CENTRE + rng.random()) / CENTRE
    moment = (now - datetime.timedelta(seconds=span * (1 - slot))).astimezone(PARIS)
    day = moment.date()
    if rng.random() < 0.85:
        while not is_working_day(day):
            day -= datetime.timedelta(days=1)
        moment = datetime.datetime(
            day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=PARIS
        )
    return min(moment, now - datetime.timedelta(minutes=30))


def _story(rng: random.Random, received, now, agents_of_centre):
    """The dates, status, assignee and log of request n: (fields, actions) where actions
    are (kind, at, by, minutes, from_status, to_status, note)."""
    answered = rng.random() < 0.85
    agent = rng.choice(agents_of_centre)
    first_days = rng.choices(*_weights(FIRST_RESPONSE_DAYS))[0]
    extra_days = rng.choices(*_weights(ANSWER_EXTRA_DAYS))[0]
    first = _working_day_at(rng, received, first_days)
    answer_at = _working_day_at(rng, first, extra_days) if extra_days else first
    if answer_at > now:  # not answered yet: in progress
        answered = False
    assigned_at = received + datetime.timedelta(minutes=rng.randint(10, 240))
    actions = [("reception", received, None, 0, "", "nouvelle", "")]
    fields = {"first_response_at": None, "answered_at": None, "closed_at": None}
    if answered:
        status = "repondue"
        fields["answered_at"] = answer_at
        fields["first_response_at"] = min(first, answer_at)
        closed = answer_at + datetime.timedelta(days=30)
        if closed <= now:
            status, fields["closed_at"] = "close", closed
        optional = [
            ("attribution", assigned_at, agent, 0, "nouvelle", "attribuee", ""),
            ("recherche", min(assigned_at, first), agent, rng.randint(30, 180), "", "", ""),
        ]
        mandatory_tail = []
        if first < answer_at:
            mandatory_tail.append(("echange", first, agent, rng.randint(10, 45), "", "", ""))
        mandatory_tail.append(
            ("reponse", answer_at, agent, rng.randint(15, 90), "en-cours", "repondue", "")
        )
        if status == "close":
            mandatory_tail.append(("statut", closed, None, 0, "repondue", "close", ""))
        wanted = rng.randint(4, 6) - 1 - len(mandatory_tail)
        actions += optional[: max(0, wanted)] + mandatory_tail
        if len(actions) < 4:
            actions.insert(
                -1, ("note", answer_at - datetime.timedelta(minutes=5), agent, 5, "", "", "")
            )
        return status, agent, fields, actions
    old = received < now - datetime.timedelta(days=60)
    if old and rng.random() < 0.98:  # closed without an answer: abandoned, duplicate
        closed = _working_day_at(rng, received, rng.randint(1, 15))
        fields["closed_at"] = closed
        work = min(assigned_at, closed - datetime.timedelta(minutes=30))
        actions.append(("attribution", work, agent, 0, "nouvelle", "attribuee", ""))
        before = "attribuee"
        if rng.random() < 0.5:  # the requester was called: a first response
            fields["first_response_at"] = max(work, min(first, closed))
            actions.append(("echange", fields["first_response_at"], agent, 15, "", "", ""))
            actions.append(
                ("statut", fields["first_response_at"], agent, 0, before, "en-cours", "")
            )
            before = "en-cours"
        else:
            actions.append(("recherche", work, agent, rng.randint(10, 60), "", "", ""))
        actions.append(("statut", closed, agent, 0, before, "close", "Sans suite."))
        actions.sort(key=lambda action: action[1])
        return "close", agent, fields, actions
    # Still open: the recent ones by their age, the old ones forgotten (overdue).
    age = now - received
    if age < datetime.timedelta(days=3) and rng.random() < 0.6:
        return "nouvelle", None, fields, actions
    status = rng.choices(["attribuee", "en-cours", "attente"], [2, 5, 2])[0]
    actions.append(("attribution", assigned_at, agent, 0, "nouvelle", "attribuee", ""))
    if status != "attribuee":
        work = min(assigned_at + datetime.timedelta(hours=2), now)
        actions.append(("recherche", work, agent, rng.randint(30, 120), "", "", ""))
        actions.append(("statut", work, agent, 0, "attribuee", "en-cours", ""))
        if first <= now and rng.random() < 0.6:
            fields["first_response_at"] = max(first, work)
            actions.append(("echange", fields["first_response_at"], agent, 20, "", "", ""))
        if status == "attente":
            actions.append(
                (
                    "statut",
                    max(work, fields["first_response_at"] or work),
                    agent,
                    0,
                    "en-cours",
                    "attente",
                    "",
                )
            )
    return status, agent, fields, actions


def generate(start: int, stop: int, *, seed: int = 8, ref: Reference | None = None) -> int:
    """Write requests start..stop-1 with their themes, log and linked resources; return
    the number of log entries written. Idempotence is the caller's: it grows a set."""
    from django.db import transaction
    from django.utils import timezone

    from villes2.inquiries.models import Inquiry, InquiryAction
    from villes2.inquiries.services import due_date_for

    ref = ref or reference()
    staff = agents(stop)
    now = timezone.now()
    kinds, kind_weights = _weights(KIND_WEIGHTS)
    types, type_weights = _weights(REQUESTER_WEIGHTS)
    channels, channel_weights = _weights(CHANNEL_WEIGHTS)
    written = 0
    with transaction.atomic():
        for first in range(start, stop, BATCH):
            rows, stories = [], []
            for n in range(first, min(first + BATCH, stop)):
                rng = random.Random(seed * 1_000_003 + n)
                centre = n // CENTRE
                received = _received(rng, n, now)
                status, agent, dates, actions = _story(
                    rng,
                    received,
                    now,
                    staff[centre * AGENTS_PER_CENTRE : (centre + 1) * AGENTS_PER_CENTRE],
                )
                channel = rng.choices(channels, channel_weights)[0]
                inquiry = Inquiry(
                    requester_name=f"Demandeur synthétique {n}",
                    requester_email=f"demandeur{n}@exemple.invalid",
                    requester_phone="" if rng.random() < 0.6 else "02 00 00 00 00",
                    requester_organisation=SOURCE,
                    organisation_id=(
                        rng.choice(ref.organisations)
                        if ref.organisations and rng.random() < 0.3
                        else None
                    ),
                    requester_type=rng.choices(types, type_weights)[0],
                    consent="J'accepte que le centre garde mon contact."
                    if channel == "formulaire"
                    else "",
                    consented_at=received if channel == "formulaire" else None,
                    subject=f"[Synthétique] {rng.choice(SUBJECTS).capitalize()} n° {n}",
                    question=" ".join(rng.sample(SENTENCES, rng.randint(2, 5))),
                    kind=rng.choices(kinds, kind_weights)[0],
                    channel=channel,
                    territory_id=(
                        rng.choices(ref.territories, ref.territory_weights)[0]
                        if rng.random() < 0.9
                        else None
                    ),
                    status=status,
                    assignee=agent,
                    received_at=received,
                    due_date=due_date_for(received),
                    answer=" ".join(rng.sample(ANSWERS, rng.randint(1, 3)))
                    if dates["answered_at"]
                    else "",
                    **dates,
                )
                rows.append(inquiry)
                stories.append(
                    (
                        actions,
                        rng.sample(ref.themes, rng.randint(1, 3)),
                        rng.sample(
                            ref.organisations, min(rng.randint(0, 2), len(ref.organisations))
                        )
                        if dates["answered_at"]
                        else [],
                        rng.sample(ref.practices, min(rng.randint(0, 2), len(ref.practices)))
                        if dates["answered_at"]
                        else [],
                    )
                )
            Inquiry.objects.bulk_create(rows)
            theme_rows, log_rows, organisation_rows, practice_rows = [], [], [], []
            for inquiry, (actions, themes, organisations, practices) in zip(
                rows, stories, strict=True
            ):
                theme_rows += [
                    Inquiry.themes.through(inquiry_id=inquiry.pk, concept_id=pk) for pk in themes
                ]
                organisation_rows += [
                    Inquiry.organisations.through(inquiry_id=inquiry.pk, organisation_id=pk)
                    for pk in organisations
                ]
                practice_rows += [
                    Inquiry.practices.through(inquiry_id=inquiry.pk, practice_id=pk)
                    for pk in practices
                ]
                for kind, at, by, minutes, from_status, to_status, note in actions:
                    log_rows.append(
                        InquiryAction(
                            inquiry_id=inquiry.pk,
                            kind=kind,
                            at=at,
                            by=by,
                            by_name=by.get_full_name()
                            if by
                            else (inquiry.requester_name if kind == "reception" else "Villes²"),
                            minutes=minutes,
                            from_status=from_status,
                            to_status=to_status,
                            note=note or (SOURCE if kind in ("recherche", "note") else ""),
                        )
                    )
            Inquiry.themes.through.objects.bulk_create(theme_rows)
            Inquiry.organisations.through.objects.bulk_create(organisation_rows)
            Inquiry.practices.through.objects.bulk_create(practice_rows)
            InquiryAction.objects.bulk_create(log_rows, batch_size=2000)
            written += len(log_rows)
    return written


def generate_interventions(
    start: int, stop: int, *, seed: int = 9, ref: Reference | None = None
) -> None:
    """Write interventions start..stop-1 with their schemes, organisations and staff."""
    from django.db import transaction
    from django.utils import timezone

    from villes2.inquiries.models import Inquiry, Intervention

    ref = ref or reference()
    blocks = max(1, -(-stop // (CENTRE * 3 // 8)))  # 1,500 interventions a centre
    staff = agents(blocks * CENTRE)
    today = timezone.localdate()
    kinds, kind_weights = _weights(INTERVENTION_KINDS)
    support = list(
        Inquiry.objects.filter(kind__in=["assistance-technique", "appui-methodologique"])
        .order_by("pk")
        .values_list("pk", flat=True)[: stop * 2]
    )
    with transaction.atomic():
        for first in range(start, stop, BATCH):
            rows, links = [], []
            for n in range(first, min(first + BATCH, stop)):
                rng = random.Random(seed * 1_000_003 + n)
                centre = n // 1500
                slot = (n % 1500 + rng.random()) / 1500
                date = today - datetime.timedelta(days=int(YEARS * 365.25 * (1 - slot)))
                if date.weekday() > 4:
                    date -= datetime.timedelta(days=date.weekday() - 4)
                rows.append(
                    Intervention(
                        date=date,
                        title=f"[Synthétique] {rng.choice(INTERVENTION_SUBJECTS)} n° {n}",
                        site_id=rng.choices(ref.sites, ref.site_weights)[0],
                        kind=rng.choices(kinds, kind_weights)[0],
                        half_days=Decimal(rng.randint(1, 8)) / 2,
                        procedures=sorted(rng.sample(PROCEDURES, rng.randint(0, 3))),
                        inquiry_id=rng.choice(support) if support and rng.random() < 0.15 else None,
                        notes=SOURCE,
                    )
                )
                links.append(
                    (
                        rng.sample(ref.schemes, min(rng.randint(0, 2), len(ref.schemes))),
                        rng.sample(
                            ref.organisations, min(rng.randint(0, 3), len(ref.organisations))
                        ),
                        rng.sample(
                            staff[centre * AGENTS_PER_CENTRE : (centre + 1) * AGENTS_PER_CENTRE],
                            rng.randint(1, 2),
                        ),
                    )
                )
            Intervention.objects.bulk_create(rows)
            scheme_rows, organisation_rows, staff_rows = [], [], []
            for intervention, (schemes, organisations, people) in zip(rows, links, strict=True):
                scheme_rows += [
                    Intervention.schemes.through(intervention_id=intervention.pk, scheme_id=pk)
                    for pk in schemes
                ]
                organisation_rows += [
                    Intervention.organisations.through(
                        intervention_id=intervention.pk, organisation_id=pk
                    )
                    for pk in organisations
                ]
                staff_rows += [
                    Intervention.staff.through(intervention_id=intervention.pk, user_id=u.pk)
                    for u in people
                ]
            Intervention.schemes.through.objects.bulk_create(scheme_rows)
            Intervention.organisations.through.objects.bulk_create(organisation_rows)
            Intervention.staff.through.objects.bulk_create(staff_rows)


def generate_faq(start: int, stop: int, *, seed: int = 10, ref: Reference | None = None) -> None:
    """Write FAQ entries start..stop-1 (80 % published, half drawn from a request)."""
    from django.db import transaction
    from django.utils import timezone

    from villes2.inquiries.models import FaqEntry, Inquiry

    ref = ref or reference()
    now = timezone.now()
    answered = list(
        Inquiry.objects.filter(answered_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: stop * 40]
    )
    with transaction.atomic():
        rows, links = [], []
        for n in range(start, stop):
            rng = random.Random(seed * 1_000_003 + n)
            published = rng.random() < 0.8
            subject = rng.choice(SUBJECTS)
            rows.append(
                FaqEntry(
                    question=f"[Synthétique] Que sait le centre sur : {subject} ? (n° {n})",
                    answer=" ".join(rng.sample(ANSWERS, rng.randint(2, 4))) + " " + SOURCE,
                    question_en=f"[Synthetic] Question {n}" if rng.random() < 0.3 else "",
                    source_id=rng.choice(answered) if answered and rng.random() < 0.5 else None,
                    published=published,
                    published_at=now - datetime.timedelta(days=rng.randint(1, 3650))
                    if published
                    else None,
                )
            )
            links.append(
                (
                    rng.sample(ref.themes, rng.randint(1, 2)),
                    rng.sample(ref.practices, min(rng.randint(0, 2), len(ref.practices))),
                )
            )
        FaqEntry.objects.bulk_create(rows)
        FaqEntry.themes.through.objects.bulk_create(
            FaqEntry.themes.through(faqentry_id=entry.pk, concept_id=pk)
            for entry, (themes, _practices) in zip(rows, links, strict=True)
            for pk in themes
        )
        FaqEntry.practices.through.objects.bulk_create(
            FaqEntry.practices.through(faqentry_id=entry.pk, practice_id=pk)
            for entry, (_themes, practices) in zip(rows, links, strict=True)
            for pk in practices
        )
