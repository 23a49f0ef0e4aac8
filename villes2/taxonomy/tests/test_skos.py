"""SKOS import and export: round trips in Turtle and RDF/XML, idempotence, and files
refused whole, with French messages, when anything is wrong."""

import io

import pytest
from django.core.management import CommandError, call_command

from villes2.taxonomy import selectors, services
from villes2.taxonomy.models import Concept, ConceptScheme, Label, Mapping

pytestmark = pytest.mark.django_db

BASE = "https://villes2.example.org/thesaurus/"
PREFIXES = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <https://villes2.example.org/thesaurus/themes/> .
@prefix x: <https://villes2.example.org/thesaurus/essai/> .
@prefix s: <https://villes2.example.org/thesaurus/> .
"""
SCHEME = """<https://villes2.example.org/thesaurus/essai> a skos:ConceptScheme ;
    skos:prefLabel "Schéma d'essai"@fr .
"""


def _snapshot() -> dict:
    """Everything the thesaurus holds, keyed by URIs (ids differ after a re-import)."""
    schemes = {
        s.uri: (s.slug, s.title_fr, s.title_en, s.description, s.source, s.is_theme_scheme, s.order)
        for s in ConceptScheme.objects.all()
    }
    concepts = {}
    for c in Concept.objects.select_related("scheme").prefetch_related(
        "labels", "broader", "related", "mappings__target"
    ):
        concepts[c.uri] = {
            "fields": (
                c.scheme.uri,
                c.slug,
                c.notation,
                c.pref_label_fr,
                c.pref_label_en,
                c.scope_note_fr,
                c.scope_note_en,
                c.definition_fr,
                c.deprecated,
                c.search_text,
            ),
            "labels": sorted((lb.text, lb.language, lb.kind) for lb in c.labels.all()),
            "broader": sorted(b.uri for b in c.broader.all()),
            "related": sorted(r.uri for r in c.related.all()),
            "mappings": sorted((m.target.uri, m.relation) for m in c.mappings.all()),
        }
    return {"schemes": schemes, "concepts": concepts}


def _empty_thesaurus():
    Mapping.objects.all().delete()
    Concept.objects.all().delete()
    ConceptScheme.objects.all().delete()


def _import(text: str, **kwargs):
    return services.skos_import(text.encode(), "turtle", **kwargs)


@pytest.mark.parametrize("file_format", ["turtle", "xml"])
def test_round_trip_into_an_empty_thesaurus(reference_data, file_format):
    concept = Concept.objects.get(slug="mediation-sociale")
    concept.deprecated = True
    concept.definition_fr = "Définition d'essai, avec « guillemets » & esperluette."
    concept.scope_note_en = "An English scope note."
    concept.notation = "M-1"
    concept.save()
    concept.labels.create(text="mediation", language="en", kind="hidden")
    before = _snapshot()
    exported = selectors.skos_export(file_format=file_format)

    _empty_thesaurus()
    report = services.skos_import(exported.encode(), file_format)

    assert report.errors == []
    assert report.warnings == []
    assert report.counts.counts["concepts"]["created"] == len(before["concepts"])
    assert _snapshot() == before
    # And again: nothing to do.
    again = services.skos_import(exported.encode(), file_format)
    assert again.changed is False
    assert again.summary()[-1] == "Aucun changement : le thésaurus était déjà à jour."


def test_one_scheme_export_and_downloaded_turtle_names_the_acronyms(reference_data):
    turtle = selectors.skos_export(scheme=ConceptScheme.objects.get(slug="eukn"))
    assert "Security and crime prevention" in turtle
    assert "themes/sante" not in turtle
    themes = selectors.skos_export(scheme=selectors.theme_scheme())
    assert 'v2:acronym "ZUS"@fr' in themes
    assert "skos:closeMatch <https://villes2.example.org/thesaurus/eukn/housing>" in themes


def test_import_creates_updates_and_reports(reference_data):
    text = (
        PREFIXES
        + SCHEME
        + """
x:a a skos:Concept ; skos:inScheme s:essai ;
    skos:prefLabel "concept A"@fr, "concept A (en)"@en ; skos:altLabel "alpha"@fr, "Alpha"@de ;
    skos:closeMatch t:sante .
x:b a skos:Concept ; skos:inScheme s:essai ;
    skos:prefLabel "concept B"@fr ; skos:broader x:a ; skos:related x:a ;
    skos:exactMatch <http://eurovoc.europa.eu/100> .
"""
    )
    dry = _import(text, dry_run=True)
    assert dry.errors == []
    assert dry.summary()[0] == "Simulation : rien n'a été enregistré."
    assert not Concept.objects.filter(uri=f"{BASE}essai/a").exists()

    report = _import(text)
    assert report.counts.counts["concepts"]["created"] == 2
    # A German label and a mapping to a concept outside the thesaurus are skipped, said.
    assert len(report.warnings) == 2
    assert "langue « de »" in report.warnings[0]
    assert "<http://eurovoc.europa.eu/100> ignorée" in report.warnings[1]
    b = Concept.objects.get(uri=f"{BASE}essai/b")
    assert b.slug == "b" and b.scheme.slug == "essai"
    assert [c.slug for c in b.broader.all()] == ["a"]
    assert [c.slug for c in b.related.all()] == ["a"]
    a = Concept.objects.get(uri=f"{BASE}essai/a")
    assert a.search_text == "concept a | concept a en | alpha"
    assert [(m.target.slug, m.relation) for m in a.mappings.all()] == [("sante", "closeMatch")]

    changed = _import(text.replace('"concept B"@fr', '"concept Bé"@fr'))
    assert changed.counts.counts["concepts"]["updated"] == 1
    b.refresh_from_db()
    assert (b.pref_label_fr, b.version) == ("concept Bé", 2)


BAD_FILES = {
    "malformed": (
        PREFIXES + 'x:a a skos:Concept ; skos:prefLabel "oops"@fr',
        "Fichier Turtle illisible",
    ),
    "unknown scheme": (
        PREFIXES + 'x:a a skos:Concept ; skos:inScheme s:nulle ; skos:prefLabel "a"@fr .',
        "schéma inconnu <https://villes2.example.org/thesaurus/nulle>",
    ),
    "missing label": (
        PREFIXES
        + SCHEME
        + 'x:a a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "only English"@en .',
        "libellé préféré en français (skos:prefLabel) manquant",
    ),
    "cycle": (
        PREFIXES
        + SCHEME
        + """
