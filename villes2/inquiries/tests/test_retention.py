"""Retention: answered requests are closed after `INQUIRIES_AUTO_CLOSE_DAYS`, and a
request's personal data are emptied `INQUIRIES_RETENTION_DAYS` after its closure, by
`manage.py purge_personal_data`; what the activity report counts stays."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from villes2.core.testing import staff_user
from villes2.inquiries import services
from villes2.inquiries.models import ActionKind, FaqEntry, Inquiry, InquiryAction
from villes2.inquiries.models import InquiryStatus as S
from villes2.inquiries.selectors import tracking
from villes2.inquiries.tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def closed_days_ago(days: int, **fields) -> Inquiry:
    inquiry = InquiryFactory(status=S.CLOSED, **fields)
    Inquiry.objects.filter(pk=inquiry.pk).update(closed_at=timezone.now() - days * DAY)
    return inquiry


def test_requests_closed_over_two_years_ago_are_emptied(territories):
    territory = territories.get(kind="commune", code="37261")  # Tours
    old = closed_days_ago(731, requester_phone="02 47 00 00 00", territory=territory)
    recent = closed_days_ago(729)
    still_open = InquiryFactory()
    token = tracking.inquiry_tracking_token(old)

    count, _lines = services.inquiries_retention_purge()

    assert count == 1
    old.refresh_from_db()
    assert old.purged_at is not None
    for field in services.requests.PURGED_FIELDS:
        assert getattr(old, field) == "", field
    assert set(old.actions.values_list("note", "by_name")) == {("", "")}
    # What the report counts stays.
    assert (old.kind, old.requester_type, old.territory) == (
        "information",
        "chef-de-projet",
        territory,
    )
    assert old.answered_at is not None and old.actions.filter(minutes__gt=0).exists()
    assert tracking.inquiry_from_tracking_token(token) is None
    for other in (recent, still_open):
        other.refresh_from_db()
        assert other.purged_at is None and other.requester_email


def test_dry_run_writes_nothing():
    closed_days_ago(800)
    count, _lines = services.inquiries_retention_purge(dry_run=True)
    assert count == 1
    assert not Inquiry.objects.filter(purged_at__isnull=False).exists()


def test_answered_requests_are_closed_after_a_month():
    old = InquiryFactory(status=S.ANSWERED)
    Inquiry.objects.filter(pk=old.pk).update(answered_at=timezone.now() - 31 * DAY)
    recent = InquiryFactory(status=S.ANSWERED)
    count, lines = services.inquiries_retention_purge()
    assert count == 0 and lines == [
        "Demandes closes automatiquement (répondues depuis plus de 30 jours, ou sans action "
        "depuis plus de 180 jours) : 1"
    ]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == S.CLOSED and old.closed_at is not None
    assert recent.status == S.ANSWERED
    step = old.actions.get(kind=ActionKind.STATUS)
    assert (step.by, step.by_name, step.to_status) == (None, "Villes²", S.CLOSED)


def test_the_purge_command_runs_it(capsys):
    closed_days_ago(900)
    call_command("purge_personal_data", "--dry-run")
    assert "Demandes d'information et d'appui (données personnelles) : 1 à purger" in (
        capsys.readouterr().out.replace("Simulation, ", "")
    )
    call_command("purge_personal_data")
    assert Inquiry.objects.filter(purged_at__isnull=False).count() == 1


def test_the_purge_works_in_batches(monkeypatch):
    monkeypatch.setattr(services.requests, "PURGE_BATCH", 2)
    for _ in range(5):
        closed_days_ago(1000)
    count, _lines = services.inquiries_retention_purge()
    assert count == 5
    assert not Inquiry.objects.filter(purged_at__isnull=True).exists()


def test_abandoned_open_requests_are_closed():
    abandoned = InquiryFactory(status=S.WAITING)
    InquiryAction.objects.filter(inquiry=abandoned).update(at=timezone.now() - 181 * DAY)
    active = InquiryFactory(status=S.WAITING)
    InquiryAction.objects.filter(inquiry=active).update(at=timezone.now() - 179 * DAY)
    assert services.inquiries_auto_close(dry_run=True) == 1
    assert services.inquiries_auto_close() == 1
    abandoned.refresh_from_db()
    active.refresh_from_db()
    assert abandoned.status == S.CLOSED and active.status == S.WAITING
    step = abandoned.actions.get(kind=ActionKind.STATUS, to_status=S.CLOSED)
    assert (step.from_status, step.by_name) == (S.WAITING, "Villes²")


def test_the_purge_reaches_faq_drafts_and_the_admin_log():
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from villes2.core.models import SearchEntry
    from villes2.inquiries.services import faq_publish
    from villes2.inquiries.services.desk import faq_draft_from_inquiry

    old = closed_days_ago(800, subject="Mme Dupont, Tours")
    draft = faq_draft_from_inquiry(old)
    published = faq_draft_from_inquiry(old)
    published.question = "Comment financer un poste d'adulte-relais ?"
    published.save()
    faq_publish(published)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Inquiry),
        object_id=str(old.pk),
        object_repr=str(old),
        action_flag=CHANGE,
        user=staff_user("someone"),
    )
    services.inquiries_retention_purge()
    assert not FaqEntry.objects.filter(pk=draft.pk).exists()
    published.refresh_from_db()
    assert published.source is None and published.published
    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == [old.reference]
    assert not SearchEntry.objects.filter(kind="faq", object_id=draft.pk).exists()
