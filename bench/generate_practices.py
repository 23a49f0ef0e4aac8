"""SYNTHETIC experience records for the benchmark of bench/bench_practices.py.

Nothing here is ever loaded by the application: no migration, command or page imports
this module, and the rows it writes exist only in a benchmark's throw-away database.
Every record is marked: its internal notes and its submitter's organisation say
"Données synthétiques (benchmark)", its title starts with "[Synthétique]", every e-mail
ends in "@exemple.invalid", every organisation's slug starts with "syn-".

Records are deterministic: record n depends only on (seed, n). They look like a
resource centre's capitalisation:

- started over 1996–2025 (record n in 1996 + n mod 30), 70 % over after 1–8 years;
- 1–3 themes of the real thesaurus, 0–4 target publics, 1–3 real communes of the ten
  départements (by population), a scheme of the reference data for 40 % when any;
- 1–4 actors among 80 synthetic organisations, 0–3 fundings;
- every text field filled with 2–6 sentences (about 6 kB a record), the
  transferability block complete for the published ones;
- 80 % published, the rest drafts, submitted, under review or withdrawn; each with the
  workflow steps that led there.
"""

import datetime
import random
from decimal import Decimal

SOURCE = "Données synthétiques (benchmark)"
DEPARTEMENTS = ("16", "17", "18", "28", "36", "37", "41", "45", "79", "86")
FIRST_YEAR = 1996
YEARS = 30

SUBJECTS = [
    "médiation sociale de nuit",
    "jardins partagés en pied d'immeuble",
    "clauses d'insertion dans les chantiers de rénovation",
    "accompagnement scolaire des collégiens",
    "atelier santé ville",
    "régie de quartier",
    "bus de l'emploi",
    "gestion urbaine de proximité",
    "maison des projets",
    "conseil citoyen",
    "lutte contre les discriminations à l'embauche",
    "mémoire des quartiers",
    "initiative économique des habitants",
    "diagnostic en marchant",
    "relogement des ménages",
]
SENTENCES = [
    "Le projet est né d'un diagnostic partagé entre la ville, le bailleur et les habitants.",
    "Les partenaires se réunissent chaque trimestre en comité de pilotage.",
    "Une équipe de trois salariés assure l'animation au quotidien.",
    "Les habitants ont été associés dès la conception, par des ateliers ouverts.",
    "Le financement repose sur le contrat de ville et sur des crédits de droit commun.",
    "L'évaluation a mesuré la fréquentation et la satisfaction des participants.",
    "La coordination entre services de l'État et collectivités a demandé du temps.",
    "Le dispositif s'est étendu à deux autres quartiers après la deuxième année.",
    "La mobilisation des jeunes a été plus difficile que prévu.",
    "Un comité d'usagers suit les actions et propose des ajustements.",
    "Les résultats montrent une baisse des incivilités dans les halls.",
    "La démarche suppose un portage politique fort et durable.",
    "Les outils produits (guides, fiches, vidéos) sont réutilisables ailleurs.",
    "Le coût annuel reste modeste au regard du nombre de bénéficiaires.",
]
PUBLICS = [
    "habitants",
    "jeunes",
    "enfants",
    "familles",
    "demandeurs-emploi",
    "femmes",
    "personnes-agees",
    "locataires",
    "associations",
    "professionnels",
]
TEXT_FIELDS = (
    "context",
    "objectives",
    "actions",
    "tools",
    "results",
    "evaluation",
    "success_factors",
    "difficulties",
    "budget_detail",
    "transfer_prerequisites",
    "transfer_specific",
    "transfer_adaptation",
    "transfer_cost_time",
    "coherence_justification",
    "relevance_justification",
    "impact_justification",
    "transfer_justification",
)
STATUSES = ["publiee"] * 80 + ["brouillon"] * 5 + ["soumise"] * 5 + ["en-relecture"] * 5
STATUSES += ["retiree"] * 5
PATHS = {
    "brouillon": ["brouillon"],
    "soumise": ["soumise"],
    "en-relecture": ["soumise", "en-relecture"],
    "publiee": ["soumise", "en-relecture", "publiee"],
    "retiree": ["soumise", "en-relecture", "publiee", "retiree"],
}


def _organisations(count: int = 80):
    from villes2.actors.models import Organisation

    existing = set(
        Organisation.objects.filter(slug__startswith="syn-org-").values_list("slug", flat=True)
    )
    Organisation.objects.bulk_create(
        Organisation(
            kind="association",
            name=f"Organisme synthétique {n}",
            slug=f"syn-org-{n}",
            source=SOURCE,
        )
        for n in range(1, count + 1)
        if f"syn-org-{n}" not in existing
    )
    return list(Organisation.objects.filter(slug__startswith="syn-org-").order_by("pk"))


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
    return communes, [c.population for c in communes]


