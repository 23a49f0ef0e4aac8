"""SYNTHETIC catalogue records for the search benchmark (bench/bench_search.py) only.

Nothing here is ever loaded by the application: no migration, command or page imports
this module, and the records it writes exist only in a benchmark's throw-away database.
Each is marked: call number "SYN-…" and the internal note "Données synthétiques
(benchmark)" (neither is indexed, so the marks do not distort the search).

Records are deterministic: record n depends only on (seed, n), so the first 10,000 of a
100,000-record set are the 10,000-record set, and a set can be grown in place. They look
like the centre's catalogue:

- title of 5–15 words, abstract of 80–200 words, built from sentences of French
  urban-policy vocabulary (rénovation urbaine, quartiers, habitants, insertion, emploi,
  médiation sociale, éducation, santé, logement social, discriminations, évaluation,
  CUCS, ZUS, ANRU…), with accents, singulars and plurals, conjugated verbs and the real
  names of the communes the record is about;
- a type (`DocumentType`, reports and studies most often), a year 1996–2026 (more recent
  ones more often), a publication date for 60 %;
- 1–4 descriptors drawn from the real thesaurus (`load_reference_data`), a few concepts
  far more often than others;
- for 70 %, 1–3 territories drawn from the real communes (by population), départements
  and QPV of the ten départements 16, 17, 18, 28, 36, 37, 41, 45, 79, 86 (the others are
  national);
- 1–3 authors (free-text names), a publisher;
- about 10 % drafts and 5 % staff-only records;
- about 8 % with "full text": an attachment row whose extracted `text` is filled (400–2,500
  words) and whose file is a dummy name: no file is written.

Use: `generate(start, stop, seed=...)` after `load_reference_data`; then
`villes2.core.search.rebuild(["documents"])` builds the index.
"""

import random
from dataclasses import dataclass

SOURCE_NOTE = "Données synthétiques (benchmark)"
DEPARTEMENTS = ("16", "17", "18", "28", "36", "37", "41", "45", "79", "86")
BATCH = 2000

# --- Vocabulary -----------------------------------------------------------------------

