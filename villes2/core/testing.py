"""Helpers for the apps' test factories."""

import factory


def m2m(field_name: str) -> factory.PostGeneration:
    """A factory_boy hook filling a many-to-many: `Factory(territories=[a, b])`."""

    def add(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).add(*extracted)

    return factory.PostGeneration(add)
