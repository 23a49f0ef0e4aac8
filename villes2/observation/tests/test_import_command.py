"""The command `import_indicator_values`: French output, a progress line, a non-zero
exit status and an unchanged database on rejection."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from villes2.observation.models import ImportBatch, ImportStatus, IndicatorValue

from .factories import IndicatorFactory, SourceFactory
from .test_import import HEADER, csv_bytes, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(territories):
    IndicatorFactory(code="logements-test")
    return SourceFactory(code="insee-test")


def command(path, *args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("fr"):
        call_command("import_indicator_values", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file(setup, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                ["commune", "37261", "logements-test", "2023", "1 200"],
                ["commune", "79191", "logements-test", "2023", "nd"],
            ]
        )
    )
    out, err = command(path, "--source", "insee-test", "--geography", "COG 2026")
    lines = out.splitlines()
    assert lines[:2] == [
        "Fichier valeurs.csv.",
        "Lignes lues : 2. Valeurs créées : 1, modifiées : 0, inchangées : 0 ; lignes ignorées "
        "(nd, s) : 1.",
    ]
    assert lines[2:4] == [
        "Remarques :",
        "  Ligne 3, colonne « valeur » : Valeur non disponible (nd) : ligne ignorée.",
    ]
    assert lines[4].startswith("Importé en ")
    assert "2 lignes lues…" in err
    value = IndicatorValue.objects.get(indicator__code="logements-test")
    assert (value.value, value.geography) == (1200, "COG 2026")


def test_a_bad_file_exits_with_an_error_and_writes_nothing(setup, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                ["commune", "37261", "logements-test", "2023", "1 200"],
                ["commune", "99999", "logements-test", "2023", "-3"],
                ["commune", "37261", "logements-test", "2023", "1 300"],
            ]
        )
    )
    before = snapshot()
    out = io.StringIO()
    with pytest.raises(CommandError) as raised, translation.override("fr"):
        call_command(
            "import_indicator_values",
            str(path),
            "--source",
            "insee-test",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert raised.value.returncode == 1
    assert str(raised.value) == "Import refusé (erreurs : 3) : rien n'a été écrit."
    assert out.getvalue().splitlines()[1:] == [
        "Import refusé : 2 lignes fautives sur 3, 3 erreurs ; rien n'a été écrit.",
        "  Ligne 3, colonne « code » : Aucune commune n'a le code « 99999 », ni ne l'avait "
        "avant une fusion (les anciens codes, les communes déléguées et associées, les "
        "arrondissements ont été cherchés).",
        "  Ligne 3, colonne « valeur » : Un effectif ne peut pas être négatif.",
        "  Ligne 4 : Cette ligne répète la ligne 2 (même territoire, même indicateur, même "
        "période) : gardez-en une seule.",
    ]
    assert snapshot() == before
    assert ImportBatch.objects.get().status == ImportStatus.REJECTED


def test_the_size_limit_of_the_command(setup, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_bytes(csv_bytes([HEADER, ["commune", "37261", "logements-test", "2023", "1"]]))
    with pytest.raises(CommandError):
        command(path, "--source", "insee-test", "--max-size", "0.00001")
    assert not IndicatorValue.objects.filter(indicator__code="logements-test").exists()


def test_an_unknown_source_or_file(setup, tmp_path):
    with pytest.raises(CommandError, match="Aucune source n'a le code inconnue"):
        command(tmp_path / "x.csv", "--source", "inconnue")
    with pytest.raises(CommandError, match="Impossible de lire"):
        command(tmp_path / "absent.csv", "--source", "insee-test")
