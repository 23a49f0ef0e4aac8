from .aggregation import commune_counts, values_aggregate_upward

__all__ = ["commune_counts", "values_aggregate_upward"]
