"""Experience records in `/gestion/`, one module per concern (STYLE.md §2):

- `records`: the entry form laid out as the fiche (actors, fundings, attachments), the
  list, the EUKN export of a selection;
- `workflow`: the workflow steps and the review, taken from the change page, and the
  history shown there.

Importing the package registers the ModelAdmin (admin autodiscovery).
"""

from . import records  # noqa: F401  (registers the ModelAdmin)
