"""The public frame, health check, languages and settings safety."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_home_presents_the_centre_and_its_six_missions(client):
    response = client.get("/")
    assert response.status_code == 200
    missions = response.context["missions"]
    assert len(missions) == 6
    observation = next(section for mission, section in missions if mission.key == "observation")
    assert observation.url_name == "observation:index"
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert 'href="#contenu"' in content


def test_navigation_shows_only_installed_sections(client):
    content = client.get("/").content.decode()
    assert 'href="/territoires/"' in content and 'href="/annuaire/"' in content
    assert 'href="/documents/"' in content
    assert 'href="/agenda/"' in content
    assert 'href="/experiences/"' in content
    assert 'href="/formations/"' not in content  # the training app is not installed yet


def test_english_is_served_under_en_without_a_language_cookie(client):
    response = client.get("/en/territoires/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Territories" in response.content.decode()
    assert not response.cookies
    french = client.get("/territoires/")
    assert 'hreflang="en" lang="en"' in french.content.decode()
    assert 'href="/en/territoires/"' in french.content.decode()


@pytest.mark.parametrize("name", ["legal_notice", "accessibility", "personal_data"])
def test_legal_pages(client, name):
    response = client.get(reverse(f"core:{name}"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1>") == 1


def test_public_pages_set_no_cookie(client):
    for url in ("/", "/mentions-legales/", "/territoires/recherche/?q=tours"):
        assert not client.get(url).cookies


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_server_error_page_is_french_and_standalone(client):
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Erreur du serveur" in html and '<html lang="fr">' in html


def test_admin_is_in_french_at_gestion(client, django_user_model):
    response = client.get("/gestion/login/")
    assert response.status_code == 200
    assert "Nom d’utilisateur" in response.content.decode()


def _run_production(env_updates):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(env_updates, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key_or_allowed_hosts():
    without_key = _run_production({"ALLOWED_HOSTS": "villes2.example.org"})
    assert without_key.returncode != 0
    assert "SECRET_KEY doit être défini en production" in without_key.stderr
    without_hosts = _run_production({"SECRET_KEY": "x" * 50})
    assert without_hosts.returncode != 0
    assert "ALLOWED_HOSTS doit être défini en production" in without_hosts.stderr


def test_sqlite_is_durable():
    from config.settings.base import database_settings

    options = database_settings(None)["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=FULL" in options["init_command"]
    assert options["timeout"] >= 5


def test_postgresql_from_database_url():
    from config.settings.base import database_settings

    db = database_settings("postgres://postgres@127.0.0.1:5432/villes2")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "villes2" and db["CONN_HEALTH_CHECKS"] is True


def test_pages_answer_a_french_503_when_the_database_is_down(client):
    with mock.patch(
        "villes2.territories.selectors.centre_former_regions",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/territoires/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Service momentanément indisponible" in response.content.decode()


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy


def test_head_requests_are_answered(client):
    assert client.head("/").status_code == 200


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /gestion/" in text
    assert client.get("/sitemap.xml").status_code == 200
