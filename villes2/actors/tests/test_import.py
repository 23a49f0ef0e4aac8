"""CSV and XLSX import of the directory: every bad line reported, nothing written then,
the same file twice changes nothing, hostile files refused cleanly."""

import codecs
import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from villes2.actors import selectors, services
from villes2.actors.columns import ORGANISATION_COLUMNS, PERSON_COLUMNS, headers
from villes2.actors.models import (
    Consent,
    ErasedIdentity,
    Erasure,
    ImportRun,
    Membership,
    Organisation,
    Person,
)
from villes2.actors.services import directory_import
from villes2.actors.services import imports as imports_module

from .factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ORG = "organisations"
PERSONS = "personnes"
SIREN_A, SIREN_B, SIREN_C = "213702616", "130005481", "775661234"
ORG_HEADER = headers(ORGANISATION_COLUMNS)
PERSON_HEADER = ["prenom", "nom", "fonction", "courriel", "telephone", "organisation", "role"]


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(kind, file_name, content, **kwargs):
    return directory_import(kind=kind, file_name=file_name, content=content, **kwargs)


def where(report) -> list[tuple]:
    """(line, column) of each error, in report order."""
    return [(problem.line, problem.column) for problem in report.errors]


def organisation(**kwargs) -> Organisation:
    """An organisation as the admin leaves it: with its normalised name."""
    created = OrganisationFactory(**kwargs)
    services.organisation_search_text_refresh(organisation=created)
    return created


def person_in(org: Organisation, **kwargs) -> Person:
    return MembershipFactory(person=PersonFactory(**kwargs), organisation=org).person


def history_counts() -> tuple[int, int, int]:
    return (
        Organisation.history.count(),
        Person.history.count(),
        Membership.history.count(),
    )


def table_counts() -> tuple:
    """Rows of every table an import writes (the founding data may be loaded already)."""
    return (
        Organisation.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        ImportRun.objects.count(),
        history_counts(),
    )


# --- Good files -------------------------------------------------------------------------


def test_good_csv_of_organisations(territories, django_user_model):
    user = django_user_model.objects.create_user("importer", password="x", is_staff=True)
    city = organisation(name="Ville de test", slug="ville-de-test", kind="collectivite")
    before = Organisation.objects.count()
    content = csv_bytes(
        [
            ORG_HEADER,
            [
                "",
                "Association Quartiers Nord",
                "AQN",
                "association",
                "213 702 616",
                "ville-de-test",
                "www.aqn.example.org",
                "1 rue de la Paix, 37000 Tours",
                "commune:37261|departement:37",
                "oui",
                "",
            ],
            # Kind by its French label; parent by the SIREN of an earlier line; an old
            # commune code resolved to the current commune.
            [
                "",
                "Antenne nord",
                "",
                "Bureau d'études",
                "",
                SIREN_A,
                "",
                "",
                "commune:01003",
                "non",
                "Annuaire 2025",
            ],
        ],
        bom=True,
    )
    report = run(ORG, "organisations.csv", content, user=user)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged, report.rows) == (2, 0, 0, 2)
    assert Organisation.objects.count() == before + 2

    aqn = Organisation.objects.get(slug="association-quartiers-nord")
    assert (aqn.kind, aqn.acronym, aqn.siren, aqn.parent) == ("association", "AQN", SIREN_A, city)
    assert aqn.website == "https://www.aqn.example.org"
    assert aqn.is_partner is True
    assert sorted(aqn.territories.values_list("kind", "code")) == [
        ("commune", "37261"),
        ("departement", "37"),
    ]
    today = timezone.localdate().strftime("%d/%m/%Y")
    imported = f"Import du {today} (fichier {report.sha256[:8]})"
    assert aqn.source == imported
    assert "association quartiers nord aqn ville de test" in aqn.search_text
    record = aqn.history.get()
    assert (record.history_user, record.history_change_reason) == (user, imported)

    antenna = Organisation.objects.get(slug="antenne-nord")
    assert (antenna.kind, antenna.parent, antenna.source) == ("bureau-etudes", aqn, "Annuaire 2025")
    assert list(antenna.territories.values_list("code", flat=True)) == ["01165"]

    run_record = ImportRun.objects.get()
    assert (run_record.kind, run_record.sha256, run_record.imported_by) == (
        ORG,
        report.sha256,
        user,
    )
    assert (run_record.created, run_record.updated, run_record.unchanged) == (2, 0, 0)
    assert report.run == run_record


