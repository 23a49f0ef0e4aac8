"""Test data for experience records. Records are written through the services
(`practice_save`, then `practice_transition` step by step), as every surface writes them,
so that they are validated, indexed, and carry their history. Everything here is invented
test data, never shown as real.

    PracticeFactory()                          # a draft, transferability block complete
    PracticeFactory(published=True)            # draft → under review → published
    PracticeFactory(status=PracticeStatus.WITHDRAWN, territories=[t], themes=[c])
    PracticeFactory(complete=False)            # transferability block empty
    PracticeFactory(actors=[ActorInput(org.pk, ActorRole.LEAD)])
    PracticeActorFactory(practice=p, role=ActorRole.PARTNER)

MEDIA_ROOT: `PracticeAttachmentFactory` writes a file; point MEDIA_ROOT at `tmp_path`.
"""

import hashlib
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory
from villes2.documents.tests.pdfs import pdf_bytes
from villes2.practices import services
from villes2.practices.models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    ActorRole,
    Practice,
    PracticeActor,
    PracticeAttachment,
    PracticeFunding,
    PracticeStatus,
    Rating,
)

S = PracticeStatus
_numbers = itertools.count(1)

# The workflow steps from a new draft to each status (withdrawn: after publication, the
# case that leaves a tombstone and a first publication date behind).
STEPS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (),
    S.SUBMITTED: (S.SUBMITTED,),
    S.IN_REVIEW: (S.IN_REVIEW,),
    S.PUBLISHED: (S.IN_REVIEW, S.PUBLISHED),
    S.WITHDRAWN: (S.IN_REVIEW, S.PUBLISHED, S.WITHDRAWN),
}
NON_PUBLIC_STATUSES = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.WITHDRAWN)

# The relations `practice_save` sets (None: left alone).
RELATIONS = (
    "territories",
    "schemes",
    "themes",
    "documents",
    "events",
    "transferred_to",
    "actors",
    "fundings",
)


def reviewer(username: str = "relectrice-test"):
    """A staff member allowed to publish (role Direction), created once per test."""
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"is_staff": True, "first_name": "Claire", "last_name": "Relectrice"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=roles.DIRECTION))
    return user


def complete_transferability() -> dict:
    """The transferability block, filled: what publication requires."""
    fields = {name: f"Texte de test : {name}." for name in TRANSFERABILITY_FIELDS}
    for key, _label in CRITERIA:
        fields[f"{key}_rating"] = Rating.STRONG
        fields[f"{key}_justification"] = f"Justification de test : {key}."
    return fields


def _filled(value: str) -> factory.Maybe:
    """`value` while the factory's `complete` parameter holds (the default), else empty."""
    return factory.Maybe("complete", value, "")


def move_to(practice: Practice, status: str, *, user=None) -> Practice:
    """Take a new draft through the workflow to `status`, as the staff would."""
    user = user or reviewer()
    for step in STEPS[status]:
        services.practice_transition(practice, to_status=step, user=user)
    return practice


class PracticeFactory(factory.django.DjangoModelFactory):
    """A record saved by `practice_save` (with its relations) and moved through the
    workflow to `status` by `reviewer` (a Direction account unless given)."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(status=S.PUBLISHED)
        complete = True

    title = factory.LazyFunction(lambda: f"Expérience de test {next(_numbers)}")
    summary = "Résumé de l’expérience de test."
    start_year = 2008
    transfer_prerequisites = _filled("Ce qui doit exister localement (test).")
    transfer_specific = _filled("Ce qui était propre au lieu (test).")
    transfer_adaptation = _filled("Comment l’adapter (test).")
    transfer_cost_time = _filled("Coût et délai du transfert (test).")
    coherence_rating = _filled(Rating.STRONG)
    coherence_justification = _filled("Justification de test : cohérence.")
    relevance_rating = _filled(Rating.STRONG)
    relevance_justification = _filled("Justification de test : pertinence.")
    impact_rating = _filled(Rating.MODERATE)
    impact_justification = _filled("Justification de test : impact.")
    transfer_rating = _filled(Rating.STRONG)
    transfer_justification = _filled("Justification de test : transfert.")
    status = S.DRAFT
    reviewer = None
    user = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status")
        by = kwargs.pop("reviewer")
        user = kwargs.pop("user")
        relations = {name: kwargs.pop(name, None) for name in RELATIONS}
        practice = services.practice_save(model_class(*args, **kwargs), user=user, **relations)
        return move_to(practice, status, user=by)


def published_practice(**fields) -> Practice:
    """A published record (the helper form of `PracticeFactory(published=True)`)."""
    return PracticeFactory(status=S.PUBLISHED, **fields)


class _RelationsChanged(factory.django.DjangoModelFactory):
    """Rows of a record written directly: the record's datestamp and index are then
    refreshed, as `practice_save` does."""

    class Meta:
        abstract = True

    @factory.post_generation
    def refresh_record(self, create, extracted, **kwargs):
        if create:
            services.practice_relations_changed(self.practice)


class PracticeActorFactory(_RelationsChanged):
    class Meta:
        model = PracticeActor
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ActorRole.PARTNER
    role_detail = ""
    order = factory.Sequence(lambda n: n)


class PracticeFundingFactory(_RelationsChanged):
    class Meta:
        model = PracticeFunding
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    organisation = None
    name = factory.Sequence(lambda n: f"Financeur de test {n}")
    amount = None
    order = factory.Sequence(lambda n: n)


class PracticeAttachmentFactory(_RelationsChanged):
    """A one-page PDF attached to a record (set MEDIA_ROOT to a temporary directory)."""

    class Meta:
        model = PracticeAttachment
        skip_postgeneration_save = True

    class Params:
        content = factory.LazyFunction(lambda: pdf_bytes("Pièce jointe de test"))

    practice = factory.SubFactory(PracticeFactory)
    original_name = factory.Sequence(lambda n: f"piece-de-test-{n}.pdf")
    title = factory.Sequence(lambda n: f"Pièce jointe de test {n}")
    file = factory.LazyAttribute(lambda a: ContentFile(a.content, name=a.original_name))
    size = factory.LazyAttribute(lambda a: len(a.content))
    sha256 = factory.LazyAttribute(lambda a: hashlib.sha256(a.content).hexdigest())