# Themes of the catalogue: each record is mostly about one (its sentences draw on that
# theme's phrases and findings), sometimes a second, so that words are frequent within a
# theme and rarer across the corpus, as in a real catalogue.
THEMES = {
    "renovation": (
        [
            "la rénovation urbaine",
            "le renouvellement urbain",
            "la démolition et la reconstruction de logements",
            "la résidentialisation des immeubles",
            "la reconstitution de l'offre de logements",
            "le projet de renouvellement urbain",
            "les opérations de réhabilitation",
            "la requalification des espaces publics",
            "le programme national de rénovation urbaine",
            "la diversification de l'habitat",
        ],
        [
            "la démolition de logements a modifié les parcours résidentiels des familles",
            "la reconstitution de l'offre s'est faite en partie hors site",
            "les espaces publics requalifiés sont davantage fréquentés",
            "les chantiers ont duré plus longtemps que prévu dans la convention",
            "la diversification de l'habitat attire peu de propriétaires occupants",
        ],
    ),
    "logement": (
        [
            "le logement social",
            "le relogement des ménages",
            "les copropriétés dégradées",
            "les attributions de logements sociaux",
            "la mixité sociale",
            "la précarité énergétique",
            "la vacance des logements",
            "les parcours résidentiels",
            "l'accès au logement des jeunes",
        ],
        [
            "la mixité sociale progresse lentement malgré les nouvelles constructions",
            "les femmes seules avec enfants sont surreprésentées parmi les ménages relogés",
            "les bailleurs ont engagé la réhabilitation thermique des logements",
            "les copropriétés fragiles concentrent les impayés de charges",
        ],
    ),
    "emploi": (
        [
            "l'insertion professionnelle des jeunes",
            "l'accès à l'emploi des femmes",
            "les clauses d'insertion dans les marchés publics",
            "l'accompagnement des demandeurs d'emploi",
            "la création d'entreprise",
            "les structures d'insertion par l'activité économique",
            "le chômage de longue durée",
            "la formation professionnelle",
            "l'apprentissage",
        ],
        [
            "le taux de chômage reste deux fois plus élevé que dans le reste de l'agglomération",
            "les clauses d'insertion ont permis des milliers d'heures de travail",
            "les jeunes diplômés subissent des discriminations à l'embauche",
            "les créateurs d'entreprise manquent d'accès au crédit bancaire",
        ],
    ),
    "economie": (
        [
            "le développement économique",
            "les commerces de proximité",
            "la zone franche urbaine",
            "l'économie sociale et solidaire",
            "l'implantation d'entreprises",
            "les centres commerciaux de proximité",
            "l'artisanat",
        ],
        [
            "les commerces de proximité ont fermé pendant les travaux",
            "les exonérations fiscales ont attiré surtout des professions libérales",
            "les coopératives d'activité accompagnent des porteurs de projet",
        ],
    ),
    "education": (
        [
            "la réussite éducative",
            "l'accompagnement scolaire",
            "le décrochage scolaire",
            "l'éducation prioritaire",
            "la relation entre les écoles et les familles",
            "l'orientation des collégiens",
            "les dispositifs de veille éducative",
            "la scolarisation des moins de trois ans",
        ],
        [
            "la réussite éducative dépend de la coopération entre les écoles et les familles",
            "les collèges de l'éducation prioritaire concentrent les difficultés scolaires",
            "le nombre de décrocheurs a baissé depuis la création de la plateforme",
            "les parcours individualisés touchent surtout des élèves de primaire",
        ],
    ),
    "sante": (
        [
            "la santé des habitants",
            "l'accès aux soins",
            "la santé mentale",
            "l'atelier santé ville",
            "la prévention des addictions",
            "la nutrition des enfants",
            "les maisons de santé pluriprofessionnelles",
            "le renoncement aux soins",
        ],
        [
            "l'accès aux soins reste inégal selon les territoires",
            "le renoncement aux soins touche un adulte sur quatre",
            "les médecins généralistes sont peu nombreux à s'installer",
            "la souffrance psychique est souvent repérée par les travailleurs sociaux",
        ],
    ),
    "mediation": (
        [
            "la médiation sociale",
            "la tranquillité publique",
            "la prévention de la délinquance",
            "les correspondants de nuit",
            "les adultes-relais",
            "la sécurité dans les transports",
            "la gestion des conflits de voisinage",
        ],
        [
            "les actions de médiation ont réduit les conflits de voisinage",
            "le sentiment d'insécurité ne correspond pas toujours à la délinquance constatée",
            "les médiateurs sont reconnus par les habitants et les commerçants",
            "les incivilités se concentrent aux abords des équipements",
        ],
    ),
    "participation": (
        [
            "la participation des habitants",
            "les conseils citoyens",
            "la démocratie participative",
            "le pouvoir d'agir des habitants",
            "les fonds de participation des habitants",
            "la concertation sur les projets urbains",
            "la vie associative",
        ],
        [
            "la participation des habitants reste limitée aux instances consultatives",
            "les associations jouent un rôle central dans la vie locale",
            "les conseils citoyens peinent à renouveler leurs membres",
        ],
    ),
    "discriminations": (
        [
            "la lutte contre les discriminations",
            "l'égalité des chances",
            "l'égalité entre les femmes et les hommes",
            "les discriminations à l'embauche",
            "l'accès aux droits",
            "l'intégration des populations immigrées",
            "la laïcité",
        ],
        [
            "les candidats issus de l'immigration reçoivent moins de réponses positives",
            "les plans territoriaux de prévention des discriminations restent peu connus",
            "le non-recours aux droits concerne aussi les prestations familiales",
        ],
    ),
    "memoire": (
        [
            "la mémoire des grands ensembles",
            "l'histoire de l'immigration",
            "le patrimoine des cités",
            "les récits d'habitants",
            "l'histoire de la politique de la ville",
            "les archives orales",
        ],
        [
            "les récits recueillis montrent l'attachement des anciens habitants à leur cité",
            "les photographies de la construction ont été exposées à la médiathèque",
        ],
    ),
    "culture": (
        [
            "l'action culturelle",
            "les pratiques sportives",
            "l'éducation artistique",
            "les équipements culturels",
            "la lecture publique",
            "les pratiques amateurs",
        ],
        [
            "les ateliers artistiques touchent surtout les enfants et leurs mères",
            "les clubs sportifs manquent d'encadrants bénévoles",
        ],
    ),
    "mobilite": (
        [
            "la mobilité des habitants",
            "les transports en commun",
            "le désenclavement",
            "les déplacements domicile-travail",
            "le permis de conduire",
            "les plateformes de mobilité",
        ],
        [
            "les transports en commun désenclavent les secteurs les plus éloignés",
            "l'absence de permis de conduire freine l'accès à l'emploi",
        ],
    ),
    "jeunesse": (
        [
            "la jeunesse",
            "la parentalité",
            "le soutien aux familles",
            "le vieillissement de la population",
            "les centres sociaux",
            "l'animation de proximité",
            "les vacances des enfants",
        ],
        [
            "les centres sociaux accueillent de plus en plus de familles monoparentales",
            "les personnes âgées isolées sont peu repérées par les services",
        ],
    ),
    "pilotage": (
        [
            "l'évaluation des politiques publiques",
            "l'observation des territoires",
            "l'ingénierie de projet",
            "la coordination des acteurs",
            "la mobilisation du droit commun",
            "la gouvernance intercommunale",
            "les crédits spécifiques",
            "le contrat de ville",
            "la géographie prioritaire",
        ],
        [
            "les crédits de droit commun compensent mal la baisse des crédits spécifiques",
            "les équipes de maîtrise d'œuvre urbaine et sociale manquent de moyens",
            "l'évaluation manque d'indicateurs partagés entre les partenaires",
            "la nouvelle géographie prioritaire a fait sortir plusieurs sites du dispositif",
        ],
    ),
    "environnement": (
        [
            "le développement durable",
            "la nature en ville",
            "les jardins partagés",
            "la gestion des déchets",
            "la transition écologique",
            "les îlots de chaleur",
        ],
        [
            "les jardins partagés créent des liens entre voisins",
            "le tri des déchets progresse après les actions de sensibilisation",
        ],
    ),
}
THEME_WEIGHTS = {
    "renovation": 12,
    "logement": 10,
    "emploi": 12,
    "economie": 5,
    "education": 10,
    "sante": 7,
    "mediation": 7,
    "participation": 6,
    "discriminations": 6,
    "memoire": 3,
    "culture": 4,
    "mobilite": 3,
    "jeunesse": 5,
    "pilotage": 10,
    "environnement": 3,
}
TOPICS = [phrase for phrases, _facts in THEMES.values() for phrase in phrases]
DISPOSITIFS = [
    "du contrat urbain de cohésion sociale (CUCS)",
    "du CUCS",
    "du contrat de ville",
    "du programme de rénovation urbaine",
    "de la convention ANRU",
    "du projet de renouvellement urbain",
    "du programme de réussite éducative",
    "de l'atelier santé ville",
    "de la zone franche urbaine",
    "du plan local pour l'insertion et l'emploi",
    "de la gestion urbaine de proximité",
    "du conseil local de sécurité et de prévention de la délinquance",
    "de la dotation de solidarité urbaine",
    "des adultes-relais",
]
ZONES = [
    "les quartiers prioritaires",
    "les quartiers prioritaires de la politique de la ville",
    "les zones urbaines sensibles",
    "la ZUS",
    "le quartier",
    "les quartiers d'habitat social",
    "les grands ensembles",
    "les QPV",
    "les territoires prioritaires",
    "la cité",
    "le centre ancien",
    "les communes de la périphérie",
    "l'agglomération",
    "les secteurs d'habitat social",
    "la ville",
]
SUBJECTS_SINGULAR = [
    "Cette étude",
    "Ce rapport",
    "Le présent document",
    "Cette évaluation",
    "Le diagnostic",
    "Cette note",
    "La synthèse",
    "Cet ouvrage",
    "Le guide",
    "Cette recherche",
    "L'enquête",
    "Le bilan",
    "Cette fiche",
    "Le dossier",
    "Cette contribution",
    "L'article",
]
SUBJECTS_PLURAL = [
    "Les auteurs",
    "Les partenaires du contrat de ville",
    "Les services de l'État",
    "Les bailleurs sociaux",
    "Les chercheurs",
    "Les acteurs locaux",
    "Les professionnels",
    "Les élus",
    "Les intervenants",
    "Les contributions réunies ici",
]
VERBS = [
    ("analyse", "analysent"),
    ("présente", "présentent"),
    ("décrit", "décrivent"),
    ("évalue", "évaluent"),
    ("interroge", "interrogent"),
    ("retrace", "retracent"),
    ("examine", "examinent"),
    ("met en évidence", "mettent en évidence"),
    ("compare", "comparent"),
    ("documente", "documentent"),
    ("restitue", "restituent"),
    ("questionne", "questionnent"),
    ("revient sur", "reviennent sur"),
    ("mesure", "mesurent"),
    ("explore", "explorent"),
    ("dresse un état des lieux de", "dressent un état des lieux de"),
    ("propose une lecture critique de", "proposent une lecture critique de"),
    ("rend compte de", "rendent compte de"),
]
PLACES = [
    "dans {zone} de {commune}",
    "à {commune}",
    "sur le territoire de l'agglomération de {commune}",
    "dans {zone}",
    "en {region}",
    "dans le département {departement}",
    "entre {y1} et {y2}",
    "depuis {y1}",
    "au regard des objectifs {dispositif}",
    "dans le cadre {dispositif}",
    "à partir de l'exemple de {commune}",
    "au cours de la période {y1}-{y2}",
    "dans plusieurs villes moyennes",
    "dans les quartiers de {commune}",
    "",
    "",
]
OPENINGS = [
    "Les résultats montrent que",
    "Il apparaît que",
    "On observe que",
    "L'étude souligne que",
    "Selon les acteurs interrogés,",
    "Les données disponibles indiquent que",
    "Le bilan fait apparaître que",
    "Malgré les moyens engagés,",
]
METHODS = [
    "Elle s'appuie sur des entretiens avec les acteurs locaux et les habitants.",
    "Il repose sur une enquête par questionnaire auprès de {n} ménages.",
    "L'analyse mobilise les données de l'INSEE et de l'observatoire des ZUS.",
    "Des monographies complètent les données statistiques.",
    "Les données proviennent des bailleurs sociaux et de Pôle emploi.",
    "Une démarche participative a associé les conseils citoyens.",
    "Les résultats ont été discutés en comité de pilotage.",
    "Des indicateurs de suivi sont proposés pour chaque action.",
    "La méthode combine observation participante et analyse documentaire.",
    "Un groupe de travail a réuni techniciens, élus et associations pendant {n} jours.",
    "Les comparaisons portent sur {n} sites en France.",
    "Une cartographie accompagne le texte.",
    "Les annexes réunissent les fiches actions et le tableau de bord.",
]
RECOMMENDATIONS = [
    "Des recommandations sont formulées pour renforcer {topic}.",
    "Les auteurs proposent des pistes pour améliorer {topic}.",
    "Le document conclut sur les conditions de réussite de {topic}.",
    "Plusieurs expériences locales sont présentées comme bonnes pratiques.",
    "Il souligne la nécessité d'une meilleure coordination entre l'État et les collectivités.",
    "Les perspectives ouvertes par le nouveau contrat de ville sont discutées.",
]
TITLE_PATTERNS = [
    "{Topic} dans {zone} de {commune}",
    "Évaluation {dispositif} de {commune} : bilan {y1}-{y2}",
    "{Topic} : enjeux et perspectives pour {commune}",
    "Guide méthodologique : {topic}",
    "Actes de la journée régionale sur {topic}",
    "{Topic} en {region} : état des lieux et recommandations",
    "Diagnostic territorial de {commune} : {topic}",
    "{Topic} et {topic2}",
    "Les habitants face à {topic} : enquête à {commune}",
    "Rapport d'activité {y1} {dispositif} de {commune}",
    "Quelle place pour {topic} dans la politique de la ville ?",
    "Fiche expérience : {topic} à {commune}",
    "{Topic} : retour sur {n} expériences locales",
    "Agir pour {topic} : repères pour les professionnels",
]
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Nadia",
    "Philippe",
    "Sophie",
    "Karim",
    "Isabelle",
    "Thomas",
    "Fatima",
    "Pierre",
    "Claire",
    "Mohamed",
    "Anne",
    "Julien",
    "Hélène",
    "Mamadou",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Benali",
    "Moreau",
    "Girard",
    "Diallo",
    "Roux",
    "Fontaine",
    "Chevalier",
    "Mercier",
    "Nguyen",
    "Lambert",
    "Bonnet",
    "Haddad",
]
PUBLISHERS = [
    "Délégation interministérielle à la ville",
    "Agence nationale pour la rénovation urbaine",
    "Centre de ressources politique de la ville",
    "La Documentation française",
    "Éditions de l'Aube",
    "Préfecture de région",
    "Agence d'urbanisme",
    "Observatoire national des ZUS",
    "",
]
REGIONS = ["région Centre", "Poitou-Charentes", "Centre-Val de Loire", "Nouvelle-Aquitaine"]
# (type value, weight)
TYPE_WEIGHTS = [
    ("rapport", 30),
    ("etude", 20),
    ("guide-methodologique", 6),
    ("actes", 6),
    ("article", 12),
    ("texte-officiel", 4),
    ("ouvrage", 5),
    ("video", 1),
    ("dossier-ressources", 4),
    ("synthese", 6),
    ("fiche-experience", 5),
    ("donnees", 1),
]


