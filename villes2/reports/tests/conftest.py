"""A year built by hand (2024, with 2023 and 2025 around it), whose figures are worked
out in the tests' comments. Everything here is invented test data."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from villes2.documents.tests.factories import record
from villes2.events.models import EventStatus, Registration, RegistrationStatus
from villes2.events.tests import factories as event_factories
from villes2.inquiries import services
from villes2.inquiries.models import (
    Channel,
    Inquiry,
    InquiryKind,
    InterventionKind,
    RequesterType,
)
from villes2.inquiries.models import InquiryStatus as S
from villes2.inquiries.tests.factories import InquiryFactory, InterventionFactory
from villes2.practices.models import Practice, PracticeStatus
from villes2.practices.tests.factories import PracticeFactory
from villes2.taxonomy.models import Concept

DAY = datetime.timedelta(days=1)


def at(year, month, day, hour=10) -> datetime.datetime:
    """Local (Paris) time."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@dataclass
class Year:
    requests: dict
    themes: list
    territories: dict


def answered(received, *, first, answer, **fields):
    return InquiryFactory(
        received_at=received,
        status=S.ANSWERED,
        first_response_after=first,
        answered_after=answer,
        **fields,
    )


@pytest.fixture
def year_2024(territories):
    t = {
        "tours": territories.get(kind="commune", code="37261"),
        "poitiers": territories.get(kind="commune", code="86194"),
        "paris": territories.get(kind="commune", code="75056"),
        "issoudun": territories.get(kind="epci", code="243600236"),  # Cher and Indre
        "centre": territories.get(kind="ancienne-region", code="24"),
        "vienne": territories.get(kind="departement", code="86"),
    }
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk")[:2])
    r = {}
    # Monday 4 March; first response Tuesday (1 working day, 1 day), answer Wednesday (2, 2).
    r["r1"] = answered(
        at(2024, 3, 4),
        first=DAY,
        answer=2 * DAY,
        kind=InquiryKind.INFORMATION,
        requester_type=RequesterType.ELECTED,
        territory=t["tours"],
        themes=themes,
    )
    # Friday 8 March; first response Monday 11 (1, 3), answer Monday 18 (6, 10).
    r["r2"] = answered(
        at(2024, 3, 8),
        first=3 * DAY,
        answer=10 * DAY,
        kind=InquiryKind.INFORMATION,
        channel=Channel.EMAIL,
        territory=t["issoudun"],
        themes=themes[:1],
    )
    # Tuesday 30 April; first response Thursday 2 May (1 May is a holiday: 1, 2); answer
    # Thursday 9 May, Ascension (2, 3, 6, 7 May count; 8 May and 9 May are holidays:
    # 4 working days, 9 days).
    r["r3"] = answered(
        at(2024, 4, 30, 9),
        first=2 * DAY,
        answer=9 * DAY,
        kind=InquiryKind.TECHNICAL,
        channel=Channel.PHONE,
        territory=t["centre"],
    )
    # Tuesday 31 December, 16:00; first response and answer Thursday 2 January 2025
    # (1 January is a holiday: 1 working day, 2 days). Counts in 2024.
    r["r4"] = answered(
        at(2024, 12, 31, 16),
        first=2 * DAY,
        answer=2 * DAY,
        kind=InquiryKind.METHODOLOGICAL,
        territory=t["paris"],
    )
    # Open since June (past its due date at the end of the year).
    r["r5"] = InquiryFactory(
        received_at=at(2024, 6, 10), kind=InquiryKind.TRAINING, territory=t["vienne"]
    )
    # Closed without an answer in July.
    r["r6"] = InquiryFactory(received_at=at(2024, 7, 1), kind=InquiryKind.INFORMATION)
    services.inquiry_transition(r["r6"], to_status=S.CLOSED)
    Inquiry.objects.filter(pk=r["r6"].pk).update(closed_at=at(2024, 7, 5))
    # The year before: received and answered the next day (1 working day).
    r["r7"] = answered(at(2023, 5, 2), first=DAY, answer=DAY, kind=InquiryKind.INFORMATION)
    # The year after.
    r["r8"] = InquiryFactory(received_at=at(2025, 1, 2), kind=InquiryKind.TRAINING)

    # Interventions: Tours 1.5 + 2, Poitiers 0.5 (31 December), Paris 1; the year
    # before Tours 1 (31 December 2023); the year after, 1 January 2025, left out.
    for day, site, kind, half_days in (
        (datetime.date(2024, 2, 1), "tours", InterventionKind.ADVICE, "1.5"),
        (datetime.date(2024, 3, 1), "tours", InterventionKind.TRAINING, "2"),
        (datetime.date(2024, 12, 31), "poitiers", InterventionKind.ADVICE, "0.5"),
        (datetime.date(2024, 5, 5), "paris", InterventionKind.OTHER, "1"),
        (datetime.date(2023, 12, 31), "tours", InterventionKind.ADVICE, "1"),
        (datetime.date(2025, 1, 1), "tours", InterventionKind.ADVICE, "4"),
    ):
        InterventionFactory(date=day, site=t[site], kind=kind, half_days=Decimal(half_days))

    # Events: a workshop held in March (3 registered, 2 present, 1 waiting, 1 cancelled),
    # a cancelled one, one of no stated kind in September, one in 2023.
    workshop = event_factories.event(start_date=datetime.date(2024, 3, 12), kind="atelier")
    for n, (status, attended) in enumerate(
        [
            (RegistrationStatus.CONFIRMED, True),
            (RegistrationStatus.CONFIRMED, True),
            (RegistrationStatus.CONFIRMED, False),
            (RegistrationStatus.WAITLISTED, False),
            (RegistrationStatus.CANCELLED, False),
        ]
    ):
        Registration.objects.create(
            event=workshop,
            name=f"Participant {n}",
            email=f"participant{n}@example.org",
            status=status,
            attended=attended,
        )
    event_factories.event(start_date=datetime.date(2024, 6, 1), status=EventStatus.CANCELLED)
    event_factories.event(start_date=datetime.date(2024, 9, 10), kind="")
    event_factories.event(start_date=datetime.date(2023, 10, 10), kind="atelier")

    # Catalogue: a report and a study first published in 2024, a report in 2023, a draft.
    for doc_type, published in (
        ("rapport", at(2024, 2, 2)),
        ("etude", at(2024, 11, 30)),
        ("rapport", at(2023, 6, 1)),
    ):
        document = record(doc_type=doc_type)
        type(document).objects.filter(pk=document.pk).update(first_published_at=published)
    record(status="brouillon")

    # Experience records: one published in 2024, one published in 2024 then withdrawn.
    for status in (PracticeStatus.PUBLISHED, PracticeStatus.WITHDRAWN):
        practice = PracticeFactory(status=status)
        Practice.objects.filter(pk=practice.pk).update(first_published_at=at(2024, 10, 1))
    PracticeFactory()  # a draft
    return Year(requests=r, themes=themes, territories=t)
