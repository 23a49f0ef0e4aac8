"""INVENTED agenda test data for the end-to-end tests only (see README.md).

Run by the `live_site` fixture after `load_reference_data`, through
`manage.py shell -c "import runpy; runpy.run_path(...)"`. Two published events in 2030
that take registrations, written through the services as every surface writes them:

- `rencontre-test-inscriptions-2030`: 2 places, none taken (the registration form);
- `atelier-test-complet-2030`: 1 place, taken by an invented registrant (the form says
  that new registrations go on the waiting list); other co-organisers, same themes and
  audience six days later: a clash on the coordination page.

Fixed slugs and values: the tests name them. Re-running changes nothing.
"""

import datetime

from villes2.actors.models import Organisation
from villes2.events.models import Event
from villes2.events.services import event_save, registration_create
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

OPEN_SLUG = "rencontre-test-inscriptions-2030"
FULL_SLUG = "atelier-test-complet-2030"
BASE_URL = "http://127.0.0.1/"


def _themes(*slugs: str) -> list[Concept]:
    found = {
        c.slug: c for c in Concept.objects.filter(scheme__is_theme_scheme=True, slug__in=slugs)
    }
    return [found[slug] for slug in slugs]


def _event(slug: str, *, organisers: list[str], places, **fields) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is not None:
        return event
    return event_save(
        Event(slug=slug, strand="volet-humain", published=True, registration_open=True, **fields),
        organisers=list(Organisation.objects.filter(slug__in=organisers)),
        themes=_themes("acces-a-l-emploi", "discriminations"),
        territories=[Territory.objects.get(kind="ancienne-region", code="24")],
        places=places,
    )


tours = Territory.objects.get(kind="commune", code="37261")
orleans = Territory.objects.get(kind="commune", code="45234")

_event(
    OPEN_SLUG,
    title="Rencontre régionale de test : l'accès à l'emploi des jeunes",
    description="Rencontre fictive, écrite pour les tests de bout en bout.",
    kind="rencontre-regionale",
    audiences=["chefs-de-projet", "elus"],
    start_date=datetime.date(2030, 3, 14),
    end_date=datetime.date(2030, 3, 14),
    start_time=datetime.time(9, 30),
    end_time=datetime.time(17, 0),
    place_confirmed=True,
    venue="Salle de test",
    address="1 rue Fictive, 37000 Tours",
    capacity=2,
    organisers=["apdsu"],
    places=[tours],
)
full = _event(
    FULL_SLUG,
    title="Atelier de test complet : les discriminations à l'embauche",
    description="Atelier fictif, écrit pour les tests de bout en bout : sa seule place est prise.",
    kind="atelier",
    audiences=["chefs-de-projet"],
    start_date=datetime.date(2030, 3, 20),
    end_date=datetime.date(2030, 3, 20),
    place_confirmed=False,
    capacity=1,
    organisers=["apdsu", "ush-centre"],
    places=[tours, orleans],
)
if not full.registrations.exists():
    registration_create(
        event=full,
        name="Camille Exemple",
        organisation="Association de test",
        email="camille.exemple@example.org",
        role="Cheffe de projet (test)",
        base_url=BASE_URL,
    )
