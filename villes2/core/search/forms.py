"""The search form shared by `/recherche/` and the lists built on the search
(`/documents/`): it reads the URL (the state of a search is always in the URL, so a
search can be shared and the back button works) and gives a `SearchRequest`.

A bad parameter never fails the page: it is dropped and the form says so."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine import SearchRequest
from .query import MAX_QUERY_LENGTH

# URL parameter → facet. French names: the URLs are the public interface.
FACET_PARAMETERS = {
    "type": "type",
    "theme": "theme",
    "territoire": "territory",
    "annee": "year",
    "acces": "access",
    "descripteur": "descriptor",
    "public": "public",
    "dispositif": "scheme",
    "periode": "period",
}
SORT_CHOICES = [("pertinence", _("relevance")), ("date", _("date, newest first"))]
MAX_VALUES = 20
YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: "²" or "٢٠٠٧" are not years


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        help_text=_(
            'All words are required. "…" for a phrase, a minus sign to exclude a word, '
            "OU between two words to accept either."
        ),
    )
    annee_min = forms.IntegerField(
        label=_("From year"), required=False, min_value=1800, max_value=2200
    )
    annee_max = forms.IntegerField(
        label=_("To year"), required=False, min_value=1800, max_value=2200
    )
    tri = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def __init__(self, data, *, staff: bool = False, kinds: tuple[str, ...] = ()):
        data = data.copy()
        # A query longer than the limit is cut, not refused: a pasted paragraph still
        # searches its beginning.
        if data.get("q") and len(data["q"]) > MAX_QUERY_LENGTH:
            data["q"] = data["q"][:MAX_QUERY_LENGTH]
        super().__init__(data)
        self.staff = staff
        self.kinds = kinds
        self.facet_values = {
            facet: tuple(
                value[:60] for value in data.getlist(parameter)[:MAX_VALUES] if value.strip()
            )
            for parameter, facet in FACET_PARAMETERS.items()
        }
        if not staff:
            self.facet_values["access"] = ()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("annee_min"), cleaned.get("annee_max")
        if low and high and low > high:
            self.add_error("annee_max", _("The end year is before the start year."))
        return cleaned

    def search_request(self) -> SearchRequest:
        """The request to run. Invalid fields are left out (and shown as errors)."""
        cleaned = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        valid = {name: cleaned.get(name) for name in cleaned if name not in self.errors}
        years = [
            value
            for value in self.facet_values.get("year", ())
            if YEAR.fullmatch(value) and 1800 <= int(value) <= 2200
        ]
        filters = dict(self.facet_values, year=tuple(years))
        return SearchRequest(
            q=valid.get("q") or "",
            kinds=self.kinds,
            filters={facet: values for facet, values in filters.items() if values},
            year_min=valid.get("annee_min"),
            year_max=valid.get("annee_max"),
            sort="date" if valid.get("tri") == "date" else "relevance",
            page=valid.get("page") or 1,
            staff=self.staff,
        )

    @property
    def active_filters(self) -> list[tuple[str, str]]:
        """(parameter, value) of every facet filter applied, for "remove" links."""
        return [
            (parameter, value)
            for parameter, facet in FACET_PARAMETERS.items()
            for value in self.facet_values.get(facet, ())
        ]
