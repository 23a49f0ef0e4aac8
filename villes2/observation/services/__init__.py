from .aggregation import CommuneClosure, commune_closure, values_aggregate_upward
from .imports import ImportProblem, ImportReport, values_import

__all__ = [
    "CommuneClosure",
    "ImportProblem",
    "ImportReport",
    "commune_closure",
    "values_aggregate_upward",
    "values_import",
]