def test_good_xlsx_of_persons_who_get_no_consent():
    niort = organisation(name="Ville de Testville", slug="ville-de-testville", siren=SIREN_B)
    content = xlsx_bytes(
        [
            # Column order is free; headers match without case or accents.
            [
                "Prénom",
                "NOM",
                "Fonction",
                "Courriel",
                "Téléphone",
                "organisation",
                "rôle",
                "informe_le",
                "source",
            ],
            [
                "Claire",
                "Martin",
                "Cheffe de projet",
                "claire.martin@example.org",
                247000000,
                "ville-de-testville",
                "Cheffe de projet politique de la ville",
                datetime.datetime(2025, 3, 1),
                "",
            ],
            # Organisation by SIREN; role taken from the job title.
            ["Paul", "Durand", "Adjoint au maire", "", "", SIREN_B, "", "", "Site de la ville"],
        ]
    )
    report = run(PERSONS, "personnes.xlsx", content)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)

    claire = Person.objects.get(slug="claire-martin")
    assert (claire.phone, claire.email, claire.informed_on) == (
        "0247000000",
        "claire.martin@example.org",
        datetime.date(2025, 3, 1),
    )
    assert list(claire.memberships.values_list("organisation", "role")) == [
        (niort.pk, "Cheffe de projet politique de la ville")
    ]
    paul = Person.objects.get(slug="paul-durand")
    assert list(paul.memberships.values_list("role", flat=True)) == ["Adjoint au maire"]
    assert paul.source == "Site de la ville"
    assert "ville de testville" in paul.search_text and paul.sort_name == "durand paul"
    # Private by default: no consent, and Paul is on the "not yet informed" list.
    assert not Consent.objects.filter(person__in=[claire, paul]).exists()
    not_informed = selectors.persons_not_informed()
    assert paul in not_informed and claire not in not_informed


