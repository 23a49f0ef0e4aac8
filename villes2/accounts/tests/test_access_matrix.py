"""Access control as a matrix (RELIABILITY.md): every back-office address without a
parameter × every kind of visitor — anonymous, signed in without staff status, staff
without a role, each role. Anonymous visitors and non-staff accounts are sent to the
login page; staff get the page when they hold the permission this file declares for it,
403 otherwise. Admin lists and add forms follow Django's rule (view or change; add); every
other page is declared in `CUSTOM_PAGES`, so a new page without its line fails here
until someone says who may open it.

Addresses with a parameter (an object's page, its history, a year's report) are checked by
each app's own tests."""

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLResolver, get_resolver

from villes2.accounts.roles import ALL_ROLES

pytestmark = pytest.mark.django_db

LOGIN = "/gestion/login/"
SECOND_STEP = "/gestion/double-authentification/"

# Pages of the back office that are not an admin list or add form, or whose rule is not
# the admin's: the permissions of which one is enough (a tuple inside: all of them; an
# empty tuple: any staff account).
CUSTOM_PAGES: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "": (),  # the back office's home
    "password_change/": (),
    "password_change/done/": (),
    "jsi18n/": (),
    "actors/importrun/importer/": ("actors.add_importrun",),
    "documents/document/importer/": ("documents.add_document",),
    "documents/document/modele.csv": ("documents.add_document",),
    "observation/importbatch/importer/": ("observation.add_indicatorvalue",),
    "inquiries/intervention/carte/": (
        "inquiries.view_intervention",
        "inquiries.change_intervention",
    ),
    "inquiries/intervention/carte/donnees.geojson": (
        "inquiries.view_intervention",
        "inquiries.change_intervention",
    ),
    "inquiries/intervention/calendrier/": (
        "inquiries.view_intervention",
        "inquiries.change_intervention",
    ),
    "inquiries/intervention/calendrier/interventions.ics": (
        "inquiries.view_intervention",
        "inquiries.change_intervention",
    ),
    "rapport/": ("inquiries.view_activity_report",),
    # One's own second factor (docs/accounts.md): every staff account.
    "double-authentification/compte/": (),
    # Partners hold view_event for the coordination page, not for the back office, which
    # shows the centre's internal notes (events/admin/events.py).
    "events/event/": (("events.view_event", "events.view_eventspeaker"), "events.change_event"),
}
# Addresses that send every staff account elsewhere (where the permission is checked).
REDIRECTS = {
    "actors/importrun/add/": "/gestion/actors/importrun/importer/",
    # The second step of signing in, for a session already verified; setting up another
    # app, for a session that has not given a code lately (the account's page asks one).
    "double-authentification/": "/gestion/",
    "double-authentification/application/": "/gestion/double-authentification/compte/",
}
# Answered before any permission: the login page itself; logging out is POST only; the
# autocomplete endpoints answer 403 to a request that names no field (their permission
# is checked on the field's admin, in the apps' tests).
NOT_A_PAGE = {"login/", "logout/"}
AUTOCOMPLETE = {"autocomplete/", "inquiries/inquiry/ressources-publiques/"}


def _back_office_paths() -> list[str]:
    """Every pattern under /gestion/ without a parameter, relative to it."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif not pattern.pattern.converters and "(" not in route and "^" not in route:
                yield route

    return sorted(
        route.removeprefix("gestion/")
        for route in walk(get_resolver().url_patterns, "")
        if route.startswith("gestion/")
    )


PATHS = _back_office_paths()


def _declared_allowed(user, required) -> bool:
    return not required or any(
        user.has_perms(perm if isinstance(perm, tuple) else (perm,)) for perm in required
    )


def _admin_allowed(user, path: str) -> bool:
    app_label, model, *rest = path.strip("/").split("/")
    if rest == ["add"]:
        return user.has_perm(f"{app_label}.add_{model}")
    assert not rest, f"/gestion/{path}: declare it in CUSTOM_PAGES"
    return user.has_perm(f"{app_label}.view_{model}") or user.has_perm(
        f"{app_label}.change_{model}"
    )


def _visitors():
    users = get_user_model().objects
    yield "sans statut", users.create_user("membre", password="x")
    yield "équipe sans rôle", users.create_user("equipe", password="x", is_staff=True)
    for role in ALL_ROLES:
        user = users.create_user(f"role-{ALL_ROLES.index(role)}", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        yield role, user


def test_every_page_is_declared_or_an_admin_list():
    assert PATHS, "no back-office address found"
    for path in PATHS:
        if path in NOT_A_PAGE | AUTOCOMPLETE | set(REDIRECTS) or path in CUSTOM_PAGES:
            continue
        rest = path.strip("/").split("/")[2:]
        assert rest in ([], ["add"]), f"/gestion/{path}: declare it in CUSTOM_PAGES"
    assert set(CUSTOM_PAGES) | set(REDIRECTS) <= set(PATHS)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in PATHS:
        if path in NOT_A_PAGE:
            continue
        response = client.get(f"/gestion/{path}")
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{LOGIN}?next="), path


def test_the_matrix_of_roles_and_pages(client):
    wrong = []
    for who, user in _visitors():
        client.force_login(user)
        for path in PATHS:
            if path in NOT_A_PAGE:
                continue
            response = client.get(f"/gestion/{path}")
            status = response.status_code
            if not user.is_staff:
                expected = {302} if path != "rapport/" else {403}
            elif path in AUTOCOMPLETE:
                expected = {403}
            elif path in REDIRECTS:
                expected = {302}
                assert response["Location"] == REDIRECTS[path]
            elif path in CUSTOM_PAGES:
                expected = {200} if _declared_allowed(user, CUSTOM_PAGES[path]) else {403}
            else:
                expected = {200} if _admin_allowed(user, path) else {403}
            if status not in expected:
                wrong.append(f"{who}: /gestion/{path} → {status}, expected {sorted(expected)}")
        client.logout()
    assert not wrong, "\n".join(wrong)


def test_staff_signed_in_with_the_password_only_are_asked_for_the_second_factor(client):
    """Every page but the login, the logout and the second step itself waits for the code
    (RELIABILITY.md: "staff need a second factor for /gestion/ and writes")."""
    second_step = {"double-authentification/", "double-authentification/application/"}
    user = get_user_model().objects.create_superuser("direction", password="x")
    client.force_login(user, second_factor=False)
    wrong = []
    for path in PATHS:
        if path in NOT_A_PAGE | second_step:
            continue
        response = client.get(f"/gestion/{path}")
        expected = f"{SECOND_STEP}?next=%2Fgestion%2F{quote(path, safe='')}"
        if response.status_code != 302 or response["Location"] != expected:
            wrong.append(f"/gestion/{path} → {response.status_code} {response.get('Location')}")
        # A write too, whatever the page.
        response = client.post(f"/gestion/{path}", {})
        if response.status_code != 302 or response["Location"] != SECOND_STEP:
            wrong.append(f"POST /gestion/{path} → {response.status_code}")
    assert not wrong, "\n".join(wrong)
