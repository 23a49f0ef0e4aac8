"""Test data for the desk. Requests are written through the services
(`inquiry_receive`, then assignment, log entries, answer, closure), as the form and the
back office write them, so that they carry their log and dates. Everything here is
invented test data, never shown as real.

    InquiryFactory()                                   # new, from the web form
    InquiryFactory(status=InquiryStatus.ANSWERED)      # received → answered
    InquiryFactory(received_at=dt, status=InquiryStatus.CLOSED, territory=t, themes=[c])
    FaqEntryFactory(published=True)
    InterventionFactory(site=territory, half_days=Decimal("1.5"))
"""

import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from villes2.inquiries import services
from villes2.inquiries.models import (
    Channel,
    FaqEntry,
    Inquiry,
    InquiryKind,
    InquiryStatus,
    Intervention,
    InterventionKind,
    RequesterType,
)

S = InquiryStatus
_numbers = itertools.count(1)
CONSENT = "J'accepte que le centre garde mon contact pour répondre à ma demande."


def receive_inquiry(
    *,
    status: str = S.NEW,
    themes=(),
    user=None,
    answer: str = "Voici les ressources du centre sur ce sujet.",
    first_response_after: datetime.timedelta | None = None,
    answered_after: datetime.timedelta | None = None,
    **fields,
) -> Inquiry:
    """A request received through `inquiry_receive`, then taken to `status` through the
    services. `first_response_after` / `answered_after` date the first exchange and the
    answer relative to `received_at` (they must lie in the past)."""
    n = next(_numbers)
    values = {
        "requester_name": f"Demandeur {n}",
        "requester_email": f"demandeur{n}@example.org",
        "requester_type": RequesterType.PROJECT_LEAD,
        "subject": f"Demande d'essai {n}",
        "question": f"Question d'essai numéro {n} sur la rénovation urbaine.",
        "kind": InquiryKind.INFORMATION,
        "channel": Channel.WEB,
    }
    values.update(fields)
    inquiry = services.inquiry_receive(
        Inquiry(**values),
        themes=themes,
        consent=CONSENT if values["channel"] == Channel.WEB else "",
    )
    received = inquiry.received_at
    if first_response_after is not None:
        services.inquiry_log_action(
            inquiry,
            kind="echange",
            note="Appel au demandeur.",
            minutes=15,
            at=received + first_response_after,
        )
    if status == S.NEW:
        return inquiry
    if status == S.ASSIGNED:
        if user is None:
            from villes2.core.testing import staff_user

            user = staff_user(f"agent{n}")
        return services.inquiry_assign(inquiry, assignee=user)
    if status in (S.IN_PROGRESS, S.WAITING):
        services.inquiry_log_action(inquiry, kind="recherche", minutes=30, at=received)
        if status == S.WAITING:
            services.inquiry_transition(inquiry, to_status=S.WAITING)
        inquiry.refresh_from_db()
        return inquiry
    services.inquiry_answer(inquiry, answer=answer, minutes=45)
    if answered_after is not None:
        Inquiry.objects.filter(pk=inquiry.pk).update(answered_at=received + answered_after)
    if status == S.CLOSED:
        services.inquiry_transition(inquiry, to_status=S.CLOSED)
    inquiry.refresh_from_db()
    return inquiry


class InquiryFactory(factory.Factory):
    """`InquiryFactory(**fields)` = `receive_inquiry(**fields)`."""

    class Meta:
        model = Inquiry

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return receive_inquiry(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return model_class(**kwargs)


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    question = factory.Sequence(lambda n: f"Question fréquente d'essai {n} ?")
    answer = "Réponse d'essai, anonymisée."
    published = False
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.published else None)


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    date = factory.LazyFunction(timezone.localdate)
    title = factory.Sequence(lambda n: f"Intervention d'essai {n}")
    kind = InterventionKind.ADVICE
    half_days = Decimal("1")
    procedures = factory.LazyFunction(lambda: ["cucs"])
