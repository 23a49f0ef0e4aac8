import factory

from villes2.taxonomy.models import Concept, ConceptScheme


class ConceptSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConceptScheme

    slug = factory.Sequence(lambda n: f"schema-test-{n}")
    uri = factory.LazyAttribute(lambda o: f"https://villes2.example.org/thesaurus/{o.slug}")
    title_fr = factory.Sequence(lambda n: f"Schéma de test {n}")


class ConceptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concept

    scheme = factory.SubFactory(ConceptSchemeFactory)
    slug = factory.Sequence(lambda n: f"concept-test-{n}")
    uri = factory.LazyAttribute(
        lambda o: f"https://villes2.example.org/thesaurus/{o.scheme.slug}/{o.slug}"
    )
    pref_label_fr = factory.Sequence(lambda n: f"concept de test {n}")
