"""Back office of the agenda: one module per concern, registered on import."""

from . import events, registrations  # noqa: F401
