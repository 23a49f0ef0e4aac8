"""The report's pages: who may see them, which years exist, what the page, the PDF and the
CSV say, and the query budget."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from villes2.accounts.roles import PARTNER, STAFF_ROLES
from villes2.core.testing import staff_user
from villes2.inquiries.tests.factories import InquiryFactory, InterventionFactory
from villes2.taxonomy.models import Concept

from .conftest import at

pytestmark = pytest.mark.django_db

YEAR = 2024


def urls(year=YEAR):
    return [
        reverse("reports:index"),
        reverse("reports:year", args=[year]),
        reverse("reports:pdf", args=[year]),
        reverse("reports:csv", args=[year]),
    ]


def test_urls():
    assert urls() == [
        "/gestion/rapport/",
        "/gestion/rapport/2024/",
        "/gestion/rapport/2024/rapport.pdf",
        "/gestion/rapport/2024/rapport.csv",
    ]


@pytest.mark.parametrize("url", urls())
def test_anonymous_is_sent_to_the_login(client, url, territories):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/login/?next={url}"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_sees_the_report(client, role, territories):
    client.force_login(staff_user("equipe", role=role))
    for url in urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", urls())
def test_partner_is_refused(client, url, territories):
    partner = staff_user("partenaire", role=PARTNER)
    partner.is_staff = False
    partner.save(update_fields=["is_staff"])
    client.force_login(partner)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", urls())
def test_staff_without_the_permission_is_refused(client, url, territories):
    client.force_login(staff_user("sans-role"))
    assert client.get(url).status_code == 403


def test_post_is_refused(client, territories):
    client.force_login(staff_user("equipe", role=STAFF_ROLES[0]))
    assert client.post(reverse("reports:year", args=[YEAR])).status_code == 405


@pytest.fixture
def staff(client, territories):
    client.force_login(staff_user("direction", role=STAFF_ROLES[0]))
    return client


@pytest.mark.parametrize(
    ("year", "status"),
    [(1989, 404), (1990, 200), ("next", 200), ("after next", 404)],
)
def test_years_in_range(staff, year, status):
    this_year = timezone.localdate().year
    year = {"next": this_year + 1, "after next": this_year + 2}.get(year, year)
    for url in urls(year)[1:]:
        assert staff.get(url).status_code == status, url


def test_index_lists_the_years_with_data(staff, year_2024):
    response = staff.get(reverse("reports:index"))
    years = response.context["years"]
    this_year = timezone.localdate().year
    assert years[0] == this_year
    assert {2023, 2024, 2025} <= set(years)
    assert years == sorted(years, reverse=True)
    assert 2022 not in years or this_year == 2022
    html = response.content.decode()
    assert f'href="/gestion/rapport/{this_year}/"' in html
    assert 'href="/gestion/rapport/2024/rapport.pdf"' in html


def test_page(staff, year_2024):
    response = staff.get(reverse("reports:year", args=[YEAR]))
    html = response.content.decode().split('id="content-main"')[1]  # not the admin's menu
    assert response.templates[0].name == "reports/report.html"
    report = response.context["report"]
    assert report.year == YEAR
    # Every figure has its table with a caption, column and row headers.
    assert html.count("<caption>") == len(report.figures) + 1  # and the key figures
    for figure in report.figures:
        assert f'id="{figure.key}"' in html
    assert '<th scope="col"' in html and '<th scope="row"' in html
    # Charts: an SVG image named by its title, which reads the values.
    assert 'role="img" aria-labelledby="demandes-nature-graphique"' in html
    chart = report.figure("demandes-nature").chart
    assert "3" in chart.summary and len(chart.bars) == 4
    # Attributes are never localised ("12,5" would break the SVG).
    assert 'width="' in html and not any(f'width="{n},' in html for n in range(10))
    # Previous and next years, downloads.
    assert 'href="/gestion/rapport/2023/"' in html
    assert 'href="/gestion/rapport/2025/"' in html
    assert 'href="/gestion/rapport/2024/rapport.csv"' in html
    assert 'href="/gestion/rapport/2024/rapport.pdf"' in html


def test_empty_year_says_so(staff):
    response = staff.get(reverse("reports:year", args=[1995]))
    assert response.status_code == 200
    assert not response.context["report"].has_data
    assert 'class="report-notice"' in response.content.decode()


def test_admin_index_links_the_report(staff, client):
    html = staff.get(reverse("admin:index")).content.decode()
    assert 'href="/gestion/rapport/"' in html
    client.force_login(staff_user("sans-role"))
    assert 'href="/gestion/rapport/"' not in client.get(reverse("admin:index")).content.decode()


def test_pdf(staff, year_2024):
    response = staff.get(reverse("reports:pdf", args=[YEAR]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="villes2-rapport-activite-2024.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title.endswith("2024")
    text = "\n".join(page.extract_text() for page in reader.pages)
    report = (
        response.wsgi_request and staff.get(reverse("reports:year", args=[YEAR])).context["report"]
    )
    for figure in report.figures:
        assert figure.title in text
    for key in report.key_figures:
        assert key.label in text
    assert "Indre-et-Loire (37)" in text
    # The time to answer: median 3, 90th percentile 5,4 working days.
    assert report.figure("delai-reponse").row("p90").cells[0].text in text
    assert len(reader.pages) >= 3


def test_csv(staff, year_2024):
    first_theme = year_2024.themes[0]
    Concept.objects.filter(pk=first_theme.pk).update(pref_label_fr="=SOMME(A1:A9)")
    response = staff.get(reverse("reports:csv", args=[YEAR]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="villes2-rapport-activite-2024.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["section", "libelle", "valeur", "unite"]
    report = staff.get(reverse("reports:year", args=[YEAR])).context["report"]
    by_kind = report.figure("demandes-nature")
    found = {(section, label): (value, unit) for section, label, value, unit in rows[1:]}
    assert found[(by_kind.title, by_kind.row("information").label)] == (
        "3",
        by_kind.columns[0].unit,
    )
    # Several columns: the column is named after the row; decimal comma.
    answer = report.figure("delai-reponse")
    label = f"{answer.row('p90').label} — {answer.columns[0].label}"
    assert found[(answer.title, label)] == ("5,4", answer.columns[0].unit)
    share = report.figure("objectif").row("part")
    assert found[(report.figure("objectif").title, share.label)] == ("75", "%")
    # A label a spreadsheet would run is written as text.
    theme = report.figure("demandes-theme")
    assert (theme.title, "'=SOMME(A1:A9)") in found
    assert (theme.title, "=SOMME(A1:A9)") not in found
    # One row per value of the year (the previous year's columns left out).
    assert len(rows) - 1 == sum(len(f.rows) * len(f.columns) for f in report.figures)


def _fill(count: int, territories) -> None:
    tours = territories.get(kind="commune", code="37261")
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk")[:2])
    for n in range(count):
        InquiryFactory(
            received_at=at(YEAR, 1 + n % 12, 1 + n % 27),
            status="repondue" if n % 2 else "nouvelle",
            first_response_after=timezone.timedelta(days=1) if n % 2 else None,
            territory=tours if n % 3 else None,
            themes=themes[: n % 3],
        )
        InterventionFactory(date=at(YEAR, 1 + n % 12, 2).date(), site=tours)


def test_query_count_does_not_grow_with_the_data(staff, territories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("reports:year", args=[YEAR])
    _fill(5, territories)
    with CaptureQueriesContext(connection) as few:
        assert staff.get(url).status_code == 200
    _fill(45, territories)
    with CaptureQueriesContext(connection) as many:
        assert staff.get(url).status_code == 200
    assert len(many) == len(few)


def test_query_budget(staff, territories, django_assert_num_queries):
    _fill(5, territories)
    # Session and user (2), permissions (2). Figures (19): the départements; the
    # requests' dates; by kind; by theme (2); by requester type; by channel; by territory
    # (2); open at the year's end; time spent; interventions by département (2), by
    # kind, top sites; events (2); catalogue records; experience records.
    with django_assert_num_queries(24):
        assert staff.get(reverse("reports:year", args=[YEAR])).status_code == 200
    # The PDF and the CSV compute the same figures (no page context).
    with django_assert_num_queries(24):
        assert staff.get(reverse("reports:pdf", args=[YEAR])).status_code == 200
    with django_assert_num_queries(24):
        assert staff.get(reverse("reports:csv", args=[YEAR])).status_code == 200
