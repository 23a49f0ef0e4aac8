"""Benchmark of the shared search on catalogue records: index build, index size, latency.

Usage (from the repository root, in the virtualenv):

    python bench/bench_search.py                           # SQLite, in a temporary folder
    python bench/bench_search.py --database-url postgres://postgres@127.0.0.1:5432/villes2_bench_search
    python bench/bench_search.py --scales 10000,100000,1000000

It creates a fresh database (a temporary SQLite file, or the named PostgreSQL database,
dropped and created again), migrates, loads the reference data (territories, thesaurus),
then for each scale, smallest first, grows the SYNTHETIC catalogue
(`bench/generate_documents.py`: deterministic French records, benchmark only) to that
many records, times the index build (`villes2.core.search.rebuild(["documents"])`, what
`manage.py rebuild_search_index` runs), reads the index size
(`villes2.core.search.index_size_bytes()`), and measures, single thread, after one warm-up
pass, for 633 deterministic queries of 1–3 French words (with and without accents,
singular and plural, phrases, acronyms that the thesaurus expands, a fifth with a facet
filter), p50 / p95 / max of:

(a) the database work of a search page: `get_backend().search(criteria,
    facets=COUNTED_FACETS, limit=20)`, i.e. kind counts, total, the five counted facets
    and the top 20 (public records only, as for an anonymous visitor);
(b) the whole `run_search(SearchRequest(...))`: parsing with the thesaurus, (a), loading
    the 20 records and cutting the highlighted extracts, labelling the facets;
(c) the raw engine query, the limit: the top 20 by the engine's rank with no filter and no
    count (SQLite `SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH ? ORDER
    BY bm25(…) LIMIT 20`; PostgreSQL the `tsquery` `@@` with `ORDER BY ts_rank(…) DESC
    LIMIT 20`);

and browsing (no query: every public record, newest first, with the facets). On
PostgreSQL the tables are analysed after generation (what autovacuum does); the rebuild
analyses the index tables itself on both engines.
"""

import argparse
import datetime
import os
import random
import statistics
import time

from _setup import code_version, django_setup, p50_p95, timed

QUERY_COUNT = 633
QUERY_SEED = 633

# Single words, with and without accents, singular and plural.
WORDS = [
    "quartiers",
    "quartier",
    "rénovation",
    "renovation",
    "insertion",
    "emploi",
    "emplois",
    "médiation",
    "mediation",
    "habitants",
    "habitant",
    "logement",
    "logements",
    "santé",
    "sante",
    "éducation",
    "education",
    "éducative",
    "discriminations",
    "discrimination",
    "évaluation",
    "evaluation",
    "jeunes",
    "jeunesse",
    "écoles",
    "école",
    "délinquance",
    "delinquance",
    "participation",
    "mixité",
    "mixite",
    "relogement",
    "démolition",
    "chômage",
    "chomage",
    "femmes",
    "familles",
    "parentalité",
    "commerces",
    "transports",
    "mobilité",
    "culture",
    "sportives",
    "associations",
    "bailleurs",
    "copropriétés",
    "décrochage",
    "citoyenneté",
    "tranquillité",
    "immigration",
    "mémoire",
    "précarité",
    "énergétique",
    "diagnostic",
    "indicateurs",
    "recommandations",
    "enquête",
    "monographies",
    "réhabilitation",
    "urbanisme",
    "agglomération",
    "collectivités",
    "intercommunalité",
    "solidarité",
    "vieillissement",
    "sécurité",
    "securite",
]
PAIRS = [
    "rénovation urbaine",
    "renovation urbaine",
    "renouvellement urbain",
    "insertion emploi",
    "insertion professionnelle",
    "médiation sociale",
    "mediation sociale",
    "logement social",
    "logements sociaux",
    "réussite éducative",
    "reussite educative",
    "santé habitants",
    "emploi jeunes",
    "quartiers prioritaires",
    "quartier prioritaire",
    "gestion urbaine",
    "politique ville",
    "contrat ville",
    "cohésion sociale",
    "développement durable",
    "mixité sociale",
    "accès droits",
    "prévention délinquance",
    "participation habitants",
    "discriminations embauche",
    "égalité chances",
    "accompagnement scolaire",
    "économie solidaire",
    "copropriétés dégradées",
    "commerces proximité",
    "grands ensembles",
    "transports commun",
    "évaluation politiques",
    "femmes seules",
    "parcours résidentiels",
    "clauses insertion",
    "conseils citoyens",
    "éducation prioritaire",
    "chômage jeunes",
    "mémoire immigration",
]
TRIPLES = [
    "zone urbaine sensible",
    "zones urbaines sensibles",
    "contrat urbain cohésion",
    "programme rénovation urbaine",
    "gestion urbaine proximité",
    "atelier santé ville",
    "programme réussite éducative",
    "insertion jeunes quartiers",
    "logement social mixité",
    "médiation sociale quartiers",
    "emploi femmes quartiers",
    "évaluation contrat ville",
    "discriminations emploi jeunes",
    "démolition reconstruction logements",
]
PHRASES = [
    '"rénovation urbaine"',
    '"médiation sociale"',
    '"zone urbaine sensible"',
    '"logement social"',
    '"réussite éducative"',
    '"politique de la ville"',
    '"quartiers prioritaires"',
    '"accès aux droits"',
    '"gestion urbaine de proximité"',
    '"économie sociale et solidaire"',
]
ACRONYMS = ["ZUS", "CUCS", "ANRU", "QPV", "ZFU", "PRE", "ASV", "zus", "cucs", "anru"]
PLACES = [
    "Tours",
    "Bourges",
    "Poitiers",
    "Orléans",
    "Orleans",
    "Chartres",
    "Blois",
    "Niort",
    "Angoulême",
    "Châteauroux",
    "Rochelle",
    "Vierzon",
    "Dreux",
    "Châtellerault",
]
YEARS = [str(year) for year in range(1996, 2027)]


