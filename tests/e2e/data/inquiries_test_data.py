"""INVENTED requests and FAQ entries of the desk, for the end-to-end tests only (see
README.md).

Run by the `live_site` fixture after the practices test data, through `manage.py shell
-c "import runpy; runpy.run_path(...)"`. Everything is written through the desk's
services (`inquiry_receive`, `inquiry_answer`, `faq_save`, `faq_publish`), as the form
and the back office write it, so it is validated, logged and indexed:

- three published FAQ entries (« … (question de test) ») with themes, one linking the
  public catalogue record "Médiation sociale et adultes-relais" and the published
  experience record 1, and the catalogue record "Note interne sur les quartiers" (staff
  only: never shown);
- one FAQ entry never published: « Brouillon de FAQ jamais public (question de test) »;
- a request answered, tracking key `REQUEST_ANSWERED_KEY`, linking a public document, a
  staff-only document (never shown to the requester), experience record 1 and the draft
  record 3 (never shown), an organisation and a published agenda event;
- a request received and not yet handled, tracking key `REQUEST_NEW_KEY`.

The tests build the tracking links from the keys (the token is signed with the site's
secret key: `manage.py shell`, see test_inquiries.py). Re-running changes nothing.
Requesters, addresses, questions and answers are invented; themes, territories,
organisations, documents and events are real reference data or the test data above.
"""

from villes2.actors.models import Organisation
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.inquiries import services
from villes2.inquiries.models import Channel, FaqEntry, Inquiry, InquiryKind, RequesterType
from villes2.practices.models import Practice
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

REQUEST_ANSWERED_KEY = "e2e-demande-repondue-cle-de-test-0001"
REQUEST_NEW_KEY = "e2e-demande-nouvelle-cle-de-test-0002"
CONSENT = (
    "J'accepte que le centre de ressources garde mon nom, mon adresse électronique, mon "
    "téléphone et mon organisation pour répondre à cette demande (données de test)."
)
PUBLIC_DOCUMENT = "Médiation sociale et adultes-relais"
STAFF_DOCUMENT = "Note interne sur les quartiers"


def _themes(*slugs: str) -> list[Concept]:
    found = {
        c.slug: c for c in Concept.objects.filter(scheme__is_theme_scheme=True, slug__in=slugs)
    }
    return [found[slug] for slug in slugs]


def _faq(question: str, answer: str, *, publish: bool, themes=(), **fields) -> None:
    if FaqEntry.objects.filter(question=question).exists():
        return
    entry = services.faq_save(
        FaqEntry(question=question, answer=answer, **fields),
        themes=_themes(*themes),
        documents=list(Document.objects.filter(title__in=(PUBLIC_DOCUMENT, STAFF_DOCUMENT))),
        practices=list(Practice.objects.filter(pk=1)),
    )
    if publish:
        services.faq_publish(entry)


_faq(
    "Comment financer un poste d'adulte-relais ? (question de test)",
    "Réponse inventée pour les tests : le poste est financé par une convention avec "
    "l'État ; le centre tient à disposition les textes et des exemples de conventions.\n\n"
    "Voir aussi les actes de la rencontre régionale sur la médiation sociale.",
    publish=True,
    themes=("prevention-citoyennete-mediation",),
    question_en="How is an adult mediator post funded? (test question)",
    answer_en="Invented answer for the tests: the post is funded by an agreement with the State.",
)
_faq(
    "Qu'est-ce qu'un atelier santé ville ? (question de test)",
    "Réponse inventée pour les tests : une démarche locale de santé publique dans les "
    "quartiers de la politique de la ville.",
    publish=True,
    themes=("sante",),
)
_faq(
    "Où trouver les indicateurs des zones urbaines sensibles ? (question de test)",
    "Réponse inventée pour les tests : l'observatoire du site présente les indicateurs "
    "par quartier, avec leur source.",
    publish=True,
    themes=("evaluation-observation",),
)
_faq(
    "Brouillon de FAQ jamais public (question de test)",
    "Réponse de brouillon, jamais publiée (test).",
    publish=False,
    themes=("sante",),
)


def _request(key: str, **fields) -> Inquiry | None:
    if Inquiry.objects.filter(tracking_key=key).exists():
        return None
    values = {
        "requester_type": RequesterType.PROJECT_LEAD,
        "requester_organisation": "Ville fictive (test)",
        "kind": InquiryKind.INFORMATION,
        "channel": Channel.WEB,
        "tracking_key": key,
    }
    values.update(fields)
    return services.inquiry_receive(Inquiry(**values), consent=CONSENT)


answered = _request(
    REQUEST_ANSWERED_KEY,
    requester_name="Demandeuse De Test",
    requester_email="demandeuse.test@example.org",
    subject="Médiation sociale de nuit (demande de test)",
    question="Question inventée pour les tests : quelles expériences de médiation sociale "
    "de nuit existent dans la région ?",
    territory=Territory.objects.get(kind="commune", code="37261"),
)
if answered is not None:
    services.inquiry_answer(
        answered,
        answer="Réponse inventée pour les tests : voici une fiche expérience et des actes "
        "de rencontre sur la médiation sociale de nuit.",
        documents=list(Document.objects.filter(title=PUBLIC_DOCUMENT)),
        practices=list(Practice.objects.filter(pk=1)),
        organisations=list(Organisation.objects.filter(slug="apdsu")),
        events=list(Event.objects.filter(slug="rencontre-test-inscriptions-2030")),
        minutes=30,
    )
    # The service links only public resources: these two stand for resources restricted
    # or unpublished after the answer was sent, which the tracking page must not show.
    answered.documents.add(*Document.objects.filter(title=STAFF_DOCUMENT))
    answered.practices.add(*Practice.objects.filter(pk=3))
_request(
    REQUEST_NEW_KEY,
    requester_name="Demandeur Nouveau De Test",
    requester_email="demandeur.nouveau.test@example.org",
    subject="Formation des élus (demande de test)",
    question="Question inventée pour les tests : le centre propose-t-il une formation "
    "pour les nouveaux élus ?",
    kind=InquiryKind.TRAINING,
    requester_type=RequesterType.ELECTED,
)
