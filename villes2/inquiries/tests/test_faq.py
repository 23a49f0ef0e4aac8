"""The public FAQ: the desk's page with the latest entries, the list (newest first,
paginated, by theme, searched through the shared search), the entry page, the shared
search and the sitemap. An entry not published appears on none of them."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from villes2.documents.tests.factories import record
from villes2.inquiries import services
from villes2.inquiries.models import FaqEntry
from villes2.inquiries.selectors.public import FAQ_PER_PAGE
from villes2.practices.models import PracticeStatus
from villes2.practices.tests.factories import PracticeFactory
from villes2.taxonomy.models import Concept
from villes2.taxonomy.selectors import theme_slugs_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french():
    """`reverse()` follows the active language, which a request to /en/ leaves behind."""
    translation.activate("fr")
    yield
    translation.activate("fr")


DRAFT = "Brouillon jamais publié sur les adultes-relais ?"


def _entry(question: str, *, publish: bool = True, themes=(), **fields) -> FaqEntry:
    entry = services.faq_save(
        FaqEntry(
            question=question, answer=fields.pop("answer", f"Réponse à : {question}"), **fields
        ),
        themes=themes,
    )
    if publish:
        services.faq_publish(entry)
    return entry


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _titles(response) -> list[str]:
    tree = html.fromstring(response.content.decode())
    return [a.text_content().strip() for a in tree.xpath('//h3[@class="hit-title"]/a')]


@pytest.fixture
def health(reference_data):
    return Concept.objects.get(scheme__is_theme_scheme=True, pref_label_fr="Santé")


@pytest.fixture
def entries(health):
    """Two published entries (one under a narrower concept of health), one draft."""
    narrower = health.narrower.order_by("pk").first()
    older = _entry("Comment financer un poste d'adulte-relais ?")
    FaqEntry.objects.filter(pk=older.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    newer = _entry(
        "Qu'est-ce qu'un atelier santé ville ?",
        themes=[narrower or health],
        question_en="What is a health workshop?",
        answer_en="A local public-health approach.",
    )
    draft = _entry(DRAFT, publish=False, themes=[health])
    return older, newer, draft


# --- The desk's page ------------------------------------------------------------------


def test_the_desk_page_says_what_it_does_and_lists_the_latest_entries(client, entries, settings):
    settings.INQUIRIES_RESPONSE_WORKING_DAYS = 7
    response = client.get(reverse("inquiries:index"))
    assert response.status_code == 200
    content = _text(response)
    assert "<h1>Solliciter le centre de ressources</h1>" in content
    for kind in (
        "Information ou documentation",
        "Assistance technique",
        "Appui méthodologique",
        "Demande de formation",
    ):
        assert f"<h3>{kind}</h3>" in content
    assert "dans un délai de 7 jours ouvrés" in content
    assert f'href="{reverse("inquiries:new")}"' in content
    assert f'href="{reverse("inquiries:faq")}"' in content
    latest = re.findall(r'<ul class="faq-latest">(.*?)</ul>', content, re.S)[0]
    assert latest.index("atelier santé ville") < latest.index("adulte-relais")
    assert DRAFT not in content


def test_the_footer_and_home_page_link_the_desk(client, db):
    """Footer, the notice under the missions and the support mission's card; not the
    header's menu (it would no longer fit on one line)."""
    content = client.get("/").content.decode()
    link = f'href="{reverse("inquiries:index")}"'
    assert content.count(link) == 3
    header = content.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert link not in header


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_published_entries_newest_first(client, entries):
    response = client.get(reverse("inquiries:faq"))
    assert response.status_code == 200
    assert _titles(response) == [
        "Qu'est-ce qu'un atelier santé ville ?",
        "Comment financer un poste d'adulte-relais ?",
    ]
    assert "2 questions" in _text(response)
    assert DRAFT not in _text(response)


def test_the_list_in_english_shows_the_english_question(client, entries):
    response = client.get("/en" + reverse("inquiries:faq"))
    titles = _titles(response)
    assert titles[0] == "What is a health workshop?"
    assert '<span lang="fr">Comment financer un poste d\'adulte-relais ?</span>' in _text(response)


def test_the_theme_filter_finds_narrower_concepts_and_never_drafts(client, entries, health):
    response = client.get(reverse("inquiries:faq"), {"theme": health.slug})
    assert _titles(response) == ["Qu'est-ce qu'un atelier santé ville ?"]
    # The themes above the published entries' concepts only (not the draft's).
    _older, newer, _draft = entries
    expected = theme_slugs_for(newer.themes.all())
    options = html.fromstring(response.content.decode()).xpath('//select[@name="theme"]/option')
    assert options[0].get("value") == ""
    assert {o.get("value") for o in options[1:]} == expected
    assert "sante" in expected


def test_an_unknown_theme_is_said_and_lists_everything(client, entries):
    response = client.get(reverse("inquiries:faq"), {"theme": "nimportequoi"})
    assert response.status_code == 200
    assert response.context["filterset"].form.errors["theme"]
    assert len(_titles(response)) == 2