x:a a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "a"@fr ; skos:broader x:c .
x:b a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "b"@fr ; skos:broader x:a .
x:c a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "c"@fr ; skos:broader x:b .
""",
        "Cycle de concepts plus larges : <https://villes2.example.org/thesaurus/essai/a> → "
        "<https://villes2.example.org/thesaurus/essai/c> → "
        "<https://villes2.example.org/thesaurus/essai/b> → "
        "<https://villes2.example.org/thesaurus/essai/a>.",
    ),
    "duplicate label": (
        PREFIXES
        + SCHEME
        + """
x:a a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "même"@fr .
x:b a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "même"@fr .
""",
        "libellé préféré « même » en double",
    ),
    "unknown broader": (
        PREFIXES
        + SCHEME
        + 'x:a a skos:Concept ; skos:inScheme s:essai ; skos:prefLabel "a"@fr ;\n'
        + "    skos:broader x:nulle .",
        "concept plus large inconnu <https://villes2.example.org/thesaurus/essai/nulle>",
    ),
    "label taken in the database": (
        PREFIXES + 'x:a a skos:Concept ; skos:inScheme s:themes ; skos:prefLabel "Santé"@fr .',
        "double avec <https://villes2.example.org/thesaurus/themes/sante>",
    ),
    "cycle through the database": (
        PREFIXES
        + 't:sante skos:inScheme s:themes ; skos:prefLabel "Santé"@fr ;\n'
        + "    skos:broader t:atelier-sante-ville .",
        "Cycle de concepts plus larges",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_whole(reference_data, case):
    text, message = BAD_FILES[case]
    # A valid concept in the same file is not written either.
    text += '\nx:valide a skos:Concept ; skos:inScheme s:themes ; skos:prefLabel "valide"@fr .\n'
    before = _snapshot()
    report = _import(text)
    assert report.ok is False
    assert any(message in error for error in report.errors), report.errors
    assert report.summary()[0].startswith("Import refusé, thésaurus inchangé")
    assert _snapshot() == before


def test_problems_name_their_line(reference_data):
    text = PREFIXES + SCHEME + "\nx:a a skos:Concept ;\n    skos:inScheme s:essai .\n"
    report = _import(text)
    assert report.errors == [
        "Concept <https://villes2.example.org/thesaurus/essai/a> (ligne 8) : "
        "libellé préféré en français (skos:prefLabel) manquant."
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <skos:Concept rdf:about="https://villes2.example.org/thesaurus/themes/lol">
    <skos:inScheme rdf:resource="https://villes2.example.org/thesaurus/themes"/>
    <skos:prefLabel xml:lang="fr">&lol9;</skos:prefLabel>
  </skos:Concept>
</rdf:RDF>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <skos:Concept rdf:about="https://villes2.example.org/thesaurus/themes/xxe">
    <skos:inScheme rdf:resource="https://villes2.example.org/thesaurus/themes"/>
    <skos:prefLabel xml:lang="fr">&xxe;</skos:prefLabel>
  </skos:Concept>
</rdf:RDF>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_xml_entities_are_refused(reference_data, data):
    report = services.skos_import(data, "xml")
    assert report.errors == [
        "Fichier RDF/XML refusé : il contient une déclaration DOCTYPE ou ENTITY, interdite "
        "pour des raisons de sécurité."
    ]
    assert not Concept.objects.filter(slug__in=["lol", "xxe"]).exists()


def test_malformed_xml_names_the_line(reference_data):
    report = services.skos_import(b'<?xml version="1.0"?>\n<rdf:RDF>\n<oops>\n', "xml")
    assert report.errors == ["Fichier RDF/XML mal formé, ligne 2, colonne 0."]


def test_too_big_files_are_refused_before_parsing(reference_data, settings):
    settings.THESAURUS_IMPORT_MAX_BYTES = 100
    report = _import(PREFIXES + SCHEME)
    assert report.errors == [
        f"Fichier trop volumineux : {len((PREFIXES + SCHEME).encode())} octets, 100 au plus."
    ]
    assert not ConceptScheme.objects.filter(slug="essai").exists()


def test_commands(reference_data, tmp_path):
    out = io.StringIO()
    call_command("export_thesaurus", "--scheme", "eukn", "--format", "xml", stdout=out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="utf-8"?>')
    path = tmp_path / "eukn.rdf"
    path.write_text(out.getvalue())
    out = io.StringIO()
    call_command("import_thesaurus", str(path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Simulation : rien n'a été enregistré.",
        "schémas : 1 inchangés",
        "concepts : 6 inchangés",
        "Aucun changement : le thésaurus était déjà à jour.",
    ]
    bad = tmp_path / "bad.ttl"
    bad.write_text("nonsense")
    with pytest.raises(CommandError, match="Fichier Turtle illisible"):
        call_command("import_thesaurus", str(bad))
    with pytest.raises(CommandError, match="Schéma inconnu « nul »"):
        call_command("export_thesaurus", "--scheme", "nul")
    assert Label.objects.filter(text="ZUS").count() == 1