def make_queries(theme_slugs: list[str], territory_values: list[str]) -> list[tuple[str, dict]]:
    """633 (text, filters): the same list on every run and every engine."""
    from villes2.documents.models import DocumentType

    rng = random.Random(QUERY_SEED)
    queries = []
    for _ in range(QUERY_COUNT):
        draw = rng.random()
        if draw < 0.34:
            text = rng.choice(WORDS)
        elif draw < 0.58:
            text = rng.choice(PAIRS)
        elif draw < 0.68:
            text = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        elif draw < 0.76:
            text = rng.choice(TRIPLES)
        elif draw < 0.84:
            text = rng.choice(PHRASES)
        elif draw < 0.93:
            text = rng.choice(ACRONYMS)
            if rng.random() < 0.4:
                text += " " + rng.choice(WORDS)
        else:
            text = f"{rng.choice(WORDS)} {rng.choice(PLACES)}"
        filters: dict[str, tuple[str, ...]] = {}
        if rng.random() < 0.2:
            facet = rng.choice(("type", "theme", "territory", "year"))
            if facet == "type":
                filters["type"] = (rng.choice(DocumentType.values),)
            elif facet == "theme" and theme_slugs:
                filters["theme"] = (rng.choice(theme_slugs),)
            elif facet == "territory":
                filters["territory"] = (rng.choice(territory_values),)
            else:
                filters["year"] = (rng.choice(YEARS),)
        queries.append((text, filters))
    return queries


def raw_engine(connection, query) -> tuple[str, list]:
    """The engine alone: top 20 by its rank, no filter, no count."""
    if connection.vendor == "sqlite":
        from villes2.core.search.backends.sqlite import _BM25, match_expression

        return (
            "SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s "  # noqa: S608
            f"ORDER BY bm25(core_search_fts, {_BM25}) LIMIT 20",
            [match_expression(query)],
        )
    from villes2.core.search.backends.postgres import _RANK_WEIGHTS, tsquery

    return (
        "SELECT s.id FROM core_searchentry s, to_tsquery('simple', %s) q WHERE s.vector @@ q "  # noqa: S608
        f"ORDER BY ts_rank('{_RANK_WEIGHTS}', s.vector, q) DESC LIMIT 20",
        [tsquery(query)],
    )


def row(label: str, times: list[float]) -> str:
    p50, p95 = p50_p95(times)
    return f"| {label} | {p50:.1f} | {p95:.1f} | {max(times) * 1000:.1f} | {len(times)} |"


