"""Observation permissions: the director, the documentalist and the project officers
define indicators and sources, import values and choose a scheme's indicators; the
assistant imports values (data entry) and reads the rest. Partners send filled
templates; staff import them."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)

MODELS = ["indicator", "source", "indicatorvalue", "schemeindicator"]
WRITE = [f"{action}_{m}" for m in MODELS for action in ("view", "add", "change", "delete")]
READ = [f"view_{m}" for m in MODELS]
IMPORT = ["view_importbatch", "add_indicatorvalue", "change_indicatorvalue"]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "observation",
        {
            DIRECTION: [*WRITE, *IMPORT],
            DOCUMENTALIST: [*WRITE, *IMPORT],
            PROJECT_OFFICER: [*WRITE, *IMPORT],
            ASSISTANT: [*READ, *IMPORT],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("observation", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
