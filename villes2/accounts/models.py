from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: the centre's staff and members of partner networks.

    Custom from the first migration so that fields can be added later without a painful
    swap. Roles are groups (see `villes2.accounts.roles`).
    """

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            # The centre's staff roles hold it, partners do not (roles.SEES_UNPUBLISHED).
            ("view_unpublished", "Can see unpublished and staff-only records in search"),
        ]
