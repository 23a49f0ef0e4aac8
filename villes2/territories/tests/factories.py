import factory

from villes2.core.testing import m2m
from villes2.core.text import normalize_for_search
from villes2.territories.models import Scheme, SchemeKind, Territory, TerritoryKind


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = TerritoryKind.COMMUNE
    # Not a real INSEE code: the reference data may be loaded (90xxx is Belfort).
    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Commune de test {n}")
    search_name = factory.LazyAttribute(lambda t: normalize_for_search(t.name))
    geography_version = "test"
    source = "Données de test (synthétiques)"


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        skip_postgeneration_save = True

    kind = SchemeKind.CUCS
    name = factory.Sequence(lambda n: f"CUCS de test {n}")
    source = "Données de test (synthétiques)"

    territories = m2m("territories")
