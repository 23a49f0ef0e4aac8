"""Back office of the thesaurus: who may change it, and the checks on broader concepts
and mappings (no concept above itself, no cycle, mappings to other schemes only)."""

import pytest

from villes2.accounts.roles import ASSISTANT, DIRECTION, DOCUMENTALIST
from villes2.core.testing import staff_user
from villes2.taxonomy.models import Concept, Mapping

pytestmark = pytest.mark.django_db


def _change_url(concept) -> str:
    return f"/gestion/taxonomy/concept/{concept.pk}/change/"


def _form_data(concept, **changes) -> dict:
    data = {
        "scheme": concept.scheme_id,
        "pref_label_fr": concept.pref_label_fr,
        "pref_label_en": concept.pref_label_en,
        "slug": concept.slug,
        "uri": concept.uri,
        "notation": concept.notation,
        "scope_note_fr": concept.scope_note_fr,
        "scope_note_en": concept.scope_note_en,
        "definition_fr": concept.definition_fr,
        "broader": [c.pk for c in concept.broader.all()],
        "related": [c.pk for c in concept.related.all()],
        "seen_version": concept.version,
        "labels-TOTAL_FORMS": 0,
        "labels-INITIAL_FORMS": 0,
        "mappings-TOTAL_FORMS": 0,
        "mappings-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


@pytest.fixture
def documentalist(client, reference_data):
    client.force_login(staff_user("doc", role=DOCUMENTALIST))
    return client


def test_roles(client, reference_data):
    concept = Concept.objects.get(slug="residentialisation")
    client.force_login(staff_user("assistant", role=ASSISTANT))
    assert client.get(_change_url(concept)).status_code == 200  # view only
    response = client.post(_change_url(concept), _form_data(concept, pref_label_en="changed"))
    assert response.status_code == 403
    concept.refresh_from_db()
    assert concept.pref_label_en == "residentialisation"
    client.force_login(staff_user("direction", role=DIRECTION))
    response = client.post(_change_url(concept), _form_data(concept, pref_label_en="changed"))
    assert response.status_code == 302
    concept.refresh_from_db()
    assert (concept.pref_label_en, concept.version) == ("changed", 2)


def test_changelist_searches_labels(documentalist):
    response = documentalist.get("/gestion/taxonomy/concept/", {"q": "ZUS"})
    assert [c.slug for c in response.context["cl"].result_list] == ["zone-urbaine-sensible"]
    response = documentalist.get(_change_url(Concept.objects.get(slug="geographie-prioritaire")))
    assert (
        "quartier prioritaire de la politique de la ville, zone franche urbaine, "
        "zone urbaine sensible" in response.content.decode()
    )


def test_a_cycle_is_refused(documentalist):
    top = Concept.objects.get(slug="politique-de-la-ville-dispositifs")
    zus = Concept.objects.get(slug="zone-urbaine-sensible")
    response = documentalist.post(_change_url(top), _form_data(top, broader=[zus.pk]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["broader"] == [
        "Ces concepts plus larges sont sous ce concept, ce qui ferait un cycle : "
        "zone urbaine sensible."
    ]
    assert top.broader.count() == 0


def test_own_broader_is_refused(documentalist):
    concept = Concept.objects.get(slug="agenda-21")
    response = documentalist.post(_change_url(concept), _form_data(concept, broader=[concept.pk]))
    assert response.context["adminform"].form.errors["broader"] == [
        "Un concept ne peut pas être son propre concept plus large."
    ]


def test_mapping_within_the_scheme_is_refused(documentalist):
    concept = Concept.objects.get(slug="agenda-21")
    other = Concept.objects.get(slug="developpement-durable")
    data = _form_data(
        concept,
        **{
            "mappings-TOTAL_FORMS": 1,
            "mappings-0-relation": "closeMatch",
            "mappings-0-target": other.pk,
        },
    )
    response = documentalist.post(_change_url(concept), data)
    assert response.status_code == 200
    assert not Mapping.objects.filter(source=concept).exists()
    eukn = Concept.objects.get(slug="urban-environment")
    data["mappings-0-target"] = eukn.pk
    assert documentalist.post(_change_url(concept), data).status_code == 302
    assert list(Mapping.objects.filter(source=concept).values_list("target__slug", flat=True)) == [
        "urban-environment"
    ]


def test_new_concept_gets_its_uri_and_search_text(documentalist):
    theme = Concept.objects.get(slug="sante")
    data = _form_data(
        theme,
        pref_label_fr="santé mentale",
        pref_label_en="",
        slug="sante-mentale",
        uri="",
        broader=[theme.pk],
        related=[],
        scope_note_fr="",
        **{
            "labels-TOTAL_FORMS": 1,
            "labels-0-text": "psychiatrie",
            "labels-0-language": "fr",
            "labels-0-kind": "alt",
        },
    )
    del data["seen_version"]
    response = documentalist.post("/gestion/taxonomy/concept/add/", data)
    assert response.status_code == 302
    concept = Concept.objects.get(slug="sante-mentale")
    assert concept.uri == "https://villes2.example.org/thesaurus/themes/sante-mentale"
    assert concept.search_text == "sante mentale | psychiatrie"
