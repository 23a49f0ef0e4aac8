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
    assert results.count() == 34
    assert all(t.code.startswith("37") for t in results)


def test_htmx_suggestions_fragment(client, territories):
    response = client.get(
        reverse("territories:suggest"),
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


def test_suggestions_for_a_filter_field_use_its_text_as_query(client, territories):
    response = client.get(
        reverse("territories:suggest"),
        {"field": "within", "within": "Indre", "listbox": "l"},
        headers={"HX-Request": "true"},
    )
    assert 'data-value="Indre — departement 36"' in response.content.decode()


def test_suggestions_restricted_to_one_kind(client, territories):
    response = client.get(
        reverse("territories:suggest"), {"field": "t", "t": "Tours", "kind": "epci"}
    )
    content = response.content.decode()
    assert "epci 243700754" in content and "commune 37261" not in content


def test_typed_text_is_shown_back_as_typed(client, territories):
    response = client.get(reverse("territories:go"), {"territoire": "12345"})
    assert response.status_code == 400
    assert 'value="12345"' in response.content.decode()
    response = client.get(reverse("territories:search"), {"q": "saint", "within": "37"})
    assert 'value="37"' in response.content.decode()


def test_old_and_arrondissement_codes_resolve(territories):
    assert TerritoryField().clean("01003").code == "01165"
    assert TerritoryField().clean("75101").code == "75056"


@pytest.mark.parametrize("text", ["x" * 121, "saint " * 1200, "Tours\x00"])
def test_oversized_or_binary_input_is_refused_in_french(client, territories, text):
    response = client.get(reverse("territories:go"), {"territoire": text})
    assert response.status_code == 400
    form = TerritoryGoForm({"territoire": text})
    assert not form.is_valid()


def test_long_search_queries_are_refused_not_crashing(client, territories):
    response = client.get(reverse("territories:search"), {"q": "saint " * 1200})
    assert response.status_code == 200
    assert response.context["has_query"] is False
    assert "120" in response.content.decode()


def test_blank_query_is_no_query(client, territories):
    response = client.get(reverse("territories:search"), {"q": "   "})
    assert response.context["has_query"] is False
    assert response.context["page"].paginator.count == 0
