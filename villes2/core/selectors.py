from django.db import DatabaseError, connection

from .missions import MISSIONS, Mission
from .registry import NavItem, registry


def database_is_available() -> bool:
    """True when the database answers a trivial query."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def missions_with_sections() -> list[tuple[Mission, NavItem | None]]:
    """Each mission of the note with the first installed site section that serves it."""
    sections = {item.key: item for item in registry.navigation}
    return [
        (mission, next((sections[key] for key in mission.sections if key in sections), None))
        for mission in MISSIONS
    ]
