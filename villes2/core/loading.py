"""What a data load changed, shared by every reference and founding data loader."""

from collections import Counter
from dataclasses import dataclass, field

ACTIONS = ("created", "updated", "deleted", "unchanged")


@dataclass
class LoadReport:
    """Counts per table and action (created, updated, deleted, unchanged)."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, table: str, action: str, number: int = 1) -> None:
        if action not in ACTIONS:
            raise ValueError(action)
        self.counts.setdefault(table, Counter())[action] += number

    @property
    def changed(self) -> bool:
        return any(
            counter[action]
            for counter in self.counts.values()
            for action in ("created", "updated", "deleted")
        )


class DataLoadError(Exception):
    """Raised by a loader with every problem found, each naming its file and line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def upsert(model, lookup: dict, values: dict, table: str, report: LoadReport):
    """Create or update one row by `lookup`, validated; count what happened in `report`
    under `table`. Returns the row. Founding-data loaders use it to stay idempotent."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        report.add(table, "created")
    elif any(getattr(instance, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        report.add(table, "updated")
    else:
        report.add(table, "unchanged")
    return instance
