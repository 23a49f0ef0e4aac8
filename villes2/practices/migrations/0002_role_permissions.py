"""Experience-record permissions: the director, the documentalist and the project
officers write, review and publish records (`publish_practice`); the assistant prepares
them (writes, sends to review) without publishing. Members of partner networks get no
back-office access to records: they propose new ones through the public form, like
anyone, and see the published ones on the site."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)

RECORDS = ["practice", "practiceactor", "practicefunding", "practiceattachment"]
WRITE = [f"{action}_{m}" for m in RECORDS for action in ("view", "add", "change", "delete")]
HISTORY = ["view_practicetransition"]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "practices",
        {
            DIRECTION: [*WRITE, *HISTORY, "publish_practice"],
            DOCUMENTALIST: [*WRITE, *HISTORY, "publish_practice"],
            PROJECT_OFFICER: [*WRITE, *HISTORY, "publish_practice"],
            ASSISTANT: [*WRITE, *HISTORY],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
