"""Every public page type, in French and in English, in headless Chromium.

Each page must answer with its expected status, have one `h1`, the right `lang`, a skip
link that is the first thing the Tab key reaches, its map drawn when it has one, and no
axe-core violation of impact serious or critical. A full-page screenshot of each is
saved under test-results/screenshots/ for review.
"""

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}
LANGUAGES = {"fr": "", "en": "/en"}
MAP_TIMEOUT = 15_000  # ms; generous, the CI machine runs other jobs
# What map.js left behind: it hides the map when its GeoJSON fails to load or is empty.
MAP_STATE_SCRIPT = """() => Array.from(document.querySelectorAll("[data-map]"), (map) => ({
    hidden: map.hidden,
    leaflet: map.classList.contains("leaflet-container"),
    size: [map.clientWidth, map.clientHeight],
    paths: map.querySelectorAll(".leaflet-overlay-pane path").length,
}))"""


@dataclass(frozen=True)
class PublicPage:
    slug: str
    path: str
    status: int = 200
    has_map: bool = False


PAGES = [
    PublicPage("home", "/"),
    PublicPage("territories", "/territoires/", has_map=True),
    PublicPage("region", "/territoires/region/24/", has_map=True),
    PublicPage("former-region", "/territoires/ancienne-region/54/", has_map=True),
    PublicPage("departement", "/territoires/departement/37/", has_map=True),
    PublicPage("epci", "/territoires/epci/243700754/", has_map=True),
    PublicPage("commune", "/territoires/commune/37261/", has_map=True),
    PublicPage("zus", "/territoires/zus/ZUS-28-01/", has_map=True),
    PublicPage("qpv", "/territoires/qpv/QN03702M/", has_map=True),
    PublicPage(
        "departement-contents-page-2",
        "/territoires/departement/37/?contenu=commune&page=2",
        has_map=True,
    ),
    PublicPage("search", "/territoires/recherche/?q=saint+martin"),
    PublicPage("search-empty", "/territoires/recherche/"),
    PublicPage("go-error", "/territoires/aller/?territoire=Saint-Martin", status=400, has_map=True),
    PublicPage("legal-notice", "/mentions-legales/"),
    PublicPage("accessibility", "/accessibilite/"),
    PublicPage("personal-data", "/donnees-personnelles/"),
    PublicPage("centre", "/le-centre/"),
    PublicPage("board", "/le-bureau/"),
    PublicPage("board-2007", "/le-bureau/?date=2007-06-01"),
    PublicPage("partners", "/partenaires/"),
    PublicPage("annuaire", "/annuaire/"),
    PublicPage("annuaire-networks", "/annuaire/?kind=reseau"),
    PublicPage("annuaire-filter-error", "/annuaire/?territory=Xyzzy"),
    PublicPage("annuaire-persons", "/annuaire/personnes/"),
    PublicPage("annuaire-organisation", "/annuaire/organisations/ush-centre/"),
    PublicPage("annuaire-person", "/annuaire/personnes/alain-baudin/"),
    PublicPage("rights-request", "/annuaire/personnes/alain-baudin/demande/"),
    PublicPage("rights-request-general", "/annuaire/demande/"),
    PublicPage("consent-link-expired", "/annuaire/mes-choix/perime/", status=404),
    PublicPage("not-found", "/territoires/commune/99999/", status=404),
    # Documentation (records from tests/e2e/data/catalogue-test.csv), thesaurus, search.
    PublicPage("documents", "/documents/"),
    PublicPage("documents-search", "/documents/?q=quartiers&type=rapport&territoire=region-24"),
    PublicPage("documents-nothing", "/documents/?q=le+la+les"),
    PublicPage("documents-bad-years", "/documents/?annee_min=2010&annee_max=2000"),
    PublicPage("document", "/documents/1/"),
    PublicPage("document-staff-only", "/documents/6/", status=404),
    PublicPage("search-site", "/recherche/?q=ZUS"),
    PublicPage("search-site-tab", "/recherche/?q=r%C3%A9novation&quoi=documents&tri=date"),
    PublicPage("thesaurus", "/thesaurus/"),
    PublicPage("thesaurus-concept", "/thesaurus/themes/residentialisation/"),
    # Agenda: the founding 2007 programme (all past) and the invented 2030 events of
    # tests/e2e/data/agenda_test_data.py, which take registrations.
    PublicPage("agenda", "/agenda/"),
    PublicPage("agenda-filtered", "/agenda/?volet=volet-humain&territoire=ancienne-region-24"),
    PublicPage("agenda-filter-error", "/agenda/?mois=2007-13"),
    PublicPage("agenda-month", "/agenda/mois/2007/10/"),
    PublicPage("agenda-month-tentative", "/agenda/mois/2008/1/"),
    PublicPage("agenda-programme-2007", "/agenda/programme/2007/"),
    PublicPage("agenda-programme-2008", "/agenda/programme/2008/"),
    PublicPage("agenda-event-tentative", "/agenda/evenements/egalite-des-chances-acces-emploi/"),
    PublicPage("agenda-event-registration", "/agenda/evenements/rencontre-test-inscriptions-2030/"),
    PublicPage("agenda-cycle", "/agenda/cycles/egalite-des-chances-acces-aux-droits/"),
    PublicPage(
        "agenda-register-form", "/agenda/evenements/rencontre-test-inscriptions-2030/inscription/"
    ),
    PublicPage("agenda-register-full", "/agenda/evenements/atelier-test-complet-2030/inscription/"),
    PublicPage(
        "agenda-register-closed",
        "/agenda/evenements/egalite-des-chances-acces-emploi/inscription/",
    ),
    PublicPage("agenda-event-unknown", "/agenda/evenements/inconnu/", status=404),
    PublicPage("agenda-registration-forged", "/agenda/inscription/forged/", status=404),
    # Experience records (tests/e2e/data/practices_test_data.py, invented): the list, a
    # filtered list, a full record, a draft (never public).
    PublicPage("experiences", "/experiences/"),
    PublicPage(
        "experiences-filtered",
        "/experiences/?public=habitants&theme=prevention-citoyennete-mediation&periode=2000-2009",
    ),
    PublicPage("experience", "/experiences/1/"),
    PublicPage("experience-draft", "/experiences/3/", status=404),
    # Observatory: real populations (reference data) and the synthetic values and
    # scheme (id 2) of tests/e2e/data/observation.py.
    PublicPage("observatory", "/observatoire/"),
    PublicPage("portrait-commune", "/observatoire/territoire/commune/37261/"),
    PublicPage("portrait-qpv", "/observatoire/territoire/qpv/QN03702M/"),
    PublicPage(
        "compare-communes-37",
        "/observatoire/comparer/?indicateur=population-municipale&niveau=commune"
        "&perimetre=departement:37",
        has_map=True,
    ),
    PublicPage(
        "compare-qpv-centre",
        "/observatoire/comparer/?indicateur=part-moins-25-ans-synthetique&niveau=qpv"
        "&perimetre=centre-poitou&tri=nom",
    ),
    PublicPage("compare-form", "/observatoire/comparer/"),
    PublicPage(
        "compare-error", "/observatoire/comparer/?indicateur=inconnu&periode=20x", status=400
    ),
    PublicPage("collection-template", "/observatoire/modele/"),
    PublicPage("scheme-dashboard", "/observatoire/dispositif/2/"),
    PublicPage("scheme-dashboard-empty", "/observatoire/dispositif/1/"),
    # The desk and its FAQ (tests/e2e/data/inquiries_test_data.py: entries 1-3 published,
    # 4 a draft); the form, thank-you and tracking pages: test_inquiries.py.
    PublicPage("inquiries", "/demandes/"),
    PublicPage("faq", "/demandes/faq/"),
    PublicPage("faq-search", "/demandes/faq/?q=atelier+sant%C3%A9&theme=sante"),
    PublicPage("faq-entry", "/demandes/faq/1/"),
    PublicPage("faq-draft", "/demandes/faq/4/", status=404),
]

