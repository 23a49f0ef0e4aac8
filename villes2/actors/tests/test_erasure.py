"""Erasure (GDPR art. 17) and retention: a person erased is in no table afterwards,
history and admin log included; anonymous counts and keyed hashes remain."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from villes2.accounts import roles
from villes2.actors import selectors, services
from villes2.actors.models import (
    Consent,
    DataExport,
    ErasedIdentity,
    Erasure,
    ErasureReason,
    ImportRun,
    Mandate,
    Membership,
    NetworkMembership,
    Office,
    Person,
    RequestStatus,
    RightKind,
    RightsRequest,
)
from villes2.core.testing import staff_user

from .factories import (
    ConsentFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RightsRequestFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST, EMAIL = "Zéphyrine", "Quarantotto", "zephyrine.q@example.org"
NEEDLES = ("quarantotto", "zephyrine.q")


def _staff(django_user_model, role, name):
    return staff_user(name, role=role)


def _tables_mentioning(needles) -> list[str]:
    """Every table of the database holding a cell that contains one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(cell) for cell in row).casefold()
                if any(needle in text for needle in needles):
                    found.append(table)
                    break
    return found


@pytest.fixture
def traced_person(django_user_model):
    """A person with a trace in every kind of table: roles, mandate, network, consents,
    a rights request, history rows and admin-log entries written through the admin."""
    person = PersonFactory(
        first_name=FIRST,
        last_name=LAST,
        slug="zephyrine-quarantotto",
        email=EMAIL,
        phone="05 49 00 00 00",
    )
    organisation = OrganisationFactory(slug="ville-de-test")
    MembershipFactory(person=person, organisation=organisation, role="Adjointe au maire")
    NetworkMembershipFactory(person=person, organisation=None)
    Mandate.objects.create(person=person, office=Office.ASSESSOR, start_date="2020-01-01")
    ConsentFactory(person=person, fields=["email"])
    RightsRequestFactory(
        person=person,
        kind=RightKind.ERASURE,
        requester_name=f"{FIRST} {LAST}",
        requester_email=EMAIL,
        message=f"Je suis {LAST}, supprimez tout.",
        channel="formulaire",
    )
    direction = _staff(django_user_model, roles.DIRECTION, "direction")
    # What an edit in the admin leaves: a history row and admin-log entries naming the
    # person (the admin logs `str()` of the objects, and a mandate's names the person).
    person.job_title = "Adjointe"
    person._history_user = direction
    person.save()
    for rows in ([person], Mandate.objects.filter(person=person)):
        LogEntry.objects.log_actions(
            user_id=direction.pk, queryset=rows, action_flag=CHANGE, change_message="[]"
        )
    assert LogEntry.objects.filter(object_repr__contains=LAST).count() == 2
    assert person.history.count() >= 2
    return person


def test_after_erasure_the_person_is_in_no_table(traced_person, django_user_model):
    assert set(_tables_mentioning(NEEDLES)) >= {
        "actors_person",
        "actors_historicalperson",
        "actors_rightsrequest",
        "django_admin_log",
    }
    request = RightsRequest.objects.get()
    user = django_user_model.objects.get(username="direction")
    erasure = services.person_erase(
        person=traced_person, reason=ErasureReason.REQUEST, user=user, request=request
    )
    assert _tables_mentioning(NEEDLES) == []
    assert not Person.objects.filter(pk=traced_person.pk).exists()
    for model in (Membership, Mandate, Consent, NetworkMembership):
        assert not model.objects.filter(person_id=traced_person.pk).exists()
    # The anonymous aggregates and the proof of the answer remain.
    assert erasure.counts["actors.Person"] == 1
    assert erasure.counts["actors.Membership"] == 1
    assert erasure.counts["actors.Mandate"] == 1
    assert erasure.counts["actors.Consent"] == 1
    assert erasure.counts["actors.RightsRequest"] == 1
    assert erasure.counts["actors.HistoricalPerson"] >= 2
    request.refresh_from_db()
    assert request.person is None and request.kind == RightKind.ERASURE
    assert request.status == RequestStatus.DONE
    assert request.closed_on == timezone.localdate()
    assert erasure.request == request and erasure.erased_by == user


