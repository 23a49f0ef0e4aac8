"""Directory permissions: every staff role keeps the directory (it is everyone's tool);
only Direction deletes entries and manages the board's mandates; partners view
organisations. Consent rows are added, never changed (the ledger)."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PARTNER,
    PROJECT_OFFICER,
    grant_permissions,
)

MODELS = ["organisation", "person", "membership", "networkmembership", "tag"]
VIEW = [f"view_{m}" for m in [*MODELS, "mandate", "consent"]]
EDIT = [f"{action}_{m}" for m in MODELS for action in ("add", "change")]
STAFF = [*VIEW, *EDIT, "add_consent"]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "actors",
        {
            DIRECTION: [
                *STAFF,
                *[f"delete_{m}" for m in MODELS],
                "add_mandate",
                "change_mandate",
                "change_consent",
            ],
            PROJECT_OFFICER: STAFF,
            DOCUMENTALIST: STAFF,
            ASSISTANT: STAFF,
            PARTNER: ["view_organisation"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
