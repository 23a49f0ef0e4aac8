"""Proposing an experience record through the public form: anonymous with a contact,
signed in, the refusals (missing contact or consent, bad years, unknown territory, text
too long, honeypot, throttle) that create nothing and send nothing, the mails, the
thank-you page, and the record waiting in the back office."""

import datetime
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.practices.models import Practice, PracticeStatus, PracticeTransition
from villes2.practices.views import submission as submission_views
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, SchemeKind, Territory

pytestmark = pytest.mark.django_db

SUBMIT_URL = reverse("practices:submit")
CENTRE = "centre@example.org"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache, which outlives each test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def centre_address(settings):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": CENTRE}


@pytest.fixture
def tours(reference_data):
    return Territory.objects.get(kind="commune", code="37261")


@pytest.fixture
def health(reference_data):
    return Concept.objects.get(scheme__is_theme_scheme=True, pref_label_fr="Santé")


def _data(**fields) -> dict:
    values = {
        "title": "Jardins partagés au pied des immeubles",
        "summary": "Des habitants cultivent ensemble des parcelles au pied des tours.",
        "context": "Un quartier d’habitat social aux espaces verts délaissés.",
        "objectives": "",
        "actions": "",
        "public_detail": "",
        "partners_text": "Bailleur social, centre social",
        "territory_1": "",
        "territory_2": "",
        "territory_3": "",
        "start_year": "2007",
        "end_year": "",
        "results": "",
        "success_factors": "",
        "difficulties": "",
        "transfer_prerequisites": "",
        "transfer_specific": "",
        "transfer_adaptation": "",
        "transfer_cost_time": "",
        "submitter_name": "Marie Dupont",
        "submitter_email": "marie.dupont@example.org",
        "submitter_organisation": "Centre social des Fontaines",
        "consent": "on",
        "website": "",
    }
    values.update(fields)
    return values


