"""Data-protection and import permissions. Every staff role records rights requests and
imports files (the assistant often receives both); erasing a person needs
`delete_person` (Direction). Direction reads the logs of erasures and exports; the
logs themselves are written by services only, never edited."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)

STAFF = [
    "view_rightsrequest",
    "add_rightsrequest",
    "change_rightsrequest",
    "view_importrun",
    "add_importrun",
]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "actors",
        {
            DIRECTION: [*STAFF, "view_erasure", "view_dataexport"],
            PROJECT_OFFICER: STAFF,
            DOCUMENTALIST: STAFF,
            ASSISTANT: STAFF,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("actors", "0004_privacy_imports_exports")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
