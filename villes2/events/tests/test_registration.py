"""Registering for an event: the state shown on the event page, the public form and its
bad input, the waiting list, the signed link, cancellation and promotion, the mails."""

import datetime
import html as html_lib
import re

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from villes2.events import services
from villes2.events.models import Registration, RegistrationStatus
from villes2.events.selectors.registrations import (
    REGISTRATION_LINK_SALT,
    registration_state,
    registration_token,
    waitlist_position,
)
from villes2.events.views import registration as registration_views
from villes2.territories.tests.factories import TerritoryFactory

from . import factories

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
LINK = re.compile(r"http://testserver(/agenda/inscription/[^/\s]+/)")
TODAY = datetime.date(2030, 3, 1)


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache, which outlives each test's transaction."""
    cache.clear()
    yield
    cache.clear()


def _event(**fields):
    values = {"registration_open": True, "capacity": 2, "title": "Rencontre régionale d'été"}
    values.update(fields)
    return factories.event(**values)


def _register(event, email="marie.curie@example.org", name="Marie Curie", **more):
    return services.registration_create(
        event=event,
        name=name,
        organisation=more.get("organisation", "Ville de Tours"),
        email=email,
        role=more.get("role", "Cheffe de projet"),
        base_url=BASE,
    )


def _post(client, event, **data):
    values = {
        "name": "Marie Curie",
        "organisation": "Ville de Tours",
        "role": "Cheffe de projet",
        "email": "marie.curie@example.org",
        "website": "",
    }
    values.update(data)
    return client.post(reverse("events:register", args=[event.slug]), values)


def _text(response_or_html) -> str:
    """The page with entities decoded: French apostrophes are escaped in HTML."""
    content = getattr(response_or_html, "content", None)
    return html_lib.unescape(content.decode() if content is not None else response_or_html)


def _link_path(message) -> str:
    return LINK.search(message.body).group(1)


# --- The state shown on the event page ------------------------------------------------


def test_no_state_when_the_event_takes_no_registration():
    assert registration_state(factories.event(registration_open=False)) is None


def test_state_counts_places_in_one_query(django_assert_num_queries):
    event = _event(capacity=3, registration_closes_on=datetime.date(2030, 3, 5))
    _register(event, "a@example.org")
    _register(event, "b@example.org")
    cancelled = _register(event, "c@example.org")
    services.registration_cancel(registration=cancelled, base_url=BASE, notify=False)
    with django_assert_num_queries(1):
        state = registration_state(event)
    assert (state.open, state.reason, state.capacity) == (True, "", 3)
    assert (state.confirmed, state.waitlisted, state.places_left, state.full) == (2, 0, 1, False)
    assert state.closes_on == datetime.date(2030, 3, 5)


def test_state_of_a_full_event_and_of_an_unlimited_one():
    full = _event(capacity=1)
    _register(full, "a@example.org")
    _register(full, "b@example.org")
    state = registration_state(full)
    assert (state.open, state.confirmed, state.waitlisted, state.places_left, state.full) == (
        True,
        1,
        1,
        0,
        True,
    )
    unlimited = registration_state(_event(capacity=None))
    assert (unlimited.places_left, unlimited.full, unlimited.capacity) == (None, False, None)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"registration_closes_on": datetime.date(2020, 1, 10)},
            "Les inscriptions sont closes depuis le 10 janvier 2020.",
        ),
        (
            {"start_date": datetime.date(2020, 1, 10)},
            "L'événement est terminé : les inscriptions sont closes.",
        ),
        ({"status": "annule"}, "L'événement est annulé : les inscriptions sont closes."),
    ],
)
def test_state_says_why_registration_is_closed(fields, reason):
    state = registration_state(_event(**fields))
    assert (state.open, state.reason) == (False, reason)


