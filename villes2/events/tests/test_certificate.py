"""The attendance certificate: a PDF that opens, names the person and the event with
accents intact, and is given only to those checked in."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from villes2.core.testing import staff_user
from villes2.events import services
from villes2.events.certificates import certificate_pdf
from villes2.events.models import Registration
from villes2.events.selectors.registrations import registration_token
from villes2.territories.tests.factories import TerritoryFactory

from . import factories

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
TITLE = "Égalité des chances : l'accès aux œuvres et aux droits"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Lines wrapped by the layout are joined again: the test reads sentences.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _registration(*, attended: bool, **event_fields) -> Registration:
    fields = {
        "registration_open": True,
        "capacity": 1,
        "title": TITLE,
        "slug": "egalite-acces-oeuvres",
        "venue": "Hôtel de ville",
        "place_confirmed": True,
        "places": [TerritoryFactory(name="Châtellerault", kind="commune", code="86066")],
        **event_fields,
    }
    event = factories.event(**fields)
    registration = services.registration_create(
        event=event,
        name="Œdipe Cœur-Léger",
        organisation="Communauté d'agglomération du Pays châtelleraudais",
        email="oedipe@example.org",
        role="Chargé de mission",
        base_url=BASE,
    )
    if attended:
        services.registration_check_in(registration=registration, attended=True, user=None)
    return registration


def test_certificate_opens_as_pdf_and_names_person_and_event():
    registration = _registration(attended=True)
    pdf = certificate_pdf(registration)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert reader.metadata.title == f"Attestation de présence — {TITLE}"
    assert reader.metadata.author == "Villes²"
    text = _text(pdf)
    assert "Attestation de présence" in text
    assert "Centre de ressources politique de la ville" in text
    assert "Le centre de ressources Villes² atteste que" in text
    assert "Œdipe Cœur-Léger" in text
    assert "Communauté d'agglomération du Pays châtelleraudais" in text
    assert f"a participé à « {TITLE} »." in text
    assert "Date : 12 mars 2030" in text
    assert "Lieu : Hôtel de ville, Châtellerault" in text
    assert re.search(r"Délivrée le \d{1,2} \w+ \d{4}\.", text)


def test_certificate_gives_the_times_and_the_place_once():
    registration = _registration(
        attended=True,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(17, 5),
        address="3 place de l'Hôtel de Ville, 86100 Châtellerault",
    )
    text = _text(certificate_pdf(registration))
    assert "Date : 12 mars 2030, de 9 h à 17 h 05" in text
    # The address names the commune: not written again after it.
    assert (
        "Lieu : Hôtel de ville, 3 place de l'Hôtel de Ville, 86100 Châtellerault Délivrée" in text
    )


def test_holder_downloads_the_certificate_once_checked_in(client):
    registration = _registration(attended=True)
    url = reverse("events:certificate", args=[registration_token(registration)])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="attestation-egalite-acces-oeuvres.pdf"'
    )
    assert "Œdipe Cœur-Léger" in _text(response.content)
    manage = client.get(reverse("events:registration", args=[registration_token(registration)]))
    [link] = re.findall(r'href="([^"]+/attestation\.pdf)"', manage.content.decode())
    assert client.get(link).status_code == 200


def test_no_certificate_before_check_in_or_after_cancellation(client):
    registration = _registration(attended=False)
    token = registration_token(registration)
    url = reverse("events:certificate", args=[token])
    assert client.get(url).status_code == 404
    manage = client.get(reverse("events:registration", args=[token]))
    assert "attestation.pdf" not in manage.content.decode()
    services.registration_check_in(registration=registration, attended=True, user=None)
    assert client.get(url).status_code == 200
    services.registration_cancel(registration=registration, base_url=BASE, notify=False)
    assert client.get(url).status_code == 404


def test_staff_certificate_needs_the_permission(client):
    registration = _registration(attended=True)
    url = reverse("admin:events_registration_certificate", args=[registration.pk])
    client.force_login(staff_user("doc", role="Documentaliste"))
    assert client.get(url).status_code == 403
    client.force_login(staff_user("officer", role="Chargé·e de mission"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Œdipe Cœur-Léger" in _text(response.content)
    services.registration_check_in(registration=registration, attended=False, user=None)
    assert client.get(url).status_code == 404