def test_semicolons_and_windows_1252_as_french_excel_writes():
    org = organisation(name="Œuvre sociale", slug="oeuvre-sociale")
    content = csv_bytes(
        [
            ["PRÉNOM", "Nom", "Fonction", "Organisation", "Rôle"],
            ["Hélène", "Lefèvre", "Déléguée du préfet", "oeuvre-sociale", "Déléguée"],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    report = run(PERSONS, "personnes.csv", content)
    assert report.errors == []
    helene = Person.objects.get(source__endswith=f"(fichier {report.sha256[:8]})")
    assert (helene.first_name, helene.last_name, helene.job_title) == (
        "Hélène",
        "Lefèvre",
        "Déléguée du préfet",
    )
    assert helene.slug == "helene-lefevre"
    assert helene.memberships.get().organisation == org


# --- Bad lines: all reported, nothing written --------------------------------------------


def test_every_bad_line_is_reported_with_its_column_and_nothing_is_written():
    organisation(name="Existante", slug="existante")
    before = table_counts()
    content = csv_bytes(
        [
            ORG_HEADER,
            ["", "Bonne association", "", "association", "", "", "", "", "", "", ""],
            ["", "SIREN faux", "", "association", "123456789", "", "", "", "", "", ""],
            ["", "Type inconnu", "", "mairie", "", "", "", "", "", "", ""],
            ["", "", "", "association", "", "", "", "", "", "", ""],
            ["", "Site faux", "", "association", "", "", "http://", "", "", "peut-être", ""],
            ["", "Parent inconnu", "", "association", "", "nulle-part", "", "", "", "", ""],
            ["introuvable", "Identifiant faux", "", "association", "", "", "", "", "", "", ""],
            ["", "Autre bonne", "", "reseau", SIREN_C, "", "", "", "", "", ""],
        ]
    )
    report = run(ORG, "organisations.csv", content)
    assert where(report) == [
        (3, "siren"),
        (4, "type"),
        (5, "nom"),
        (6, "partenaire"),
        (6, "site_web"),
        (7, "organisation_parente"),
        (8, "identifiant"),
    ]
    with translation.override("fr"):
        assert str(report.errors[0]) == (
            "Ligne 3, colonne « siren » : Ce numéro SIREN n'est pas valide (clé de contrôle)."
        )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert table_counts() == before


def test_line_numbers_count_physical_lines_of_quoted_multi_line_cells():
    content = (
        "prenom,nom,adresse,courriel\r\n"
        'Anne,Leroy,"1 rue A\r\n37000 Tours",anne@example.org\r\n'
        'Bob,Petit,"2 rue B\r\n\r\n79000 Niort",pas-un-courriel\r\n'
        "\r\n"
        "Chloé,,x,\r\n"
    ).encode()
    before = table_counts()
    report = run(PERSONS, "personnes.csv", content)
    assert where(report) == [(4, "courriel"), (8, "nom")]
    assert table_counts() == before


def test_line_numbers_of_an_xlsx_are_its_row_numbers():
    content = xlsx_bytes(
        [[], ["prenom", "nom", "courriel"], ["Anne", "Leroy", ""], [], ["Bob", "", "x@y"]]
    )
    report = run(PERSONS, "personnes.xlsx", content)
    assert where(report) == [(5, "nom"), (5, "courriel")]  # "x@y" has no domain


def test_names_without_letters_or_digits_are_refused():
    """A name that is empty once punctuation is ignored matches nothing: every re-import
    of the file would create the entry again."""
    organisation(name="Mairie", slug="mairie")
    before = table_counts()
    organisations = csv_bytes(
        [
            ["nom", "type"],
            ["...", "association"],
            ["—", "association"],
            ["Régie²", "association"],
        ]
    )
    with translation.override("fr"):
        report = run(ORG, "o.csv", organisations)
        messages = [str(problem) for problem in report.errors]
    assert where(report) == [(2, "nom"), (3, "nom")]
    assert messages[0] == (
        "Ligne 2, colonne « nom » : Le nom doit contenir des lettres ou des chiffres."
    )
    persons = csv_bytes(
        [
            ["prenom", "nom", "courriel", "organisation", "role"],
            ["—", "Martin", "", "mairie", "Adjointe"],
            ["Anne", "...", "pas-un-courriel", "mairie", "Adjointe"],
            ["-", "' ’", "", "", ""],
            ["Anne", "Leroy", "", "mairie", "Adjointe"],
        ]
    )
    report = run(PERSONS, "p.csv", persons)
    assert where(report) == [(2, "prenom"), (3, "nom"), (3, "courriel"), (4, "prenom"), (4, "nom")]
    assert table_counts() == before


def test_control_characters_are_refused_but_line_breaks_in_an_address():
    organisation(name="Mairie", slug="mairie")
    before = table_counts()
    header = "prenom nom fonction courriel telephone adresse organisation role source"
    content = csv_bytes(
        [
            header.split(),
            ["Anne", "Le\nroy", "", "", "", "", "mairie", "Adjointe", ""],  # lines 2-3
            ["Bob", "Petit", "Chef\tde projet", "", "", "", "mairie", "Adjoint", ""],
            ["Chloé", "Durand", "", "c\x1b@example.org", "", "", "", "", ""],
            # An address may span lines (6-7); a role may not, in any Unicode spelling.
            ["Dan", "Roux", "", "", "", "1 rue A\r\n37000 Tours", "mairie", "Chargé\u2028RU", ""],
            ["Eve", "Blanc", "", "", "", "1 rue\x0bB", "", "", "Annuaire\x85 2025"],
            ["Fay", "Noir", "", "", "05 49\t00 00 00", "", "", "", ""],
            ["Gil", "Vert", "", "", "", "2 rue C\n79000 Niort", "mairie", "Adjoint", ""],
        ]
    )
    with translation.override("fr"):
        report = run(PERSONS, "p.csv", content)
        messages = [str(problem) for problem in report.errors]
    assert where(report) == [
        (2, "nom"),
        (4, "fonction"),
        (5, "courriel"),
        (6, "role"),
        (8, "adresse"),
        (8, "source"),
        (9, "telephone"),
    ]
    assert messages[0] == (
        "Ligne 2, colonne « nom » : La colonne « nom » doit tenir sur une seule ligne : "
        "retirez le retour à la ligne, la tabulation ou l'autre caractère de contrôle."
    )
    assert messages[4] == (
        "Ligne 8, colonne « adresse » : La colonne « adresse » peut contenir des retours à "
        "la ligne, mais aucun autre caractère de contrôle (tabulation…) : retirez-le."
    )
    assert table_counts() == before

    organisations = xlsx_bytes(
        [
            ["nom", "sigle", "type", "siren", "adresse"],
            ["Régie\nde quartier", "", "association", "", ""],  # Alt+Entrée in Excel
            ["Centre social", "C\tS", "association", "", ""],
            ["Maison", "", "association", "213\t702616", "1 place X\n37000 Tours"],
        ]
    )
    report = run(ORG, "o.xlsx", organisations)
    assert where(report) == [(2, "nom"), (3, "sigle"), (4, "siren")]
    assert table_counts() == before

    good = csv_bytes([["prenom", "nom", "adresse"], ["Gil", "Vert", "2 rue C\n79000 Niort"]])
    assert run(PERSONS, "p.csv", good).errors == []
    assert Person.objects.get(slug="gil-vert").address == "2 rue C\n79000 Niort"


def test_unknown_repeated_and_missing_columns_are_named():
    content = csv_bytes([["prenom", "Nom de famille", "Téléphone", "âge", "prénom"], ["A"] * 5])
    with translation.override("fr"):
        report = run(PERSONS, "personnes.csv", content)
        messages = [str(problem) for problem in report.errors]
    assert messages == [
        "Ligne 1 : Colonnes inconnues : Nom de famille, âge. Les colonnes possibles sont : "
        "identifiant, prenom, nom, fonction, courriel, telephone, adresse, organisation, "
        "role, territoires, informe_le, source.",
        "Ligne 1 : Colonnes en double : prénom.",
        "Ligne 1 : Colonnes obligatoires absentes : nom.",
    ]


def test_a_value_in_a_column_without_header_is_an_error():
    content = csv_bytes([["prenom", "nom", ""], ["Anne", "Leroy", "oubliée"]])
    before = table_counts()
    report = run(PERSONS, "personnes.csv", content)
    assert where(report) == [(2, "")]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("file_name", "content", "words"),
    [
        ("vide.csv", b"", "vide"),
        ("blancs.csv", b"  \r\n\r\n", "vide"),
        ("entete.csv", b"prenom,nom\r\n", "aucune entr"),
        ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        ("binaire.csv", bytes(range(256)) * 4, "texte"),
        ("unicode.csv", "prenom\tnom\r\n".encode("utf-16"), "UTF-16"),
        ("vieux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "XLSX"),
        ("notes.txt", b"prenom,nom\nA,B\n", "CSV"),
        ("classeur.csv", xlsx_bytes([["prenom", "nom"]]), ".xlsx"),
        ("invalide.csv", b"prenom,nom\r\nA,B\r\n" + b"\x81\x8d\r\n", "UTF-8"),
        ("guillemet.csv", b'prenom,nom\r\nA,"B\r\nC,D\r\n', "guillemet"),
        ("immense.csv", b'prenom,nom\r\nA,"' + b"x" * 200_000 + b'"\r\n', "trop longue"),
    ],
)
def test_hostile_or_wrong_files_give_one_french_error_and_write_nothing(file_name, content, words):
    before = table_counts()
    with translation.override("fr"):
        report = run(PERSONS, file_name, content)
        message = str(report.errors[0])
    assert len(report.errors) == 1
    assert words in message
    assert table_counts() == before


def test_a_huge_cell_in_an_xlsx_is_reported_on_its_line():
    content = xlsx_bytes([["prenom", "nom", "adresse"], ["Anne", "Leroy", "x" * 6000]])
    report = run(PERSONS, "personnes.xlsx", content)
    assert where(report) == [(2, "adresse")]


# --- Limits -----------------------------------------------------------------------------


def test_size_cap_is_checked_before_parsing(settings, monkeypatch):
    settings.DIRECTORY_IMPORT_MAX_BYTES = 1_048_576
    monkeypatch.setattr(imports_module, "_read_csv", _must_not_be_called)
    content = b"prenom,nom\r\n" + b"Anne,Leroy\r\n" * 131_072  # 1,5 MB
    with translation.override("fr"):
        report = run(PERSONS, "personnes.csv", content)
        assert [str(problem) for problem in report.errors] == [
            "Le fichier est trop volumineux (1,5 Mo) ; la limite est de 1,0 Mo : découpez-le."
        ]


def test_row_cap(monkeypatch):
    monkeypatch.setattr(imports_module, "MAX_ROWS", 3)
    report = run(PERSONS, "personnes.csv", csv_bytes([["prenom", "nom"]] + [["A", "B"]] * 4))
    assert where(report) == [(None, "")]
    report = run(PERSONS, "personnes.xlsx", xlsx_bytes([["prenom", "nom"]] + [["A", "B"]] * 4))
    assert where(report) == [(None, "")]


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("parsed although refused")


def _zip(members: dict[str, int]) -> bytes:
    """A zip whose members are that many zero bytes each: they deflate about 1 000×."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _chunk in range(size // 1_048_576):
                    member.write(bytes(1_048_576))
                member.write(bytes(size % 1_048_576))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "members",
    [
        # More than 50 MB once inflated, from a file of about 60 kB.
        {"[Content_Types].xml": 100, "xl/worksheets/sheet1.xml": 60 * 1_048_576},
        # Under the total, but a ratio no workbook has.
        {"[Content_Types].xml": 100, "xl/sharedStrings.xml": 4 * 1_048_576},
    ],
)
def test_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch, members):
    content = _zip(members)
    assert len(content) < 100_000
    monkeypatch.setattr(imports_module.openpyxl, "load_workbook", _must_not_be_called)
    with translation.override("fr"):
        report = run(PERSONS, "bombe.xlsx", content)
        assert len(report.errors) == 1
        assert "trop de place une fois décompressé" in report.errors[0].message


def test_not_a_zip_and_encrypted_members_are_refused(monkeypatch):
    monkeypatch.setattr(imports_module.openpyxl, "load_workbook", _must_not_be_called)
    encrypted = bytearray(xlsx_bytes([["prenom", "nom"], ["A", "B"]]))
    start = encrypted.find(b"PK\x01\x02")  # first central directory entry: flag bits at +8
    encrypted[start + 8] |= 0x1
    for content in (b"prenom,nom\r\nA,B\r\n", bytes(encrypted)):
        with translation.override("fr"):
            report = run(PERSONS, "personnes.xlsx", content)
        assert len(report.errors) == 1
        assert "n'est pas un classeur XLSX" in report.errors[0].message


def test_a_broken_workbook_is_refused_cleanly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
    report = run(PERSONS, "personnes.xlsx", buffer.getvalue())
    assert where(report) == [(None, "")]


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


# --- Idempotence and matching -----------------------------------------------------------


def test_the_same_file_twice_changes_nothing_the_second_time():
    niort = organisation(name="Ville de Testville", slug="ville-de-testville", siren=SIREN_B)
    content = csv_bytes(
        [
            [*PERSON_HEADER, "informe_le"],
            [
                "Claire",
                "Martin",
                "Cheffe",
                "Claire.Martin@example.org",
                "",
                SIREN_B,
                "Cheffe",
                "01/02/2025",
            ],
            # No e-mail: matched again by the same name in the same organisation.
            ["Paul", "Durand", "Adjoint", "", "05 49 00 00 00", "ville-de-testville", "Adjoint"],
            # Another role of Claire, on a second line: the same person.
            ["Claire", "Martin", "", "claire.martin@example.org", "", "", "", ""],
            ["Sans", "Organisation", "", "", "", "", "", ""],
        ]
    )
    first = run(PERSONS, "personnes.csv", content)
    assert first.errors == []
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert niort.memberships.count() == 2
    counts = (Person.objects.count(), Membership.objects.count(), history_counts())

    second = run(PERSONS, "personnes.csv", content)
    assert second.errors == []
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert counts == (Person.objects.count(), Membership.objects.count(), history_counts())
    assert ImportRun.objects.count() == 2
    with translation.override("fr"):
        assert second.already_imported.startswith("Ce fichier a déjà été importé le ")
    assert first.already_imported == ""


def test_a_staff_export_imports_back_unchanged():
    """The export's format (docs/actors.md, "Staff exports"): every column, `;` and a BOM,
    one row per role, a `'` before what a spreadsheet could run."""
    mairie = organisation(name="Mairie", slug="mairie", siren=SIREN_A)
    regie = organisation(name="Régie", slug="regie", parent=mairie, is_partner=True)
    claire = person_in(mairie, first_name="Claire", last_name="Martin", phone="+33 2 47 00 00 00")
    MembershipFactory(person=claire, organisation=regie, role="Présidente")
    Person.objects.filter(pk=claire.pk).update(informed_on=datetime.date(2025, 1, 31))
    loner = PersonFactory(first_name="Sans", last_name="Rôle", source="")
    before = table_counts()
    source = mairie.source
    organisations = [
        ORG_HEADER,
        ["mairie", "Mairie", "", "association", SIREN_A, "", "", "", "", "non", source],
        ["regie", "Régie", "", "association", "", "mairie", "", "", "", "oui", source],
    ]
    report = run(ORG, "export.csv", csv_bytes(organisations, delimiter=";", bom=True))
    assert (report.errors, report.unchanged) == ([], 2)
    person = [claire.slug, "Claire", "Martin", claire.job_title, "", "'+33 2 47 00 00 00", ""]
    persons = [
        headers(PERSON_COLUMNS),
        [*person, "mairie", "Chargée de mission", "", "31/01/2025", claire.source],
        [*person, "regie", "Présidente", "", "31/01/2025", claire.source],
        [loner.slug, "Sans", "Rôle", loner.job_title, "", "", "", "", "", "", "", ""],
    ]
    report = run(PERSONS, "export.csv", csv_bytes(persons, delimiter=";", bom=True))
    assert (report.errors, report.unchanged) == ([], 2)
    assert table_counts()[:3] == before[:3]
    assert table_counts()[4] == before[4]  # no history row


def test_organisations_file_twice_changes_nothing(territories):
    organisation(name="Ville de test", slug="ville-de-test")
    content = csv_bytes(
        [
            ORG_HEADER,
            [
                "",
                "Maison de quartier",
                "",
                "association",
                SIREN_C,
                "ville-de-test",
                "www.mq.fr",
                "",
                "commune:37261",
                "oui",
                "",
            ],
            ["", "Centre social", "", "association", "", SIREN_C, "", "", "", "", ""],
        ]
    )
    assert run(ORG, "o.csv", content).created == 2
    counts = (Organisation.objects.count(), history_counts())
    second = run(ORG, "o.csv", content)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert counts == (Organisation.objects.count(), history_counts())


def test_an_update_writes_one_history_row_and_a_new_version(django_user_model):
    user = django_user_model.objects.create_user("importer", password="x", is_staff=True)
    org = organisation(name="Centre social", slug="centre-social")
    content = csv_bytes([["nom", "type", "sigle"], ["CENTRE-SOCIAL", "association", "CS"]])
    report = run(ORG, "o.csv", content, user=user)
    assert (report.created, report.updated) == (0, 1)
    org.refresh_from_db()
    assert (org.name, org.acronym, org.version) == ("CENTRE-SOCIAL", "CS", 2)
    record = org.history.first()
    assert (record.history_type, record.history_user) == ("~", user)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert record.history_change_reason == f"Import du {today} (fichier {report.sha256[:8]})"


def test_a_partial_list_erases_nothing_but_a_corrected_export_can():
    org = organisation(name="Mairie", slug="mairie")
    anne = person_in(org, first_name="Anne", last_name="Leroy", phone="02 47 00 00 00")
    partial = csv_bytes(
        [
            ["prenom", "nom", "organisation", "telephone", "fonction"],
            ["Anne", "Leroy", "mairie"],
            [],
        ]
    )
    report = run(PERSONS, "partenaire.csv", partial)
    assert (report.updated, report.unchanged) == (0, 1)
    anne.refresh_from_db()
    assert (anne.phone, anne.job_title) == ("02 47 00 00 00", "Chargée de mission")

    # The line names its entry: an empty cell clears the field.
    export = csv_bytes(
        [["identifiant", "prenom", "nom", "telephone"], [anne.slug, "Anne", "Leroy"]]
    )
    report = run(PERSONS, "export.csv", export)
    assert report.updated == 1
    anne.refresh_from_db()
    assert (anne.phone, anne.job_title) == ("", "Chargée de mission")


def test_match_by_email_ignores_case_and_refuses_someone_else_s_address():
    PersonFactory(first_name="Anne", last_name="Leroy", email="Anne.Leroy@example.org")
    content = csv_bytes(
        [
            ["prenom", "nom", "courriel", "fonction"],
            ["Anne", "Leroy", "anne.leroy@EXAMPLE.org", "Directrice"],
            ["Marc", "Blanc", "anne.leroy@example.org", ""],
        ]
    )
    report = run(PERSONS, "p.csv", content)
    assert where(report) == [(3, "courriel")]
    assert "anne-leroy" in report.errors[0].message


def test_two_matches_are_ambiguous_on_that_line():
    organisation(name="Centre social", slug="centre-social")
    organisation(name="Centre-Social", slug="centre-social-2")
    PersonFactory(email="accueil@example.org", first_name="Anne", last_name="A")
    PersonFactory(email="ACCUEIL@example.org", first_name="Anne", last_name="B")
    report = run(ORG, "o.csv", csv_bytes([["nom", "type"], ["centre  social", "association"]]))
    assert where(report) == [(2, "nom")]
    assert "centre-social, centre-social-2" in report.errors[0].message
    content = csv_bytes([["prenom", "nom", "courriel"], ["Anne", "A", "accueil@example.org"]])
    assert where(run(PERSONS, "p.csv", content)) == [(2, "courriel")]


def test_the_same_organisation_twice_in_a_file_is_an_error():
    content = csv_bytes(
        [["nom", "type", "siren"], ["Régie", "association", SIREN_A], ["Régie", "reseau", ""]]
    )
    before = table_counts()
    report = run(ORG, "o.csv", content)
    assert where(report) == [(3, "")]
    assert table_counts() == before


def test_a_parent_loop_is_refused():
    top = organisation(name="Haut", slug="haut")
    organisation(name="Bas", slug="bas", parent=top)
    content = csv_bytes(
        [["identifiant", "nom", "type", "organisation_parente"], ["haut", "Haut", "reseau", "bas"]]
    )
    assert where(run(ORG, "o.csv", content)) == [(2, "organisation_parente")]


def test_an_entry_changed_during_the_import_is_not_overwritten(monkeypatch):
    org = organisation(name="Centre social", slug="centre-social")
    write = imports_module._OrganisationImporter.write

    def someone_saves_first(importer):
        Organisation.objects.filter(pk=org.pk).update(version=F("version") + 1)
        write(importer)

    monkeypatch.setattr(imports_module._OrganisationImporter, "write", someone_saves_first)
    report = run(ORG, "o.csv", csv_bytes([["nom", "type", "sigle"], ["Centre social", "reseau"]]))
    assert where(report) == [(2, "")]
    org.refresh_from_db()
    assert (org.kind, ImportRun.objects.count()) == ("association", 0)


# --- Duplicates and data protection -----------------------------------------------------


def test_the_file_name_goes_into_no_row_and_no_history(django_user_model):
    """A file named after someone must not carry that name into every row it writes:
    rows and history name the file by its SHA-256; only the import log keeps its name."""
    user = django_user_model.objects.create_user("importer", password="x", is_staff=True)
    org = organisation(name="Mairie", slug="mairie")
    updated = person_in(org, first_name="Anne", last_name="Leroy")
    content = csv_bytes(
        [
            ["prenom", "nom", "fonction", "organisation", "role"],
            ["Claire", "Martin", "Cheffe de projet", "mairie", "Cheffe de projet"],
            ["Anne", "Leroy", "Directrice", "mairie", "Directrice"],
        ]
    )
    report = run(PERSONS, "liste-Zacharie-Delaunay.csv", content, user=user)
    assert (report.errors, report.created, report.updated) == ([], 1, 1)
    today = timezone.localdate().strftime("%d/%m/%Y")
    expected = f"Import du {today} (fichier {report.sha256[:8]})"
    claire = Person.objects.get(slug="claire-martin")
    assert claire.source == expected
    roles = Membership.objects.filter(
        person__in=[claire, updated], role__in=["Cheffe de projet", "Directrice"]
    )
    assert sorted(roles.values_list("source", flat=True)) == [expected, expected]
    reasons = {
        *Person.history.filter(id__in=[claire.pk, updated.pk])
        .exclude(history_change_reason=None)  # the entry made before, by the test
        .values_list("history_change_reason", flat=True),
        *Membership.history.filter(person_id__in=[claire.pk, updated.pk])
        .exclude(history_change_reason=None)
        .values_list("history_change_reason", flat=True),
    }
    assert reasons == {expected}
    assert ImportRun.objects.get(sha256=report.sha256).file_name == "liste-Zacharie-Delaunay.csv"
    # The log of imports finds the run from the identifier of the rows.
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    page = client.get("/gestion/actors/importrun/", {"q": report.sha256[:8]})
    assert list(page.context["cl"].result_list) == [report.run]
    assert report.sha256[:8] in page.content.decode()


def test_a_similar_name_in_the_same_organisation_is_a_warning_not_an_error():
    org = organisation(name="Mairie", slug="mairie")
    existing = person_in(org, first_name="Jean-Michel", last_name="Dupont")
    content = csv_bytes(
        [
            ["prenom", "nom", "organisation", "role"],
            ["Jean Michel", "Dupond", "mairie", "Adjoint"],
            ["Jean-Michel", "Dupont", "mairie", "Adjoint"],  # exact: an update, no warning
        ]
    )
    report = run(PERSONS, "p.csv", content)
    assert report.errors == []
    assert [(w.line, w.column) for w in report.warnings] == [(2, "nom")]
    assert existing.slug in report.warnings[0].message
    assert (report.created, report.updated) == (1, 1)
    assert Person.objects.filter(last_name="Dupond").exists()


@pytest.mark.parametrize("by_email", [True, False])
def test_an_erased_person_cannot_be_imported_again(by_email):
    org = organisation(name="Mairie", slug="mairie")
    erasure = Erasure.objects.create(reason="demande")
    digests = selectors.identity_digests(
        first_name="Jeanne",
        last_name="Secret",
        email="jeanne.secret@example.org" if by_email else "",
        organisation_slugs=["mairie"],
    )
    ErasedIdentity.objects.bulk_create(ErasedIdentity(erasure=erasure, digest=d) for d in digests)
    email = "Jeanne.Secret@example.org" if by_email else ""
    content = csv_bytes(
        [
            ["prenom", "nom", "courriel", "organisation", "role"],
            ["Anne", "Autre", "", "mairie", "Adjointe"],
            ["JEANNE", "Secret", email, "mairie", "Adjointe"],
        ]
    )
    with translation.override("fr"):
        report = run(PERSONS, "p.csv", content)
        message = str(report.errors[0])
    assert where(report) == [(3, "")]
    assert message.startswith("Ligne 3 : Cette personne a été effacée de l'annuaire")
    assert "Jeanne" not in message and "Secret" not in message
    assert not Person.objects.filter(last_name__in=["Autre", "Secret"]).exists()
    assert org.memberships.count() == 0


def test_a_restricted_person_is_not_changed_by_an_import():
    PersonFactory(
        first_name="Anne", last_name="Leroy", email="anne@example.org", processing_restricted=True
    )
    content = csv_bytes(
        [["prenom", "nom", "courriel", "fonction"], ["Anne", "Leroy", "anne@example.org", "X"]]
    )
    assert where(run(PERSONS, "p.csv", content)) == [(2, "")]


# --- Command, translations, properties --------------------------------------------------


def test_command_prints_the_report_and_exits_1_on_errors(tmp_path):
    good = tmp_path / "organisations.csv"
    good.write_bytes(csv_bytes([["nom", "type"], ["Régie de quartier", "association"]]))
    out = io.StringIO()
    with translation.override("fr"):
        call_command("import_directory", ORG, str(good), "--dry-run", stdout=out)
    assert "Simulation : rien n'a été écrit." in out.getvalue()
    assert "Créées : 1, mises à jour : 0, inchangées : 0." in out.getvalue()
    assert not Organisation.objects.filter(name="Régie de quartier").exists()
    call_command("import_directory", ORG, str(good), stdout=io.StringIO())
    assert Organisation.objects.filter(name="Régie de quartier").count() == 1
    before = table_counts()

    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(csv_bytes([["nom", "type"], ["A", "x"], ["B", "association"], ["", "y"]]))
    out = io.StringIO()
    with translation.override("fr"), pytest.raises(CommandError) as raised:
        call_command("import_directory", ORG, str(bad), stdout=out)
    assert raised.value.returncode == 1
    assert "Ligne 2, colonne « type »" in out.getvalue()
    assert "Ligne 4, colonne « nom »" in out.getvalue()
    assert table_counts() == before


def test_every_column_description_has_a_french_translation():
    with translation.override("fr"):
        for column in ORGANISATION_COLUMNS + PERSON_COLUMNS:
            assert services.column_description(column) != column.description, column.header


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.binary(max_size=3000),
    file_name=st.sampled_from(["f.csv", "f.xlsx", "f.CSV", "f", "f.ods"]),
)
def test_arbitrary_bytes_give_a_report_with_errors(db, content, file_name):
    with translation.override("en"):
        report = run(PERSONS, file_name, content)
    assert report.errors
    assert imports_module.UNEXPECTED_ERROR not in {problem.message for problem in report.errors}


_cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40
) | st.sampled_from(
    ["", "oui", "association", "Réseau", SIREN_A, "commune:37261", "29/05/2007", "a@b.fr"]
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from([ORG, PERSONS]),
    file_format=st.sampled_from(["csv", "xlsx"]),
    rows=st.lists(st.lists(_cells, max_size=14), max_size=6),
)
def test_arbitrary_rows_never_raise(db, kind, file_format, rows):
    columns = ORGANISATION_COLUMNS if kind == ORG else PERSON_COLUMNS
    table = [headers(columns), *rows]
    content = csv_bytes(table) if file_format == "csv" else xlsx_bytes(table)
    with translation.override("en"):
        report = run(kind, f"f.{file_format}", content)
    assert imports_module.UNEXPECTED_ERROR not in {problem.message for problem in report.errors}
    if report.ok:
        assert report.created + report.updated + report.unchanged >= 1
        assert report.run is not None


def test_a_line_missing_its_name_still_has_its_other_cells_checked():
    content = csv_bytes(
        [
            ["prenom", "nom", "courriel", "telephone", "organisation"],
            ["Jean", "", "pas-une-adresse", "abc", ""],
            ["Anne", "Durand", "pas-une-adresse", "abc", "inconnue"],
        ]
    )
    report = run(PERSONS, "p.csv", content, dry_run=True)
    assert [(p.line, p.column) for p in report.errors] == [
        (2, "nom"),
        (2, "courriel"),
        (2, "telephone"),
        (3, "organisation"),
        (3, "courriel"),
        (3, "telephone"),
    ]
