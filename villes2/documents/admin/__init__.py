"""The catalogue in `/gestion/`, one module per concern (STYLE.md §2):

- `records`: the documentalist's entry form (authors, attachments, duplicate warning);
- `imports`: the two-step CSV import page.

Importing the package registers every ModelAdmin (admin autodiscovery).
"""

from . import records  # noqa: F401  (registers the ModelAdmins)