def _text(rng: random.Random, low: int = 2, high: int = 6) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(low, high)))


def generate(start: int, stop: int, *, seed: int = 11) -> int:
    """Write records start..stop-1 with their relations; return how many are published.
    Idempotence is the caller's: it grows a set."""
    from django.db import transaction
    from django.utils import timezone

    from villes2.practices.models import (
        Practice,
        PracticeActor,
        PracticeFunding,
        PracticeTransition,
    )
    from villes2.taxonomy.models import Concept
    from villes2.territories.models import Scheme

    organisations = _organisations()
    communes, weights = _communes()
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("slug"))
    schemes = list(Scheme.objects.order_by("pk"))
    now = timezone.now()
    published = 0
    with transaction.atomic():
        for first in range(start, stop, 500):
            rows, relations = [], []
            for n in range(first, min(first + 500, stop)):
                rng = random.Random(seed * 1_000_003 + n)
                start_year = FIRST_YEAR + n % YEARS
                status = rng.choice(STATUSES)
                over = rng.random() < 0.7
                fields = {name: _text(rng) for name in TEXT_FIELDS}
                for key in ("coherence", "relevance", "impact", "transfer"):
                    fields[f"{key}_rating"] = rng.choice(["fort", "moyen", "faible"])
                stamp = now - datetime.timedelta(days=(stop - n) % 3650, minutes=n)
                practice = Practice(
                    title=f"[Synthétique] {rng.choice(SUBJECTS).capitalize()} n° {n}",
                    summary=_text(rng, 2, 3),
                    start_year=start_year,
                    end_year=min(start_year + rng.randint(1, 8), 2026) if over else None,
                    publics=sorted(rng.sample(PUBLICS, rng.randint(0, 4))),
                    budget=Decimal(rng.randint(5, 400) * 1000),
                    status=status,
                    submitter_name=f"Contributeur {n}",
                    submitter_email=f"contributeur{n}@exemple.invalid",
                    submitter_organisation=SOURCE,
                    notes=SOURCE,
                    first_published_at=stamp if status in ("publiee", "retiree") else None,
                    last_reviewed_at=stamp if status in ("publiee", "retiree") else None,
                    **fields,
                )
                published += status == "publiee"
                rows.append(practice)
                relations.append(
                    (
                        rng.sample(themes, rng.randint(1, 3)),
                        list(dict.fromkeys(rng.choices(communes, weights, k=rng.randint(1, 3)))),
                        [rng.choice(schemes)] if schemes and rng.random() < 0.4 else [],
                        rng.sample(organisations, rng.randint(1, 4)),
                        rng.randint(0, 3),
                        PATHS[status],
                        stamp,
                    )
                )
            Practice.objects.bulk_create(rows)
            saved = dict(
                Practice.objects.filter(title__in=[p.title for p in rows]).values_list(
                    "title", "pk"
                )
            )
            theme_rows, territory_rows, scheme_rows = [], [], []
            actor_rows, funding_rows, steps = [], [], []
            for practice, (
                practice_themes,
                places,
                practice_schemes,
                actors,
                fundings,
                path,
                stamp,
            ) in zip(rows, relations, strict=True):
                pk = saved[practice.title]
                theme_rows += [
                    Practice.themes.through(practice_id=pk, concept_id=c.pk)
                    for c in practice_themes
                ]
                territory_rows += [
                    Practice.territories.through(practice_id=pk, territory_id=t.pk) for t in places
                ]
                scheme_rows += [
                    Practice.schemes.through(practice_id=pk, scheme_id=s.pk)
                    for s in practice_schemes
                ]
                actor_rows += [
                    PracticeActor(
                        practice_id=pk,
                        organisation_id=o.pk,
                        role="porteur" if i == 0 else "partenaire",
                        order=i,
                    )
                    for i, o in enumerate(actors)
                ]
                funding_rows += [
                    PracticeFunding(practice_id=pk, name=f"Financeur synthétique {i}", order=i)
                    for i in range(fundings)
                ]
                previous = ""
                for i, step in enumerate(path):
                    steps.append(
                        PracticeTransition(
                            practice_id=pk,
                            from_status=previous,
                            to_status=step,
                            at=stamp + datetime.timedelta(hours=i),
                            by_name=f"Contributeur {pk}",
                        )
                    )
                    previous = step
            Practice.themes.through.objects.bulk_create(theme_rows)
            Practice.territories.through.objects.bulk_create(territory_rows)
            Practice.schemes.through.objects.bulk_create(scheme_rows)
            PracticeActor.objects.bulk_create(actor_rows)
            PracticeFunding.objects.bulk_create(funding_rows)
            PracticeTransition.objects.bulk_create(steps)
    return published
