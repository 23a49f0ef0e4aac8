"""The columns of directory spreadsheets, shared by the import and the staff export so
that an exported file can be corrected and imported back.

Headers are French: the people who fill these files are the centre's staff and
partners. Each column: (header, model field or "" when computed, description).
Multiple values in one cell are separated by `|`.
"""

from __future__ import annotations

from typing import NamedTuple

MULTI_SEPARATOR = "|"


class Column(NamedTuple):
    header: str
    description: str
    required: bool = False


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("identifiant", "slug of an existing entry to update; empty to create or match"),
    Column("nom", "name", required=True),
    Column("sigle", "acronym"),
    Column("type", "kind: its code (association) or its French label (Association)", True),
    Column("siren", "9 digits, checked"),
    Column("organisation_parente", "identifiant (slug) or SIREN of the parent organisation"),
    Column("site_web", "http(s) address"),
    Column("adresse", "postal address"),
    Column("territoires", "territory codes, e.g. commune:37261|departement:37"),
    Column("partenaire", "oui / non: listed on the Partners page"),
    Column("source", "where the information comes from"),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("identifiant", "slug of an existing entry to update; empty to create or match"),
    Column("prenom", "first name", required=True),
    Column("nom", "last name", required=True),
    Column("fonction", "public job title"),
    Column("courriel", "e-mail"),
    Column("telephone", "phone"),
    Column("adresse", "postal address"),
    Column("organisation", "identifiant (slug) or SIREN of the organisation"),
    Column("role", "role in that organisation, e.g. Cheffe de projet politique de la ville"),
    Column("territoires", "territory codes, e.g. commune:79191"),
    Column("informe_le", "date the person was told of their listing (JJ/MM/AAAA)"),
    Column("source", "where the information comes from"),
)


def headers(columns: tuple[Column, ...]) -> list[str]:
    return [column.header for column in columns]
