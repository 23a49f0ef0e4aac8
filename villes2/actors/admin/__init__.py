"""The directory in `/gestion/`, one module per concern (STYLE.md §2):

- `directory`: organisations, persons, roles, mandates, consents;
- `privacy`: rights requests, erasure, persons not yet informed, logs;
- `imports`: the CSV/XLSX upload pages;
- `exports`: staff CSV/XLSX exports (logged);
- `merge`: duplicate warnings on entry and the merge action.

Importing the package registers every ModelAdmin (admin autodiscovery).
"""

from . import (
    directory,  # noqa: F401  (registers the ModelAdmins)
    exports,  # noqa: F401  (staff exports and their log)
    imports,  # noqa: F401  (the import log and upload page)
)