def test_erased_identity_cannot_come_back(traced_person):
    services.person_erase(person=traced_person, reason=ErasureReason.STAFF)
    assert ErasedIdentity.objects.count() == 2  # e-mail; name in the organisation
    assert selectors.identity_was_erased(first_name="x", last_name="y", email=EMAIL.upper())
    assert selectors.identity_was_erased(
        first_name="zephyrine", last_name="QUARANTOTTO", organisation_slugs=["ville-de-test"]
    )
    # A namesake elsewhere is not blocked; the hashes are keyed, not plain SHA-256.
    assert not selectors.identity_was_erased(
        first_name=FIRST, last_name=LAST, organisation_slugs=["autre-ville"]
    )
    import hashlib

    plain = hashlib.sha256(f"email:{EMAIL}".encode()).hexdigest()
    assert not ErasedIdentity.objects.filter(digest=plain).exists()


def test_erasure_is_all_or_nothing(traced_person, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(ErasedIdentity.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.person_erase(person=traced_person, reason=ErasureReason.STAFF)
    assert Person.objects.filter(pk=traced_person.pk).exists()
    assert Membership.objects.filter(person=traced_person).count() == 1
    assert traced_person.history.count() >= 2
    assert Erasure.objects.count() == 0


def test_erase_action_is_for_direction_only(client, django_user_model):
    person = PersonFactory(last_name=LAST)
    client.force_login(_staff(django_user_model, roles.PROJECT_OFFICER, "officer"))
    response = client.get("/gestion/actors/person/")
    assert "erase_persons" not in response.content.decode()
    response = client.post(
        "/gestion/actors/person/",
        {"action": "erase_persons", "_selected_action": [person.pk], "confirm": "1"},
    )
    assert Person.objects.filter(pk=person.pk).exists()
    client.force_login(_staff(django_user_model, roles.DIRECTION, "direction"))
    preview = client.post(
        "/gestion/actors/person/", {"action": "erase_persons", "_selected_action": [person.pk]}
    )
    assert preview.status_code == 200
    assert "irréversible" in preview.content.decode() or "Oui, effacer" in (
        preview.content.decode()
    )
    assert Person.objects.filter(pk=person.pk).exists()
    response = client.post(
        "/gestion/actors/person/",
        {
            "action": "erase_persons",
            "_selected_action": [person.pk],
            "confirm": "1",
            "reason": ErasureReason.STAFF,
        },
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Erasure.objects.get().reason == ErasureReason.STAFF


def _aged(person, *, years_ago):
    Person.objects.filter(pk=person.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=365 * years_ago + 5)
    )


def test_retention_candidates_and_purge(capsys):
    today = timezone.localdate()
    old = PersonFactory(last_name="Ancienne")
    _aged(old, years_ago=4)
    recent_contact = PersonFactory(last_name="Recontactée")
    _aged(recent_contact, years_ago=5)
    Person.objects.filter(pk=recent_contact.pk).update(
        last_contact_on=today - datetime.timedelta(days=100)
    )
    consenting = PersonFactory(last_name="Consentante")
    _aged(consenting, years_ago=4)
    ConsentFactory(person=consenting, fields=["email"])
    asking = PersonFactory(last_name="Demandeuse")
    _aged(asking, years_ago=4)
    RightsRequestFactory(person=asking, kind=RightKind.ACCESS, channel="courriel")
    young = PersonFactory(last_name="Récente")
    candidates = set(selectors.retention_candidates())
    assert old in candidates
    assert not candidates & {recent_contact, consenting, asking, young}
    # The board members of the note (2007) are the association's records: never purged.
    assert not any(person.source == services.NOTE_SOURCE for person in candidates)

    call_command("purge_personal_data", "--dry-run")
    output = capsys.readouterr().out
    assert f"fiche n° {old.pk}" in output and "Simulation" in output
    assert "Ancienne" not in output
    assert Person.objects.filter(pk=old.pk).exists()

    call_command("purge_personal_data")
    assert not Person.objects.filter(pk=old.pk).exists()
    assert Erasure.objects.get().reason == ErasureReason.RETENTION
    assert Person.objects.filter(pk__in=[recent_contact.pk, consenting.pk, asking.pk]).count() == 3


def test_export_holds_rights_requests_too(traced_person):
    export = selectors.person_export(traced_person)
    assert len(export["related"]["actors.RightsRequest"]) == 1
    assert export["related"]["actors.NetworkMembership"][0]["fields"]["person"] == (
        traced_person.pk
    )


def test_erasing_a_merged_entry_erases_the_entries_merged_into_it(traced_person):
    duplicate = PersonFactory(first_name="Zéphirine", last_name=LAST, email="zq@example.org")
    MembershipFactory(person=duplicate, role="Élue")
    duplicate.job_title = "Élue"
    duplicate.save()  # a second history row under the duplicate's id
    services.person_merge(keep=traced_person, others=[duplicate], user=None)
    later = PersonFactory(first_name="Z.", last_name=LAST, email="z.q@example.org")
    services.person_merge(keep=traced_person, others=[later], user=None)
    services.person_erase(person=traced_person, reason=ErasureReason.STAFF)
    assert _tables_mentioning((*NEEDLES, "zq@example", "z.q@example")) == []
    for email in ("zq@example.org", "z.q@example.org", EMAIL):
        assert selectors.identity_was_erased(first_name="", last_name="", email=email)


def test_erasure_reaches_free_text_traces(traced_person, django_user_model):
    direction = django_user_model.objects.get(username="direction")
    # A request sent from the general form, not linked to the entry.
    unlinked = RightsRequestFactory(
        requester_name=f"{FIRST} {LAST}", requester_email=EMAIL.upper(), message=LAST
    )
    # A row deleted earlier in the admin, without history: only the log names it.
    network = NetworkMembership.objects.get(person=traced_person)
    LogEntry.objects.log_actions(
        user_id=direction.pk,
        queryset=[network],
        action_flag=DELETION,
        change_message="[]",
    )
    network.delete()
    ImportRun.objects.create(
        kind="personnes", file_name=f"liste-{LAST}.csv", sha256="0" * 64, imported_by=direction
    )
    DataExport.objects.create(
        exported_by=direction,
        what="personnes",
        file_format="csv",
        row_count=1,
        filters=f"q={LAST}",
    )
    services.person_erase(person=traced_person, reason=ErasureReason.STAFF)
    assert _tables_mentioning(NEEDLES) == []
    unlinked.refresh_from_db()
    assert (unlinked.requester_name, unlinked.requester_email, unlinked.message) == ("", "", "")


def test_deleting_in_the_admin_is_erasing(client, traced_person, django_user_model):
    client.force_login(django_user_model.objects.get(username="direction"))
    Mandate.objects.filter(person=traced_person).delete()  # protected: the admin says so
    url = f"/gestion/actors/person/{traced_person.pk}/delete/"
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert _tables_mentioning(NEEDLES) == []
    assert Erasure.objects.get().reason == ErasureReason.STAFF
    actions = client.get("/gestion/actors/person/").context["action_form"].fields["action"]
    assert "delete_selected" not in dict(actions.choices)


def test_board_members_are_never_purged():
    board_member = PersonFactory(last_name="Trésorière")
    _aged(board_member, years_ago=10)
    Mandate.objects.create(person=board_member, office=Office.TREASURER, start_date="2010-01-01")
    assert board_member not in set(selectors.retention_candidates())
    Mandate.objects.filter(person=board_member).delete()
    assert board_member in set(selectors.retention_candidates())


def test_purge_removes_import_files_never_confirmed(settings, tmp_path, capsys):
    import os
    import time

    settings.VAR_DIR = tmp_path
    pending = tmp_path / "imports"
    pending.mkdir()
    (pending / "old").write_bytes(b"nom;prenom\nQuarantotto;Z")
    (pending / "recent").write_bytes(b"nom;prenom\nAutre;A")
    two_days_ago = time.time() - 2 * 86400
    os.utime(pending / "old", (two_days_ago, two_days_ago))
    call_command("purge_personal_data", "--dry-run")
    assert (pending / "old").exists()  # a dry run removes nothing
    call_command("purge_personal_data")
    assert not (pending / "old").exists()
    assert (pending / "recent").exists()
    assert "1 fichier(s) d'import" in capsys.readouterr().out