def measure(connection, queries, *, whole: bool, repeat_browse: int) -> dict:
    from villes2.core.search import SearchRequest, run_search
    from villes2.core.search.backends import get_backend
    from villes2.core.search.backends.base import Criteria
    from villes2.core.search.query import parse
    from villes2.core.search.registry import COUNTED_FACETS
    from villes2.core.search.synonyms import expander

    backend = get_backend(connection)
    expand = expander()
    prepared = []
    for text, filters in queries:
        query = parse(text, expand)
        prepared.append((text, filters, query, Criteria(query=query, filters=filters)))

    def page(criteria):
        return backend.search(criteria, facets=COUNTED_FACETS, limit=20)

    def engine(query):
        sql, params = raw_engine(connection, query)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    for _text, _filters, query, criteria in prepared:  # warm-up pass
        page(criteria)
        engine(query)
    results: dict = {"page": [], "whole": [], "engine": [], "totals": []}
    for _text, _filters, _query, criteria in prepared:
        start = time.perf_counter()
        raw = page(criteria)
        results["page"].append(time.perf_counter() - start)
        results["totals"].append(raw.total)
    for text, filters, _query, _criteria in prepared if whole else ():
        request = SearchRequest(q=text, filters=filters)
        start = time.perf_counter()
        run_search(request)
        results["whole"].append(time.perf_counter() - start)
    for _text, _filters, query, _criteria in prepared:
        start = time.perf_counter()
        engine(query)
        results["engine"].append(time.perf_counter() - start)
    browse = Criteria(query=parse("", expand))
    page(browse)
    results["browse"] = timed("browse", lambda: page(browse), repeat_browse)
    results["browse_whole"] = timed("browse", lambda: run_search(SearchRequest()), repeat_browse)
    filtered = Criteria(query=parse("", expand), filters={"territory": ("departement-37",)})
    results["browse_filtered"] = timed("browse", lambda: page(filtered), repeat_browse)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scales", default="10000,100000", help="comma-separated record counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat-browse", type=int, default=20)
    parser.add_argument(
        "--no-whole", action="store_true", help="skip (b), the whole run_search, to save time"
    )
    args = parser.parse_args()
    scales = sorted(int(value) for value in args.scales.split(","))

    engine = django_setup(args.database_url, log_level="WARNING")
    import generate_documents
    from django.core.management import call_command
    from django.db import connection

    from villes2.core.models import SearchEntry, SearchFacet
    from villes2.core.search import index_size_bytes, rebuild
    from villes2.documents.models import Attachment, Document
    from villes2.taxonomy import selectors as taxonomy_selectors

    quiet = open(os.devnull, "w")  # noqa: SIM115
    load = timed("load", lambda: call_command("load_reference_data", stdout=quiet))[0]
    ref = generate_documents.reference()
    scheme = taxonomy_selectors.theme_scheme()
    theme_slugs = sorted(
        {slug for slugs in taxonomy_selectors.theme_slugs_by_concept().values() for slug in slugs}
    )
    territory_values = [f"departement-{code}" for code in generate_documents.DEPARTEMENTS]
    queries = make_queries(theme_slugs, territory_values)
    print(f"\n## {engine}\n")
    print(f"Code: `{code_version()}`, {datetime.datetime.now():%Y-%m-%d %H:%M}.")
    print(
        f"Reference data: {load:.1f} s. Thesaurus: {len(ref.concepts)} concepts "
        f"(themes of `{scheme.slug if scheme else '-'}`: {len(theme_slugs)}); "
        f"{len(ref.communes):,} communes, {len(ref.qpv)} QPV, {len(ref.departements)} "
        f"départements. Queries: {len(queries)}, of which "
        f"{sum(1 for _q, f in queries if f)} with a facet filter."
    )

    generated = 0
    for scale in scales:
        start = time.perf_counter()
        generate_documents.generate(generated, scale, seed=args.seed, ref=ref)
        generation = time.perf_counter() - start
        generated = scale
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        start = time.perf_counter()
        counts = rebuild(["documents"])
        build = time.perf_counter() - start
        size = index_size_bytes()
        label = f"{scale:,} records"
        public = Document.objects.public().count()
        print(f"\n### {label}: data and index\n")
        print(
            "| records | public | with full text | facet rows | generated in | "
            "index build (`rebuild`) | index size |\n|---|---|---|---|---|---|---|"
        )
        print(
            f"| {counts['documents']:,} | {public:,} | "
            f"{Attachment.objects.exclude(text='').count():,} | "
            f"{SearchFacet.objects.count():,} | {generation:.1f} s | {build:.1f} s | "
            f"{size / 1024 / 1024:.1f} MB |"
        )
        assert SearchEntry.objects.count() == scale

        load_before = os.getloadavg()[0]
        results = measure(
            connection, queries, whole=not args.no_whole, repeat_browse=args.repeat_browse
        )
        totals = sorted(results["totals"])
        print(f"\n### {label}: latency, ms, single thread, warm\n")
        print("| measure | p50 | p95 | max | runs |\n|---|---|---|---|---|")
        print(row("(a) database work of a search page: counts + facets + top 20", results["page"]))
        if results["whole"]:
            label_b = "(b) whole `run_search` (records loaded, extracts, labels)"
            print(row(label_b, results["whole"]))
        print(row("(c) raw engine query, top 20 (the limit)", results["engine"]))
        print(row("browse (no query) with facets, (a)", results["browse"]))
        print(row("browse (no query) with facets, whole `run_search`", results["browse_whole"]))
        print(row("browse filtered on a département, (a)", results["browse_filtered"]))
        print(
            f"\nMatches per query (public): median {statistics.median(totals):,.0f}, "
            f"p95 {totals[int(len(totals) * 0.95) - 1]:,}, max {totals[-1]:,}; "
            f"{sum(1 for t in totals if t == 0)} queries find nothing. "
            f"Load average (1 min) before / after: {load_before:.1f} / "
            f"{os.getloadavg()[0]:.1f} (2 cores)."
        )


if __name__ == "__main__":
    main()
