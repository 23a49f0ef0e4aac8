"""The reference-data loader: real files, idempotency, and refusal of bad files."""

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from villes2.territories.models import Boundary, DeclaredCount, Territory, TerritoryAlias
from villes2.territories.reference_data import REFERENCE_DIR, read_declared_counts

pytestmark = pytest.mark.django_db


def test_every_kind_is_loaded_with_the_expected_numbers(territories):
    counts = {
        kind: territories.filter(kind=kind).count()
        for kind in (
            "pays",
            "region",
            "ancienne-region",
            "departement",
            "epci",
            "commune",
            "zus",
            "qpv",
        )
    }
    assert counts == {
        "pays": 1,
        "region": 26,
        "ancienne-region": 22,
        "departement": 109,
        "epci": 1255,
        "commune": 34969,
        "zus": 44,
        "qpv": 1493,
    }
    assert Boundary.objects.count() == 13 + 22 + 96 + 3092


def test_hierarchy_and_containment(territories):
    tours = territories.get(kind="commune", code="37261")
    assert {(p.kind, p.code) for p in tours.parents.all()} == {
        ("departement", "37"),
        ("epci", "243700754"),
    }
    assert {(a.kind, a.code) for a in tours.ancestors.all()} == {
        ("departement", "37"),
        ("epci", "243700754"),
        ("region", "24"),
        ("ancienne-region", "24"),
        ("pays", "FR"),
    }
    # France is metropolitan France and the DROM, not the COM.
    france = territories.get(kind="pays", code="FR")
    regions = territories.filter(kind="region")
    assert {r.code for r in regions.filter(parents=france)} == {
        r.code for r in regions if len(r.code) == 2
    }
    assert regions.filter(parents=france).count() == 18
    # Issoudun's EPCI straddles the Cher and the Indre: Issoudun is in the Indre only.
    issoudun_qpv = territories.get(kind="qpv", code="QN03604I")
    departements = issoudun_qpv.ancestors.filter(kind="departement")
    assert [d.code for d in departements] == ["36"]


def test_zones_have_validity_member_communes_and_sources(territories):
    plateau_est = territories.get(kind="zus", code="ZUS-28-05")
    assert plateau_est.name.startswith("Plateau Est")
    assert plateau_est.category == "intercommunale"
    assert sorted(c.code for c in plateau_est.parents.all()) == ["28134", "28332"]
    assert (str(plateau_est.valid_from), str(plateau_est.valid_to)) == ("1997-01-01", "2014-12-31")
    qpv = territories.get(kind="qpv", code="QN03702M")
    assert str(qpv.valid_from) == "2024-01-01" and qpv.valid_to is None
    assert "2023-1314" in qpv.source


def test_populations_come_with_their_source(territories):
    tours = territories.get(kind="commune", code="37261")
    assert tours.population == 139259
    assert "INSEE" in tours.population_source
    departement = territories.get(kind="departement", code="37")
    communes = territories.filter(kind="commune", parents=departement)
    assert departement.population == sum(c.population or 0 for c in communes)
    assert departement.population_source.startswith("Somme des populations communales")
    france = territories.get(kind="pays", code="FR")
    in_france = territories.filter(kind="commune", ancestors=france)
    assert france.population == sum(c.population or 0 for c in in_france)
    assert (
        in_france.count()
        == 34969
        - territories.filter(
            kind="commune", ancestors__kind="region", ancestors__code__regex=r"^9\d\d$"
        ).count()
    )


def test_old_codes_map_to_current_communes(territories):
    alias = TerritoryAlias.objects.get(code="01003", reason="ancien-code")
    assert alias.territory.code == "01165"


def test_second_run_changes_nothing_and_says_so(territories):
    before = territories.count(), TerritoryAlias.objects.count(), Boundary.objects.count()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "Aucun changement" in out.getvalue()
    assert (territories.count(), TerritoryAlias.objects.count(), Boundary.objects.count()) == before


def test_a_changed_name_is_restored_by_the_loader(territories):
    territories.filter(kind="commune", code="37261").update(name="Tours modifiée")
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "territoires : 0 créés, 1 modifiés" in out.getvalue()
    assert territories.get(kind="commune", code="37261").name == "Tours"


@pytest.fixture
def broken_reference(tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def _load_error(reference_dir) -> str:
    with pytest.raises(CommandError) as error:
        call_command("load_reference_data", reference_dir=reference_dir, stdout=io.StringIO())
    return str(error.value)


def test_missing_file_is_named_and_nothing_is_written(broken_reference):
    (broken_reference / "qpv" / "qpv_2024.csv").unlink()
    before = Territory.objects.count()
    message = _load_error(broken_reference)
    assert "qpv/qpv_2024.csv : fichier introuvable" in message
    assert Territory.objects.count() == before


def test_corrupted_lines_are_all_reported_with_their_numbers(broken_reference):
    path = broken_reference / "admin" / "communes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = "pas,assez,de,colonnes\n"  # line 5
    lines[9] = lines[9].replace(lines[9].split(",")[0], "ABCDE", 1)  # line 10: bad code
    path.write_text("".join(lines), encoding="utf-8")
    before = Territory.objects.count()
    message = _load_error(broken_reference)
    assert "admin/communes.csv, ligne 5" in message
    assert "admin/communes.csv, ligne 10 : code code_insee invalide : « ABCDE »" in message
    assert "base inchangée" in message
    assert Territory.objects.count() == before


def test_invalid_utf8_and_truncated_geojson_are_refused(broken_reference):
    path = broken_reference / "admin" / "epci.csv"
    data = path.read_bytes().splitlines(keepends=True)
    data[2] = b"\xff\xfe" + data[2]
    path.write_bytes(b"".join(data))
    geo = broken_reference / "geo" / "regions_avant_2016.geojson"
    geo.write_bytes(geo.read_bytes()[:5000])
    message = _load_error(broken_reference)
    assert "admin/epci.csv, ligne 3 : texte UTF-8 invalide" in message
    assert "geo/regions_avant_2016.geojson, ligne 1 : JSON invalide" in message


def test_failure_after_a_first_load_leaves_the_database_unchanged(territories, broken_reference):
    territories.filter(kind="commune", code="37261").update(name="Tours modifiée")
    (broken_reference / "zus" / "zus_1996_centre_poitou_charentes.csv").write_text(
        "zus_id,departement\nZUS-37-01,37\n", encoding="utf-8"
    )
    message = _load_error(broken_reference)
    assert "colonnes manquantes" in message
    assert territories.get(kind="commune", code="37261").name == "Tours modifiée"


def test_declared_counts_file_matches_the_note_totals():
    totals = {}
    for record in read_declared_counts():
        totals[record.subject] = totals.get(record.subject, 0) + record.count
    assert totals == {
        "zus": 44,
        "pnru": 20,
        "cucs": 24,
        "contrat-agglomeration": 13,
        "contrat-pays": 50,
    }


def test_reloading_keeps_the_staff_decision_on_list_completeness(territories):
    DeclaredCount.objects.filter(subject="cucs").update(list_complete=True)
    call_command("load_reference_data", stdout=io.StringIO())
    assert set(
        DeclaredCount.objects.filter(subject="cucs").values_list("list_complete", flat=True)
    ) == {True}