@dataclass
class Reference:
    """What records are attached to, read once from the loaded reference data."""

    concepts: list[int]
    concept_weights: list[float]
    communes: list[tuple[int, str]]
    commune_weights: list[int]
    departements: list[tuple[int, str]]
    qpv: list[tuple[int, str]]


def reference() -> Reference:
    from villes2.taxonomy.models import Concept
    from villes2.territories.models import Territory

    concepts = list(Concept.objects.filter(deprecated=False).order_by("pk").values_list("pk"))
    concepts = [pk for (pk,) in concepts]
    # A few descriptors far more often than the others, as in a real catalogue.
    weights = [1.0 / (rank + 3) for rank in range(len(concepts))]
    random.Random(73).shuffle(weights)
    inside = Territory.objects.filter(
        ancestors__kind="departement", ancestors__code__in=DEPARTEMENTS
    )
    communes = list(
        inside.filter(kind="commune")
        .order_by("pk")
        .values_list("pk", "name", "population")
        .distinct()
    )
    departements = list(
        Territory.objects.filter(kind="departement", code__in=DEPARTEMENTS)
        .order_by("code")
        .values_list("pk", "name")
    )
    qpv = list(inside.filter(kind="qpv").order_by("pk").values_list("pk", "name").distinct())
    if not concepts or not communes:
        raise SystemExit("Load the reference data first (manage.py load_reference_data).")
    return Reference(
        concepts=concepts,
        concept_weights=weights,
        communes=[(pk, name) for pk, name, _population in communes],
        commune_weights=[max(population or 1, 50) for *_rest, population in communes],
        departements=departements,
        qpv=qpv,
    )


