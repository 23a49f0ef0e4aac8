"""The figures of a year built by hand (`conftest.year_2024`), against the numbers worked
out there."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from villes2.inquiries import services
from villes2.inquiries.models import Channel, Inquiry, InquiryKind, RequesterType
from villes2.reports.selectors import activity_report
from villes2.reports.selectors.base import Period
from villes2.reports.selectors.requests import durations, request_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(year_2024):
    return activity_report(year=2024)


def column(figure, index=0):
    return {row.key: row.value(index) for row in figure.rows}


def previous(figure, index=0):
    return {row.key: row.previous_value(index) for row in figure.rows}


def test_requests_by_kind(report):
    figure = report.figure("demandes-nature")
    # r1, r2, r6 information; r3 technical; r4 (received 31 December) methodological;
    # r5 training. r7 is 2023's, r8 2025's.
    assert column(figure) == {
        "information": 3,
        "assistance-technique": 1,
        "appui-methodologique": 1,
        "formation": 1,
        "total": 6,
    }
    assert previous(figure) == {
        "information": 1,
        "assistance-technique": 0,
        "appui-methodologique": 0,
        "formation": 0,
        "total": 1,
    }


def test_request_received_on_31_december_counts_in_its_year(year_2024):
    next_year = activity_report(year=2025).figure("demandes-nature")
    # Only r8 (received 2 January 2025); r4, answered on 2 January, stays in 2024.
    assert column(next_year)["total"] == 1
    assert column(next_year)["formation"] == 1
    assert column(next_year)["appui-methodologique"] == 0


def test_requests_by_theme_count_a_request_under_each_theme(report, year_2024):
    first, second = year_2024.themes
    figure = report.figure("demandes-theme")
    # r1 has both themes, r2 the first: 3 rows' worth for 2 requests; 4 without a theme.
    assert column(figure) == {str(first.pk): 2, str(second.pk): 1, "sans-theme": 4}
    assert figure.rows[0].key == str(first.pk)  # most frequent first
    assert previous(figure)["sans-theme"] == 1


def test_requests_by_requester_type_and_channel(report):
    types = column(report.figure("demandes-demandeur"))
    assert types[RequesterType.ELECTED] == 1
    assert types[RequesterType.PROJECT_LEAD] == 5
    assert types["total"] == 6
    channels = column(report.figure("demandes-canal"))
    assert channels == {
        Channel.WEB: 4,
        Channel.EMAIL: 1,
        Channel.PHONE: 1,
        Channel.MEETING: 0,
        "total": 6,
    }


def test_requests_by_territory(report):
    figure = report.figure("demandes-territoire")
    counts = column(figure)
    # Tours → Indre-et-Loire; the Vienne itself; the EPCI across the Cher and the Indre
    # and the former region Centre → several; Paris → elsewhere; r6 → not stated.
    assert counts["37"] == 1
    assert counts["86"] == 1
    assert counts["plusieurs"] == 2
    assert counts["ailleurs"] == 1
    assert counts["non-renseigne"] == 1
    assert counts["18"] == counts["36"] == 0
    assert counts["total"] == 6
    # The ten départements, the centre's former regions in order, then the others.
    assert [row.key for row in figure.rows][:10] == [
        "18", "28", "36", "37", "41", "45", "16", "17", "79", "86",
    ]  # fmt: skip
    assert figure.row("37").label == "Indre-et-Loire (37)"


def test_time_to_first_response(report):
    figure = report.figure("delai-premiere-reponse")
    # Working days 1, 1, 1, 1; calendar days 1, 3, 2, 2 (sorted 1 2 2 3).
    assert figure.row("mediane").cells[0].value == 1
    assert figure.row("mediane").cells[1].value == 2
    assert figure.row("p90").cells[0].value == 1
    assert figure.row("p90").cells[1].value == pytest.approx(2.7)  # 2 + 0.7 × (3 - 2)
    assert figure.row("nombre").value() == 4
    # 2023: r7, one working day.
    assert figure.row("mediane").previous_value(0) == 1


def test_time_to_answer_with_holidays(report):
    figure = report.figure("delai-reponse")
    # Working days 2, 6, 4 (1, 8 and 9 May off), 1 (1 January off): sorted 1 2 4 6.
    median, p90 = figure.row("mediane"), figure.row("p90")
    assert median.value(0) == 3
    assert p90.value(0) == pytest.approx(5.4)  # rank 2.7: 4 + 0.7 × 2
    # Calendar days 2, 10, 9, 2: sorted 2 2 9 10.
    assert median.value(1) == 5.5
    assert p90.value(1) == pytest.approx(9.7)
    assert median.cells[0].text == "3"
    assert p90.cells[0].text == "5,4"


def test_durations_are_read_in_local_days(year_2024):
    dates = request_dates(Period(2024))
    r4 = next(row for row in dates if row.received == datetime.date(2024, 12, 31))
    assert r4.year == 2024
    assert r4.answered == datetime.date(2025, 1, 2)
    assert durations([r4], 2024, "answered").working == [1]


def test_answers_within_the_target(report, settings):
    assert settings.INQUIRIES_RESPONSE_WORKING_DAYS == 5
    figure = report.figure("objectif")
    assert column(figure) == {
        "recues": 6,
        "premiere-reponse": 4,
        "repondues": 4,
        "dans-objectif": 3,  # r2 took 6 working days
        "part": 75.0,
        "sans-reponse": 2,  # r5 open, r6 closed without an answer
    }
    assert figure.row("part").cells[0].text == "75\xa0%"  # French, the default language
    assert previous(figure)["part"] == 100.0


def test_open_at_year_end(report):
    figure = report.figure("en-cours")
    # r4 (answered on 2 January) and r5 were open on 31 December; r6 closed in July.
    assert column(figure) == {"ouvertes": 2, "en-retard": 1}
    assert previous(figure) == {"ouvertes": 0, "en-retard": 0}


def test_time_spent(report):
    # Each answered request logs 15 minutes (exchange) and 45 (answer): r1, r2
    # information (2 h), r3 technical (1 h), r4 methodological (1 h); r5, r6 nothing.
    assert column(report.figure("temps")) == {
        "information": 2,
        "assistance-technique": 1,
        "appui-methodologique": 1,
        "formation": 0,
        "total": 4,
    }


def test_interventions_by_departement(report):
    figure = report.figure("interventions-territoire")
    assert figure.row("37").cells[0].value == 2
    assert figure.row("37").cells[1].value == Decimal("3.5")
    assert figure.row("86").cells[1].value == Decimal("0.5")
    assert figure.row("ailleurs").cells[1].value == 1
    assert figure.row("total").cells[0].value == 4
    assert figure.row("total").cells[1].value == 5
    assert figure.row("total").previous_value(1) == 1
    assert figure.row("37").cells[1].text == "3,5"
    assert "non-renseigne" not in [row.key for row in figure.rows]


def test_interventions_by_kind(report):
    figure = report.figure("interventions-nature")
    assert [figure.row("conseil").value(0), figure.row("conseil").value(1)] == [2, 2]
    assert [figure.row("formation").value(0), figure.row("formation").value(1)] == [1, 2]
    assert [figure.row("autre").value(0), figure.row("autre").value(1)] == [1, 1]
    assert figure.row("animation").value(1) == 0


def test_top_sites(report, year_2024):
    figure = report.figure("interventions-sites")
    t = year_2024.territories
    assert [row.key for row in figure.rows] == [
        str(t["tours"].pk),
        str(t["paris"].pk),
        str(t["poitiers"].pk),
    ]
    assert figure.rows[0].label.startswith("Tours (")
    assert [figure.rows[0].value(0), figure.rows[0].value(1)] == [2, Decimal("3.5")]


def test_events(report):
    figure = report.figure("evenements")
    workshop = figure.row("atelier")
    # Held: registered 3 (confirmed), present 2; the cancelled event is left out.
    assert [workshop.value(0), workshop.value(1), workshop.value(2)] == [1, 3, 2]
    assert figure.row("sans-type").value(0) == 1
    total = figure.row("total")
    assert [total.value(0), total.value(1), total.value(2)] == [2, 3, 2]
    assert total.previous_value(0) == 1


def test_events_of_the_current_year_count_once_over(territories):
    from villes2.events.tests.factories import event

    today = timezone.localdate()
    event(start_date=today + datetime.timedelta(days=1), kind="atelier")
    figure = activity_report(year=today.year).figure("evenements")
    if today.month == 12 and today.day == 31:
        pytest.skip("tomorrow is next year")
    assert figure.row("total").value(0) == 0


def test_documents(report):
    figure = report.figure("documents")
    assert figure.row("rapport").value() == 1
    assert figure.row("etude").value() == 1
    assert figure.row("total").value() == 2
    assert figure.row("rapport").previous_value() == 1


def test_practices(report):
    assert column(report.figure("experiences")) == {"publiees": 2, "toujours": 1}


def test_key_figures(report):
    values = {key.label: key.cell.value for key in report.key_figures}
    assert list(values.values()) == [6, 4, 3, 75.0, 4, 5, 2, 2, 2, 2]
    assert report.has_data
    assert not report.in_progress


def test_a_request_from_the_public_form_shows_up(territories):
    """`inquiry_receive` as the public form calls it: the request counts at once."""
    year = timezone.localdate().year
    before = activity_report(year=year).figure("demandes-nature").row("total").value()
    services.inquiry_receive(
        Inquiry(
            requester_name="Camille Demandeur",
            requester_email="camille@example.org",
            requester_type=RequesterType.ASSOCIATION,
            subject="Diagnostic en marchant",
            question="Comment organiser un diagnostic en marchant dans un QPV ?",
            kind=InquiryKind.METHODOLOGICAL,
            channel=Channel.WEB,
        ),
        consent="J'accepte que le centre garde mon contact.",
    )
    report = activity_report(year=year)
    assert report.figure("demandes-nature").row("total").value() == before + 1
    assert report.figure("demandes-nature").row("appui-methodologique").value() >= 1
    assert report.figure("demandes-demandeur").row("association").value() >= 1
    assert report.figure("en-cours").row("ouvertes").value() >= 1
    assert report.in_progress


def test_empty_year(territories):
    report = activity_report(year=1995)
    assert not report.has_data
    assert report.figure("demandes-nature").row("total").value() == 0
    assert report.figure("delai-reponse").row("mediane").value() is None
    assert report.figure("delai-reponse").row("mediane").cells[0].text == "–"
    assert report.figure("interventions-sites").rows == []


def test_next_year_has_not_begun(year_2024):
    """Open requests (r5 is still open) are not counted in a year not begun."""
    report = activity_report(year=timezone.localdate().year + 1)
    assert not report.begun
    assert report.figure("en-cours").row("ouvertes").value() == 0
    assert report.figure("en-cours").row("ouvertes").previous_value() >= 1
