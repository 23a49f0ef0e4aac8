"""Back office of the desk: requests (the queue and the request page), FAQ entries,
interventions (with their map and calendar)."""

from . import faq, interventions, requests  # noqa: F401