def _capitalised(phrase: str) -> str:
    for article in ("la ", "le ", "les ", "l'"):
        if phrase.startswith(article):
            phrase = phrase[len(article) :]
            break
    return phrase[0].upper() + phrase[1:]


class Writer:
    """French sentences for one record, mostly about its themes."""

    def __init__(self, rng: random.Random, themes: list[str], commune: str, departement: str):
        self.rng = rng
        self.phrases = [phrase for theme in themes for phrase in THEMES[theme][0]]
        self.facts = [fact for theme in themes for fact in THEMES[theme][1]]
        self.commune = commune
        self.departement = departement

    def topic(self) -> str:
        # Mostly the record's own themes, sometimes any other.
        return self.rng.choice(self.phrases if self.rng.random() < 0.8 else TOPICS)

    def fill(self, pattern: str) -> str:
        rng = self.rng
        y1 = rng.randrange(1996, 2024)
        values = {
            "topic": self.topic(),
            "Topic": _capitalised(self.topic()),
            "topic2": self.topic(),
            "zone": rng.choice(ZONES),
            "commune": self.commune,
            "departement": self.departement,
            "region": rng.choice(REGIONS),
            "dispositif": rng.choice(DISPOSITIFS),
            "y1": y1,
            "y2": y1 + rng.randrange(1, 6),
            "n": rng.choice((12, 25, 40, 120, 250, 400, 600, 1200)),
        }
        return pattern.format(**values)

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.4:
            if rng.random() < 0.7:
                subject, verb = rng.choice(SUBJECTS_SINGULAR), rng.choice(VERBS)[0]
            else:
                subject, verb = rng.choice(SUBJECTS_PLURAL), rng.choice(VERBS)[1]
            place = self.fill(rng.choice(PLACES))
            return f"{subject} {verb} {self.topic()} {place}".rstrip() + "."
        if kind < 0.7:
            fact = rng.choice(self.facts if rng.random() < 0.85 else self.facts + TOPICS)
            return f"{rng.choice(OPENINGS)} {fact}."
        if kind < 0.85:
            return self.fill(rng.choice(METHODS))
        return self.fill(rng.choice(RECOMMENDATIONS))

    def text(self, low: int, high: int) -> str:
        target = self.rng.randrange(low, high + 1)
        sentences: list[str] = []
        count = 0
        while count < target:
            sentence = self.sentence()
            words = sentence.split()
            if count + len(words) > target:
                words = words[: target - count]
                sentence = " ".join(words).rstrip(".,:") + "."
            sentences.append(sentence)
            count += len(words)
        return " ".join(sentences)

    def title(self) -> str:
        words = self.fill(self.rng.choice(TITLE_PATTERNS)).split()
        while len(words) < 5:
            words += ["en", self.rng.choice(REGIONS)]
        title = " ".join(words[:15])
        return title[0].upper() + title[1:]