def test_the_box_of_the_event_page():
    event = _event(capacity=2, registration_closes_on=datetime.date(2030, 3, 5))
    register_url = reverse("events:register", args=[event.slug])

    html = _text(
        render_to_string(
            "events/_registration_box.html",
            {"event": event, "registration": registration_state(event)},
        )
    )
    assert "Il reste 2 places sur 2." in html
    assert "Inscriptions jusqu'au 5 mars 2030." in html
    assert f'href="{register_url}">S\'inscrire</a>' in html

    _register(event, "a@example.org")
    _register(event, "b@example.org")
    html = _text(
        render_to_string(
            "events/_registration_box.html",
            {"event": event, "registration": registration_state(event)},
        )
    )
    assert "Complet : les nouvelles inscriptions vont en liste d'attente." in html
    assert f"href=\"{register_url}\">S'inscrire en liste d'attente</a>" in html

    closed = _event(status="annule")
    html = _text(
        render_to_string(
            "events/_registration_box.html",
            {"event": closed, "registration": registration_state(closed)},
        )
    )
    assert "L'événement est annulé : les inscriptions sont closes." in html
    assert "href" not in html
    assert render_to_string("events/_registration_box.html", {"registration": None}).strip() == ""


# --- The form --------------------------------------------------------------------------


def test_form_page_marks_required_fields_within_budget(client, django_assert_num_queries):
    event = _event(places=[TerritoryFactory(name="Tours", kind="commune", code="37261")])
    url = reverse("events:register", args=[event.slug])
    # The event with its places (2), the counts (1).
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    html = _text(response)
    assert '<label for="id_name">Nom et prénom (obligatoire)</label>' in html
    assert '<label for="id_email">Courriel (obligatoire)</label>' in html
    assert '<label for="id_organisation">Organisation</label>' in html
    assert '<label for="id_role">Fonction</label>' in html
    assert "12 mars 2030" in html and "Tours (lieu à confirmer)" in html
    assert "Il reste 2 places sur 2." in html
    assert '<meta name="robots" content="noindex">' in html


