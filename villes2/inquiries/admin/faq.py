"""FAQ entries in `/gestion/`: written directly or drafted from a request's answer (the
request's page), saved through `services.faq.faq_save` (re-indexed, never published by
a save) with the concurrent-edit check, published and withdrawn by the buttons of the
entry's page or the list's actions (`faq_publish`, `faq_unpublish`: role
`answer_inquiry`). An entry drawn from a request reminds whoever opens it to anonymise
it before publishing."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from villes2.core.admin import ConcurrentEditAdminMixin, SaveThroughServiceAdmin, VersionedAdminForm

from ..models import FaqEntry
from ..services import faq as faq_services
from ..services.requests import answer_links_check
from .desk import PublicResourceAutocomplete

PUBLISH_PERMISSION = "inquiries.answer_inquiry"


class FaqEntryForm(VersionedAdminForm):
    """The concurrent-edit check; only public records linked (the entry is for the
    site)."""

    def clean(self):
        cleaned = super().clean()
        try:
            answer_links_check(
                documents=cleaned.get("documents"), practices=cleaned.get("practices")
            )
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                for message in messages_:
                    self.add_error(name, message)
        return cleaned


@admin.register(FaqEntry)
class FaqEntryAdmin(ConcurrentEditAdminMixin, SaveThroughServiceAdmin):
    form = FaqEntryForm
    change_form_template = "admin/inquiries/faqentry/change_form.html"
    services = faq_services
    save_service = "faq_save"
    relations_service = "faq_relations_changed"
    delete_service = "faq_delete"
    fieldsets = (
        (None, {"fields": ("question", "answer", "themes", "seen_version")}),
        (_("Linked resources"), {"fields": ("documents", "practices")}),
        (_("In English (optional)"), {"fields": ("question_en", "answer_en")}),
        (_("Origin"), {"fields": ("source_link",)}),
    )
    readonly_fields = ("source_link",)
    autocomplete_fields = ("themes", "documents", "practices")
    list_display = ("question", "published", "published_at", "updated_column", "source_column")
    list_filter = ("published",)
    list_select_related = ("source",)
    search_fields = ("question", "answer", "question_en")
    ordering = ("published", "-updated_at")
    show_full_result_count = False
    actions = ["publish_selected", "unpublish_selected"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("documents", "practices"):
            kwargs["widget"] = PublicResourceAutocomplete(db_field, self.admin_site)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def view_on_site(self, obj: FaqEntry) -> str | None:
        # A draft has no public page (404): no "View on site" button.
        return obj.get_absolute_url() if obj.published else None

    @admin.display(description=_("last changed"), ordering="updated_at")
    def updated_column(self, obj: FaqEntry) -> str:
        return date_format(timezone.localtime(obj.updated_at), "SHORT_DATETIME_FORMAT")

    def has_answer_permission(self, request) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.display(description=_("drawn from the request"), ordering="source")
    def source_column(self, obj: FaqEntry) -> str:
        return obj.source.reference if obj.source_id else "—"

    @admin.display(description=_("drawn from the request"))
    def source_link(self, obj: FaqEntry) -> str:
        if obj.source_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:inquiries_inquiry_change", args=[obj.source_id]),
            str(obj.source),
        )

    def delete_model(self, request, obj):
        faq_services.faq_delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            faq_services.faq_delete(entry, user=request.user)

    # --- Publication ---------------------------------------------------------------------

    @admin.action(description=_("Publish the selected entries"), permissions=["answer"])
    def publish_selected(self, request, queryset):
        count = 0
        for entry in queryset.filter(published=False):
            faq_services.faq_publish(entry, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)s entry published.", "%(count)s entries published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Withdraw the selected entries from the site"), permissions=["answer"]
    )
    def unpublish_selected(self, request, queryset):
        count = 0
        for entry in queryset.filter(published=True):
            faq_services.faq_unpublish(entry, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)s entry withdrawn.", "%(count)s entries withdrawn.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/publication/",
                self.admin_site.admin_view(self.publication),
                name="inquiries_faqentry_publication",
            ),
            *super().get_urls(),
        ]

    def publication(self, request, object_id):
        return publication_view(request, object_id, model_admin=self)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["faq_panel"] = {
                "entry": obj,
                "can_publish": self.has_answer_permission(request)
                and self.has_change_permission(request, obj),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)


@require_POST
def publication_view(request, object_id, *, model_admin):
    entry = get_object_or_404(FaqEntry, pk=object_id)
    if not model_admin.has_change_permission(request, entry):
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "publish":
        faq_services.faq_publish(entry, user=request.user)  # 403 without the role
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                gettext("The entry is published in the FAQ and the search."),
                entry.get_absolute_url(),
                gettext("See it on the site"),
            ),
        )
    elif action == "unpublish":
        faq_services.faq_unpublish(entry, user=request.user)
        messages.success(request, gettext("The entry is withdrawn from the site."))
    else:
        messages.error(request, gettext("This step is unknown: nothing was changed."))
    return redirect("admin:inquiries_faqentry_change", entry.pk)
