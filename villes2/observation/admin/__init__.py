"""Observation in `/gestion/`, one module per concern (STYLE.md §2):

- `indicators`: indicators, sources, indicators followed on a scheme's dashboard;
- `imports`: the log of imports (read-only, with each report) and the upload page.

Importing the package registers every ModelAdmin (admin autodiscovery).
"""

from . import (
    imports,  # noqa: F401  (the import log and upload page)
    indicators,  # noqa: F401  (registers the ModelAdmins)
)