def _post(client, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(SUBMIT_URL, _data(**fields))


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _field_errors(response, name: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(name, [])]


def _nothing_written():
    assert not Practice.objects.exists()
    assert not PracticeTransition.objects.exists()
    assert mail.outbox == []


# --- The form -----------------------------------------------------------------------


def test_the_form_in_french_has_every_part(client, reference_data):
    response = client.get(SUBMIT_URL)
    assert response.status_code == 200
    content = _text(response)
    for name in (
        "title",
        "summary",
        "context",
        "objectives",
        "actions",
        "publics",
        "public_detail",
        "partners_text",
        "territory_1",
        "territory_2",
        "territory_3",
        "themes",
        "start_year",
        "end_year",
        "results",
        "success_factors",
        "difficulties",
        "transfer_prerequisites",
        "transfer_specific",
        "transfer_adaptation",
        "transfer_cost_time",
        "submitter_name",
        "submitter_email",
        "submitter_organisation",
        "consent",
        "website",
    ):
        assert f'name="{name}"' in content, name
    assert "Proposer une expérience" in content
    assert '<label for="id_title">Titre de l’expérience (obligatoire)</label>' in content
    assert '<label for="id_submitter_email">Votre courriel (obligatoire)</label>' in content
    # The territory picker, with its suggestions.
    assert 'role="combobox"' in content
    assert reverse("territories:suggest") in content
    # The themes of the theme scheme, under their top theme, each shown once.
    assert "<legend>Santé</legend>" in content
    themes = Concept.objects.filter(scheme__is_theme_scheme=True, deprecated=False)
    assert content.count('name="themes"') == themes.count()
    # The consent says how the contact is used, and links to the personal-data page.
    assert "ne sont vus que par l’équipe du centre" in content
    assert f'href="{reverse("core:personal_data")}"' in content
    # No session (no cookie) for an anonymous visitor.
    assert "sessionid" not in response.cookies


def test_the_form_in_english(client, reference_data):
    response = client.get("/en" + SUBMIT_URL)
    assert response.status_code == 200
    content = _text(response)
    assert "<h1>Propose an experience</h1>" in content
    assert '<label for="id_title">Title of the experience (required)</label>' in content
    # Concept labels without an English label stay French, marked as such.
    assert 'lang="fr"' in content


# --- Submissions --------------------------------------------------------------------


def test_an_anonymous_submission_is_saved_as_submitted_with_its_history(
    client, django_capture_on_commit_callbacks, tours, health
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        territory_1="Tours",
        themes=[str(health.pk)],
        publics=["habitants", "familles"],
        end_year="2009",
        # Not fields of the form: ignored.
        status="publiee",
        notes="Note glissée",
        transfer_rating="fort",
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert (practice.notes, practice.transfer_rating, practice.first_published_at) == ("", "", None)
    assert response["Location"].startswith(reverse("practices:submit_done") + "?fiche=")
    assert (practice.status, practice.title, practice.start_year, practice.end_year) == (
        PracticeStatus.SUBMITTED,
        "Jardins partagés au pied des immeubles",
        2007,
        2009,
    )
    assert (
        practice.submitter_name,
        practice.submitter_email,
        practice.submitter_organisation,
        practice.submitted_by,
    ) == ("Marie Dupont", "marie.dupont@example.org", "Centre social des Fontaines", None)
    assert practice.publics == ["habitants", "familles"]
    assert practice.partners_text == "Bailleur social, centre social"
    assert list(practice.territories.all()) == [tours]
    assert list(practice.themes.all()) == [health]
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.by, step.by_name) == (
        "",
        PracticeStatus.SUBMITTED,
        None,
        "Marie Dupont",
    )
    # The acknowledgement to the submitter, the notice to the centre with the link to
    # the back office.
    assert [message.to for message in mail.outbox] == [["marie.dupont@example.org"], [CENTRE]]
    assert "Jardins partagés au pied des immeubles" in mail.outbox[0].subject
    assert f"/gestion/practices/practice/{practice.pk}/change/" in mail.outbox[1].body
    # Not public.
    assert client.get(practice.get_absolute_url()).status_code == 404


def test_the_thank_you_page_names_the_record(client, django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = _text(page)
    assert "<h1>Proposition reçue</h1>" in content
    assert '<strong lang="fr">Jardins partagés au pied des immeubles</strong>' in content
    assert "no-cache" in page["Cache-Control"]


# Ids given: a signed token holds the time it was made, which differs between the test
# processes collecting it (pytest-xdist).
@pytest.mark.parametrize(
    "token",
    ["", "12", "bidon:abc", signing.dumps("x", salt="autre")],
    ids=["empty", "number", "unsigned", "other-salt"],
)
def test_the_thank_you_page_without_a_valid_reference_names_nothing(client, token, db):
    response = client.get(reverse("practices:submit_done"), {"fiche": token})
    assert response.status_code == 200
    content = _text(response)
    assert "Merci : le centre de ressources a bien reçu votre fiche expérience." in content
    assert '<strong lang="fr">' not in content


def test_an_expired_reference_names_nothing(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    response = _post(client, django_capture_on_commit_callbacks)
    monkeypatch.setattr(submission_views, "DONE_MAX_AGE", -1)
    content = _text(client.get(response["Location"]))
    assert "Jardins partagés" not in content


def test_a_signed_in_partner_submits_under_their_account(
    client, django_capture_on_commit_callbacks, reference_data
):
    partner = staff_user("partenaire", role=roles.PARTNER)
    partner.first_name, partner.last_name, partner.email = "Paul", "Martin", "paul@example.org"
    partner.save()
    client.force_login(partner)
    form = client.get(SUBMIT_URL).context["form"]
    assert (form["submitter_name"].value(), form["submitter_email"].value()) == (
        "Paul Martin",
        "paul@example.org",
    )
    assert not form.fields["submitter_name"].required
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        submitter_name="",
        submitter_email="",
        submitter_organisation="",
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert (practice.submitted_by, practice.submitter_name, practice.submitter_email) == (
        partner,
        "Paul Martin",
        "paul@example.org",
    )
    step = practice.transitions.get()
    assert (step.to_status, step.by, step.by_name) == (
        PracticeStatus.SUBMITTED,
        partner,
        "Paul Martin",
    )
    assert [message.to for message in mail.outbox] == [["paul@example.org"], [CENTRE]]


def test_a_signed_in_user_without_address_must_give_one(
    client, django_capture_on_commit_callbacks, reference_data
):
    client.force_login(staff_user("sans-adresse", role=roles.PARTNER))
    response = _post(
        client, django_capture_on_commit_callbacks, submitter_name="", submitter_email=""
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Laissez votre nom et votre adresse électronique pour que le centre puisse vous contacter."
    ]
    _nothing_written()


def test_the_submitted_record_waits_in_the_back_office(
    client, django_capture_on_commit_callbacks, reference_data
):
    _post(client, django_capture_on_commit_callbacks)
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    response = client.get(
        reverse("admin:practices_practice_changelist"), {"status__exact": "soumise"}
    )
    assert response.status_code == 200
    assert [p.title for p in response.context["cl"].result_list] == [
        "Jardins partagés au pied des immeubles"
    ]


# --- Refusals: French messages, nothing created, nothing sent -------------------------


def test_an_anonymous_submission_without_contact_is_refused(
    client, django_capture_on_commit_callbacks
):
    response = _post(
        client, django_capture_on_commit_callbacks, submitter_name="", submitter_email=""
    )
    assert response.status_code == 200
    assert _field_errors(response, "submitter_name") == ["Ce champ est obligatoire."]
    assert _field_errors(response, "submitter_email") == ["Ce champ est obligatoire."]
    _nothing_written()


def test_the_error_summary_links_to_the_fields(client, django_capture_on_commit_callbacks):
    response = _post(
        client, django_capture_on_commit_callbacks, title="", submitter_email="pas-une-adresse"
    )
    content = _text(response)
    summary = re.search(r'<div class="notice error-summary" role="alert".*?</div>', content, re.S)
    assert summary is not None
    assert "La fiche n’a pas pu être envoyée" in summary.group(0)
    assert "Corrigez les 2 champs ci-dessous" in summary.group(0)
    assert re.findall(r'<a href="(#[^"]+)">', summary.group(0)) == [
        "#id_title",
        "#id_submitter_email",
    ]
    assert "Votre courriel (obligatoire)</a> — Saisissez une adresse de courriel valide." in (
        summary.group(0)
    )
    # The fields themselves carry their error.
    assert 'id="id_title_error"' in content
    assert 'aria-invalid="true"' in content
    _nothing_written()


def test_consent_is_required(client, django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks, consent="")
    assert _field_errors(response, "consent") == [
        "Cochez cette case : le centre a besoin de vos coordonnées pour relire la fiche."
    ]
    assert '<a href="#id_consent">' in _text(response)
    _nothing_written()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_year": "1800"}, "start_year", "Indiquez une année entre 1950 et 2200."),
        ({"start_year": "2201"}, "start_year", "Indiquez une année entre 1950 et 2200."),
        ({"start_year": "deux mille"}, "start_year", "Indiquez une année entre 1950 et 2200."),
        ({"start_year": ""}, "start_year", "Ce champ est obligatoire."),
        (
            {"start_year": "2008", "end_year": "2006"},
            "end_year",
            "L’année de fin ne peut pas précéder l’année de début.",
        ),
        ({"end_year": "1900"}, "end_year", "Indiquez une année entre 1950 et 2200."),
    ],
)
def test_invalid_years_are_refused_on_their_field(
    client, django_capture_on_commit_callbacks, fields, field, message
):
    response = _post(client, django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 200
    assert _field_errors(response, field) == [message]
    _nothing_written()


def test_required_texts_unknown_territory_and_choices(
    client, django_capture_on_commit_callbacks, reference_data
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        title="",
        summary="",
        territory_2="Atlantide-sur-Loire",
        publics=["martiens"],
        themes=["999999"],
    )
    errors = response.context["form"].errors
    assert errors["title"] == ["Ce champ est obligatoire."]
    assert errors["summary"] == ["Ce champ est obligatoire."]
    assert errors["territory_2"] == ["Aucun territoire ne correspond à « Atlantide-sur-Loire »."]
    assert errors["publics"] == ["Sélectionnez un choix valide. martiens n’en fait pas partie."]
    assert errors["themes"] == ["Sélectionnez un choix valide. 999999 n’en fait pas partie."]
    _nothing_written()


def test_a_concept_outside_the_theme_scheme_is_refused(
    client, django_capture_on_commit_callbacks, reference_data
):
    eukn = Concept.objects.filter(scheme__is_theme_scheme=False).first()
    response = _post(client, django_capture_on_commit_callbacks, themes=[str(eukn.pk)])
    assert response.context["form"].errors["themes"] == [
        f"Sélectionnez un choix valide. {eukn.pk} n’en fait pas partie."
    ]
    _nothing_written()


def test_overlong_texts_and_line_breaks_are_refused(client, django_capture_on_commit_callbacks):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        summary="x" * 2001,
        results="y" * 10_001,
        submitter_name="Marie\r\nBcc: tous@example.org",
    )
    errors = response.context["form"].errors
    assert errors["summary"] == [
        "Assurez-vous que cette valeur comporte au plus 2000 caractères (actuellement 2001)."
    ]
    assert errors["results"] == [
        "Assurez-vous que cette valeur comporte au plus 10000 caractères (actuellement 10001)."
    ]
    assert errors["submitter_name"] == ["Ce champ ne peut pas contenir de retour à la ligne."]
    _nothing_written()


def test_the_honeypot_creates_nothing(client, django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 404
    _nothing_written()


def test_proposals_are_limited_per_address(client, django_capture_on_commit_callbacks):
    for n in range(submission_views.SUBMISSIONS_PER_ADDRESS):
        response = _post(
            client,
            django_capture_on_commit_callbacks,
            title=f"Expérience {n}",
            submitter_email=f"personne{n}@example.org",
        )
        assert response.status_code == 302
    mail.outbox.clear()
    response = _post(
        client, django_capture_on_commit_callbacks, submitter_email="encore@example.org"
    )
    assert response.status_code == 429
    assert "Trop de fiches ont été proposées depuis cet accès" in _text(response)
    assert Practice.objects.count() == submission_views.SUBMISSIONS_PER_ADDRESS
    assert mail.outbox == []


def test_proposals_are_limited_per_address_e_mail(client, django_capture_on_commit_callbacks):
    limit = submission_views.SUBMISSIONS_PER_EMAIL
    for n in range(limit):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                SUBMIT_URL, _data(title=f"Expérience {n}"), REMOTE_ADDR=f"192.0.2.{n + 1}"
            )
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SUBMIT_URL,
            _data(submitter_email="Marie.Dupont@example.org"),
            REMOTE_ADDR="198.51.100.1",
        )
    assert response.status_code == 429
    assert Practice.objects.count() == limit


