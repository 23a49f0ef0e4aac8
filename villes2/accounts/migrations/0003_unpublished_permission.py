"""The permission to see, in the shared search, what is not public: the centre's four
staff roles hold it, partners do not (villes2.accounts.roles.SEES_UNPUBLISHED)."""

from django.db import migrations

from villes2.accounts.roles import STAFF_ROLES, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, "accounts", {role: ["view_unpublished"] for role in STAFF_ROLES})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "permissions": [
                    (
                        "view_unpublished",
                        "Can see unpublished and staff-only records in search",
                    )
                ],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
