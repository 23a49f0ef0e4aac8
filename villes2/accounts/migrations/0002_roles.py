"""Create the staff roles as groups, and give the staff roles the right to manage users
(Direction) and to see them (other staff roles). Each app grants its own permissions to
these groups in a data migration of its own (villes2.accounts.roles.grant_permissions)."""

from django.db import migrations

from villes2.accounts.roles import (
    ALL_ROLES,
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)


def create_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for role in ALL_ROLES:
        group_model.objects.get_or_create(name=role)
    grant_permissions(
        apps,
        "accounts",
        {
            DIRECTION: ["add_user", "change_user", "view_user"],
            ASSISTANT: ["view_user"],
            DOCUMENTALIST: ["view_user"],
            PROJECT_OFFICER: ["view_user"],
        },
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ALL_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
