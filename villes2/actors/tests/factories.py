import factory
from django.utils import timezone
from django.utils.text import slugify

from villes2.actors import services
from villes2.actors.models import (
    Consent,
    ConsentPurpose,
    Membership,
    NetworkMembership,
    Organisation,
    OrganisationKind,
    Person,
    RightKind,
    RightsRequest,
    Tag,
    one_month_after,
)
from villes2.core.testing import m2m
from villes2.core.text import normalize_for_search

TEST_SOURCE = "Données de test (synthétiques)"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Thème de test {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = OrganisationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Organisation de test {n}")
    acronym = ""
    slug = factory.LazyAttribute(lambda organisation: slugify(organisation.name))
    source = TEST_SOURCE
    search_text = factory.LazyAttribute(
        lambda organisation: normalize_for_search(f"{organisation.name} {organisation.acronym}")
    )

    territories = m2m("territories")

    themes = m2m("themes")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    slug = factory.LazyAttribute(lambda person: slugify(f"{person.first_name} {person.last_name}"))
    job_title = "Chargée de mission"
    source = TEST_SOURCE
    search_text = factory.LazyAttribute(
        lambda person: normalize_for_search(
            f"{person.first_name} {person.last_name} {person.job_title}"
        )
    )

    territories = m2m("territories")

    themes = m2m("themes")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A role; the person's search text is refreshed as the admin does after a save."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Chargée de mission"
    source = TEST_SOURCE

    @factory.post_generation
    def refresh_search_text(self, create, extracted, **kwargs):
        if create:
            services.person_search_text_refresh(person=self.person)


class NetworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.NETWORK)
    organisation = factory.SubFactory(OrganisationFactory)
    person = None
    source = TEST_SOURCE


class ConsentFactory(factory.django.DjangoModelFactory):
    """A public-listing consent publishing no field unless `fields` says which."""

    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    purpose = ConsentPurpose.PUBLIC_LISTING
    fields = factory.LazyFunction(list)
    given_at = factory.LazyFunction(timezone.now)
    channel = "formulaire"
    text_version = "v1"


class RightsRequestFactory(factory.django.DjangoModelFactory):
    """A request received today by e-mail, due one month later."""

    class Meta:
        model = RightsRequest

    kind = RightKind.ACCESS
    channel = "courriel"
    received_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda request: one_month_after(request.received_on))