def test_unpublished_or_unknown_event_is_404(client):
    hidden = _event(published=False)
    assert client.get(reverse("events:register", args=[hidden.slug])).status_code == 404
    assert _post(client, hidden).status_code == 404
    assert client.get(reverse("events:register", args=["inconnu"])).status_code == 404
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"registration_open": False}, "Les inscriptions ne sont pas ouvertes pour cet événement."),
        (
            {"start_date": datetime.date(2020, 1, 10)},
            "L'événement est terminé : les inscriptions sont closes.",
        ),
    ],
)
def test_closed_registration_is_a_page_not_an_error(client, fields, message):
    event = _event(**fields)
    response = client.get(reverse("events:register", args=[event.slug]))
    assert response.status_code == 200
    assert message in _text(response)
    assert 'name="email"' not in _text(response)
    response = _post(client, event)
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_registering_confirms_mails_the_link_and_shows_the_receipt(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = _event(
        venue="Salle des fêtes",
        address="2 place de la Mairie\n37000 TOURS",
        place_confirmed=True,
        places=[TerritoryFactory(name="Tours", kind="commune", code="37261")],
        start_time=datetime.time(9, 30),
        end_time=datetime.time(17, 0),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, event, email="  Marie.Curie@EXAMPLE.org ")
    registration = Registration.objects.get()
    assert (registration.status, registration.email, registration.name) == (
        RegistrationStatus.CONFIRMED,
        "Marie.Curie@example.org",
        "Marie Curie",
    )
    token = registration_token(registration)
    assert response.status_code == 302
    assert response.url == f"/agenda/inscription/{token}/?enregistree=1"

    [message] = mailoutbox
    assert message.to == ["Marie.Curie@example.org"]
    assert message.subject == "Inscription confirmée : Rencontre régionale d'été"
    assert "Votre inscription à « Rencontre régionale d'été » est confirmée." in message.body
    assert "Date : 12 mars 2030, de 9\u00a0h\u00a030 à 17\u00a0h\n" in message.body
    # The commune once: the address names it.
    assert "Lieu : Salle des fêtes, 2 place de la Mairie, 37000 TOURS\n" in message.body
    assert f"http://testserver/agenda/evenements/{event.slug}/" in message.body
    assert _link_path(message) == f"/agenda/inscription/{token}/"
    assert "Marie Curie" not in message.extra_headers.values()

    receipt = _text(client.get(response.url))
    assert "Votre inscription est enregistrée." in receipt
    assert "Un message de confirmation a été envoyé à Marie.Curie@example.org" in receipt
    page = client.get(_link_path(message))
    assert page.status_code == 200
    assert "<strong>Inscription confirmée</strong>" in _text(page)
    assert "Votre inscription est enregistrée." not in _text(page)


def test_a_full_event_puts_the_registrant_on_the_waiting_list(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = _event(capacity=1)
    _register(event, "premiere@example.org")
    page = _text(client.get(reverse("events:register", args=[event.slug])))
    assert "L'événement est complet : votre inscription ira en liste d'attente." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, event, email="seconde@example.org")
    assert response.status_code == 302
    waiting = Registration.objects.get(email="seconde@example.org")
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert waitlist_position(waiting) == 1
    [message] = mailoutbox
    assert message.subject == "Liste d'attente : Rencontre régionale d'été"
    assert "vous êtes en liste d'attente, en position 1." in message.body
    receipt = _text(client.get(response.url))
    assert "Vous êtes en liste d'attente, en position 1." in receipt
    assert "En liste d'attente, position 1" in receipt


def test_a_second_registration_with_the_same_address_is_explained_not_duplicated(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = _event()
    first = _register(event, "Marie.Curie@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, event, email="marie.curie@EXAMPLE.ORG", name="Autre Nom")
    assert response.status_code == 200
    html = _text(response)
    assert (
        '<ul class="errorlist" id="id_email_error"><li>Cette adresse est déjà inscrite à cet '
        "événement ; le message de confirmation contient le lien pour gérer votre "
        "inscription.</li></ul>"
    ) in html
    assert registration_token(first) not in html
    assert Registration.objects.count() == 1
    # The owner of the address gets the link again, and only them.
    [message] = mailoutbox
    assert message.to == ["Marie.Curie@example.org"]
    assert message.subject == "Votre inscription : Rencontre régionale d'été"
    assert "Bonjour Marie Curie," in message.body
    assert _link_path(message) == f"/agenda/inscription/{registration_token(first)}/"


def test_a_cancelled_registration_may_be_made_again():
    event = _event()
    first = _register(event)
    services.registration_cancel(registration=first, base_url=BASE, notify=False)
    again = _register(event)
    assert again.pk != first.pk
    assert again.status == RegistrationStatus.CONFIRMED


def test_form_errors_are_in_french_on_their_field(client):
    event = _event()
    response = _post(client, event, name="", email="pas-une-adresse")
    assert response.status_code == 200
    html = _text(response)
    assert (
        '<ul class="errorlist" id="id_name_error"><li>Ce champ est obligatoire.</li></ul>' in html
    )
    assert (
        '<ul class="errorlist" id="id_email_error"><li>Saisissez une adresse de courriel '
        "valide.</li></ul>"
    ) in html
    assert 'aria-invalid="true" aria-describedby="id_name_helptext id_name_error"' in html
    assert "veuillez corriger les champs signalés ci-dessous" in html
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Marie Curie\nBcc: victime@example.org"),
        ("organisation", "Ville\r\nX-Injected: 1"),
        ("role", "Cheffe\u2028de projet"),
        ("email", "marie@example.org\nBcc: victime@example.org"),
    ],
)
def test_line_breaks_are_refused_in_header_bound_fields(client, mailoutbox, field, value):
    response = _post(client, _event(), **{field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    if field != "email":
        assert errors == ["Ce champ ne peut pas contenir de retour à la ligne."]
    else:
        assert "Ce champ ne peut pas contenir de retour à la ligne." in errors
    assert not Registration.objects.exists()
    assert mailoutbox == []


def test_the_honeypot_stops_robots(client):
    response = _post(client, _event(), website="http://spam.example")
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_rate_limit_per_address(client, monkeypatch):
    monkeypatch.setattr(registration_views, "REGISTRATIONS_PER_ADDRESS", 2)
    event = _event(capacity=None)
    assert _post(client, event, email="a@example.org").status_code == 302
    assert _post(client, event, email="b@example.org").status_code == 302
    response = _post(client, event, email="c@example.org")
    assert response.status_code == 429
    assert (
        "Trop d'inscriptions ont été envoyées d'ici : réessayez dans une heure, ou écrivez au "
        "centre."
    ) in _text(response)
    assert Registration.objects.count() == 2


def test_rate_limit_per_email(client, monkeypatch):
    monkeypatch.setattr(registration_views, "REGISTRATIONS_PER_EMAIL", 1)
    first, second = _event(), _event()
    assert _post(client, first, email="a@example.org").status_code == 302
    response = _post(client, second, email="A@EXAMPLE.org")
    assert response.status_code == 429
    assert Registration.objects.count() == 1


def test_registration_closing_while_the_form_is_open(client):
    event = _event()
    client.get(reverse("events:register", args=[event.slug]))
    type(event).objects.filter(pk=event.pk).update(registration_open=False)
    response = _post(client, event)
    assert response.status_code == 200
    assert "Les inscriptions ne sont pas ouvertes pour cet événement." in _text(response)
    assert not Registration.objects.exists()


def test_service_refuses_a_closed_event_and_normalises_the_address():
    with pytest.raises(ValidationError) as refused:
        _register(_event(status="annule"))
    assert refused.value.code == "closed"
    normalised = services.normalise_email("  Jean.Dupont@Mairie-TOURS.fr ")
    assert normalised == "Jean.Dupont@mairie-tours.fr"


# --- The signed link ---------------------------------------------------------------------


def test_manage_page_within_budget(client, django_assert_num_queries):
    event = _event(capacity=1)
    _register(event, "a@example.org")
    waiting = _register(event, "b@example.org")
    url = reverse("events:registration", args=[registration_token(waiting)])
    # The registration with its event (1), its places (1), the waiting-list position (1).
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    html = _text(response)
    assert "En liste d'attente, position 1" in html
    assert "Annuler mon inscription" in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    "token",
    [
        "pas-un-jeton",
        "MQ:1tZZZZ:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        signing.Signer(salt="une-autre-application").sign_object(1),
        signing.dumps(1, salt=REGISTRATION_LINK_SALT),  # signed, but not as links are
        signing.Signer(salt=REGISTRATION_LINK_SALT).sign_object("1"),
        signing.Signer(salt=REGISTRATION_LINK_SALT).sign_object(999999),
    ],
    # Ids given: `signing.dumps` holds the time, which differs between test processes.
    ids=["garbage", "forged", "other-salt", "timestamped", "string-id", "unknown"],
)
def test_malformed_forged_or_unknown_links_are_404(client, token):
    _register(_event())
    assert client.get(reverse("events:registration", args=[token])).status_code == 404
    assert client.post(reverse("events:registration", args=[token])).status_code == 404
    assert client.get(reverse("events:certificate", args=[token])).status_code == 404


def test_a_tampered_link_is_404(client):
    registration = _register(_event())
    token = registration_token(registration)
    other = signing.Signer(salt=REGISTRATION_LINK_SALT).sign_object(registration.pk + 1)
    tampered = other.split(":")[0] + ":" + ":".join(token.split(":")[1:])
    assert client.get(reverse("events:registration", args=[tampered])).status_code == 404


def test_links_of_anonymised_registrations_are_404(client):
    registration = _register(_event())
    url = reverse("events:registration", args=[registration_token(registration)])
    assert client.get(url).status_code == 200
    services.registrations_anonymise(registrations=Registration.objects.all())
    assert client.get(url).status_code == 404


def test_links_stay_valid_when_the_event_is_unpublished(client):
    registration = _register(_event())
    registration.event.published = False
    registration.event.save()
    url = reverse("events:registration", args=[registration_token(registration)])
    assert client.get(url).status_code == 200
    assert client.get(reverse("events:detail", args=[registration.event.slug])).status_code == 404


# --- Cancellation and the waiting list --------------------------------------------------


def test_cancelling_takes_a_confirmation_then_promotes_the_first_waiting(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = _event(capacity=1)
    holder = _register(event, "titulaire@example.org")
    first_waiting = _register(event, "premier@example.org", name="Premier Attente")
    second_waiting = _register(event, "second@example.org")
    url = reverse("events:registration", args=[registration_token(holder)])

    step = client.post(url)
    assert step.status_code == 200
    assert "Annuler votre inscription ?" in _text(step)
    assert "Oui, annuler mon inscription" in _text(step)
    assert " style=" not in _text(step)  # the layout is in events.css (CSP-friendly)
    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"})
    # After the redirection, the page says it in a status message.
    assert (response.status_code, response.url) == (302, f"{url}?annulee=1")
    holder.refresh_from_db()
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED
    assert holder.cancelled_at is not None
    assert first_waiting.status == RegistrationStatus.CONFIRMED
    assert first_waiting.promoted_at is not None
    assert second_waiting.status == RegistrationStatus.WAITLISTED
    assert waitlist_position(second_waiting) == 1

    cancelled, promoted = mailoutbox
    assert cancelled.to == ["titulaire@example.org"]
    assert cancelled.subject == "Inscription annulée : Rencontre régionale d'été"
    assert promoted.to == ["premier@example.org"]
    assert promoted.subject == "Une place s'est libérée : Rencontre régionale d'été"
    assert "Une place s'est libérée pour « Rencontre régionale d'été »" in promoted.body
    assert _link_path(promoted) == (f"/agenda/inscription/{registration_token(first_waiting)}/")

    page = _text(client.get(response.url))
    assert re.search(
        r'<div class="success" role="status">\s*<p>Votre inscription est annulée.\s*'
        r"Un message le confirmant a été envoyé à titulaire@example.org.</p>",
        page,
    )
    assert f"Annulée le {timezone.localdate():%-d}" in page
    assert "Annuler mon inscription" not in page
    # The page without the flag (the link of the mail) states the status only.
    assert 'role="status"' not in _text(client.get(url))
    assert client.get(_link_path(promoted)).status_code == 200


def test_cancelling_twice_changes_nothing_more(mailoutbox, django_capture_on_commit_callbacks):
    event = _event(capacity=1)
    holder = _register(event, "titulaire@example.org")
    waiting = [_register(event, f"attente{i}@example.org") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=holder, base_url=BASE)
        services.registration_cancel(registration=holder, base_url=BASE)
    assert len(mailoutbox) == 2  # one cancellation, one promotion
    statuses = [r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])]
    assert sorted(statuses) == [RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED]


def test_cancelling_a_waiting_registration_promotes_nobody():
    event = _event(capacity=1)
    _register(event, "titulaire@example.org")
    first = _register(event, "premier@example.org")
    second = _register(event, "second@example.org")
    services.registration_cancel(registration=first, base_url=BASE, notify=False)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.WAITLISTED
    assert registration_state(event).confirmed == 1


def test_raising_the_capacity_fills_places_from_the_waiting_list():
    event = _event(capacity=1)
    _register(event, "a@example.org")
    waiting = [_register(event, f"{c}@example.org") for c in "bcd"]
    type(event).objects.filter(pk=event.pk).update(capacity=3)
    promoted = services.waitlist_fill(event=event, base_url=BASE)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert registration_state(event).waitlisted == 1


def test_nobody_is_promoted_to_a_cancelled_event():
    event = _event(capacity=1)
    holder = _register(event, "a@example.org")
    waiting = _register(event, "b@example.org")
    type(event).objects.filter(pk=event.pk).update(status="annule")
    services.registration_cancel(registration=holder, base_url=BASE, notify=False)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED


def test_a_past_event_cannot_be_cancelled_by_its_link(client):
    event = _event()
    registration = _register(event)
    type(event).objects.filter(pk=event.pk).update(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 1, 1)
    )
    url = reverse("events:registration", args=[registration_token(registration)])
    assert "Annuler mon inscription" not in _text(client.get(url))
    client.post(url, {"confirm": "yes"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_needs_the_csrf_token():
    registration = _register(_event())
    url = reverse("events:registration", args=[registration_token(registration)])
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, {"confirm": "yes"}).status_code == 403
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    form = client.get(url)
    token = form.context["csrf_token"]
    response = client.post(url, {"confirm": "yes", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_mails_are_sent_after_commit_only(mailoutbox, django_capture_on_commit_callbacks):
    event = _event()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _register(event)
    assert mailoutbox == []
    assert len(callbacks) == 1
