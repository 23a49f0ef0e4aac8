"""The catalogue: bibliographic records, their authors, attachments, and the tombstones
that tell harvesters a record was withdrawn (OAI-PMH `deletedRecord=persistent`)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villes2.actors.models import Organisation, Person
from villes2.core.models import Versioned
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .querysets import DocumentQuerySet

ATTACHMENT_DIR = "documents"


class DocumentType(models.TextChoices):
    """Kinds of record. The values are stable: they are OAI-PMH set names and URL values."""

    REPORT = "rapport", _("Report")
    STUDY = "etude", _("Study")
    GUIDE = "guide-methodologique", _("Methodological guide")
    PROCEEDINGS = "actes", _("Proceedings")
    ARTICLE = "article", _("Article")
    OFFICIAL = "texte-officiel", _("Official text")
    BOOK = "ouvrage", _("Book")
    VIDEO = "video", _("Video")
    RESOURCE_FILE = "dossier-ressources", _("Resource file")
    SUMMARY = "synthese", _("Summary")
    EXPERIENCE = "fiche-experience", _("Experience sheet")
    DATA = "donnees", _("Dataset")


# Dublin Core type vocabulary (DCMI Type) for each kind, used in oai_dc and meta tags.
DCMI_TYPES = {
    DocumentType.VIDEO: "MovingImage",
    DocumentType.DATA: "Dataset",
}


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")
    ITALIAN = "it", _("Italian")
    OTHER = "mul", _("Other or several")


class Licence(models.TextChoices):
    ALL_RIGHTS = "tous-droits-reserves", _("All rights reserved")
    ETALAB = "licence-ouverte-2.0", _("Licence Ouverte / Open Licence 2.0")
    CC_BY = "cc-by-4.0", _("Creative Commons BY 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons BY-SA 4.0")
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", _("Creative Commons BY-NC-ND 4.0")
    PUBLIC_DOMAIN = "domaine-public", _("Public domain")


LICENCE_URLS = {
    Licence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    Licence.PUBLIC_DOMAIN: "https://creativecommons.org/publicdomain/mark/1.0/",
}


class Access(models.TextChoices):
    PUBLIC = "public", _("Public")
    STAFF = "equipe", _("Staff only")


class Status(models.TextChoices):
    DRAFT = "brouillon", _("Draft")
    PUBLISHED = "publie", _("Published")


class Document(Versioned):
    """A catalogue record. Public when published with public access
    (`Document.objects.public()`); drafts and staff-only records appear on no public
    surface: pages, search, facet counts, feeds, OAI-PMH, sitemap."""

    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    doc_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    published_on = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("Leave empty when only the year is known."),
    )
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, default=Language.FRENCH
    )
    abstract = models.TextField(_("abstract"), blank=True)
    abstract_en = models.TextField(
        _("abstract in English"), blank=True, help_text=_("For the European portal EUKN.")
    )
    descriptors = models.ManyToManyField(
        Concept, blank=True, related_name="documents", verbose_name=_("descriptors")
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="documents", verbose_name=_("territories")
    )
    url = models.URLField(_("external address"), max_length=500, blank=True)
    isbn = models.CharField(_("ISBN or ISSN"), max_length=20, blank=True)
    pages = models.PositiveIntegerField(_("number of pages"), null=True, blank=True)
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices, blank=True)
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    call_number = models.CharField(_("call number"), max_length=50, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    created = models.DateTimeField(_("created on"), auto_now_add=True)
    # The OAI-PMH datestamp: every change of the record or of its relations sets it.
    modified = models.DateTimeField(_("modified on"), auto_now=True, db_index=True)
    # Set the first time the record becomes public; the feeds are ordered by it.
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[descriptors, territories])

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1800) & Q(year__lte=2200), name="document_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(doc_type__in=DocumentType.values), name="document_type_valid"
            ),
            models.CheckConstraint(condition=Q(access__in=Access.values), name="document_access"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="document_status"),
        ]
        indexes = [
            models.Index(fields=["status", "access", "first_published_at"], name="document_public")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and self.access == Access.PUBLIC

    @property
    def full_title(self) -> str:
        return f"{self.title} : {self.subtitle}" if self.subtitle else self.title

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def dcmi_type(self) -> str:
        return DCMI_TYPES.get(self.doc_type, "Text")


class AuthorRole(models.TextChoices):
    AUTHOR = "auteur", _("Author")
    EDITOR = "direction", _("Editor")
    CONTRIBUTOR = "contributeur", _("Contributor")


class DocumentAuthor(models.Model):
    """One author of a record, in order: a person or an organisation of the directory, or
    a name typed as free text when the author is not in the directory."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="authors")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    person = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="authorships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="authorships",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("name (free text)"),
        max_length=300,
        blank=True,
        help_text=_("Only when the author is not in the directory, e.g. « Dupont, Marie »."),
    )
    role = models.CharField(
        _("contribution"), max_length=15, choices=AuthorRole.choices, default=AuthorRole.AUTHOR
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, organisation__isnull=True, name="")
                    | Q(person__isnull=True, organisation__isnull=False, name="")
                    | (Q(person__isnull=True, organisation__isnull=True) & ~Q(name=""))
                ),
                name="documentauthor_exactly_one",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.person_id:
            return f"{self.person.last_name}, {self.person.first_name}"
        if self.organisation_id:
            return self.organisation.name
        return self.name


class ExtractionStatus(models.TextChoices):
    PENDING = "en-attente", _("Waiting for text extraction")
    DONE = "fait", _("Text extracted")
    EMPTY = "vide", _("No text found (scanned document?)")
    FAILED = "echec", _("Extraction failed")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a random name (RELIABILITY.md): the original name is kept in a field,
    # never used as a path (no traversal, no collisions, no personal data in file names,
    # nothing guessable).
    token = secrets.token_hex(16)
    return f"{ATTACHMENT_DIR}/{token[:2]}/{token}.pdf"


class Attachment(models.Model):
    """A PDF attached to a record, checked on upload (magic bytes and parsing, size cap)
    and served by the application with `Content-Disposition` and `nosniff`, never as a
    static file, so that staff-only and draft records stay private."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    title = models.CharField(_("label"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    extraction = models.CharField(
        _("text extraction"),
        max_length=12,
        choices=ExtractionStatus.choices,
        default=ExtractionStatus.PENDING,
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("documents:attachment", args=[self.document_id, self.pk])


class Tombstone(models.Model):
    """A record that was public and no longer is (deleted, unpublished or made staff
    only): OAI-PMH reports it as deleted, with the sets it belonged to. Removed when the
    record becomes public again."""

    document_id = models.PositiveIntegerField(unique=True)
    withdrawn_at = models.DateTimeField(db_index=True)
    set_specs = models.JSONField(default=list)

    class Meta:
        verbose_name = _("withdrawn record")
        verbose_name_plural = _("withdrawn records")

    def __str__(self) -> str:
        return f"{self.document_id} ({self.withdrawn_at:%Y-%m-%d})"
