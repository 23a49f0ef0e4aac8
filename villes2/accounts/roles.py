"""Staff roles. Each role is a Django group; its permissions are granted by data migrations.

The names are the ones the centre uses (founding note: a director, an assistant, a
documentalist, two project officers) plus members of partner networks. Every app that
adds models grants their permissions to these groups in a data migration of its own,
through `grant_permissions`, so a fresh database and a migrated one end the same.
"""

DIRECTION = "Direction"
ASSISTANT = "Assistant·e"
DOCUMENTALIST = "Documentaliste"
PROJECT_OFFICER = "Chargé·e de mission"
PARTNER = "Partenaire"

ALL_ROLES = (DIRECTION, ASSISTANT, DOCUMENTALIST, PROJECT_OFFICER, PARTNER)
STAFF_ROLES = (DIRECTION, ASSISTANT, DOCUMENTALIST, PROJECT_OFFICER)

# Seeing, in the shared search, what is not public (drafts, staff-only records): the
# centre's staff roles (migration 0003), not partners, whose accounts are staff accounts
# too (they sign in to the back office) but who are outside the centre.
SEES_UNPUBLISHED = "accounts.view_unpublished"


def sees_unpublished(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(SEES_UNPUBLISHED))


def grant_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each role the listed codenames of `app_label`, creating missing permissions.

    For use in data migrations (`apps` is the historical registry). Permissions are
    normally created after migrations by a post_migrate hook; creating them here lets a
    migration grant them in the same run.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _created = group_model.objects.get_or_create(name=role)
        permissions = permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)