@dataclass
class Record:
    document: object
    descriptors: list[int]
    territories: list[int]
    authors: list[str]
    full_text: str


def record(n: int, ref: Reference, seed: int) -> Record:
    """Record number n: the same for a given (seed, n) on every machine."""
    from villes2.documents.models import Document

    rng = random.Random(seed * 1_000_003 + n)
    types, type_weights = zip(*TYPE_WEIGHTS, strict=True)
    year = min(1996 + int(31 * rng.random() ** 0.7), 2026)
    territories: list[int] = []
    commune_pk, commune_name = rng.choices(ref.communes, weights=ref.commune_weights)[0]
    departement_pk, departement_name = rng.choice(ref.departements)
    draw = rng.random()
    # About 30 % national records (no territory); local ones name a commune (by
    # population), a QPV or a département, and sometimes other communes.
    if draw < 0.35:
        territories.append(commune_pk)
    elif draw < 0.52 and ref.qpv:
        territories.append(rng.choice(ref.qpv)[0])
    elif draw < 0.70:
        territories.append(departement_pk)
    if territories:
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            territories.append(rng.choices(ref.communes, weights=ref.commune_weights)[0][0])
    names, weights = zip(*THEME_WEIGHTS.items(), strict=True)
    themes = rng.choices(names, weights=weights, k=2 if rng.random() < 0.3 else 1)
    writer = Writer(rng, list(dict.fromkeys(themes)), commune_name, departement_name)
    title = writer.title()
    abstract = writer.text(80, 200)
    status = "brouillon" if rng.random() < 0.10 else "publie"
    access = "equipe" if rng.random() < 0.05 else "public"
    published_on = None
    if rng.random() < 0.6:
        import datetime

        published_on = datetime.date(year, rng.randrange(1, 13), rng.randrange(1, 29))
    document = Document(
        title=title,
        subtitle=writer.fill("{Topic}") if rng.random() < 0.15 else "",
        doc_type=rng.choices(types, weights=type_weights)[0],
        publisher=rng.choice(PUBLISHERS),
        year=year,
        published_on=published_on,
        abstract=abstract,
        pages=rng.randrange(4, 300),
        access=access,
        status=status,
        call_number=f"SYN-{n:07d}",
        notes=SOURCE_NOTE,
    )
    descriptors = list(
        dict.fromkeys(
            rng.choices(ref.concepts, weights=ref.concept_weights, k=rng.choice((1, 2, 2, 3, 3, 4)))
        )
    )
    authors = [
        f"{rng.choice(LAST_NAMES)}, {rng.choice(FIRST_NAMES)}"
        for _ in range(rng.choice((1, 1, 2, 3)))
    ]
    full_text = writer.text(400, 2500) if rng.random() < 0.08 else ""
    return Record(document, descriptors, list(dict.fromkeys(territories)), authors, full_text)


