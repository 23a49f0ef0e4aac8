"""Helpers for the apps' test factories."""

import factory


def m2m(field_name: str) -> factory.PostGeneration:
    """A factory_boy hook filling a many-to-many: `Factory(territories=[a, b])`."""

    def add(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).add(*extracted)

    return factory.PostGeneration(add)


def staff_user(username: str = "staff", *, role: str = ""):
    """A staff account, in the role's group when one is given (roles.DIRECTION…)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="x", is_staff=True)  # noqa: S106 (test account)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
