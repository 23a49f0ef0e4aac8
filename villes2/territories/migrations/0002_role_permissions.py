"""Territory permissions for the staff roles: the director, the project officers and the
documentalist keep schemes and declared counts up to date; everyone on staff can view.
Territories themselves come from the reference data (corrected in its files, reloaded by
load_reference_data): nobody edits them in the back office."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PARTNER,
    PROJECT_OFFICER,
    grant_permissions,
)

VIEW = ["view_territory", "view_territoryalias", "view_boundary", "view_scheme", "view_declaredcount"]
EDIT_SCHEMES = ["add_scheme", "change_scheme", "delete_scheme", "change_declaredcount"]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "territories",
        {
            DIRECTION: [*VIEW, *EDIT_SCHEMES],
            PROJECT_OFFICER: [*VIEW, *EDIT_SCHEMES],
            DOCUMENTALIST: [*VIEW, *EDIT_SCHEMES],
            ASSISTANT: VIEW,
            PARTNER: ["view_scheme"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