PAGES_BY_SLUG = {public_page.slug: public_page for public_page in PAGES}
CASES = [
    pytest.param(public_page, lang, id=f"{public_page.slug}-{lang}")
    for public_page in PAGES
    for lang in LANGUAGES
]


def open_page(page, public_page: PublicPage, lang: str):
    """Load the page. Only maps fetch anything after the load event (their GeoJSON):
    `wait_for_map` waits for it, so no test waits for the network to stay idle 0.5 s."""
    response = page.goto(LANGUAGES[lang] + public_page.path, wait_until="load")
    assert response is not None
    return response


def wait_for_map(page) -> None:
    """Wait until Leaflet has drawn the page's map; say what went wrong if it has not."""
    paths = page.locator("[data-map] .leaflet-overlay-pane path")
    try:
        paths.first.wait_for(state="attached", timeout=MAP_TIMEOUT)
    except PlaywrightTimeoutError:
        state = page.evaluate(MAP_STATE_SCRIPT)
        pytest.fail(f"no map drawn within {MAP_TIMEOUT} ms on {page.url}: {state}")


def blocking_violations(page) -> list[str]:
    """axe-core violations of impact serious or critical, one readable line each."""
    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            f"{len(violation['nodes'])} element(s), e.g. {targets} — {violation['helpUrl']}"
        )
    return lines


@pytest.mark.parametrize(("public_page", "lang"), CASES)
def test_page_structure_and_accessibility(page, screenshot_dir, public_page: PublicPage, lang):
    """One load per page and language: structure first, then axe-core on the same page."""
    response = open_page(page, public_page, lang)
    maps = page.locator("[data-map]")
    if public_page.has_map:
        wait_for_map(page)
    page.screenshot(path=screenshot_dir / f"{public_page.slug}-{lang}.png", full_page=True)

    assert response.status == public_page.status
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    assert maps.count() == (1 if public_page.has_map else 0)
    if public_page.has_map:
        assert maps.first.is_visible()
        assert page.locator("[data-map] .leaflet-overlay-pane path").count() >= 1
    assert page.locator("#contenu").count() == 1
    violations = blocking_violations(page)
    report = "\n".join(violations)
    assert not violations, f"axe-core on {LANGUAGES[lang] + public_page.path}:\n{report}"
    # From the top of the page, the first Tab lands on the skip link.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#contenu"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_go_form_error_is_shown_on_the_field(page, lang: str):
    open_page(page, PAGES_BY_SLUG["go-error"], lang)
    field = page.get_by_role("combobox")
    errors = page.locator(".errorlist")
    assert errors.count() == 1
    assert "Saint-Martin" in errors.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "Saint-Martin"


def test_go_form_error_is_in_french(page):
    open_page(page, PAGES_BY_SLUG["go-error"], "fr")
    # French typography: the guillemets may be followed by any kind of (no-break) space.
    message = page.locator(".errorlist").inner_text()
    assert re.search(r"«\s*Saint-Martin\s*» correspond à plusieurs territoires", message)


@pytest.mark.parametrize(
    ("lang", "title"),
    [("fr", "Page introuvable"), ("en", "Page not found")],
)
def test_not_found_page_title(page, lang: str, title: str):
    open_page(page, PAGES_BY_SLUG["not-found"], lang)
    assert page.locator("h1").inner_text() == title
