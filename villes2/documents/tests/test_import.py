"""CSV import of records: good files, every error reported, all or nothing, encodings,
the admin's two steps, the command, and random input (hypothesis)."""

import csv
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory, PersonFactory
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.documents import services
from villes2.documents.models import Document, DocumentAuthor
from villes2.taxonomy.models import Label
from villes2.taxonomy.tests.factories import ConceptFactory
from villes2.territories.tests.factories import TerritoryFactory

from .factories import record

pytestmark = pytest.mark.django_db

HEADER = (
    "titre;sous_titre;type;annee;date_publication;editeur;langue;resume;auteurs;"
    "descripteurs;territoires;url;licence;acces;statut"
)


def line(*cells: str) -> str:
    """One CSV line as Excel writes it: cells holding « ; » are quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="").writerow(cells)
    return out.getvalue()


GOOD_LINES = [
    line(
        "Guide de la gestion urbaine de proximité",
        "Méthodes",
        "Guide méthodologique",
        "2008",
        "15/03/2008",
        "Délégation interministérielle à la ville",
        "français",
        "Un guide pour les bailleurs.",
        "Martin, Claire ; ADU ; Durand, Paul",
        "GUPX ; Renouvellement de test",
        "37261 ; QN03701M ; departement:37",
        "https://example.org/gup.pdf",
        "cc-by-4.0",
        "public",
        "publie",
    ),
    "Rapport annuel 2010;;rapport;2010;;;;;;;;;;equipe;brouillon",
    '"=HYPERLINK(""http://evil.example"",""clic"")";;etude;;2011-06-30;;en;;;;;;;;',
]


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def found(text: str, *, staff: bool = False) -> list[int]:
    results = run_search(SearchRequest(q=text, kinds=("documents",), staff=staff))
    return [hit.object.pk for hit in results.hits]


def problems(report) -> list[tuple]:
    return [(p.line, p.column, p.message) for p in report.errors]


@pytest.fixture
def vocabulary():
    gup = ConceptFactory(pref_label_fr="Gestion urbaine de proximité (test)")
    Label.objects.create(concept=gup, text="GUPX", kind="acronym")
    renewal = ConceptFactory(pref_label_fr="Rénovation urbaine (test)")
    Label.objects.create(concept=renewal, text="Renouvellement de test")
    TerritoryFactory(kind="commune", code="37261", name="Tours")
    TerritoryFactory(kind="qpv", code="QN03701M", name="Le Sanitas")
    TerritoryFactory(kind="departement", code="37", name="Indre-et-Loire")
    TerritoryFactory(kind="departement", code="24", name="Dordogne")
    TerritoryFactory(kind="region", code="24", name="Centre-Val de Loire")
    person = PersonFactory(first_name="Claire", last_name="Martin", sort_name="martin claire")
    organisation = OrganisationFactory(
        name="Agence d'urbanisme de test", acronym="ADU", sort_name="agence d urbanisme de test"
    )
    return {"gup": gup, "renewal": renewal, "person": person, "organisation": organisation}


def test_a_good_file_is_imported_and_searchable(vocabulary):
    user = staff_user("doc", role=roles.DOCUMENTALIST)
    report = services.document_import(
        file_name="notices.csv", content=csv_bytes(*GOOD_LINES), user=user
    )
    assert problems(report) == []
    assert (report.rows, report.created) == (3, 3)
    guide, annual, formula = Document.objects.order_by("pk")
    assert (guide.doc_type, guide.year, guide.published_on.isoformat()) == (
        "guide-methodologique",
        2008,
        "2008-03-15",
    )
    assert (guide.status, guide.access, guide.licence, guide.language) == (
        "publie",
        "public",
        "cc-by-4.0",
        "fr",
    )
    assert guide.created_by == user
    assert guide.first_published_at is not None
    assert set(guide.descriptors.all()) == {vocabulary["gup"], vocabulary["renewal"]}
    assert sorted(t.code for t in guide.territories.all()) == ["37", "37261", "QN03701M"]
    authors = list(guide.authors.all())
    assert [(a.person, a.organisation, a.name) for a in authors] == [
        (vocabulary["person"], None, ""),
        (None, vocabulary["organisation"], ""),
        (None, None, "Durand, Paul"),
    ]
    assert (annual.status, annual.access, annual.language) == ("brouillon", "equipe", "fr")
    # A cell a spreadsheet would take for a formula is stored as the text it is.
    assert formula.title == '=HYPERLINK("http://evil.example","clic")'
    assert (formula.year, formula.language) == (2011, "en")
    assert found("bailleurs") == [guide.pk]
    assert found("annuel") == []
    assert found("annuel", staff=True) == [annual.pk]
    assert guide.history.first().history_change_reason.startswith("Import CSV du ")


def test_dry_run_writes_nothing(vocabulary):
    report = services.document_import(
        file_name="notices.csv", content=csv_bytes(*GOOD_LINES), dry_run=True
    )
    assert report.ok
    assert report.created == 3
    assert not Document.objects.exists()


def test_every_bad_cell_is_reported_and_nothing_is_written(vocabulary, territories):
    lines = [
        GOOD_LINES[0],
        line(
            "",
            "",
            "brochure",
            "20xx",
            "31/02/2010",
            "",
            "klingon",
            "",
            "",
            "Inconnu ; GUPX",
            "99999 ; 24",
            "ftp://x",
            "cc-zz",
            "tous",
            "fini",
        ),
        GOOD_LINES[1],
        "Titre;;rapport;2010;2011-01-01;;;;;;;;;;",
    ]
    report = services.document_import(file_name="notices.csv", content=csv_bytes(*lines))
    assert problems(report) == [
        (3, "titre", "Le titre est obligatoire."),
        (
            3,
            "type",
            "Valeur inconnue « brochure » ; valeurs possibles : actes, article, donnees, "
            "dossier-ressources, etude, fiche-experience, guide-methodologique, ouvrage, "
            "rapport, synthese, texte-officiel, video.",
        ),
        (
            3,
            "date_publication",
            "Écrivez la date sous la forme JJ/MM/AAAA ou AAAA-MM-JJ (par exemple 29/05/2007).",
        ),
        (3, "annee", "Écrivez l’année en 4 chiffres, par exemple 2015."),
        (3, "langue", "Valeur inconnue « klingon » ; valeurs possibles : de, en, es, fr, it, mul."),
        (
            3,
            "licence",
            "Valeur inconnue « cc-zz » ; valeurs possibles : cc-by-4.0, cc-by-nc-nd-4.0, "
            "cc-by-sa-4.0, domaine-public, licence-ouverte-2.0, tous-droits-reserves.",
        ),
        (3, "acces", "Valeur inconnue « tous » ; valeurs possibles : equipe, public."),
        (3, "statut", "Valeur inconnue « fini » ; valeurs possibles : brouillon, publie."),
        (3, "descripteurs", "Descripteurs inconnus (absents du thésaurus) : « Inconnu »."),
        (
            3,
            "territoires",
            "Territoires inconnus : 99999 (attendu : un code INSEE ou QPV, ou type:code, par "
            "exemple 37261, QN03701M, departement:37).",
        ),
        (
            3,
            "territoires",
            "Ces codes désignent plusieurs territoires : 24 (ancienne-region:24, departement:24, "
            "region:24). "
            "Écrivez type:code.",
        ),
        (3, "url", "Saisissez une URL valide."),
        (
            5,
            "date_publication",
            "Cette date n’est pas dans l’année donnée dans la colonne annee (2010).",
        ),
    ]
    assert report.created == 0
    assert not Document.objects.exists()
    assert not DocumentAuthor.objects.exists()


def test_records_already_in_the_catalogue_are_skipped_with_a_warning(vocabulary):
    existing = record(title="Rapport annuel 2010", year=2010)
    lines = [GOOD_LINES[1], "Rapport  annuel, 2010 ;;etude;2010;;;;;;;;;;;"]
    report = services.document_import(file_name="notices.csv", content=csv_bytes(*lines))
    assert report.ok
    skipped = (
        f"Déjà au catalogue (fiche n° {existing.pk}, même titre et même année) : ligne "
        "ignorée. Modifiez cette fiche dans la gestion pour la changer."
    )
    assert [(w.line, w.column, w.message) for w in report.warnings] == [
        (2, "titre", skipped),
        (3, "titre", "La ligne 2 a le même titre et la même année : est-ce la même notice ?"),
        (3, "titre", skipped),
    ]
    assert (report.created, report.skipped) == (0, 2)
    assert Document.objects.count() == 1


def test_the_same_file_twice_changes_nothing(vocabulary):
    content = csv_bytes(*GOOD_LINES)
    first = services.document_import(file_name="notices.csv", content=content)
    assert first.ok and first.created == len(GOOD_LINES)
    count = Document.objects.count()
    second = services.document_import(file_name="notices.csv", content=content)
    assert second.ok and (second.created, second.skipped) == (0, len(GOOD_LINES))
    assert Document.objects.count() == count
    assert "Lignes ignorées, déjà au catalogue : 3." in "\n".join(second.lines())


def test_windows_1252_and_commas():
    content = "titre,type,annee\r\nÉtude sur la mixité,etude,2009\r\n".encode("cp1252")
    report = services.document_import(file_name="notices.csv", content=content)
    assert problems(report) == []
    assert Document.objects.get().title == "Étude sur la mixité"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(None, "", "Le fichier est vide.")]),
        (b"\xef\xbb\xbf\r\n  \r\n", [(None, "", "Le fichier est vide.")]),
        (
            b"titre;type;annee\r\n",
            [(1, "", "Le fichier a une ligne d'en-têtes mais aucune entrée.")],
        ),
        (
            b"\xef\xbb\xbftitre;type;annee\r\nR\xe9sum\xe9;rapport;2010\r\n",
            [
                (
                    2,
                    "",
                    "Cette ligne n'est ni de l'UTF-8 ni du Windows-1252 : enregistrez le "
                    "fichier au format « CSV UTF-8 ».",
                )
            ],
        ),
        (
            b"titre;annee;couleur\r\nx;2010;bleu\r\n",
            [
                (
                    1,
                    "",
                    "Colonnes inconnues : couleur. Les colonnes possibles sont : "
                    + HEADER.replace(";", ", ")
                    + ".",
                ),
                (1, "", "Colonnes obligatoires absentes : type."),
            ],
        ),
        (
            b"PK\x03\x04rest",
            [
                (
                    None,
                    "",
                    "Ce fichier est un classeur (XLSX), pas un CSV : enregistrez-le en "
                    "« CSV UTF-8 ».",
                )
            ],
        ),
    ],
)
def test_bad_files(content, expected):
    report = services.document_import(file_name="notices.csv", content=content)
    assert problems(report) == expected
    assert not Document.objects.exists()


def test_an_oversized_file_is_refused(settings):
    settings.DOCUMENT_IMPORT_MAX_BYTES = 100
    report = services.document_import(file_name="n.csv", content=csv_bytes(*GOOD_LINES))
    assert problems(report) == [(None, "", "Ce fichier dépasse 0,0 Mo : découpez-le.")]


def test_too_many_lines(monkeypatch):
    monkeypatch.setattr(services.imports, "MAX_ROWS", 2)
    lines = [f"Titre {n};rapport;2010" for n in range(3)]
    report = services.document_import(
        file_name="n.csv", content=csv_bytes(*lines, header="titre;type;annee")
    )
    assert problems(report) == [(None, "", "Le fichier a plus de 2 lignes : découpez-le.")]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda text: text.encode("utf-8")),
        st.lists(
            st.lists(st.text(max_size=20), min_size=1, max_size=5).map(";".join), max_size=6
        ).map(lambda rows: ("titre;type;annee\n" + "\n".join(rows)).encode("utf-8")),
    )
)
def test_any_file_gives_a_report_and_never_an_exception(content):
    report = services.document_import(file_name="n.csv", content=content, dry_run=True)
    assert report.ok or report.errors
    assert all(problem.message for problem in report.errors)
    assert "erreur inattendue" not in " ".join(p.message for p in report.errors)


# --- The command --------------------------------------------------------------------


def test_command_dry_run_and_import(tmp_path, vocabulary):
    path = tmp_path / "notices.csv"
    path.write_bytes(csv_bytes(*GOOD_LINES))
    out = io.StringIO()
    call_command("import_documents", str(path), "--dry-run", stdout=out)
    assert "Simulation : rien n'a été écrit." in out.getvalue()
    assert not Document.objects.exists()
    call_command("import_documents", str(path), stdout=out)
    assert Document.objects.count() == 3


def test_command_refuses_a_bad_file(tmp_path):
    path = tmp_path / "notices.csv"
    path.write_bytes(b"titre;type;annee\r\n;rapport;2010\r\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_documents", str(path), stdout=out)
    assert "Ligne 2, colonne « titre » : Le titre est obligatoire." in out.getvalue()


# --- The admin's two steps ----------------------------------------------------------

IMPORT_URL = reverse("admin:documents_document_import")


@pytest.fixture
def pending_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def test_admin_check_then_confirm(client, pending_dir, vocabulary):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    content = csv_bytes(*GOOD_LINES)
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("notices.csv", content)})
    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert "Confirmer l'import" in response.content.decode()
    assert not Document.objects.exists()
    sha256 = hashlib.sha256(content).hexdigest()
    assert (pending_dir / f"documents-{sha256}").read_bytes() == content

    response = client.post(IMPORT_URL, {"sha256": sha256})
    assert response.status_code == 302
    assert Document.objects.count() == 3
    assert not (pending_dir / f"documents-{sha256}").exists()
    # The same confirmation again: nothing is waiting any more, nothing is written.
    response = client.post(IMPORT_URL, {"sha256": sha256})
    assert response.status_code == 302
    assert Document.objects.count() == 3


def test_admin_shows_every_error_and_offers_no_confirmation(client, pending_dir, vocabulary):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    content = csv_bytes(GOOD_LINES[0], ";;rapport;2010;;;;;;;;;;;")
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("notices.csv", content)})
    page = response.content.decode()
    assert "Le titre est obligatoire." in page
    assert 'name="sha256"' not in page
    assert not pending_dir.exists() or not any(pending_dir.iterdir())


def test_another_users_pending_file_cannot_be_confirmed(client, pending_dir, vocabulary):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    content = csv_bytes(*GOOD_LINES)
    client.post(IMPORT_URL, {"file": SimpleUploadedFile("notices.csv", content)})
    client.logout()
    client.force_login(staff_user("autre", role=roles.DOCUMENTALIST))
    client.post(IMPORT_URL, {"sha256": hashlib.sha256(content).hexdigest()})
    assert not Document.objects.exists()


def test_template_download(client):
    client.force_login(staff_user("doc", role=roles.DOCUMENTALIST))
    response = client.get(reverse("admin:documents_document_import_template"))
    assert response.status_code == 200
    assert response.content == ("\ufeff" + HEADER + "\r\n").encode("utf-8")
    assert response["Content-Disposition"] == 'attachment; filename="villes2-notices.csv"'
