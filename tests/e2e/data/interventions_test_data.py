"""INVENTED interventions of the support to sites, for the end-to-end tests only (see
README.md).

Run by the `live_site` fixture after the desk's test data, through `manage.py shell -c
"import runpy; runpy.run_path(...)"`. Six interventions in 2026, five of them in March,
written through `intervention_save` (validated as the back office validates them):
their subjects, dates, half-days and notes are invented; the sites (Tours, the Sanitas
QPV, Tours Métropole, Orléans, the Indre département) and the organisations
are real reference data. One of them answers the invented request of the desk's test
data, when it is there. Subjects end with "(test)". Re-running changes nothing.

March 2026 in figures (the tests check them): 5 interventions, 8.5 half-days; over
2026: 6 interventions, 10.5 half-days, Tours 3.5 of them.
"""

import datetime
from decimal import Decimal

from villes2.actors.models import Organisation
from villes2.inquiries.models import Inquiry, Intervention
from villes2.inquiries.services.interventions import intervention_save
from villes2.territories.models import Territory

ANSWERED_REQUEST_KEY = "e2e-demande-repondue-cle-de-test-0001"


def _intervention(title: str, day: datetime.date, site: tuple[str, str], **fields) -> None:
    if Intervention.objects.filter(title=title).exists():
        return
    organisations = list(Organisation.objects.filter(slug__in=fields.pop("organisations", ())))
    kind, code = site
    intervention_save(
        Intervention(
            title=title, date=day, site=Territory.objects.get(kind=kind, code=code), **fields
        ),
        organisations=organisations,
    )


_intervention(
    "Comité de pilotage du contrat de ville (test)",
    datetime.date(2026, 3, 5),
    ("commune", "37261"),
    kind="comite-pilotage",
    half_days=Decimal("1"),
    procedures=["contrat-de-ville"],
    organisations=("apdsu",),
    notes="Intervention inventée pour les tests.",
)
_intervention(
    "Appui à l'évaluation du projet de renouvellement urbain (test)",
    datetime.date(2026, 3, 12),
    ("commune", "37261"),
    kind="evaluation",
    half_days=Decimal("2.5"),
    procedures=["pru", "contrat-de-ville"],
    organisations=("anru",),
    inquiry=Inquiry.objects.filter(tracking_key=ANSWERED_REQUEST_KEY).first(),
)
_intervention(
    "Animation d'un atelier d'habitants au Sanitas (test)",
    datetime.date(2026, 3, 12),
    ("qpv", "QN03709M"),
    kind="animation",
    half_days=Decimal("1"),
    procedures=["contrat-de-ville"],
)
_intervention(
    "Aide au montage d'un dossier de fonds européens (test)",
    datetime.date(2026, 3, 19),
    ("commune", "45234"),
    kind="montage-dossier",
    half_days=Decimal("1.5"),
    procedures=["fonds-europeens"],
    organisations=("region-centre",),
)
_intervention(
    "Formation des chefs de projet de la métropole (test)",
    datetime.date(2026, 3, 26),
    ("epci", "243700754"),
    kind="formation",
    half_days=Decimal("2.5"),
    procedures=["contrat-de-ville", "reussite-educative"],
)
_intervention(
    "Conseil sur le contrat de pays (test)",
    datetime.date(2026, 6, 4),
    ("departement", "36"),
    kind="conseil",
    half_days=Decimal("2"),
    procedures=["contrat-de-pays"],
)
