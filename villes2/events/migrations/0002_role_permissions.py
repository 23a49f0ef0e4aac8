"""Agenda permissions: the director, the assistant and the project officers run the
programme (events, cycles, speakers, lines of action) and its registrations (check-in,
export); the documentalist views it; members of partner networks view the events, which
opens the coordination page of the networks' programmes to them, but never the
registrations (personal data)."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PARTNER,
    PROJECT_OFFICER,
    grant_permissions,
)

PROGRAMME = ["event", "cycle", "eventspeaker", "eventplace", "programmeline"]
RUN = [f"{action}_{m}" for m in PROGRAMME for action in ("view", "add", "change", "delete")]
REGISTRATIONS = [f"{action}_registration" for action in ("view", "change", "delete")]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "events",
        {
            DIRECTION: [*RUN, *REGISTRATIONS],
            ASSISTANT: [*RUN, *REGISTRATIONS],
            PROJECT_OFFICER: [*RUN, *REGISTRATIONS],
            DOCUMENTALIST: [f"view_{m}" for m in PROGRAMME],
            PARTNER: ["view_event", "view_cycle"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