def test_the_search_box_uses_the_shared_search_restricted_to_the_faq(client, entries):
    record(title="Guide des adultes-relais")  # a catalogue record: not in the FAQ's results
    response = client.get(reverse("inquiries:faq"), {"q": "adulte-relais"})
    assert _titles(response) == ["Comment financer un poste d'adulte-relais ?"]
    assert "<mark>" in response.content.decode()
    nothing = client.get(reverse("inquiries:faq"), {"q": "brouillon"})
    assert _titles(nothing) == []
    assert "Aucune question ne correspond à cette recherche." in _text(nothing)


def test_the_search_and_the_theme_together(client, entries, health):
    response = client.get(reverse("inquiries:faq"), {"q": "atelier", "theme": health.slug})
    assert _titles(response) == ["Qu'est-ce qu'un atelier santé ville ?"]
    other = client.get(reverse("inquiries:faq"), {"q": "adulte-relais", "theme": health.slug})
    assert _titles(other) == []


def test_the_list_is_paginated(client, db):
    for n in range(FAQ_PER_PAGE + 2):
        _entry(f"Question numéro {n} ?")
    first = client.get(reverse("inquiries:faq"))
    assert len(_titles(first)) == FAQ_PER_PAGE
    assert "Page 1 sur 2" in _text(first) or "Page 1 of 2" in _text(first)
    second = client.get(reverse("inquiries:faq"), {"page": 2})
    assert len(_titles(second)) == 2
    assert client.get(reverse("inquiries:faq"), {"page": "abc"}).status_code == 200


# --- The entry page -------------------------------------------------------------------


def test_the_entry_page_shows_question_answer_themes_and_public_resources(
    client, reference_data, health
):
    public = record(title="Guide public des ateliers santé ville")
    private = record(title="Note de l'équipe", access="equipe")
    published = PracticeFactory(
        title="Atelier santé ville de Tours", status=PracticeStatus.PUBLISHED
    )
    draft = PracticeFactory(title="Fiche brouillon de Niort")
    entry = _entry("Qu'est-ce qu'un atelier santé ville ?", themes=[health])
    services.faq_save(entry, documents=[public, private], practices=[published, draft])
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    content = _text(response)
    assert "<h1>Qu'est-ce qu'un atelier santé ville ?</h1>" in content
    assert "Réponse à : Qu'est-ce qu'un atelier santé ville ?" in content
    assert '<li class="tag">Santé</li>' in content
    assert "Publiée le" in content
    assert f'href="{public.get_absolute_url()}"' in content
    assert f'href="{published.get_absolute_url()}"' in content
    assert "Note de l'équipe" not in content
    assert "Fiche brouillon de Niort" not in content


def test_a_draft_or_withdrawn_entry_is_404(client, entries):
    _older, newer, draft = entries
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("inquiries:faq_detail", args=[999999])).status_code == 404
    services.faq_unpublish(newer)
    assert client.get(newer.get_absolute_url()).status_code == 404
    assert "atelier santé ville" not in _text(client.get(reverse("inquiries:faq")))


def test_staff_do_not_see_drafts_on_the_public_pages(client, entries, admin_user):
    client.force_login(admin_user)
    _older, _newer, draft = entries
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert DRAFT not in _text(client.get(reverse("inquiries:faq")))
    assert DRAFT not in _text(client.get(reverse("inquiries:faq"), {"q": "brouillon"}))


# --- The shared search and the sitemap ----------------------------------------------------


def test_the_shared_search_finds_published_entries_only(client, entries):
    response = client.get("/recherche/", {"q": "adulte-relais"})
    assert "Comment financer un poste d'adulte-relais ?" in _titles(response)
    assert DRAFT not in _text(response)
    tab = client.get("/recherche/", {"q": "atelier", "quoi": "faq"})
    assert _titles(tab) == ["Qu'est-ce qu'un atelier santé ville ?"]
    assert "Question fréquente" in _text(tab)


def test_the_sitemap_lists_published_entries_only(client, entries):
    older, newer, draft = entries
    content = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{reverse('inquiries:index')}</loc>" in content
    assert f"http://testserver{reverse('inquiries:faq')}</loc>" in content
    assert f"{older.get_absolute_url()}</loc>" in content
    assert f"{newer.get_absolute_url()}</loc>" in content
    assert f"{draft.get_absolute_url()}</loc>" not in content


# --- Query budgets ----------------------------------------------------------------------


def test_query_budgets(client, entries, health, django_assert_max_num_queries):
    for n in range(5):
        _entry(f"Question de charge {n} ?", themes=[health])
    with django_assert_max_num_queries(1):
        assert client.get(reverse("inquiries:index")).status_code == 200
    # Theme choices (theme scheme, broader links, concepts, mappings, used concepts,
    # labels ×2), the count, the page, its themes. With words: the thesaurus version
    # (synonyms), the search and its count, the hits and their themes, no count.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("inquiries:faq")).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("inquiries:faq"), {"q": "question", "theme": "sante"}).status_code
            == 200
        )
    _older, newer, _draft = entries
    with django_assert_max_num_queries(4):
        assert client.get(newer.get_absolute_url()).status_code == 200
