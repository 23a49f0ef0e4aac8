"""Desk permissions: the four staff roles receive, log, assign and follow requests and
keep the interventions log; the director, the documentalist and the project officers
answer requests and publish FAQ entries (`answer_inquiry`); the assistant prepares and
assigns without answering. Every staff role sees the activity report. Members of partner
networks get nothing here: they ask through the public form, like anyone."""

from django.db import migrations

from villes2.accounts.roles import (
    ASSISTANT,
    DIRECTION,
    DOCUMENTALIST,
    PROJECT_OFFICER,
    grant_permissions,
)

REQUESTS = ["view_inquiry", "add_inquiry", "change_inquiry", "view_inquiryaction", "add_inquiryaction"]
FAQ = [f"{action}_faqentry" for action in ("view", "add", "change", "delete")]
INTERVENTIONS = [f"{action}_intervention" for action in ("view", "add", "change", "delete")]
REPORT = ["view_activity_report"]


def grant(apps, schema_editor):
    answering = [*REQUESTS, "answer_inquiry", *FAQ, *INTERVENTIONS, *REPORT]
    grant_permissions(
        apps,
        "inquiries",
        {
            DIRECTION: [*answering, "delete_inquiry"],
            DOCUMENTALIST: answering,
            PROJECT_OFFICER: answering,
            ASSISTANT: [*REQUESTS, "view_faqentry", *INTERVENTIONS, *REPORT],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
