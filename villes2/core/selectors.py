from django.db import DatabaseError, connection


def database_is_available() -> bool:
    """True when the database answers a trivial query."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False
