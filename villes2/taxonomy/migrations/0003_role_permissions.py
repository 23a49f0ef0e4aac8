"""Thesaurus permissions: the documentalist and the director keep the thesaurus (schemes,
concepts, labels, mappings); the other roles view it."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PARTNER,
    PROJECT_OFFICER,
    grant_permissions,
)

MODELS = ["conceptscheme", "concept", "label", "mapping"]
VIEW = [f"view_{m}" for m in MODELS]
EDIT = [f"{action}_{m}" for m in MODELS for action in ("add", "change", "delete")]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "taxonomy",
        {
            DIRECTION: [*VIEW, *EDIT],
            DOCUMENTALIST: [*VIEW, *EDIT],
            PROJECT_OFFICER: VIEW,
            ASSISTANT: VIEW,
            PARTNER: VIEW,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0002_concept_search_text"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
