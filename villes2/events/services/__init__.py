"""Writes for the events app (STYLE.md: every write goes through a service)."""

from .programme import (
    SpeakerInput,
    event_delete,
    event_relations_changed,
    event_save,
    founding_programme_load,
)

__all__ = [
    "SpeakerInput",
    "event_delete",
    "event_relations_changed",
    "event_save",
    "founding_programme_load",
]
