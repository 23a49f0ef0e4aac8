"""Two staff members editing the same entry: the second is warned, nothing is lost."""

import pytest

from villes2.accounts import roles
from villes2.actors.models import Organisation
from villes2.core.testing import staff_user

pytestmark = pytest.mark.django_db


def _staff(django_user_model, username):
    return staff_user(username, role=roles.PROJECT_OFFICER)


def _form_data(organisation, name, seen_version):
    return {
        "kind": organisation.kind,
        "name": name,
        "acronym": "",
        "slug": organisation.slug,
        "siren": "",
        "website": "",
        "address": "",
        "description": "",
        "source": "",
        "seen_version": seen_version,
    }


def test_a_stale_form_is_refused_and_the_first_save_kept(client, django_user_model):
    organisation = Organisation.objects.create(kind="association", name="Oméga", slug="omega-t")
    url = f"/gestion/actors/organisation/{organisation.pk}/change/"
    first, second = _staff(django_user_model, "first"), _staff(django_user_model, "second")

    client.force_login(first)
    page = client.get(url)
    assert 'name="seen_version" value="1"' in page.content.decode()
    response = client.post(url, _form_data(organisation, "Oméga (association)", 1))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("Oméga (association)", 2)

    client.force_login(second)  # opened the form at version 1, saves after the first
    response = client.post(url, _form_data(organisation, "Omega", 1))
    assert response.status_code == 200
    assert "a enregistré cette fiche pendant que vous la modifiiez" in response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("Oméga (association)", 2)
    assert organisation.history.count() == 2  # creation and the first edit only
