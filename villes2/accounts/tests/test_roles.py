import pytest
from django.contrib.auth.models import Group

from villes2.accounts import roles

pytestmark = pytest.mark.django_db


def test_roles_exist_as_groups_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def _codenames(role):
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_role_permissions():
    assert {"add_scheme", "change_scheme", "change_declaredcount"} <= _codenames(
        roles.PROJECT_OFFICER
    )
    assert {"add_scheme", "change_user"} <= _codenames(roles.DIRECTION)
    assert "change_user" not in _codenames(roles.PROJECT_OFFICER)
    assistant = _codenames(roles.ASSISTANT)
    assert {"add_person", "change_organisation"} <= assistant  # the directory is everyone's
    assert not {"add_scheme", "change_scheme", "delete_person", "change_mandate"} & assistant
    partner = _codenames(roles.PARTNER)
    assert {"view_scheme", "view_organisation", "view_concept"} <= partner
    assert all(codename.startswith("view_") for codename in partner)  # reads, never writes
    assert not {"view_person", "view_document"} & partner


def test_user_model_is_custom(django_user_model):
    assert django_user_model._meta.label == "accounts.User"


def test_staff_role_can_reach_the_scheme_admin_but_partner_cannot(client, django_user_model):
    officer = django_user_model.objects.create_user("officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.PROJECT_OFFICER))
    client.force_login(officer)
    assert client.get("/gestion/territories/scheme/add/").status_code == 200
    partner = django_user_model.objects.create_user("partner", password="x", is_staff=True)
    partner.groups.add(Group.objects.get(name=roles.PARTNER))
    client.force_login(partner)
    assert client.get("/gestion/territories/scheme/add/").status_code == 403
    assert client.get("/gestion/territories/territory/").status_code == 403


def test_reference_territories_are_read_only_even_for_direction(client, django_user_model):
    director = django_user_model.objects.create_user("direction", password="x", is_staff=True)
    director.groups.add(Group.objects.get(name=roles.DIRECTION))
    client.force_login(director)
    assert client.get("/gestion/territories/territory/").status_code == 200
    assert client.get("/gestion/territories/territory/add/").status_code == 403