def test_thank_you_reference_is_the_record(client, django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks)
    token = parse_qs(urlsplit(response["Location"]).query)["fiche"][0]
    assert signing.loads(token, salt=submission_views.DONE_SALT) == Practice.objects.get().pk


def test_a_form_sent_twice_makes_one_record_and_one_pair_of_mails(
    client, django_capture_on_commit_callbacks
):
    first = _post(client, django_capture_on_commit_callbacks)
    again = _post(
        client, django_capture_on_commit_callbacks, submitter_email="Marie.Dupont@example.org"
    )
    assert (first.status_code, again.status_code) == (302, 302)
    practice = Practice.objects.get()
    for response in (first, again):
        token = parse_qs(urlsplit(response["Location"]).query)["fiche"][0]
        assert signing.loads(token, salt=submission_views.DONE_SALT) == practice.pk
    assert practice.transitions.count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == [CENTRE, "marie.dupont@example.org"]
    # Another proposal by the same person is another record.
    _post(client, django_capture_on_commit_callbacks, title="Un second jardin partagé")
    assert Practice.objects.count() == 2
    assert len(mail.outbox) == 4


def test_the_same_proposal_after_the_window_is_a_new_record(
    client, django_capture_on_commit_callbacks
):
    _post(client, django_capture_on_commit_callbacks)
    Practice.objects.update(created=Practice.objects.get().created - datetime.timedelta(hours=1))
    _post(client, django_capture_on_commit_callbacks)
    assert Practice.objects.count() == 2


@pytest.mark.parametrize("schemes", [1, 8])
def test_the_form_page_query_budget(client, reference_data, django_assert_num_queries, schemes):
    for n in range(schemes):
        Scheme.objects.create(kind=SchemeKind.CUCS, name=f"CUCS de test {n}", source="Test")
    # The theme scheme (1), its concepts for the groups (1) and their broader links (1),
    # the concepts again for the checkboxes (1), the schemes (1).
    with django_assert_num_queries(5):
        response = client.get(SUBMIT_URL)
    assert response.status_code == 200
