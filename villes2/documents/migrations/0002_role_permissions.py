"""Catalogue permissions: the documentalist and the director add, change and delete
records; project officers add and change them (and their authors and attachments, which
are part of a record's entry); the assistant views them; partners have no access to the
back office of the catalogue. Withdrawn records (tombstones) are written by services only."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)

PARTS = ["documentauthor", "attachment"]
VIEW = ["view_document", *[f"view_{m}" for m in PARTS]]
ENTRY = [
    *VIEW,
    "add_document",
    "change_document",
    *[f"{action}_{m}" for m in PARTS for action in ("add", "change", "delete")],
]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "documents",
        {
            DIRECTION: [*ENTRY, "delete_document", "view_tombstone"],
            DOCUMENTALIST: [*ENTRY, "delete_document", "view_tombstone"],
            PROJECT_OFFICER: ENTRY,
            ASSISTANT: VIEW,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