def generate(start: int, stop: int, *, seed: int = 2026, ref: Reference | None = None) -> int:
    """Write records start … stop - 1 (bulk inserts, no index: rebuild it afterwards)."""
    from django.db import transaction
    from django.utils import timezone

    from villes2.documents.models import Attachment, Document, DocumentAuthor

    ref = ref or reference()
    descriptor_through = Document.descriptors.through
    territory_through = Document.territories.through
    now = timezone.now()
    for batch_start in range(start, stop, BATCH):
        records = [record(n, ref, seed) for n in range(batch_start, min(stop, batch_start + BATCH))]
        for item in records:
            if item.document.status == "publie":
                item.document.first_published_at = now
        with transaction.atomic():
            documents = Document.objects.bulk_create([item.document for item in records])
            descriptor_through.objects.bulk_create(
                descriptor_through(document_id=document.pk, concept_id=concept)
                for document, item in zip(documents, records, strict=True)
                for concept in item.descriptors
            )
            territory_through.objects.bulk_create(
                territory_through(document_id=document.pk, territory_id=territory)
                for document, item in zip(documents, records, strict=True)
                for territory in item.territories
            )
            DocumentAuthor.objects.bulk_create(
                DocumentAuthor(document_id=document.pk, order=order, name=name)
                for document, item in zip(documents, records, strict=True)
                for order, name in enumerate(item.authors)
            )
            Attachment.objects.bulk_create(
                Attachment(
                    document_id=document.pk,
                    file=f"documents/synthetique/{document.pk}.pdf",  # never written
                    original_name=f"synthetique-{document.pk}.pdf",
                    size=len(item.full_text) * 4,
                    sha256="0" * 64,
                    page_count=max(1, len(item.full_text) // 3000),
                    text=item.full_text,
                    extraction="fait",
                )
                for document, item in zip(documents, records, strict=True)
                if item.full_text
            )
    return stop - start
