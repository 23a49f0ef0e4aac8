"""The FAQ's writers (`services.faq`): an entry saved as a draft, published, withdrawn
and deleted, each time re-indexed, so that a draft is never found by the public search;
the permissions they check."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from villes2.core.models import SearchEntry
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.inquiries import services
from villes2.inquiries.models import FaqEntry
from villes2.taxonomy.models import Concept
from villes2.taxonomy.selectors import theme_scheme

from .factories import FaqEntryFactory

pytestmark = pytest.mark.django_db


def _found(q: str, *, staff: bool = False) -> list[int]:
    results = run_search(SearchRequest(q=q, kinds=("faq",), staff=staff))
    return [hit.object.pk for hit in results.hits]


def _entry(**fields) -> FaqEntry:
    values = {
        "question": "Comment monter un atelier santé ville ?",
        "answer": "Le centre conseille de partir du diagnostic partagé.",
    }
    values.update(fields)
    return services.faq_save(FaqEntry(**values))


def test_a_new_entry_is_a_draft_indexed_for_the_staff_only():
    entry = _entry(published=True)  # the service, not the caller, decides publication
    entry.refresh_from_db()
    assert (entry.published, entry.published_at) == (False, None)
    assert _found("atelier santé") == []
    assert _found("atelier santé", staff=True) == [entry.pk]
    assert SearchEntry.objects.get(kind="faq", object_id=entry.pk).public is False


def test_publish_then_unpublish_changes_the_public_search():
    entry = _entry()
    services.faq_publish(entry)
    assert entry.published is True
    assert entry.published_at is not None
    first_published = entry.published_at
    assert _found("diagnostic partagé") == [entry.pk]
    services.faq_unpublish(entry)
    assert entry.published is False
    assert _found("diagnostic partagé") == []
    services.faq_publish(entry)
    assert entry.published_at == first_published  # the first publication's date stays
    assert _found("diagnostic partagé") == [entry.pk]


def test_save_keeps_the_stored_publication_and_reindexes_the_new_text():
    entry = _entry()
    services.faq_publish(entry)
    stale = FaqEntry.objects.get(pk=entry.pk)
    services.faq_unpublish(entry)
    stale.question = "Comment financer un atelier santé ville ?"
    services.faq_save(stale)  # an object read before the withdrawal: still withdrawn
    assert FaqEntry.objects.get(pk=entry.pk).published is False
    assert _found("financer", staff=True) == [entry.pk]
    assert _found("financer") == []


def test_save_sets_the_relations_given_and_keeps_the_others(reference_data):
    scheme = theme_scheme()
    theme = Concept.objects.filter(scheme=scheme).order_by("pk").first()
    entry = _entry()
    services.faq_save(entry, themes=[theme])
    assert list(entry.themes.all()) == [theme]
    services.faq_save(entry)
    assert list(entry.themes.all()) == [theme]
    services.faq_publish(entry)
    # Found by its theme's label (the "descriptors" weight).
    assert entry.pk in _found(theme.pref_label_fr)


def test_an_empty_question_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        _entry(question="   ")
    assert "question" in error.value.message_dict
    assert FaqEntry.objects.count() == 0
    assert SearchEntry.objects.filter(kind="faq").count() == 0


def test_delete_removes_the_index_entry():
    entry = _entry()
    services.faq_publish(entry)
    pk = entry.pk
    services.faq_delete(entry)
    assert not FaqEntry.objects.filter(pk=pk).exists()
    assert not SearchEntry.objects.filter(kind="faq", object_id=pk).exists()


def test_permissions_are_checked_before_anything_changes(reference_data):
    from villes2.accounts import roles

    assistant = staff_user("assistant", role=roles.ASSISTANT)
    officer = staff_user("charge", role=roles.PROJECT_OFFICER)
    with pytest.raises(PermissionDenied):
        services.faq_save(FaqEntry(question="Q ?", answer="R."), user=assistant)
    assert FaqEntry.objects.count() == 0
    entry = services.faq_save(FaqEntry(question="Q ?", answer="R."), user=officer)
    with pytest.raises(PermissionDenied):
        services.faq_publish(entry, assistant)
    assert FaqEntry.objects.get(pk=entry.pk).published is False
    services.faq_publish(entry, officer)
    with pytest.raises(PermissionDenied):
        services.faq_unpublish(entry, assistant)
    assert FaqEntry.objects.get(pk=entry.pk).published is True
    with pytest.raises(PermissionDenied):
        services.faq_delete(entry, assistant)
    assert FaqEntry.objects.filter(pk=entry.pk).exists()


def test_the_factory_entry_can_be_reindexed_by_faq_save():
    entry = FaqEntryFactory(published=True, question="Qu'est-ce qu'une ZFU ?")
    services.faq_save(entry)
    assert _found("ZFU") == [entry.pk]
