"""The territory picker field and the search FilterSet."""

import pytest
from django.urls import reverse

from villes2.territories.filters import TerritoryFilterSet
from villes2.territories.forms import TerritoryField, TerritoryGoForm
from villes2.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["Tours", "tours", "37261", "commune 37261", "commune:37261", "Tours — commune 37261"],
)
def test_field_accepts_names_codes_and_labels(territories, typed):
    assert TerritoryField().clean(typed).code == "37261"


def test_field_explains_ambiguity_and_unknown_input_in_french(territories):
    form = TerritoryGoForm({"territoire": "Saint-Martin"})
    assert not form.is_valid()
    assert "correspond à plusieurs territoires" in form.errors["territoire"][0]
    form = TerritoryGoForm({"territoire": "Xyzzyville"})
    assert not form.is_valid()
    assert form.errors["territoire"] == ["Aucun territoire ne correspond à « Xyzzyville »."]


def test_field_restricted_to_kinds(territories):
    assert TerritoryField(kinds=["departement"]).clean("37").kind == "departement"


def test_search_is_accent_and_case_insensitive(territories):
    names = {
        t.name
        for t in TerritoryFilterSet({"q": "CHATEAUROUX"}, queryset=Territory.objects.all()).qs
    }
    assert "Châteauroux" in names
    first = TerritoryFilterSet({"q": "tours"}, queryset=Territory.objects.all()).qs.first()
    assert first.code == "37261"


def test_search_within_a_territory(territories):
    results = TerritoryFilterSet(
        {"q": "saint", "kind": "commune", "within": "departement 37"},
        queryset=Territory.objects.all(),
    ).qs
    assert results.count() > 10
    assert all(t.code.startswith("37") for t in results)


def test_htmx_suggestions_fragment(client, territories):
    response = client.get(
        reverse("territories:search"),
        {"field": "territoire", "territoire": "Tours", "listbox": "id_territoire-listbox"},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="option"' in content and "<html" not in content
    assert 'data-value="Tours — commune 37261"' in content


def test_go_redirects_or_explains(client, territories):
    response = client.get(reverse("territories:go"), {"territoire": "37261"})
    assert response.status_code == 302 and response["Location"] == "/territoires/commune/37261/"
    response = client.get(reverse("territories:go"), {"territoire": "Saint-Martin"})
    assert response.status_code == 400
    assert "plusieurs territoires" in response.content.decode()
