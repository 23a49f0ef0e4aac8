"""GDPR access and portability: one export holds everything about a person."""

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from villes2.accounts import roles
from villes2.actors.models import Person
from villes2.actors.selectors import person_export

from .factories import ConsentFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _models_referencing_person() -> set[str]:
    return {
        model._meta.label
        for model in apps.get_models()
        if model is not Person
        for field in model._meta.get_fields()
        if field.concrete and getattr(field, "related_model", None) is Person
    }


def test_export_covers_every_table_that_references_a_person(territories):
    person = PersonFactory(email="claire.martin@example.org")
    MembershipFactory(person=person, role="Cheffe de projet")
    ConsentFactory(person=person, fields=["email"])
    export = person_export(person)
    assert _models_referencing_person() <= set(export["related"])
    assert "actors.HistoricalPerson" in export["related"]
    assert export["person"]["fields"]["email"] == "claire.martin@example.org"
    roles_exported = [row["fields"]["role"] for row in export["related"]["actors.Membership"]]
    assert roles_exported == ["Cheffe de projet"]
    assert [row["fields"]["fields"] for row in export["related"]["actors.Consent"]] == [["email"]]
    json.dumps(export)  # plain JSON, ready to hand over


def test_export_of_a_board_member_of_the_note(territories):
    export = person_export(Person.objects.get(slug="alain-baudin"))
    assert len(export["related"]["actors.Membership"]) == 2
    assert export["related"]["actors.Mandate"][0]["fields"]["office"] == "vice-president"


def test_staff_export_action_downloads_json_and_is_logged(client, django_user_model, caplog):
    officer = django_user_model.objects.create_user("officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.PROJECT_OFFICER))
    client.force_login(officer)
    person = PersonFactory(last_name="Martin")
    with caplog.at_level("INFO", logger="villes2.security"):
        response = client.post(
            "/gestion/actors/person/",
            {"action": "export_json", "_selected_action": [person.pk]},
        )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="villes2-personnes.json"'
    assert json.loads(response.content)[0]["person"]["fields"]["last_name"] == "Martin"
    assert f"persons={person.pk}" in caplog.text
