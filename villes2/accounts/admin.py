from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from villes2.core.throttle import client_address

from . import second_factor
from .models import User

# The second factor is managed on the account (the action below) and by its owner
# (/gestion/double-authentification/compte/), not as django-otp's device tables, whose
# pages show the secret keys.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.action(
    description=_("Reset the second factor (app and backup codes)"), permissions=["change"]
)
def reset_second_factor(modeladmin, request, queryset):
    users = list(queryset)
    address = client_address(request)
    count = sum(second_factor.reset(user, by=request.user, address=address) for user in users)
    if not count:
        modeladmin.message_user(
            request, _("None of these accounts had a second factor."), messages.WARNING
        )
        return
    modeladmin.message_user(
        request,
        ngettext(
            "Second factor reset for %(count)d account: its owner sets up an app at the "
            "next sign-in.",
            "Second factor reset for %(count)d accounts: their owners set up an app at the "
            "next sign-in.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(User)
class Villes2UserAdmin(UserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "has_second_factor",
    )
    list_filter = ("is_staff", "is_active", "groups")
    actions = [reset_second_factor]

    def get_queryset(self, request):
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_app=Exists(apps))

    @admin.display(description=_("Second factor"), boolean=True, ordering="has_app")
    def has_second_factor(self, user) -> bool:
        return user.has_app
