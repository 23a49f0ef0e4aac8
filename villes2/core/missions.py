"""The centre's six missions, as the founding note states them (Note de mise en œuvre, 2007).

Each mission names the site sections that serve it; the home page links a mission to the
first of its sections that is installed (see `registry.navigation`).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Mission:
    key: str
    title: str | Promise
    summary: str | Promise
    sections: tuple[str, ...]


MISSIONS = (
    Mission(
        "support",
        _("Technical assistance and methodological support to sites"),
        _(
            "Help with setting up evaluations, calls for tenders and the choice of "
            "consultants; advice on project files, European and structural funds; how "
            "procedures fit together (State-Region contract, agglomeration and pays "
            "contracts, CUCS, PRU)."
        ),
        ("inquiries",),
    ),
    Mission(
        "networks",
        _("Coordinating the networks"),
        _(
            "Keep the directory of actors up to date and organise exchanges between the "
            "actors of urban policy and territorial development, so that the networks' "
            "programmes fit together."
        ),
        ("actors", "events"),
    ),
    Mission(
        "capitalisation",
        _("Capitalising experience and promoting good practice"),
        _(
            "Record the experiences and practices identified by the networks, identify the "
            "conditions under which they can be reproduced or transposed, produce knowledge "
            "and share it."
        ),
        ("practices",),
    ),
    Mission(
        "documentation",
        _("Documentation and information"),
        _(
            "Answer the questions of professionals, elected officials and other actors "
            "quickly and relevantly; open access to existing documentation centres and "
            "databases; share one classification of information."
        ),
        ("documents", "inquiries"),
    ),
    Mission(
        "training",
        _("Training engineering"),
        _(
            "Improve the actors' professional qualification: identify training needs, "
            "define contents, write specifications and find trainers among the regional "
            "resources."
        ),
        ("training",),
    ),
    Mission(
        "observation",
        _("Observation of territories"),
        _(
            "Make it easier to analyse data by territory and to follow how neighbourhoods "
            "change, to evaluate the policies carried out; help set up homogeneous systems "
            "for collecting and processing data."
        ),
        ("observation", "territories"),
    ),
)
