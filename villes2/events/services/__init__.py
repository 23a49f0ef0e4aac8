"""Writes for the events app (STYLE.md: every write goes through a service)."""

from .programme import (
    SpeakerInput,
    cycle_delete,
    cycle_relations_changed,
    cycle_save,
    event_delete,
    event_relations_changed,
    event_save,
    founding_programme_load,
)
from .registrations import (
    event_registrations_follow,
    normalise_email,
    registration_cancel,
    registration_check_in,
    registration_correct,
    registration_create,
    registration_link,
    registrations_anonymise,
    registrations_erasure_hook,
    registrations_retention_purge,
    registrations_retention_task,
    waitlist_fill,
)

__all__ = [
    "SpeakerInput",
    "cycle_delete",
    "cycle_relations_changed",
    "cycle_save",
    "event_delete",
    "event_registrations_follow",
    "event_relations_changed",
    "event_save",
    "founding_programme_load",
    "normalise_email",
    "registration_cancel",
    "registration_check_in",
    "registration_correct",
    "registration_create",
    "registration_link",
    "registrations_anonymise",
    "registrations_erasure_hook",
    "registrations_retention_purge",
    "registrations_retention_task",
    "waitlist_fill",
]
